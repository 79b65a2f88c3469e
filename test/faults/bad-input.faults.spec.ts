import { createPatientRedis } from '@app/claims-store';
import type { Redis } from 'ioredis';
import { Agent, request as httpRequest } from 'node:http';
import type pg from 'pg';
import { oktaEventDelivery, oktaLogEvent } from '../../libs/domain/src/testing/okta-events.js';
import { oktaTokenHookRequest } from '../../libs/domain/src/testing/okta-requests.js';
import { migratedPool } from '../support/database.js';
import { eventually } from '../support/eventually.js';
import { answersToHookCalls, HOOK_CALL_SUBJECT_EVENTS, HOOK_CALLS } from '../support/hook-calls.js';
import { mutate, POLLUTION_MARK, SeededRandom } from '../support/mutations.js';
import { PrivateServers } from '../support/private-servers.js';
import { startBuiltHookApi, startBuiltSyncWorker, type Service } from '../support/processes.js';
import { findLive, projectionDrift } from '../support/projection.js';
import { answerOf, INGEST_KEY, OKTA_AUTHORIZATION, poster } from '../support/stack.js';

/** The issue asks for at least 10,000. */
const REQUESTS = 10_000;
const IN_FLIGHT = 16;
/** Fixed: the same bodies every run, so a failure names a body that can be made again. */
const SEED = 20_261_123;
const HOOK_BODY_LIMIT_BYTES = 256 * 1024;
const admin = { authorization: `Bearer ${INGEST_KEY}` };
const SENTINELS = [...new Set(HOOK_CALL_SUBJECT_EVENTS.map(({ subject }) => subject))];

/** Valid batches of every event type, for subjects of the fuzzer's own. */
const EVENT_BATCHES: unknown[] = [
  [
    { type: 'identity.registered', subject: 'fz-1', data: { login: 'fz-1@example.org', email: 'fz-1@example.org', aliases: ['FZ-1'] } },
    { type: 'patient.linked', subject: 'fz-1', data: { patientId: 'fz-p1' } },
  ],
  [{ id: '0d9e8f4a-4b7e-4f5e-9a51-3c2f1e0d9c8b', type: 'claims.granted', subject: 'fz-2', data: { claims: { role: 'nurse', wards: ['A', 'B'] } }, occurredAt: '2026-01-01T00:00:00Z' }],
  {
    events: [
      { type: 'identity.profile_updated', subject: 'fz-3', data: { profile: { ward: 'B', shift: { start: 7 } } } },
      { type: 'identity.deactivated', subject: 'fz-3', data: { reason: 'left' } },
      { type: 'identity.reactivated', subject: 'fz-3', data: {} },
    ],
  },
  [
    { type: 'claims.revoked', subject: 'fz-2', data: { names: ['role'] } },
    { type: 'patient.unlinked', subject: 'fz-1', data: { patientId: 'fz-p1' } },
    { type: 'identity.deleted', subject: 'fz-4', data: {} },
  ],
];
const OKTA_DELIVERIES = [
  oktaEventDelivery([
    oktaLogEvent({ eventType: 'user.lifecycle.create', uuid: '7b0f3c52-1d0e-4c1a-9a5e-2f6d8e4b1a01', user: { id: 'fz-okta-1', login: 'fz-okta-1@example.org' } }),
    oktaLogEvent({ eventType: 'user.lifecycle.deactivate', uuid: '7b0f3c52-1d0e-4c1a-9a5e-2f6d8e4b1a02', user: { id: 'fz-okta-1', login: 'fz-okta-1@example.org' } }),
    oktaLogEvent({ eventType: 'user.session.start', uuid: '7b0f3c52-1d0e-4c1a-9a5e-2f6d8e4b1a03', user: { id: 'fz-okta-2', login: 'fz-okta-2@example.org' } }),
  ]),
];
/**
 * Put around a mutant, a change to a subject of the test's own that is never stored: whatever the
 * mutant is, the batch holds an event that can never be valid, and is refused whole.
 */
const SMUGGLED = { type: 'patient.linked', subject: SENTINELS[0], data: { patientId: 'smuggled' } };
const NEVER_VALID = { type: 'patient.linked', subject: 'fz-never', data: { patientId: 42 } };

interface Route {
  path: string;
  headers: Record<string, string>;
  seeds: unknown[];
  hugeStringBytes: number;
  smuggle?: boolean;
}

/** Every route that takes a body, with valid bodies to mutate and its caller's credential. */
const ROUTES: Route[] = [
  ...HOOK_CALLS.map(({ path, body, headers }) => ({ path, headers, seeds: [body], hugeStringBytes: HOOK_BODY_LIMIT_BYTES + 1_024 })),
  { path: '/events', headers: admin, seeds: EVENT_BATCHES, hugeStringBytes: 1_000_000 },
  { path: '/events', headers: admin, seeds: EVENT_BATCHES, hugeStringBytes: 1_000, smuggle: true },
  { path: '/events/okta', headers: { authorization: OKTA_AUTHORIZATION }, seeds: OKTA_DELIVERIES, hugeStringBytes: 1_000_000 },
  { path: '/admin/rebuild', headers: admin, seeds: [{}], hugeStringBytes: 1_000 },
];

const agent = new Agent({ keepAlive: true, maxSockets: IN_FLIGHT });

