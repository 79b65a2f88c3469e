import type { SubjectState } from '@app/domain';

/**
 * How a subject's state is kept in the `d` field of its entries. A document is stored whole; an
 * erased subject keeps only its tombstone, `{"status":"deleted","version":n}` and the time of the
 * erasure when its event gave one (`deletedAt`), without its id: the entry's key is a hash of the
 * id, so nothing readable of the subject is left.
 */
export function encodeState(state: SubjectState): string {
  if (state.status !== 'deleted') return JSON.stringify(state);
  const { status, version, deletedAt } = state;
  return JSON.stringify(deletedAt === undefined ? { status, version } : { status, version, deletedAt });
}

export function decodeState(stored: string, subject: string): SubjectState {
  const state = JSON.parse(stored) as SubjectState;
  return state.status === 'deleted' ? { ...state, subject } : state;
}
