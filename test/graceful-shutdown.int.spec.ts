import { createPatientRedis } from '@app/claims-store';
import { LOG_START, RELAYED_CHECKPOINT, RelayCheckpoints } from '@app/event-store';
import { PROJECTION_QUEUE, queuePrefix } from '@app/jobs';
import { Queue } from 'bullmq';
import type { ChildProcess } from 'node:child_process';
import { Agent, request } from 'node:http';
import type pg from 'pg';
import { kratosWebHookRequest } from '../libs/domain/src/testing/kratos-requests.js';
import { migratedPool } from './support/database.js';
import { eventually } from './support/eventually.js';
import { dropNamespace, newNamespace, type TestNamespace } from './support/namespace.js';
import { startBuiltHookApi, startBuiltSyncWorker, type Service } from './support/processes.js';
import { projectionDrift } from './support/projection.js';
import { INGEST_KEY, KRATOS_HOOK_HEADERS, poster, stackEnv } from './support/stack.js';
import { SteadyIngest } from './support/steady-ingest.js';

const SUBJECTS = 40;

/** How the process ended and how long after the call it took. */
function ending(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null; ms: number }> {
  const started = performance.now();
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal, ms: performance.now() - started })));
}

describe('SIGTERM during steady ingest', () => {
  let namespace: TestNamespace;
  let pool: pg.Pool;
  const services: Service[] = [];

  beforeAll(async () => {
    namespace = newNamespace();
    pool = await migratedPool(namespace);
  });

  afterAll(async () => {
    await Promise.all(services.map((service) => service.stop()));
    await pool.end();
    await dropNamespace(namespace);
  });

  it('loses nothing acknowledged: the worker lets go of its job and keeps the relay checkpoint, the hook-api answers what it took in, and both exit', async () => {
    const env = stackEnv(namespace);
    const firstWorker = await startBuiltSyncWorker(env);
    const api = await startBuiltHookApi(env);
    services.push(firstWorker, api);
    const queue = new Queue(PROJECTION_QUEUE, { connection: { url: namespace.redisUrl }, prefix: queuePrefix(namespace.redisPrefix) });
    const redis = createPatientRedis(namespace.redisUrl, 'test');
    const ingest = new SteadyIngest({ post: poster(api.url) }, SUBJECTS, 2);
    try {
      ingest.start();
      await eventually(async () => expect(await queue.getActiveCount()).toBeGreaterThan(0), 10_000, 1);
      const workerEnded = ending(firstWorker.process);
      firstWorker.process.kill('SIGTERM');
      const worker = await workerEnded;
      services.push(await startBuiltSyncWorker(env));

      await new Promise((resolve) => setTimeout(resolve, 500));
      const apiEnded = ending(api.process);
      api.process.kill('SIGTERM');
      const hookApi = await apiEnded;
      await ingest.stop();

      const { rows } = await pool.query<{ stored: number }>('SELECT count(*)::integer AS stored FROM events');
      expect([worker.signal ?? worker.code, hookApi.signal ?? hookApi.code]).toEqual(['SIGTERM', 'SIGTERM']);
      expect(worker.ms).toBeLessThan(10_000);
      expect(hookApi.ms).toBeLessThan(10_000);
      expect(await new RelayCheckpoints(pool).load(RELAYED_CHECKPOINT)).not.toEqual(LOG_START);
      expect(ingest.acknowledged).toBeGreaterThan(0);
      // Every request the hook-api took in was answered: what was stored is exactly what was acknowledged.
      expect(rows[0]!.stored).toBe(ingest.acknowledged);
      await eventually(async () => expect((await projectionDrift(redis, namespace, pool)).drifted).toEqual([]), 40_000, 250);
    } finally {
      await ingest.stop();
      await queue.close();
      redis.disconnect();
    }
  }, 90_000);

  it.each([
    {
      route: '/events',
      body: [{ type: 'patient.linked', subject: 'keep-alive', data: { patientId: '1' } }],
      headers: { authorization: `Bearer ${INGEST_KEY}` },
      status: 201,
    },
    // A hook route, on the hooks' own Fastify instance.
    { route: '/hooks/kratos/login', body: kratosWebHookRequest({ hookPoint: 'login' }), headers: KRATOS_HOOK_HEADERS, status: 204 },
  ])('closes a keep-alive connection once it answered the $route request in flight at SIGTERM, rather than wait for the client to hang up', async ({ route, body: payload, headers, status }) => {
    const api = await startBuiltHookApi(stackEnv(namespace));
    services.push(api);
    const body = JSON.stringify(payload);
    const agent = new Agent({ keepAlive: true });
    try {
      const apiEnded = ending(api.process);
      const answer = await new Promise<{ status?: number; connection?: string }>((resolve, reject) => {
        const call = request(`${api.url}${route}`, {
          method: 'POST',
          agent,
          headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...headers },
        });
        call.on('response', (response) => response.resume().on('end', () => resolve({ status: response.statusCode, connection: response.headers.connection })));
        call.on('error', reject);
        // Half the body now, the rest after SIGTERM: the request is in flight when the hook-api starts closing.
        call.write(body.slice(0, 10));
        setTimeout(() => {
          api.process.kill('SIGTERM');
          setTimeout(() => call.end(body.slice(10)), 200);
        }, 200);
      });

      expect(answer).toEqual({ status, connection: 'close' });
      // Nest raises the signal again once it has closed everything: the exit of a clean SIGTERM.
      expect(await apiEnded).toEqual({ code: null, signal: 'SIGTERM', ms: expect.any(Number) });
      expect((await apiEnded).ms).toBeLessThan(5_000);
    } finally {
      agent.destroy();
    }
  });
});
