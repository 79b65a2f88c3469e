import { ClaimsKeys, ClaimsReader, ClaimsWriter, createPatientRedis, ProjectionStateStore } from '@app/claims-store';
import { jsonEquals, projectSubject, type ClaimsEvent, type JsonValue, type SubjectLookup, type SubjectState } from '@app/domain';
import { EventStore } from '@app/event-store';
import type pg from 'pg';
import type { Redis } from 'ioredis';
import { streamOf } from '../../libs/domain/src/testing/recorded-events.js';
import type { TestNamespace } from './namespace.js';

export const SEEDED_GENERATION = 'gseed';

/** A warm projection holding these subjects' streams, as a finished rebuild leaves it. */
export async function seedProjection(namespace: TestNamespace, subjects: Record<string, ClaimsEvent[]>): Promise<void> {
  const redis = createPatientRedis(namespace.redisUrl, 'test-seed');
  try {
    const keys = new ClaimsKeys(namespace.redisPrefix);
    const state = new ProjectionStateStore(redis, keys);
    await state.initialize(SEEDED_GENERATION);
    const writer = new ClaimsWriter(redis, keys);
    for (const [subject, events] of Object.entries(subjects)) await writer.apply(SEEDED_GENERATION, projectSubject(null, streamOf(subject, events)));
    await state.completeRebuild(SEEDED_GENERATION);
  } finally {
    redis.disconnect();
  }
}

/** What a hook would find right now: the lookup in the live generation. */
export async function findLive(redis: Redis, namespace: TestNamespace, lookups: SubjectLookup[]): Promise<SubjectState | null> {
  const keys = new ClaimsKeys(namespace.redisPrefix);
  const state = await new ProjectionStateStore(redis, keys).read();
  return state === null ? null : new ClaimsReader(redis, keys).find(state.live, lookups);
}

/**
 * The subjects whose state in the live generation differs from a fold of their whole stream in the
 * log: empty when the projection holds exactly what a clean run gives. Also counts the subjects.
 */
export async function projectionDrift(redis: Redis, namespace: TestNamespace, pool: pg.Pool): Promise<{ subjects: number; drifted: string[] }> {
  const { rows } = await pool.query<{ subject: string }>('SELECT subject FROM streams');
  const streams = await new EventStore(pool).readStreams(new Map(rows.map(({ subject }) => [subject, 0])));
  const drifted: string[] = [];
  for (const { subject } of rows) {
    const expected = projectSubject(null, streams.get(subject) ?? []).state;
    const actual = await findLive(redis, namespace, [{ by: 'subject', value: subject }]);
    if (!jsonEquals(actual as unknown as JsonValue, expected as unknown as JsonValue)) drifted.push(subject);
  }
  return { subjects: rows.length, drifted };
}
