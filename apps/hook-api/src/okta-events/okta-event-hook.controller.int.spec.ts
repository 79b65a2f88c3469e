import type pg from 'pg';
import { oktaEventDelivery, oktaLogEvent } from '../../../../libs/domain/src/testing/okta-events.js';
import { migratedPool } from '../../../../test/support/database.js';
import { dropNamespace, newNamespace, type TestNamespace } from '../../../../test/support/namespace.js';
import { OKTA_AUTHORIZATION, runHookApi, stackEnv, type RunningHookApi } from '../../../../test/support/stack.js';

const PATH = '/events/okta';
const okta = { authorization: OKTA_AUTHORIZATION };
const JOHN = { id: '00u3m90rxKjGQ0G6L1d6', login: 'john.doe@example.com' };
const uuid = (n: number) => `ab62c0bc-2837-11eb-9823-${String(n).padStart(12, '0')}`;

describe('GET and POST /events/okta', () => {
  let namespace: TestNamespace;
  let pool: pg.Pool;
  let api: RunningHookApi;

  beforeAll(async () => {
    namespace = newNamespace();
    pool = await migratedPool(namespace);
    api = await runHookApi(stackEnv(namespace));
  });

  afterAll(async () => {
    await api.app.close();
    await pool.end();
    await dropNamespace(namespace);
  });

  const verify = (headers: Record<string, string>) => fetch(`${api.url}${PATH}`, { headers });
  const storedCount = async () => Number((await pool.query('SELECT count(*) FROM events')).rows[0].count);
  const stored = async (ids: string[]) =>
    (
      await pool.query<{ id: string; type: string; subject: string; data: unknown; occurred_at: Date }>(
        'SELECT id, type, subject, data, occurred_at FROM events WHERE id = ANY($1::uuid[]) ORDER BY position',
        [ids],
      )
    ).rows;

  it('answers the one-time verification with the challenge in a JSON body', async () => {
    const response = await verify({ ...okta, 'X-Okta-Verification-Challenge': 'rBHYPSOd4m3z2K0xR8kXW2xZ4hHC4d3-9' });

    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await response.json()).toEqual({ verification: 'rBHYPSOd4m3z2K0xR8kXW2xZ4hHC4d3-9' });
  });

  it('answers 400 naming the header to a verification without a challenge', async () => {
    const response = await verify(okta);

    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ errors: [{ field: 'X-Okta-Verification-Challenge', reason: 'header is required' }] });
  });

  it('stores a delivery’s events and answers 200 with an empty body once they are committed', async () => {
    const delivery = oktaEventDelivery([
      oktaLogEvent({ uuid: uuid(1), eventType: 'user.lifecycle.create', user: JOHN, published: '2024-05-01T10:00:00.000Z' }),
      oktaLogEvent({ uuid: uuid(2), eventType: 'user.account.update_profile', user: JOHN, published: '2024-05-01T10:01:00.000Z' }),
      oktaLogEvent({ uuid: uuid(3), eventType: 'application.lifecycle.update', user: null, otherTargets: [{ id: '0oa1', type: 'AppInstance' }] }),
    ]);

    const response = await api.post(PATH, delivery, okta);

    expect(response.status).toBe(200);
    expect(await response.text()).toBe('');
    const rows = await stored([uuid(1), uuid(2), uuid(3)]);
    expect(rows).toEqual([
      { id: uuid(1), type: 'identity.registered', subject: JOHN.id, data: { login: JOHN.login }, occurred_at: new Date('2024-05-01T10:00:00.000Z') },
      {
        id: uuid(2),
        type: 'okta.user.account.update_profile',
        subject: JOHN.id,
        data: { outcome: 'SUCCESS', actor: { id: '00u2di94bAMSEPvAY1d6', type: 'User' }, targets: [{ id: JOHN.id, type: 'User' }] },
        occurred_at: new Date('2024-05-01T10:01:00.000Z'),
      },
    ]);
  });

  it('stores once an event delivered twice in a batch and again later, and answers 200 each time', async () => {
    const deactivate = oktaLogEvent({ uuid: uuid(10), eventType: 'user.lifecycle.deactivate', user: { id: '00u10', login: 'x@example.com' } });
    const suspend = oktaLogEvent({ uuid: uuid(11), eventType: 'user.lifecycle.suspend', user: { id: '00u10', login: 'x@example.com' } });

    const first = await api.post(PATH, oktaEventDelivery([deactivate, deactivate]), okta);
    const before = await storedCount();
    const again = await api.post(PATH, oktaEventDelivery([suspend, deactivate]), okta);

    expect([first.status, again.status]).toEqual([200, 200]);
    expect(await storedCount()).toBe(before + 1);
    expect((await stored([uuid(10), uuid(11)])).map((row) => row.type)).toEqual(['identity.deactivated', 'identity.deactivated']);
  });

  it('stores the events of a delivery it can read and leaves out the malformed ones, since Okta never redelivers', async () => {
    const before = await storedCount();
    const fine = oktaLogEvent({ uuid: uuid(20), eventType: 'user.lifecycle.deactivate' });
    const { published: _published, ...withoutTime } = oktaLogEvent({ uuid: uuid(21), eventType: 'user.lifecycle.activate' });
    const createWithoutLogin = { ...oktaLogEvent({ uuid: uuid(22), eventType: 'user.lifecycle.create' }), target: [{ id: JOHN.id, type: 'User', alternateId: null }] };

    const response = await api.post(PATH, oktaEventDelivery([fine, withoutTime, createWithoutLogin]), okta);

    expect(response.status).toBe(200);
    expect(await storedCount()).toBe(before + 1);
    expect((await stored([uuid(20), uuid(21), uuid(22)])).map((row) => row.type)).toEqual(['identity.deactivated']);
  });

  it.each([
    ['an inline hook body', { eventType: 'com.okta.oauth2.tokens.transform', data: { context: {} } }, 'data.events'],
    ['a JSON array', [oktaLogEvent({ eventType: 'user.lifecycle.deactivate' })], ''],
  ])('answers 400 to %s', async (_case, body: unknown, field) => {
    const response = await api.post(PATH, body, okta);

    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ errors: [{ field }] });
  });

  it('answers 400 to a body that is not JSON', async () => {
    expect((await api.post(PATH, '{"data": {"events": [', okta)).status).toBe(400);
  });

  it.each([
    ['no credential', {}],
    ['a wrong credential', { authorization: 'Basic d3Jvbmc6d3Jvbmc=' }],
    ['the credential in another header', { 'x-okta-auth': OKTA_AUTHORIZATION }],
  ])('answers 401 with no body to a caller with %s, and stores nothing', async (_case, headers: Record<string, string>) => {
    const before = await storedCount();

    const posted = await api.post(PATH, oktaEventDelivery([oktaLogEvent({ uuid: uuid(30), eventType: 'user.lifecycle.deactivate' })]), headers);
    const verified = await verify({ ...headers, 'x-okta-verification-challenge': 'challenge' });

    expect([posted.status, verified.status]).toEqual([401, 401]);
    expect([await posted.text(), await verified.text()]).toEqual(['', '']);
    expect(await storedCount()).toBe(before);
  });
});

