import { createPatientRedis } from '@app/claims-store';
import { compareLogPositions, type LogPosition } from '@app/event-store';
import { PROJECTION_JOB_OPTIONS, PROJECTION_QUEUE, queuePrefix, type ProjectionJobs } from '@app/jobs';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { migratedPool } from '../support/database.js';
import { eventually } from '../support/eventually.js';
import { holdNameIndexing } from '../support/held-append.js';
import { PrivateServers } from '../support/private-servers.js';
import { nameDrift, projectionDrift } from '../support/projection.js';
import { INGEST_KEY, runHookApi, runSyncWorker, type RunningHookApi, type RunningSyncWorker } from '../support/stack.js';

const SUBJECTS = 120;
/** Fewer logins than subjects: names pass from subject to subject. */
const NAMES = 30;
const PRODUCERS = 6;
const BATCHES_PER_PRODUCER = 30;
const WORKERS = 3;
const LATE_COMMITS = 4;
const admin = { authorization: `Bearer ${INGEST_KEY}` };

const int = (below: number): number => Math.floor(Math.random() * below);
const chance = (probability: number): boolean => Math.random() < probability;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Any event of the contract for one of the subjects, half of them saying when they happened, in no particular order. */
function randomEvent(): Record<string, unknown> {
  const subject = `c${int(SUBJECTS)}`;
  const event = (type: string, data: Record<string, unknown>) => ({
    id: randomUUID(),
    type,
    subject,
    data,
    ...(chance(0.5) && { occurredAt: new Date(Date.UTC(2026, 0, 1) + int(3_600_000)).toISOString() }),
  });
  switch (int(10)) {
    case 0:
    case 1:
      return event('identity.registered', {
        login: `user${int(NAMES)}@example.org`,
        ...(chance(0.5) && { email: `mail${int(NAMES)}@example.org` }),
        ...(chance(0.3) && { aliases: [`MRN-${int(NAMES)}`] }),
      });
    case 2:
      return event('identity.profile_updated', { profile: { ward: chance(0.3) ? null : `W${int(5)}` } });
    case 3:
      return event('identity.deactivated', { reason: 'left' });
    case 4:
      return event(chance(0.3) ? 'identity.deleted' : 'identity.reactivated', {});
    case 5:
    case 6:
      return event('patient.linked', { patientId: `p${int(1000)}` });
    case 7:
      return event('patient.unlinked', { patientId: `p${int(1000)}` });
    case 8:
      return event('claims.granted', { claims: { role: `r${int(4)}`, [`c${int(5)}`]: int(100) } });
    default:
      return event('claims.revoked', { names: [`c${int(5)}`, 'role'] });
  }
}

interface Delivery {
  status: number;
  appended: number;
  duplicates: number;
}

