import { isDeleted, type ClaimsDocument, type SubjectProjection } from '@app/domain';
import type { Redis } from 'ioredis';
import type { ClaimsKeys } from './claims-keys.js';
import { withClaimsScripts, type ClaimsScripts } from './claims-scripts.js';

/** The projection's side of Redis: reads the documents it folds from, writes what it folded. */
export class ClaimsWriter {
  private readonly redis: Redis & ClaimsScripts;

  constructor(redis: Redis, private readonly keys: ClaimsKeys) {
    this.redis = withClaimsScripts(redis);
  }

  /** The stored documents of these subjects; a subject without one is absent from the map. */
  async documents(subjects: readonly string[]): Promise<Map<string, ClaimsDocument>> {
    const stored = await Promise.all(subjects.map((subject) => this.redis.hget(this.keys.subject(subject), 'd')));
    const documents = new Map<string, ClaimsDocument>();
    stored.forEach((json, index) => json !== null && documents.set(subjects[index]!, JSON.parse(json) as ClaimsDocument));
    return documents;
  }

  /**
   * Stores a subject's new state. Name entries go first and the subject entry last: the subject
   * entry's version is where the next fold starts, so if this stops half-way the retry folds the
   * same events again and rewrites the same names.
   */
  async apply(projection: SubjectProjection): Promise<void> {
    const { state, releasedNames } = projection;
    if (!projection.changed || state === null) return;
    const released = releasedNames.map((name) => this.redis.claimsReleaseName(this.keys.name(name), state.subject, state.version));
    if (isDeleted(state)) {
      await Promise.all(released);
      await this.redis.claimsDeleteSubject(this.keys.subject(state.subject), state.version);
      return;
    }
    const document = JSON.stringify(state);
    const named = Object.entries(state.names).map(([name, claimPosition]) =>
      this.redis.claimsPutName(this.keys.name(name), state.subject, claimPosition, state.version, document),
    );
    await Promise.all([...released, ...named]);
    await this.redis.claimsPutSubject(this.keys.subject(state.subject), state.version, document);
  }
}
