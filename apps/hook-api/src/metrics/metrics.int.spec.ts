import { jest } from '@jest/globals';
import { ClaimsKeys, createPatientRedis, ProjectionStateStore } from '@app/claims-store';
import type pg from 'pg';
import { hydraTokenHookRequest } from '../../../../libs/domain/src/testing/hydra-requests.js';
import { oktaTokenHookRequest } from '../../../../libs/domain/src/testing/okta-requests.js';
import { migratedPool } from '../../../../test/support/database.js';
import { dropNamespace, newNamespace, type TestNamespace } from '../../../../test/support/namespace.js';
import { seedProjection } from '../../../../test/support/projection.js';
import { eventually } from '../../../../test/support/eventually.js';
import { answerOf, HYDRA_AUTHORIZATION, INGEST_KEY, OKTA_AUTHORIZATION, runHookApi, stackEnv, type RunningHookApi } from '../../../../test/support/stack.js';

const ADMIN = { authorization: `Bearer ${INGEST_KEY}` };

/** The value of one sample of the scrape, `undefined` when the scrape has no such sample. */
function sample(scrape: string, name: string, labels: Record<string, string> = {}): number | undefined {
  const wanted = Object.entries(labels).map(([label, value]) => `${label}="${value}"`);
  for (const line of scrape.split('\n')) {
    const match = /^([a-z_]+)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (match?.[1] !== name) continue;
    const present = (match[2] ?? '').split(',');
    if (wanted.every((pair) => present.includes(pair))) return Number(match[3]);
  }
  return undefined;
}