/**
 * A POST of raw bytes, resolved with the status or with why there was none. node:http rather than
 * fetch: at ten thousand requests, fetch's own work is most of the client's.
 */
function postRaw(target: string, headers: Record<string, string>, body: Buffer): Promise<number | string> {
  return new Promise((resolve) => {
    const request = httpRequest(target, { method: 'POST', headers: { ...headers, 'content-length': body.length }, agent, timeout: 10_000 }, (response) => {
      response.resume();
      response.on('end', () => resolve(response.statusCode!));
      response.on('error', (error) => resolve(error.message));
    });
    request.on('timeout', () => request.destroy(new Error('no answer within 10 s')));
    request.on('error', (error) => resolve(error.message));
    request.end(body);
  });
}

describe('bad input on every route', () => {
  let servers: PrivateServers;
  const apps: Array<Service & { url?: string }> = [];
  let url: string;
  let pool: pg.Pool;
  let redis: Redis;

  beforeAll(async () => {
    servers = await PrivateServers.start();
    apps.push(await startBuiltSyncWorker(servers.stackEnv()));
    const api = await startBuiltHookApi(servers.stackEnv());
    apps.push(api);
    url = api.url;
    pool = await migratedPool(servers.namespace);
    redis = createPatientRedis(servers.namespace.redisUrl, 'test');
  }, 60_000);

  afterAll(async () => {
    agent.destroy();
    await Promise.all(apps.map((app) => app.stop()));
    await pool?.end();
    redis?.disconnect();
    await servers?.stop();
  });

  const sentinelLog = async () =>
    (await pool.query('SELECT id, subject, subject_version, type, data FROM events WHERE subject = ANY($1) ORDER BY position', [SENTINELS])).rows;
  const sentinelStates = () => Promise.all(SENTINELS.map((subject) => findLive(redis, servers.namespace, [{ by: 'subject', value: subject }])));

  it(`answers ${REQUESTS} mutated bodies without a 5xx or a crash, changes no other subject, and answers normally afterwards`, async () => {
    expect((await poster(url)('/events', HOOK_CALL_SUBJECT_EVENTS, admin)).status).toBe(201);
    await eventually(async () => expect((await projectionDrift(redis, servers.namespace, pool)).drifted).toEqual([]), 10_000);
    const before = { answers: await answersToHookCalls(url), log: await sentinelLog(), states: await sentinelStates() };

    const random = new SeededRandom(SEED);
    const failures: Array<{ index: number; path: string; mutations: string[]; outcome: string }> = [];
    const statuses = new Set<number>();
    let sent = 0;
    const send = async () => {
      while (sent < REQUESTS) {
        const index = sent++;
        const route = ROUTES[index % ROUTES.length]!;
        const mutant = mutate(random.pick(route.seeds), random, route.hugeStringBytes);
        const body = route.smuggle ? Buffer.concat([Buffer.from(`[${JSON.stringify(SMUGGLED)},`), mutant.body, Buffer.from(`,${JSON.stringify(NEVER_VALID)}]`)]) : mutant.body;
        const outcome = await postRaw(`${url}${route.path}`, { ...route.headers, 'content-type': mutant.contentType, 'ory-webhook-trigger-id': `fuzz-${index}` }, body);
        if (typeof outcome === 'number') statuses.add(outcome);
        if (typeof outcome !== 'number' || outcome >= 500) failures.push({ index, path: route.path, mutations: mutant.mutations, outcome: String(outcome) });
      }
    };
    await Promise.all(Array.from({ length: IN_FLIGHT }, send));

    expect(failures).toEqual([]);
    expect(apps.map(({ name, process }) => ({ name, exitCode: process.exitCode, signal: process.signalCode }))).toEqual([
      { name: 'sync-worker', exitCode: null, signal: null },
      { name: 'hook-api', exitCode: null, signal: null },
    ]);
    // The fuzzer went past parsing: bodies were stored and answered, refused, and too large.
    expect([...statuses]).toEqual(expect.arrayContaining([200, 201, 204, 400, 413]));
    await eventually(async () => expect((await projectionDrift(redis, servers.namespace, pool)).drifted).toEqual([]), 30_000, 250);
    expect(await sentinelLog()).toEqual(before.log);
    expect(await sentinelStates()).toEqual(before.states);
    expect(await answersToHookCalls(url)).toEqual(before.answers);

    // And a newcomer is served as usual, with nothing a polluted prototype would add.
    const appended = await answerOf(
      await poster(url)(
        '/events',
        [
          { type: 'identity.registered', subject: '00u-after-fuzz', data: { login: 'after.fuzz@example.org' } },
          { type: 'patient.linked', subject: '00u-after-fuzz', data: { patientId: 'p-after' } },
        ],
        admin,
      ),
    );
    expect(appended).toMatchObject({ status: 201, body: { appended: 2 } });
    const hook = await eventually(async () => {
      const answer = await answerOf(await poster(url)('/hooks/okta/token', oktaTokenHookRequest({ login: 'after.fuzz@example.org', userId: '00u-after-fuzz' }), HOOK_CALLS[0]!.headers));
      expect(JSON.stringify(answer.body)).toContain('p-after');
      return answer;
    }, 10_000);
    expect(JSON.stringify(hook.body)).not.toContain(POLLUTION_MARK);
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
  }, 120_000);
});
