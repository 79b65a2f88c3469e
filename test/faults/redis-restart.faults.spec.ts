import { ClaimsKeys, createPatientRedis, ProjectionStateStore } from '@app/claims-store';
import { jest } from '@jest/globals';
import type { Redis } from 'ioredis';
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { migratedPool } from '../support/database.js';
import { eventually } from '../support/eventually.js';
import { answersToHookCalls, HOOK_CALL_SUBJECT_EVENTS, HOOK_CALLS } from '../support/hook-calls.js';
import { PrivateServers } from '../support/private-servers.js';
import { projectionDrift } from '../support/projection.js';
import { INGEST_KEY, runHookApi, runSyncWorker, type RunningHookApi, type RunningSyncWorker } from '../support/stack.js';
import { SteadyIngest } from '../support/steady-ingest.js';

const SUBJECTS = 40;
const DEADLINE_MS = 250;
/** Long enough for every hook-api to notice, and for a few rounds of calls to every route. */
const OUTAGE_MS = 1_500;
const MODES = ['open', 'closed'] as const;
type Mode = (typeof MODES)[number];

describe('Redis restarted empty during steady ingest', () => {
  let servers: PrivateServers;
  let worker: RunningSyncWorker;
  let apis: Record<Mode, RunningHookApi>;
  let pool: pg.Pool;
  let redis: Redis;

  beforeAll(async () => {
    servers = await PrivateServers.start();
    worker = await runSyncWorker(servers.stackEnv());
    const hookApi = (mode: string) => runHookApi(servers.stackEnv({ HOOK_DEADLINE_MS: String(DEADLINE_MS), HOOK_FAILURE_MODE: mode }));
    apis = { open: await hookApi('open'), closed: await hookApi('closed') };
    pool = await migratedPool(servers.namespace);
    redis = createPatientRedis(servers.namespace.redisUrl, 'test');
  }, 60_000);

  afterAll(async () => {
    await apis?.open.app.close();
    await apis?.closed.app.close();
    await worker?.app.close();
    await pool?.end();
    redis?.disconnect();
    await servers?.stop();
  });

  it('answers every hook with its failure mode within the deadline while Redis is down, then rebuilds the projection and answers as before', async () => {
    // Every error goes to the JSON logs: BullMQ writes to the console only what nothing listens for.
    const consoleErrors = jest.spyOn(console, 'error');
    expect((await apis.open.post('/events', HOOK_CALL_SUBJECT_EVENTS, { authorization: `Bearer ${INGEST_KEY}` })).status).toBe(201);
    await eventually(async () => expect(await projectionDrift(redis, servers.namespace, pool)).toEqual({ subjects: 4, drifted: [] }), 10_000);
    const state = new ProjectionStateStore(redis, new ClaimsKeys(servers.namespace.redisPrefix));
    const liveBefore = (await state.read())!.live;
    const before = await answersToHookCalls(apis.open.url);
    expect(before['/hooks/okta/token']!.body).toContain('p-okta-1');
    expect(await answersToHookCalls(apis.closed.url)).toEqual(before);
    const ingest = new SteadyIngest(apis.open, SUBJECTS);
    ingest.start();
    try {
      await eventually(() => expect(ingest.acknowledged).toBeGreaterThan(100), 10_000);

      await servers.stopRedis();
      const outage: Array<{ mode: Mode; path: string; status: number; body: string; ms: number }> = [];
      for (const endsAt = Date.now() + OUTAGE_MS; Date.now() < endsAt; ) {
        for (const mode of MODES) {
          for (const { path, body, headers } of HOOK_CALLS) {
            const started = performance.now();
            const response = await apis[mode].post(path, body, { ...headers, 'ory-webhook-trigger-id': randomUUID() });
            outage.push({ mode, path, status: response.status, body: await response.text(), ms: performance.now() - started });
          }
        }
      }
      await servers.startRedis();
      const acknowledgedAtRestart = ingest.acknowledged;
      await eventually(() => expect(ingest.acknowledged).toBeGreaterThan(acknowledgedAtRestart + 100), 10_000);
      await ingest.stop();

      expect(outage.length).toBeGreaterThan(2 * HOOK_CALLS.length);
      expect(outage.map(({ mode, path, status, body }) => ({ mode, path, status, body }))).toEqual(
        outage.map(({ mode, path }) => ({ mode, path, ...HOOK_CALLS.find((call) => call.path === path)![mode] })),
      );
      expect(outage.filter(({ ms }) => ms >= DEADLINE_MS + 50)).toEqual([]);
      expect(ingest.refused).toBe(0);
      await eventually(async () => {
        // A generation of its own: rebuilt from the log, nothing of the lost one came back.
        const rebuilt = await state.read();
        expect(rebuilt).toMatchObject({ warm: true });
        expect(rebuilt!.live).not.toBe(liveBefore);
        expect(await projectionDrift(redis, servers.namespace, pool)).toEqual({ subjects: 4 + ingest.acknowledgedBySubject.size, drifted: [] });
      }, 30_000, 250);
      for (const mode of MODES) await eventually(async () => expect(await answersToHookCalls(apis[mode].url)).toEqual(before), 5_000, 100);
      expect(consoleErrors).not.toHaveBeenCalled();
    } finally {
      await ingest.stop();
      consoleErrors.mockRestore();
    }
  }, 90_000);
});
