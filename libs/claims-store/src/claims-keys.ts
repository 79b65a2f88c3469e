import { normalizeLookupName } from '@app/domain';
import { hash } from 'node:crypto';

/**
 * Names of the projection's Redis keys. Identifiers are hashed into the key names: logins and
 * emails stay out of `SCAN`, `MONITOR`, slow logs and keyspace events, any character a producer
 * sends is safe in a key, and every key has the same short length. Each script touches one key,
 * so the layout runs unchanged on a Redis Cluster.
 */
export class ClaimsKeys {
  constructor(private readonly prefix: string) {}

  /** The subject's document, found by its id. */
  subject(subject: string): string {
    return `${this.prefix}:subject:${digest(subject)}`;
  }

  /** A copy of the document of whichever subject owns a login, email or alias. */
  name(name: string): string {
    return `${this.prefix}:name:${digest(normalizeLookupName(name))}`;
  }
}

function digest(value: string): string {
  return hash('sha256', value, 'base64url').slice(0, 22);
}