describe('/events/okta without Okta’s credential configured, or without Postgres', () => {
  it('refuses every caller when OKTA_HOOK_AUTH_* is not set', async () => {
    const { OKTA_HOOK_AUTH_NAME: _name, OKTA_HOOK_AUTH_VALUE: _value, ...env } = stackEnv(newNamespace());
    const api = await runHookApi(env);
    try {
      const posted = await api.post(PATH, oktaEventDelivery([]), okta);
      const verified = await fetch(`${api.url}${PATH}`, { headers: { ...okta, 'x-okta-verification-challenge': 'challenge' } });

      expect([posted.status, verified.status]).toEqual([401, 401]);
    } finally {
      await api.app.close();
    }
  });

  it('answers 503 at once when Postgres is unreachable, so that Okta retries', async () => {
    const api = await runHookApi(stackEnv(newNamespace(), { DATABASE_URL: 'postgres://postgres@127.0.0.1:1/postgres' }));
    try {
      const response = await api.post(PATH, oktaEventDelivery([oktaLogEvent({ eventType: 'user.lifecycle.deactivate' })]), okta);

      expect(response.status).toBe(503);
      expect(await response.json()).toMatchObject({ message: expect.stringContaining('nothing was stored') });
    } finally {
      await api.app.close();
    }
  });
});
