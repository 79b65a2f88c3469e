import { isDeleted, type SubjectProjection, type SubjectState } from '@app/domain';
import type { Redis } from 'ioredis';
import type { ClaimsKeys } from './claims-keys.js';
import { RELEASED_NAME_TTL_MS, withClaimsScripts, type ClaimsScripts } from './claims-scripts.js';
import { decodeState, encodeState } from './stored-state.js';

/** The projection's side of Redis: reads the documents it folds from, writes what it folded. */
export class ClaimsWriter {
  private readonly redis: Redis & ClaimsScripts;

  constructor(redis: Redis, private readonly keys: ClaimsKeys) {
    this.redis = withClaimsScripts(redis);
  }

  /** The stored states (documents or tombstones) of these subjects in a generation; a subject without one is absent. */
  async states(generation: string, subjects: readonly string[]): Promise<Map<string, SubjectState>> {
    const stored = await Promise.all(subjects.map((subject) => this.redis.hget(this.keys.subject(generation, subject), 'd')));
    const states = new Map<string, SubjectState>();
    stored.forEach((json, index) => json !== null && states.set(subjects[index]!, decodeState(json, subjects[index]!)));
    return states;
  }

  /**
   * Stores a subject's new state. Name entries go first and the subject entry last: the subject
   * entry's version is where the next fold starts, so if this stops half-way the retry folds the
   * same events again and rewrites the same names. An erased subject's entry becomes its
   * tombstone: hooks can tell an erased subject from an unknown one, and the version it keeps
   * stops a late job from folding the erased history back in.
   */
  async apply(generation: string, projection: SubjectProjection): Promise<void> {
    const { state, releasedNames } = projection;
    if (!projection.changed || state === null) return;
    const releaseMark = this.keys.releaseMark(state.subject);
    const released = releasedNames.map((name) =>
      this.redis.claimsReleaseName(this.keys.name(generation, name), state.subject, releaseMark, state.version, RELEASED_NAME_TTL_MS),
    );
    const document = encodeState(state);
    const named = isDeleted(state)
      ? []
      : Object.entries(state.names).map(([name, claimPosition]) =>
          this.redis.claimsPutName(this.keys.name(generation, name), state.subject, releaseMark, claimPosition, state.version, document),
        );
    await Promise.all([...released, ...named]);
    await this.redis.claimsPutSubject(this.keys.subject(generation, state.subject), state.version, document);
  }

  /**
   * Removes every key of a generation, a scan batch at a time, so Redis is never blocked for long.
   * One `UNLINK` per key: keys of a generation live in many hash slots. (On a Redis Cluster the scan
   * covers the node this client talks to; removal across a cluster's masters is not done yet.)
   */
  async removeGeneration(generation: string): Promise<number> {
    let removed = 0;
    for await (const keys of this.redis.scanStream({ match: this.keys.generationPattern(generation), count: 1_000 })) {
      const results = await Promise.all((keys as string[]).map((key) => this.redis.unlink(key)));
      removed += results.reduce((sum, count) => sum + count, 0);
    }
    return removed;
  }
}
