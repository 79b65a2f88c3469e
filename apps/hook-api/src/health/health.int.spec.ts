import { EventStore } from '@app/event-store';
import type pg from 'pg';
import { migratedPool } from '../../../../test/support/database.js';
import { dropNamespace, newNamespace, type TestNamespace } from '../../../../test/support/namespace.js';
import { seedProjection } from '../../../../test/support/projection.js';
import { runHookApi, stackEnv, type RunningHookApi } from '../../../../test/support/stack.js';

describe('GET /healthz and /readyz', () => {
  let namespace: TestNamespace;
  let pool: pg.Pool;
  const apps: RunningHookApi[] = [];

  beforeEach(async () => {
    namespace = newNamespace();
    pool = await migratedPool(namespace);
  });

  afterEach(async () => {
    await Promise.all(apps.splice(0).map((api) => api.app.close()));
    await pool.end();
    await dropNamespace(namespace);
  });

  async function start(overrides: Record<string, string> = {}): Promise<RunningHookApi> {
    const api = await runHookApi(stackEnv(namespace, overrides));
    apps.push(api);
    return api;
  }

  async function probe(api: RunningHookApi, path: string) {
    const response = await fetch(`${api.url}${path}`);
    return { status: response.status, body: (await response.json()) as { details: Record<string, Record<string, unknown>>; error?: unknown } };
  }

  it('is alive and ready with a warm projection, and reports the events the projection has not applied yet', async () => {
    await seedProjection(namespace, {});
    const api = await start();

    expect(await probe(api, '/healthz')).toEqual({ status: 200, body: expect.objectContaining({ status: 'ok' }) });
    expect(await probe(api, '/readyz')).toEqual({
      status: 200,
      body: expect.objectContaining({
        status: 'ok',
        details: {
          redis: { status: 'up' },
          projection: { status: 'up', live: expect.any(String), warm: true, rebuilding: false, lag: { eventsBehind: 0, secondsBehind: 0 } },
          postgres: { status: 'up' },
        },
      }),
    });

    await new EventStore(pool).append([
      { type: 'patient.linked', subject: 'kim', data: { patientId: '1' } },
      { type: 'patient.linked', subject: 'lee', data: { patientId: '2' } },
    ]);
    const { body } = await probe(api, '/readyz');
    expect(body.details.projection.lag).toEqual({ eventsBehind: 2, secondsBehind: expect.any(Number) });
  });

  it('stays ready without Postgres, since the hooks answer from Redis, and says Postgres is down', async () => {
    await seedProjection(namespace, {});
    const api = await start({ DATABASE_URL: 'postgres://postgres@127.0.0.1:1/postgres' });

    const { status, body } = await probe(api, '/readyz');

    expect(status).toBe(200);
    expect(body.details.postgres).toEqual({ status: 'down', message: expect.any(String) });
    expect(body.error).toEqual({ postgres: body.details.postgres });
    expect(body.details.projection).toMatchObject({ status: 'up', lag: null });
  });

  it('is not ready while Redis holds no projection', async () => {
    const api = await start();

    const { status, body } = await probe(api, '/readyz');

    expect(status).toBe(503);
    expect(body.details.projection).toEqual({ status: 'down', message: expect.stringContaining('no projection') });
    expect(body.details.postgres).toEqual({ status: 'up' });
  });

  it('is not ready, but alive, while Redis is unreachable', async () => {
    const api = await start({ REDIS_URL: 'redis://127.0.0.1:1' });

    expect((await probe(api, '/healthz')).status).toBe(200);
    const { status, body } = await probe(api, '/readyz');
    expect(status).toBe(503);
    expect(body.details.redis).toEqual({ status: 'down', message: expect.any(String) });
  });
});
