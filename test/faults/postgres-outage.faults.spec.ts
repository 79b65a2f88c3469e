import { createPatientRedis } from '@app/claims-store';
import { ClientProxyFactory, Transport, type ClientProxy } from '@nestjs/microservices';
import type { Redis } from 'ioredis';
import type pg from 'pg';
import { firstValueFrom } from 'rxjs';
import { oktaEventDelivery, oktaLogEvent } from '../../libs/domain/src/testing/okta-events.js';
import { migratedPool } from '../support/database.js';
import { eventually } from '../support/eventually.js';
import { holdNameIndexing } from '../support/held-append.js';
import { answersToHookCalls, HOOK_CALL_SUBJECT_EVENTS } from '../support/hook-calls.js';
import { PrivateServers } from '../support/private-servers.js';
import { projectionDrift } from '../support/projection.js';
import { answerOf, INGEST_KEY, OKTA_AUTHORIZATION, runHookApi, runSyncWorker, type RunningHookApi, type RunningSyncWorker } from '../support/stack.js';
import { SteadyIngest } from '../support/steady-ingest.js';

const SUBJECTS = 40;
const admin = { authorization: `Bearer ${INGEST_KEY}` };
/** What "at once" means for a refusal: no connection attempt may be waited out. */
const AT_ONCE_MS = 500;
const UNAVAILABLE = 'the event store is unavailable; nothing was stored, retry later';

describe('Postgres going away during steady ingest', () => {
  let servers: PrivateServers;
  let worker: RunningSyncWorker;
  let api: RunningHookApi;
  let producer: ClientProxy;
  let pool: pg.Pool;
  let redis: Redis;

  beforeAll(async () => {
    servers = await PrivateServers.start();
    const env = servers.stackEnv();
    worker = await runSyncWorker(env);
    api = await runHookApi(env);
    producer = ClientProxyFactory.create({ transport: Transport.TCP, options: { host: '127.0.0.1', port: worker.ingestPort } });
    pool = await migratedPool(servers.namespace);
    redis = createPatientRedis(servers.namespace.redisUrl, 'test');
    expect((await api.post('/events', HOOK_CALL_SUBJECT_EVENTS, admin)).status).toBe(201);
  }, 60_000);

  afterAll(async () => {
    await producer?.close();
    await api?.app.close();
    await worker?.app.close();
    await pool?.end();
    redis?.disconnect();
    await servers?.stop();
  });

  const storedEvents = async () => (await pool.query<{ stored: number }>('SELECT count(*)::integer AS stored FROM events')).rows[0]!.stored;

  /** Each refusal with whether it came at once. */
  async function timed<T>(answering: () => Promise<T>): Promise<{ answer: T; atOnce: boolean }> {
    const started = performance.now();
    const answer = await answering();
    return { answer, atOnce: performance.now() - started < AT_ONCE_MS };
  }

  it.each([
    ['stopped', 'stop'],
    ['killed with SIGKILL', 'kill'],
  ] as const)(
    'Postgres %s: appends are refused with a clear 503 at once, hooks keep answering from Redis, and ingest and the relay catch up once it is back',
    async (_how, outage) => {
      await eventually(async () => expect((await projectionDrift(redis, servers.namespace, pool)).drifted).toEqual([]), 10_000);
      const before = await answersToHookCalls(api.url);
      expect(before['/hooks/okta/token']!.body).toContain('p-okta-1');
      const storedBefore = await storedEvents();
      // Without a pause, some append is always under way when Postgres goes, at any of its statements.
      const ingest = new SteadyIngest(api, SUBJECTS, 0);
      const inFlightSubject = `in-flight-${outage}`;
      const held = await holdNameIndexing(servers.namespace, inFlightSubject, `${inFlightSubject}@example.org`);
      ingest.start();
      try {
        await eventually(() => expect(ingest.acknowledged).toBeGreaterThan(100), 10_000);
        // An append that is inside its transaction when Postgres goes.
        const inFlight = api.post('/events', [{ type: 'identity.registered', subject: inFlightSubject, data: { login: `${inFlightSubject}@example.org` } }], admin);
        await eventually(async () => expect(await held.waiting()).toBe(1));

        await servers.postgres[outage]();
        const refusals = {
          inFlight: await answerOf(await inFlight),
          events: await timed(async () => answerOf(await api.post('/events', [{ type: 'patient.linked', subject: 's0', data: { patientId: 'lost' } }], admin))),
          okta: await timed(async () => answerOf(await api.post('/events/okta', oktaEventDelivery([oktaLogEvent({ eventType: 'user.lifecycle.deactivate' })]), { authorization: OKTA_AUTHORIZATION }))),
          tcp: await timed(() => firstValueFrom(producer.send('events.append', [{ type: 'patient.linked', subject: 's0', data: { patientId: 'lost' } }])).catch((error: unknown) => error)),
        };
        const duringOutage = await answersToHookCalls(api.url);
        const refusedBefore = ingest.refused;
        await eventually(() => expect(ingest.refused).toBeGreaterThan(refusedBefore + 50), 5_000);

        await servers.postgres.restart();
        await held.release();
        const acknowledgedAtRestart = ingest.acknowledged;
        await eventually(() => expect(ingest.acknowledged).toBeGreaterThan(acknowledgedAtRestart + 100), 15_000);
        await ingest.stop();

        const unavailable = { status: 503, body: { statusCode: 503, error: 'Service Unavailable', message: UNAVAILABLE } };
        const { inFlight: heldAnswer, ...afterwards } = refusals;
        // Postgres ends every session at once. The hold's may end first and let the held append, one
        // statement, commit before its own session ends: it is then stored and answered so. Either
        // way its answer must say what the log holds.
        const inFlightStored = heldAnswer.status === 201;
        if (inFlightStored) expect(heldAnswer.body).toMatchObject({ appended: 1, duplicates: 0 });
        else expect(heldAnswer).toEqual(unavailable);
        expect(afterwards).toEqual({
          events: { answer: unavailable, atOnce: true },
          okta: { answer: unavailable, atOnce: true },
          tcp: { answer: { status: 503, message: UNAVAILABLE }, atOnce: true },
        });
        expect(Object.fromEntries(ingest.refusedWith)).toEqual({ 503: expect.any(Number) });
        expect(duringOutage).toEqual(before);
        // Nothing refused was stored: the log holds exactly what was acknowledged.
        expect(await storedEvents()).toBe(storedBefore + ingest.acknowledged + (inFlightStored ? 1 : 0));
        await eventually(async () => expect((await projectionDrift(redis, servers.namespace, pool)).drifted).toEqual([]), 30_000, 250);
        expect(await answersToHookCalls(api.url)).toEqual(before);
      } finally {
        await ingest.stop();
        await held.release();
      }
    },
    60_000,
  );
});
