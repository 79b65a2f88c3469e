import type { ClaimsEvent } from '@app/domain';
import { HYDRA_GRANTS, hydraRefreshHookRequest, hydraTokenHookRequest, type HydraGrant } from '../../../../../libs/domain/src/testing/hydra-requests.js';
import { dropNamespace, newNamespace, type TestNamespace } from '../../../../../test/support/namespace.js';
import { seedProjection } from '../../../../../test/support/projection.js';
import { HYDRA_AUTHORIZATION, runHookApi, stackEnv, type RunningHookApi } from '../../../../../test/support/stack.js';

const TOKEN = '/hooks/hydra/token';
const REFRESH = '/hooks/hydra/refresh';
const auth = { authorization: HYDRA_AUTHORIZATION };

/** The subjects Hydra's fixtures mint tokens for: a person, a jwt-bearer service and a machine client. */
const SUBJECTS: Record<string, ClaimsEvent[]> = {
  'kratos-identity-1': [
    { type: 'identity.registered', data: { login: 'kim.sato@example.com' } },
    { type: 'patient.linked', data: { patientId: '6789' } },
  ],
  'service-42': [{ type: 'claims.granted', data: { claims: { tenant: 'north' } } }],
  'billing-service': [
    { type: 'identity.registered', data: { login: 'billing-service' } },
    { type: 'claims.granted', data: { claims: { tenant: 'north', roles: ['billing'] } } },
  ],
  'retired-user': [
    { type: 'identity.registered', data: { login: 'retired@example.com' } },
    { type: 'patient.linked', data: { patientId: '1111' } },
    { type: 'identity.deactivated', data: {} },
  ],
  'erased-user': [
    { type: 'identity.registered', data: { login: 'erased@example.com' } },
    { type: 'patient.linked', data: { patientId: '2222' } },
    { type: 'identity.deleted', data: {} },
  ],
};

