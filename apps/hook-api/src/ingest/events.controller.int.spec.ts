import type pg from 'pg';
import { hydraTokenHookRequest } from '../../../../libs/domain/src/testing/hydra-requests.js';
import { migratedPool } from '../../../../test/support/database.js';
import { dropNamespace, newNamespace, type TestNamespace } from '../../../../test/support/namespace.js';
import { answerOf, HYDRA_AUTHORIZATION, INGEST_KEY, runHookApi, stackEnv, type RunningHookApi } from '../../../../test/support/stack.js';

const authorized = { authorization: `Bearer ${INGEST_KEY}` };
const registered = { id: '8d0d2b35-5b7c-4d7c-9d1e-1b8f3f0e6a01', type: 'identity.registered', subject: '00u1', data: { login: 'kim.sato@example.com' } };

describe('POST /events', () => {
  let namespace: TestNamespace;
  let pool: pg.Pool;
  let api: RunningHookApi;

  beforeAll(async () => {
    namespace = newNamespace();
    pool = await migratedPool(namespace);
    api = await runHookApi(stackEnv(namespace, { INGEST_BODY_LIMIT_BYTES: '65536' }));
  });

  afterAll(async () => {
    await api.app.close();
    await pool.end();
    await dropNamespace(namespace);
  });

  const storedCount = async () => Number((await pool.query('SELECT count(*) FROM events')).rows[0].count);

  it('stores a batch and answers 201 with each event’s place in the log, then 200 for the same batch again', async () => {
    const first = await api.post('/events', { events: [registered, { type: 'patient.linked', subject: '00u1', data: { patientId: '6789' } }] }, authorized);
    const again = await api.post('/events', [registered], authorized);

    expect(first.status).toBe(201);
    expect(await first.json()).toEqual({
      appended: 2,
      duplicates: 0,
      events: [
        { id: registered.id, subject: '00u1', version: 1, position: expect.any(String), duplicate: false },
        { id: expect.any(String), subject: '00u1', version: 2, position: expect.any(String), duplicate: false },
      ],
    });
    expect(again.status).toBe(200);
    expect(await again.json()).toMatchObject({ appended: 0, duplicates: 1, events: [{ id: registered.id, version: 1, duplicate: true }] });
  });

  it('refuses an invalid batch whole with a 400 listing each bad event and field, and stores none of it', async () => {
    const before = await storedCount();

    const response = await api.post(
      '/events',
      [
        { type: 'patient.linked', subject: 'valid', data: { patientId: '1' } },
        { type: 'patient.linked', subject: 'bad', data: { patientId: 6789 } },
        { type: 'identity.renamed', subject: 'bad' },
      ],
      authorized,
    );

    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      statusCode: 400,
      error: 'Bad Request',
      message: '2 event(s) are invalid; nothing was stored',
      errors: [
        { index: 1, field: 'data.patientId', reason: 'must be a string' },
        { index: 2, field: 'type', reason: expect.stringContaining('must be one of') },
      ],
    });
    expect(await storedCount()).toBe(before);
  });

  it.each([
    ['no credential', {}],
    ['a wrong key', { authorization: 'Bearer not-the-key-0123456789' }],
    ['the key without its scheme', { authorization: INGEST_KEY }],
  ])('answers 401 to a caller with %s and stores nothing', async (_case, headers: Record<string, string>) => {
    const before = await storedCount();

    const response = await api.post('/events', [registered], headers);

    expect(response.status).toBe(401);
    expect(await storedCount()).toBe(before);
  });

  it('answers 400 to a body nested deeper than 64 levels, on every route, before it reaches a handler', async () => {
    const nested = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;
    const refused = { status: 400, body: { statusCode: 400, error: 'Bad Request', message: 'the JSON body is nested deeper than 64 levels' } };

    expect(await answerOf(await api.post('/events', nested(10_000), authorized))).toEqual(refused);
    expect(await answerOf(await api.post('/hooks/hydra/token', nested(65), { authorization: HYDRA_AUTHORIZATION }))).toEqual(refused);
    // 64 levels still reach the handler, which refuses an event that is not an object.
    expect(await answerOf(await api.post('/events', nested(64), authorized))).toMatchObject({ status: 400, body: { message: '1 event(s) are invalid; nothing was stored' } });
    // Brackets inside strings do not nest, though the first, quick look counts them.
    const bracketed = { type: 'identity.registered', subject: '00u-brackets', data: { login: 'lee@example.com', aliases: ['['.repeat(100), '{'.repeat(100)] } };
    expect((await answerOf(await api.post('/events', [bracketed], authorized))).status).toBe(201);
    const hydraBody = hydraTokenHookRequest({ subject: '00u-unknown' });
    expect((await answerOf(await api.post('/hooks/hydra/token', { ...hydraBody, note: '['.repeat(100) }, { authorization: HYDRA_AUTHORIZATION }))).status).toBe(204);
  });

  it('answers 413 to a body over the limit', async () => {
    const response = await api.post('/events', [{ ...registered, data: { login: 'x'.repeat(70_000) } }], authorized);

    expect(response.status).toBe(413);
  });
});

describe('POST /events without a configured key, or without Postgres', () => {
  it('refuses every caller when INGEST_API_KEY is not set', async () => {
    const namespace = newNamespace();
    const { INGEST_API_KEY: _unset, ...env } = stackEnv(namespace);
    const api = await runHookApi(env);
    try {
      expect((await api.post('/events', [registered], authorized)).status).toBe(401);
    } finally {
      await api.app.close();
    }
  });

  it('answers 503 at once when Postgres is unreachable', async () => {
    const api = await runHookApi(stackEnv(newNamespace(), { DATABASE_URL: 'postgres://postgres@127.0.0.1:1/postgres' }));
    try {
      const response = await api.post('/events', [registered], authorized);

      expect(response.status).toBe(503);
      expect(await response.json()).toMatchObject({ message: expect.stringContaining('nothing was stored') });
    } finally {
      await api.app.close();
    }
  });
});
