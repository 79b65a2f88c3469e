import type { ClaimsDocument, SubjectLookup } from '@app/domain';
import type { Redis } from 'ioredis';
import type { ClaimsKeys } from './claims-keys.js';

/** The hooks' side of Redis: one read per lookup, tried in order until one finds a document. */
export class ClaimsReader {
  constructor(private readonly redis: Redis, private readonly keys: ClaimsKeys) {}

  async find(lookups: readonly SubjectLookup[]): Promise<ClaimsDocument | null> {
    for (const lookup of lookups) {
      const key = lookup.by === 'subject' ? this.keys.subject(lookup.value) : this.keys.name(lookup.value);
      const document = await this.redis.hget(key, 'd');
      if (document !== null) return JSON.parse(document) as ClaimsDocument;
    }
    return null;
  }
}