describe('GET /metrics', () => {
  let namespace: TestNamespace;
  let pool: pg.Pool;
  let api: RunningHookApi;

  beforeEach(async () => {
    namespace = newNamespace();
    pool = await migratedPool(namespace);
  });

  afterEach(async () => {
    await api.app.close();
    await pool.end();
    await dropNamespace(namespace);
  });

  async function scrape(headers: Record<string, string> = ADMIN): Promise<{ status: number; text: string }> {
    const response = await fetch(`${api.url}/metrics`, { headers });
    return { status: response.status, text: await response.text() };
  }

  it('is behind the admin credential, and no provider credential opens it', async () => {
    await seedProjection(namespace, {});
    api = await runHookApi(stackEnv(namespace));

    expect((await scrape({})).status).toBe(401);
    expect((await scrape({ authorization: OKTA_AUTHORIZATION })).status).toBe(401);
    expect((await scrape()).status).toBe(200);
  });

  it('counts hook answers by route and outcome, lookups, ingested events, and reads the lag and queues at scrape time', async () => {
    await seedProjection(namespace, {
      '00u1': [{ type: 'identity.registered', data: { login: 'kim.sato@example.com' } }, { type: 'patient.linked', data: { patientId: 'MRN-6789' } }],
      'hydra-user': [{ type: 'identity.deactivated', data: {} }],
    });
    api = await runHookApi(stackEnv(namespace));

    await api.post('/hooks/okta/token', oktaTokenHookRequest({ login: 'kim.sato@example.com', userId: '00u1' }), { authorization: OKTA_AUTHORIZATION });
    await api.post('/hooks/okta/token', oktaTokenHookRequest({ login: 'nobody@example.com', userId: '00u9' }), { authorization: OKTA_AUTHORIZATION });
    await api.post('/hooks/okta/token', { data: 'not an object' }, { authorization: OKTA_AUTHORIZATION });
    await api.post('/hooks/hydra/token', hydraTokenHookRequest({ subject: 'hydra-user' }), { authorization: HYDRA_AUTHORIZATION });
    const events = [
      { id: '0b7c5c1e-1111-4a2b-9c3d-000000000001', type: 'patient.linked', subject: 'lee', data: { patientId: '1' } },
      { id: '0b7c5c1e-1111-4a2b-9c3d-000000000002', type: 'patient.linked', subject: 'ann', data: { patientId: '2' } },
    ];
    await api.post('/events', events, ADMIN);
    await api.post('/events', events.slice(0, 1), ADMIN);

    const { text } = await scrape();

    const answered = (route: string, outcome: string) => sample(text, 'claims_hook_duration_seconds_count', { route, outcome });
    expect(answered('/hooks/okta/token', 'found')).toBe(1);
    expect(answered('/hooks/okta/token', 'not_found')).toBe(1);
    expect(answered('/hooks/okta/token', 'malformed')).toBe(1);
    expect(answered('/hooks/hydra/token', 'denied')).toBe(1);
    expect(sample(text, 'claims_projection_lookups_total', { result: 'hit' })).toBe(2);
    expect(sample(text, 'claims_projection_lookups_total', { result: 'miss_warm' })).toBe(1);
    expect(sample(text, 'claims_events_ingested_total', { route: '/events', result: 'stored' })).toBe(2);
    expect(sample(text, 'claims_events_ingested_total', { route: '/events', result: 'duplicate' })).toBe(1);
    expect(sample(text, 'claims_projection_lag_events')).toBe(2);
    expect(sample(text, 'claims_projection_lag_seconds')).toBeGreaterThanOrEqual(0);
    expect(sample(text, 'claims_projection_warm')).toBe(1);
    expect(sample(text, 'claims_queue_jobs', { queue: 'projection', state: 'waiting' })).toBe(0);
    expect(sample(text, 'claims_hook_api_process_resident_memory_bytes')).toBeGreaterThan(0);
    expect(sample(text, 'claims_rebuild_progress_ratio')).toBeUndefined();
    expect(text).not.toContain('MRN-6789');
    expect(text).not.toContain('kim.sato');
  });

  it("reports the near cache: documents found in it, read from Redis, and dropped when Redis says they changed", async () => {
    const registered = { type: 'identity.registered', data: { login: 'kim.sato@example.com' } } as const;
    await seedProjection(namespace, { '00u1': [registered] });
    api = await runHookApi(stackEnv(namespace));
    const callKim = () => api!.post('/hooks/okta/token', oktaTokenHookRequest({ login: 'kim.sato@example.com', userId: '00u1' }), { authorization: OKTA_AUTHORIZATION });

    await eventually(async () => expect(sample((await scrape()).text, 'claims_near_cache_active')).toBe(1));
    await callKim();
    await callKim();
    await seedProjection(namespace, { '00u1': [registered, { type: 'patient.linked', data: { patientId: '6789' } }] });
    await eventually(async () => expect(JSON.stringify((await answerOf(await callKim())).body)).toContain('6789'));

    const { text } = await scrape();
    expect(sample(text, 'claims_near_cache_misses_total')).toBeGreaterThanOrEqual(2);
    expect(sample(text, 'claims_near_cache_hits_total')).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'claims_near_cache_invalidations_total')).toBe(1);
    expect(sample(text, 'claims_near_cache_entries')).toBe(1);
    // Confirmed four times within the 1 s bound.
    expect(sample(text, 'claims_near_cache_confirmation_age_seconds')).toBeLessThan(1);
  });

  it('counts a miss in a cold projection, its backfill job, and the failure-mode answer past the deadline', async () => {
    const redis = createPatientRedis(namespace.redisUrl, 'test');
    await new ProjectionStateStore(redis, new ClaimsKeys(namespace.redisPrefix)).initialize('gcold');
    redis.disconnect();
    api = await runHookApi(stackEnv(namespace, { HOOK_DEADLINE_MS: '50' }));

    const response = await api.post('/hooks/okta/token', oktaTokenHookRequest({ login: 'kim.sato@example.com', userId: '00u1' }), { authorization: OKTA_AUTHORIZATION });
    const { text } = await scrape();

    expect(response.status).toBe(204);
    expect(sample(text, 'claims_projection_lookups_total', { result: 'miss_cold' })).toBe(1);
    expect(sample(text, 'claims_backfill_jobs_requested_total')).toBe(2);
    expect(sample(text, 'claims_hook_duration_seconds_count', { route: '/hooks/okta/token', outcome: 'fail_open' })).toBe(1);
    expect(sample(text, 'claims_projection_warm')).toBe(0);
    expect(sample(text, 'claims_queue_jobs', { queue: 'projection', state: 'waiting' })).toBe(2);
  });

  it('leaves out the gauges a source cannot answer, says why in a warning, and keeps the rest of the scrape', async () => {
    await seedProjection(namespace, {});
    const written: string[] = [];
    const stdout = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => (written.push(String(chunk)), true));
    try {
      api = await runHookApi(stackEnv(namespace, { DATABASE_URL: 'postgres://postgres@127.0.0.1:1/postgres' }));
      const { status, text } = await scrape();

      expect(status).toBe(200);
      expect(sample(text, 'claims_projection_lag_events')).toBeUndefined();
      expect(sample(text, 'claims_queue_jobs', { queue: 'projection', state: 'waiting' })).toBe(0);
      expect(written.join('')).toMatch(/the projection lag \(Postgres\) could not be read for this scrape: .*ECONNREFUSED/);
    } finally {
      stdout.mockRestore();
    }
  });
});
