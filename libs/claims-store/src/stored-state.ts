import type { ClaimsDocument, DeletedSubject, SubjectState } from '@app/domain';

/** A subject's state as its entry holds it: an erased subject's tombstone lacks the id (see `encodeState`). */
export type StoredState = ClaimsDocument | Omit<DeletedSubject, 'subject'>;

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
  return stateOf(parseStoredState(stored), subject);
}

export function parseStoredState(stored: string): StoredState {
  return JSON.parse(stored) as StoredState;
}

/**
 * Parsed and frozen, for the near cache: it hands the same object to every hook call about the
 * subject, so a mapper that changed it would change the answers of later calls. Frozen, such a bug
 * throws at once instead. Only objects that are shared pay for the freezing.
 */
export function parseSharedState(stored: string): StoredState {
  return deepFreeze(parseStoredState(stored));
}

/** The state of the subject that `stored` belongs to, found under `subject`. */
export function stateOf(stored: StoredState, subject: string): SubjectState {
  return stored.status === 'deleted' ? { ...stored, subject } : stored;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}