describe('relay and projection under concurrency: late commits, duplicate deliveries, out-of-order jobs, many workers', () => {
  let servers: PrivateServers;
  let env: Record<string, string>;
  let workers: RunningSyncWorker[];
  let api: RunningHookApi;
  let pool: pg.Pool;
  let redis: Redis;
  let queue: Queue<ProjectionJobs['project']>;

  beforeAll(async () => {
    servers = await PrivateServers.start();
    // Small relay batches: many jobs, many stretches of the log to deliver twice and out of turn.
    env = servers.stackEnv({ RELAY_BATCH_SIZE: '10', RELAY_POLL_INTERVAL_MS: '50' });
    workers = [];
    for (let index = 0; index < WORKERS; index++) workers.push(await runSyncWorker(env));
    api = await runHookApi(env);
    pool = await migratedPool(servers.namespace);
    redis = createPatientRedis(servers.namespace.redisUrl, 'test');
    queue = new Queue(PROJECTION_QUEUE, { connection: { url: servers.namespace.redisUrl }, prefix: queuePrefix(servers.namespace.redisPrefix) });
  }, 60_000);

  afterAll(async () => {
    await api?.app.close();
    for (const worker of workers ?? []) await worker.app.close();
    await queue?.close();
    await pool?.end();
    redis?.disconnect();
    await servers?.stop();
  });

  const deliver = async (batch: unknown[]): Promise<Delivery> => {
    const response = await api.post('/events', batch, admin);
    const body = (await response.json()) as { appended?: number; duplicates?: number };
    return { status: response.status, appended: body.appended ?? -1, duplicates: body.duplicates ?? -1 };
  };

  it('ends in the state a sequential fold of the log gives, with every event stored once', async () => {
    const batches: Array<{ events: unknown[]; deliveries: Delivery[] }> = [];
    const redelivered: Array<{ events: unknown[] }> = [];
    let producing = true;

    const produce = async () => {
      for (let index = 0; index < BATCHES_PER_PRODUCER; index++) {
        const batch = { events: Array.from({ length: 1 + int(8) }, randomEvent), deliveries: [] as Delivery[] };
        batches.push(batch);
        // Sometimes delivered twice at once, as a producer retrying a timed-out request does.
        batch.deliveries.push(...(await Promise.all(Array.from({ length: chance(0.15) ? 2 : 1 }, () => deliver(batch.events)))));
        if (chance(0.15)) redelivered.push(batch);
      }
    };

    const lateCommits: Array<{ late: bigint; committedWhileHeld: bigint }> = [];
    const commitLate = async () => {
      for (let index = 0; index < LATE_COMMITS; index++) {
        const subject = `late-${index}`;
        const hold = await holdNameIndexing(servers.namespace, subject, `${subject}@example.org`);
        try {
          const answer = api.post(
            '/events',
            [
              { type: 'identity.registered', subject, data: { login: `${subject}@example.org` } },
              { type: 'patient.linked', subject, data: { patientId: `late-${index}` } },
            ],
            admin,
          );
          await eventually(async () => expect(await hold.waiting()).toBe(1));
          await sleep(150);
          const { rows } = await pool.query<{ last: string }>('SELECT max(position)::text AS last FROM events');
          await hold.release();
          const { events } = (await (await answer).json()) as { events: Array<{ position: string }> };
          lateCommits.push({ late: BigInt(events[0]!.position), committedWhileHeld: BigInt(rows[0]!.last) });
        } finally {
          await hold.release();
        }
      }
    };

    const outOfTurnJobs: string[] = [];
    const queueOutOfTurn = async () => {
      while (producing) {
        await sleep(30);
        const { rows } = await pool.query<LogPosition>('SELECT transaction_id::text AS "transactionId", position::text AS position FROM events ORDER BY random() LIMIT 2');
        if (rows.length < 2) continue;
        const [from, to] = rows.sort(compareLogPositions) as [LogPosition, LogPosition];
        // A stretch of the log no relay cut this way, and a stretch the relay delivered, again: both
        // sometimes ahead of everything waiting (lifo).
        const nth = int(20);
        const [relayed] = await queue.getJobs(['completed'], nth, nth);
        for (const range of relayed ? [{ from, to }, relayed.data] : [{ from, to }]) {
          const jobId = `out-of-turn-${outOfTurnJobs.length}`;
          outOfTurnJobs.push(jobId);
          await queue.add('project', range, { ...PROJECTION_JOB_OPTIONS, jobId, lifo: chance(0.5) });
        }
      }
    };

    const producers = Promise.all(Array.from({ length: PRODUCERS }, produce));
    const late = commitLate();
    const outOfTurn = queueOutOfTurn();
    // Half-way, the first worker (the relay's leader) goes and a new one comes: the lead moves.
    await eventually(() => expect(batches.length).toBeGreaterThan((PRODUCERS * BATCHES_PER_PRODUCER) / 2), 20_000);
    await workers.shift()!.app.close();
    workers.push(await runSyncWorker(env));
    await Promise.all([producers, late]);
    producing = false;
    await outOfTurn;
    const redeliveries = await Promise.all(redelivered.map(({ events }) => deliver(events)));

    expect(batches.flatMap(({ deliveries }) => deliveries.filter(({ status }) => status !== 201 && status !== 200))).toEqual([]);
    // However many times a batch was delivered, its events were appended once.
    expect(batches.filter(({ events, deliveries }) => deliveries.reduce((sum, { appended }) => sum + appended, 0) !== events.length)).toEqual([]);
    expect(redeliveries.filter(({ status, duplicates }, index) => status !== 200 || duplicates !== redelivered[index]!.events.length)).toEqual([]);
    const sent = batches.reduce((sum, { events }) => sum + events.length, 0);
    const { rows } = await pool.query<{ stored: number }>('SELECT count(*)::integer AS stored FROM events');
    expect(rows[0]!.stored).toBe(sent + 2 * LATE_COMMITS);
    // Each held append committed after events numbered above its own.
    expect(lateCommits.filter(({ late, committedWhileHeld }) => late >= committedWhileHeld)).toEqual([]);
    expect(lateCommits).toHaveLength(LATE_COMMITS);
    expect(outOfTurnJobs.length).toBeGreaterThan(10);

    await eventually(
      async () => {
        expect(await projectionDrift(redis, servers.namespace, pool)).toEqual({ subjects: expect.any(Number), drifted: [] });
        expect(await nameDrift(redis, servers.namespace, pool)).toEqual([]);
        // Each ran and succeeded: only the newest 1,000 completed jobs are kept (PROJECTION_JOB_OPTIONS), the others are gone.
        const states = await Promise.all(outOfTurnJobs.map((jobId) => queue.getJobState(jobId)));
        expect(states.filter((state) => state !== 'completed' && state !== 'unknown')).toEqual([]);
      },
      30_000,
      250,
    );
  }, 90_000);
});
