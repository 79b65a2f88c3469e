import { normalizeLookupName, type SubjectLookup } from '@app/domain';
import { hash } from 'node:crypto';

/**
 * Names of the projection's Redis keys. The projection lives in generations: a rebuild fills a new
 * one while readers keep the current one, then they switch. Identifiers are hashed into the key
 * names: logins and emails stay out of `SCAN`, `MONITOR`, slow logs and keyspace events, any
 * character a producer sends is safe in a key, and every key has the same short length. Each script
 * touches one key, so the writes need no hash tags on a Redis Cluster (the clients here are
 * single-node ones; a cluster client is not wired in yet).
 */
export class ClaimsKeys {
  constructor(private readonly prefix: string) {}

  /** Which generations exist, which one readers use, and how far the projection is. */
  projectionState(): string {
    return `${this.prefix}:projection`;
  }

  /** The subject's document, found by its id. */
  subject(generation: string, subject: string): string {
    return `${this.prefix}:${generation}:subject:${lookupHash({ by: 'subject', value: subject })}`;
  }

  /** A copy of the document of whichever subject owns a login, email or alias. */
  name(generation: string, name: string): string {
    return `${this.prefix}:${generation}:name:${lookupHash({ by: 'name', value: name })}`;
  }

  /**
   * The field of a name entry that records the latest version of a subject that gave the name up.
   * Named by the hash of the subject, so that an erased subject's id is not left readable in it.
   */
  releaseMark(subject: string): string {
    return `x:${lookupHash({ by: 'subject', value: subject })}`;
  }

  /** The answer given to one delivery of a hook route about one subject, kept for the delivery's retries. */
  deliveryAnswer(delivery: Delivery): string {
    // JSON keeps the parts apart: the delivery id is the caller's text, and may hold what a lookup looks like.
    const parts = JSON.stringify([delivery.route, delivery.id, ...delivery.lookups.map((lookup) => `${lookup.by}:${lookupHash(lookup)}`)]);
    return `${this.prefix}:delivery:${hash('sha256', parts, 'base64url').slice(0, 22)}`;
  }

  /** A `SCAN` pattern matching every key of one generation. */
  generationPattern(generation: string): string {
    return `${this.prefix}:${generation}:*`;
  }
}

/** A provider's delivery to a hook route: its id (the same on each retry) and whom it asks about. */
export interface Delivery {
  route: string;
  id: string;
  lookups: readonly SubjectLookup[];
}

/** A generation name that no earlier generation of the deployment had, even after Redis lost everything. */
export function newGeneration(now = Date.now()): string {
  return `g${now.toString(36)}`;
}

/**
 * The hash that names a lookup in Redis keys; the event store computes the same one
 * (`lookup_key`), so a job can name what a hook missed without naming the subject.
 */
export function lookupHash(lookup: SubjectLookup): string {
  const value = lookup.by === 'name' ? normalizeLookupName(lookup.value) : lookup.value;
  return hash('sha256', value, 'base64url').slice(0, 22);
}
