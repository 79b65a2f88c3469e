import type { SubjectLookup, SubjectState } from '@app/domain';
import type { ClaimsKeys } from './claims-keys.js';
import type { ClaimsDocuments } from './near-cache.js';
import { stateOf } from './stored-state.js';

/** The hooks' side of Redis: one read per lookup, tried in order until one finds the subject. */
export class ClaimsReader {
  constructor(private readonly documents: ClaimsDocuments, private readonly keys: ClaimsKeys) {}

  /** The subject's document in a generation, its tombstone if it was erased, or `null` when no lookup finds it. */
  async find(generation: string, lookups: readonly SubjectLookup[]): Promise<SubjectState | null> {
    for (const lookup of lookups) {
      const stored = await this.documents.document(this.keyOf(generation, lookup));
      if (stored !== null) return stateOf(stored, lookup.value);
    }
    return null;
  }

  /**
   * What `find` would answer, when this process keeps the document of the first lookup and may serve
   * it: the answer then needs no promise at all. `undefined` when only Redis can tell, a later lookup
   * included, since an earlier one may find a subject that this process does not keep.
   */
  findKept(generation: string, lookups: readonly SubjectLookup[]): SubjectState | undefined {
    const first = lookups[0];
    if (first === undefined) return undefined;
    const stored = this.documents.kept(this.keyOf(generation, first));
    return stored === undefined ? undefined : stateOf(stored, first.value);
  }

  private keyOf(generation: string, lookup: SubjectLookup): string {
    return lookup.by === 'subject' ? this.keys.subject(generation, lookup.value) : this.keys.name(generation, lookup.value);
  }
}