describe('POST /hooks/hydra/token and /hooks/hydra/refresh', () => {
  let namespace: TestNamespace;
  let api: RunningHookApi;

  beforeAll(async () => {
    namespace = newNamespace();
    await seedProjection(namespace, SUBJECTS);
    api = await runHookApi(stackEnv(namespace, { HOOK_BODY_LIMIT_BYTES: '8192' }));
  });

  afterAll(async () => {
    await api.app.close();
    await dropNamespace(namespace);
  });

  const GRANT_CLAIMS: Record<HydraGrant, object> = {
    authorization_code: { patient_id: '6789' },
    refresh_token: { patient_id: '6789' },
    password: { patient_id: '6789' },
    device_code: { patient_id: '6789' },
    jwt_bearer: { tenant: 'north' },
    client_credentials: { tenant: 'north', roles: ['billing'] },
  };

  it.each(Object.keys(HYDRA_GRANTS) as HydraGrant[])('answers a %s token hook with both maps, what came in kept', async (grant) => {
    const body = hydraTokenHookRequest({ grant });
    const session = body['session'] as { extra: object | null; id_token: { id_token_claims: { ext: object | null } } };

    const response = await api.post(TOKEN, body, auth);

    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      session: {
        access_token: { ...session.extra, ...GRANT_CLAIMS[grant] },
        id_token: { ...session.id_token.id_token_claims.ext, ...GRANT_CLAIMS[grant] },
      },
    });
  });

  it('answers the legacy refresh hook the same way, on its own route and on the generic one', async () => {
    const expected = { session: { access_token: { consent_scope_note: 'from consent', patient_id: '6789' }, id_token: { sid: 'c7a8f1e2-login-session', email: 'kim.sato@example.com', patient_id: '6789' } } };

    for (const path of [REFRESH, TOKEN]) {
      const response = await api.post(path, hydraRefreshHookRequest(), auth);
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual(expected);
    }
  });

  it('gives the same answer to the same request delivered three times, as Hydra retries', async () => {
    const body = hydraTokenHookRequest({ grant: 'refresh_token' });
    const asHydraSendsIt = { ...auth, 'content-type': 'application/json; charset=UTF-8' };

    const answers = [];
    for (let attempt = 0; attempt < 3; attempt++) {
      const response = await api.post(TOKEN, body, asHydraSendsIt);
      answers.push({ status: response.status, body: await response.text() });
    }

    expect(answers[0]!.status).toBe(200);
    expect(answers[1]).toEqual(answers[0]);
    expect(answers[2]).toEqual(answers[0]);
  });

  it('answers 204 with no body when the session already carries our claims, and for an unknown subject', async () => {
    const current = hydraTokenHookRequest({ grant: 'refresh_token', extra: { patient_id: '6789' }, ext: { sid: 's', patient_id: '6789' } });
    const stranger = hydraTokenHookRequest({ subject: 'nobody-we-know' });

    for (const body of [current, stranger]) {
      const response = await api.post(TOKEN, body, auth);
      expect(response.status).toBe(204);
      expect(await response.text()).toBe('');
    }
  });

  it.each([['a deactivated', 'retired-user'], ['an erased', 'erased-user']])('answers 403 for %s subject', async (_case, subject) => {
    for (const [path, body] of [[TOKEN, hydraTokenHookRequest({ subject })], [REFRESH, hydraRefreshHookRequest({ subject })]] as const) {
      const response = await api.post(path, body, auth);
      expect(response.status).toBe(403);
    }
  });

  it.each([
    ['no credential', {}],
    ['a wrong credential', { authorization: 'Bearer wrong' }],
    ['the credential in a cookie', { cookie: `Authorization=${encodeURIComponent(HYDRA_AUTHORIZATION)}` }],
  ])('answers 401 with no body to a caller with %s', async (_case, headers: Record<string, string>) => {
    for (const path of [TOKEN, REFRESH]) {
      const response = await api.post(path, hydraTokenHookRequest(), headers);
      expect(response.status).toBe(401);
      expect(await response.text()).toBe('');
    }
  });

  it('answers 400 naming the field when no subject can be found', async () => {
    const response = await api.post(TOKEN, hydraTokenHookRequest({ grant: 'refresh_token', subject: null }), auth);

    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ errors: [{ field: 'session.id_token.subject', reason: expect.stringContaining('is required') }] });
  });

  it('answers 413 to a body over the limit', async () => {
    const response = await api.post(TOKEN, hydraTokenHookRequest({ ext: { padding: 'x'.repeat(10_000) } }), auth);

    expect(response.status).toBe(413);
  });
});

describe('POST /hooks/hydra/token with the credential in a cookie', () => {
  let namespace: TestNamespace;
  let api: RunningHookApi;

  beforeAll(async () => {
    namespace = newNamespace();
    await seedProjection(namespace, SUBJECTS);
    api = await runHookApi(stackEnv(namespace, { HYDRA_HOOK_AUTH_IN: 'cookie', HYDRA_HOOK_AUTH_NAME: 'hydra_hook', HYDRA_HOOK_AUTH_VALUE: 'Bearer cookie%20secret' }));
  });

  afterAll(async () => {
    await api.app.close();
    await dropNamespace(namespace);
  });

  it('accepts the cookie as Go writes it (quoted, because of the space; not percent-decoded), and nothing else', async () => {
    const attempts: Array<Record<string, string>> = [
      { cookie: 'other=1; hydra_hook="Bearer cookie%20secret"' },
      { hydra_hook: 'Bearer cookie%20secret' },
      { cookie: 'hydra_hook="Bearer cookie secret"' },
      { cookie: 'hydra_hook="Bearer cookie%20secreT"' },
    ];

    const statuses = [];
    for (const headers of attempts) statuses.push((await api.post(TOKEN, hydraTokenHookRequest(), headers)).status);

    expect(statuses).toEqual([200, 401, 401, 401]);
  });
});
