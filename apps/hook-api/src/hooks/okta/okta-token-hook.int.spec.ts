import { oktaTokenHookRequest } from '../../../../../libs/domain/src/testing/okta-requests.js';
import { dropNamespace, newNamespace, type TestNamespace } from '../../../../../test/support/namespace.js';
import { seedProjection } from '../../../../../test/support/projection.js';
import { OKTA_AUTHORIZATION, runHookApi, stackEnv, type RunningHookApi } from '../../../../../test/support/stack.js';

const PATH = '/hooks/okta/token';

describe('POST /hooks/okta/token', () => {
  let namespace: TestNamespace;
  let api: RunningHookApi;

  beforeAll(async () => {
    namespace = newNamespace();
    await seedProjection(namespace, {
      '00u1': [
        { type: 'identity.registered', data: { login: 'kim.sato@example.com' } },
        { type: 'patient.linked', data: { patientId: '6789' } },
      ],
    });
    api = await runHookApi(stackEnv(namespace, { HOOK_BODY_LIMIT_BYTES: '4096' }));
  });

  afterAll(async () => {
    await api.app.close();
    await dropNamespace(namespace);
  });

  const kimRequest = oktaTokenHookRequest({ login: 'kim.sato@example.com', userId: '00u1' });

  it('answers the patient id to a caller with the configured credential', async () => {
    const response = await api.post(PATH, kimRequest, { authorization: OKTA_AUTHORIZATION });

    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ commands: [{ type: 'com.okta.identity.patch' }, { type: 'com.okta.access.patch' }] });
  });

  it('finds the user by preferred_username, then by user id, when the login is unknown', async () => {
    const byUsername = oktaTokenHookRequest({ login: 'someone.else@example.com', userId: 'nobody', idTokenClaims: { preferred_username: 'kim.sato@example.com' } });
    const byId = oktaTokenHookRequest({ login: 'someone.else@example.com', userId: '00u1' });

    for (const body of [byUsername, byId]) {
      const response = await api.post(PATH, body, { authorization: OKTA_AUTHORIZATION });
      expect(response.status).toBe(200);
    }
  });

  it('answers 204 for a user the projection does not know', async () => {
    const response = await api.post(PATH, oktaTokenHookRequest({ login: 'stranger@example.com', userId: '00u9' }), { authorization: OKTA_AUTHORIZATION });

    expect(response.status).toBe(204);
    expect(await response.text()).toBe('');
  });

  it.each([
    ['no credential', {}],
    ['a wrong credential', { authorization: 'Basic d3Jvbmc6d3Jvbmc=' }],
    ['the credential in another header', { 'x-okta-auth': OKTA_AUTHORIZATION }],
  ])('answers 401 with no body to a caller with %s', async (_case, headers: Record<string, string>) => {
    const response = await api.post(PATH, kimRequest, headers);

    expect(response.status).toBe(401);
    expect(await response.text()).toBe('');
  });

  it('answers 400 naming the field of a malformed body', async () => {
    const malformed = oktaTokenHookRequest({ login: 'kim.sato@example.com' });
    (malformed['data'] as { identity: unknown }).identity = { claims: 'not an object' };

    const response = await api.post(PATH, malformed, { authorization: OKTA_AUTHORIZATION });

    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      statusCode: 400,
      error: 'Bad Request',
      message: 'the hook request is malformed',
      errors: [{ field: 'data.identity.claims', reason: 'must be an object' }],
    });
  });

  it('answers 400 to a body that is not JSON', async () => {
    const response = await api.post(PATH, '{"data": ', { authorization: OKTA_AUTHORIZATION });

    expect(response.status).toBe(400);
  });

  it('answers 413 to a body over the limit', async () => {
    const response = await api.post(PATH, { ...kimRequest, padding: 'x'.repeat(8_000) }, { authorization: OKTA_AUTHORIZATION });

    expect(response.status).toBe(413);
  });
});
