import { ClaimsKeys, createPatientRedis, lookupHash } from '@app/claims-store';
import { EventStore, LOG_START, POSTGRES_POOL, RelayCheckpoints } from '@app/event-store';
import { PROJECTION_QUEUE, queuePrefix } from '@app/jobs';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type pg from 'pg';
import { hydraTokenHookRequest } from '../libs/domain/src/testing/hydra-requests.js';
import { oktaTokenHookRequest } from '../libs/domain/src/testing/okta-requests.js';
import { migratedPool } from './support/database.js';
import { eventually } from './support/eventually.js';
import { dropNamespace, newNamespace, type TestNamespace } from './support/namespace.js';
import { seedProjection } from './support/projection.js';
import { HYDRA_AUTHORIZATION, OKTA_AUTHORIZATION, runHookApi, runSyncWorker, stackEnv, type RunningHookApi, type RunningSyncWorker } from './support/stack.js';

const SUBJECT = 'kratos-identity-1';
const LOGIN = 'kim.sato@example.com';

describe('hooks on a cold projection: backfill from the log', () => {
  let namespace: TestNamespace;
  let pool: pg.Pool;
  let redis: Redis;
  let queue: Queue;
  let api: RunningHookApi | undefined;
  let worker: RunningSyncWorker | undefined;

  beforeEach(async () => {
    namespace = newNamespace();
    pool = await migratedPool(namespace);
    redis = createPatientRedis(namespace.redisUrl, 'test');
    queue = new Queue(PROJECTION_QUEUE, { connection: { url: namespace.redisUrl }, prefix: queuePrefix(namespace.redisPrefix) });
  });

  afterEach(async () => {
    await api?.app.close();
    await worker?.app.close();
    api = worker = undefined;
    await queue.close();
    redis.disconnect();
    await pool.end();
    await dropNamespace(namespace);
  });

  /**
   * Kim's events are in the log and the relay is past them, but Redis holds an empty, cold
   * generation: the state Redis is in after it lost its data, before the rebuild reached Kim.
   */
  async function coldProjectionWithKimInTheLog(): Promise<void> {
    const store = new EventStore(pool);
    await store.append([
      { type: 'identity.registered', subject: SUBJECT, data: { login: LOGIN } },
      { type: 'patient.linked', subject: SUBJECT, data: { patientId: '6789' } },
    ]);
    await new RelayCheckpoints(pool).save('projection', (await store.readAfter(LOG_START, 1000)).last!);
    await redis.hset(new ClaimsKeys(namespace.redisPrefix).projectionState(), { live: 'gcold', warm: '0' });
  }

  const backfillJobs = async () => (await queue.getJobs(['waiting', 'active', 'completed', 'failed'])).filter((job) => job.name === 'backfill');
  const callHydra = (subject = SUBJECT) => api!.post('/hooks/hydra/token', hydraTokenHookRequest({ subject }), { authorization: HYDRA_AUTHORIZATION });

  it('enqueues one backfill for 100 concurrent calls about one subject, and answers from it once a worker ran it', async () => {
    await coldProjectionWithKimInTheLog();
    api = await runHookApi(stackEnv(namespace, { HOOK_DEADLINE_MS: '300', HOOK_FAILURE_MODE: 'closed' }));

    const answers = await Promise.all(Array.from({ length: 100 }, () => callHydra()));

    // No worker runs yet: every call waits out its deadline and gives the failure answer.
    expect(answers.map((answer) => answer.status)).toEqual(Array(100).fill(403));
    const jobs = await backfillJobs();
    expect(jobs).toHaveLength(1);
    expect(jobs[0]!.id).toMatch(/^backfill-subject-/);

    worker = await runSyncWorker(stackEnv(namespace));
    const answer = await callHydra();
    expect(answer.status).toBe(200);
    expect(await answer.json()).toMatchObject({ session: { access_token: { patient_id: '6789' }, id_token: { patient_id: '6789' } } });
  });

  it('backfills a subject found by its login through the index the log keeps, within the hook deadline', async () => {
    await coldProjectionWithKimInTheLog();
    worker = await runSyncWorker(stackEnv(namespace));
    api = await runHookApi(stackEnv(namespace, { HOOK_DEADLINE_MS: '2000' }));

    const answer = await api.post('/hooks/okta/token', oktaTokenHookRequest({ login: 'Kim.Sato@Example.com', userId: '00u-not-the-subject-id' }), { authorization: OKTA_AUTHORIZATION });

    expect(answer.status).toBe(200);
    expect(JSON.stringify(await answer.json())).toContain('"value":"6789"');
  });

  it('answers "unknown" once the backfill found nothing in the log', async () => {
    await coldProjectionWithKimInTheLog();
    worker = await runSyncWorker(stackEnv(namespace));
    api = await runHookApi(stackEnv(namespace, { HOOK_DEADLINE_MS: '2000', HOOK_FAILURE_MODE: 'closed' }));

    const answer = await callHydra('nobody-in-the-log');

    expect(answer.status).toBe(204);
  });

  it('rebuilds the lookup index from the log, so a log older than the index is found by name too', async () => {
    await new EventStore(pool).append([{ type: 'identity.registered', subject: SUBJECT, data: { login: LOGIN, aliases: ['MRN-1'] } }]);
    await pool.query('DELETE FROM lookup_names');

    // Redis holds no projection: the worker starts a rebuild by itself.
    worker = await runSyncWorker(stackEnv(namespace));

    const indexed = async () => (await pool.query<{ name_key: string }>('SELECT name_key FROM lookup_names WHERE subject = $1 ORDER BY name_key', [SUBJECT])).rows.map((row) => row.name_key);
    const expected = [LOGIN, 'mrn-1'].map((name) => lookupHash({ by: 'name', value: name })).sort();
    await eventually(async () => expect(await indexed()).toEqual(expected), 10_000);
  });

  it('answers a miss in a warm projection at once: no job, no SQL', async () => {
    await seedProjection(namespace, {});
    api = await runHookApi(stackEnv(namespace, { HOOK_FAILURE_MODE: 'closed' }));

    const answers = await Promise.all(Array.from({ length: 20 }, () => callHydra('nobody')));

    expect(answers.map((answer) => answer.status)).toEqual(Array(20).fill(204));
    expect(await backfillJobs()).toEqual([]);
    // The hook-api's pool connects lazily, for ingestion only: not one connection means not one query.
    expect(api.app.get<pg.Pool>(POSTGRES_POOL).totalCount).toBe(0);
  });
});
