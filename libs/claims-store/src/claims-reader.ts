import type { SubjectLookup, SubjectState } from '@app/domain';
import type { ClaimsKeys } from './claims-keys.js';
import type { ClaimsDocuments } from './near-cache.js';
import { decodeState } from './stored-state.js';

/** The hooks' side of Redis: one read per lookup, tried in order until one finds the subject. */
export class ClaimsReader {
  constructor(private readonly documents: ClaimsDocuments, private readonly keys: ClaimsKeys) {}

  /** The subject's document in a generation, its tombstone if it was erased, or `null` when no lookup finds it. */
  async find(generation: string, lookups: readonly SubjectLookup[]): Promise<SubjectState | null> {
    for (const lookup of lookups) {
      const key = lookup.by === 'subject' ? this.keys.subject(generation, lookup.value) : this.keys.name(generation, lookup.value);
      const stored = await this.documents.document(key);
      if (stored !== null) return decodeState(stored, lookup.value);
    }
    return null;
  }
}
