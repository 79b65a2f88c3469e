import { ClaimsKeys, ClaimsReader, ClaimsWriter, createPatientRedis, ProjectionStateStore, RedisDocuments } from '@app/claims-store';
import { isDeleted, jsonEquals, normalizeLookupName, projectSubject, type ClaimsDocument, type ClaimsEvent, type JsonValue, type RecordedEvent, type SubjectLookup, type SubjectState } from '@app/domain';
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
  return state === null ? null : new ClaimsReader(new RedisDocuments(redis), keys).find(state.live, lookups);
}

/** Every subject of the log with the state a sequential fold of its whole stream gives. */
async function foldLog(pool: pg.Pool): Promise<{ streams: Map<string, RecordedEvent[]>; states: Map<string, SubjectState | null> }> {
  const { rows } = await pool.query<{ subject: string }>('SELECT subject FROM streams');
  const streams = await new EventStore(pool).readStreams(new Map(rows.map(({ subject }) => [subject, 0])));
  return { streams, states: new Map(rows.map(({ subject }) => [subject, projectSubject(null, streams.get(subject) ?? []).state])) };
}

const sameState = (actual: SubjectState | null, expected: SubjectState | null | undefined): boolean =>
  jsonEquals(actual as unknown as JsonValue, (expected ?? null) as unknown as JsonValue);

/**
 * The subjects whose state in the live generation differs from a fold of their whole stream in the
 * log: empty when the projection holds exactly what a clean run gives. Also counts the subjects.
 */
export async function projectionDrift(redis: Redis, namespace: TestNamespace, pool: pg.Pool): Promise<{ subjects: number; drifted: string[] }> {
  const { states } = await foldLog(pool);
  const drifted: string[] = [];
  for (const [subject, expected] of states) {
    if (!sameState(await findLive(redis, namespace, [{ by: 'subject', value: subject }]), expected)) drifted.push(subject);
  }
  return { subjects: states.size, drifted };
}

/**
 * The logins, emails and aliases ever registered whose entry in the live generation breaks the rules
 * a fold of the log sets. An entry may only find a subject whose folded state holds the name, and
 * find that state. When a name is held with the latest claim ever made to it (the position of the
 * registration that gave it), its entry finds that holder. Otherwise it may be missing or belong to
 * another holder: after the later claimant gave the name up, the holder with the next event takes it
 * back (docs/architecture.md), whatever its claim, until a rebuild.
 */
export async function nameDrift(redis: Redis, namespace: TestNamespace, pool: pg.Pool): Promise<string[]> {
  const { streams, states } = await foldLog(pool);
  const latestClaim = new Map<string, bigint>();
  for (const event of [...streams.values()].flat()) {
    if (event.type !== 'identity.registered') continue;
    for (const name of [event.data.login, event.data.email, ...(event.data.aliases ?? [])]) {
      const key = name === undefined ? '' : normalizeLookupName(name);
      if (key && BigInt(event.position) > (latestClaim.get(key) ?? -1n)) latestClaim.set(key, BigInt(event.position));
    }
  }
  const drifted: string[] = [];
  for (const [name, latest] of latestClaim) {
    const holders = [...states.values()].filter((state): state is ClaimsDocument => state !== null && !isDeleted(state) && Object.hasOwn(state.names, name));
    const rightful = holders.find((holder) => BigInt(holder.names[name]!) === latest);
    const found = await findLive(redis, namespace, [{ by: 'name', value: name }]);
    const holder = holders.find((candidate) => candidate.subject === found?.subject);
    if (rightful ? !sameState(found, rightful) : found !== null && !sameState(found, holder)) drifted.push(name);
  }
  return drifted;
}
