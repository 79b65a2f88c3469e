import { auth0CredentialsExchangeRequest, auth0PostLoginRequest } from '../../../../../libs/domain/src/testing/auth0-requests.js';
import { dropNamespace, newNamespace, type TestNamespace } from '../../../../../test/support/namespace.js';
import { seedProjection } from '../../../../../test/support/projection.js';
import { answerOf, AUTH0_CLAIM_NAMESPACE, AUTH0_HOOK_HEADERS, runHookApi, stackEnv, type RunningHookApi } from '../../../../../test/support/stack.js';

const CREDENTIALS_EXCHANGE = '/hooks/auth0/credentials-exchange';
const POST_LOGIN = '/hooks/auth0/post-login';
const PATIENT_ID = `${AUTH0_CLAIM_NAMESPACE}patient_id`;
const KIM = 'auth0|6650f1a2b3c4d5e6f7a8b9c0';

describe('POST /hooks/auth0/*', () => {
  let namespace: TestNamespace;
  let api: RunningHookApi;

  beforeAll(async () => {
    namespace = newNamespace();
    await seedProjection(namespace, {
      [KIM]: [
        { type: 'identity.registered', data: { login: 'kim.sato@example.com' } },
        { type: 'patient.linked', data: { patientId: '6789' } },
        { type: 'claims.granted', data: { claims: { care_team: ['cardiology'] } } },
      ],
      'billing-service': [{ type: 'claims.granted', data: { claims: { tenant: 'north-clinic' } } }],
      'retired-service': [
        { type: 'claims.granted', data: { claims: { tenant: 'north-clinic' } } },
        { type: 'identity.deactivated', data: { reason: 'decommissioned' } },
      ],
      'auth0|erased': [{ type: 'patient.linked', data: { patientId: '4321' } }, { type: 'identity.deleted', data: {} }],
      'auth0|suspended': [{ type: 'patient.linked', data: { patientId: '2222' } }, { type: 'identity.deactivated', data: {} }],
    });
    api = await runHookApi(stackEnv(namespace, { HOOK_BODY_LIMIT_BYTES: '4096', AUTH0_LOOKUP_VERIFIED_EMAIL: 'true' }));
  });

  afterAll(async () => {
    await api.app.close();
    await dropNamespace(namespace);
  });

  async function call(path: string, body: unknown, headers: Record<string, string> = AUTH0_HOOK_HEADERS) {
    return answerOf(await api.post(path, body, headers));
  }

  describe('credentials-exchange', () => {
    it('answers the client\'s claims for the access token, under the namespace', async () => {
      expect(await call(CREDENTIALS_EXCHANGE, auth0CredentialsExchangeRequest({ clientId: 'billing-service' }))).toEqual({
        status: 200,
        body: { accessToken: { customClaims: { [`${AUTH0_CLAIM_NAMESPACE}tenant`]: 'north-clinic' } } },
      });
    });

    it('answers empty claims for a client it does not know', async () => {
      expect(await call(CREDENTIALS_EXCHANGE, auth0CredentialsExchangeRequest({ clientId: 'unknown-client' }))).toEqual({
        status: 200,
        body: { accessToken: { customClaims: {} } },
      });
    });

    it('answers 403 access_denied for a deactivated client', async () => {
      expect(await call(CREDENTIALS_EXCHANGE, auth0CredentialsExchangeRequest({ clientId: 'retired-service' }))).toEqual({
        status: 403,
        body: { error: 'access_denied', error_description: 'The account is deactivated' },
      });
    });

    it('answers 400 naming the missing client id', async () => {
      expect(await call(CREDENTIALS_EXCHANGE, { client: 'billing-service' })).toEqual({
        status: 400,
        body: expect.objectContaining({ errors: [{ field: 'clientId', reason: expect.stringMatching(/^is required/) }] }),
      });
    });
  });

  describe('post-login', () => {
    const kimClaims = { [PATIENT_ID]: '6789', [`${AUTH0_CLAIM_NAMESPACE}care_team`]: ['cardiology'] };

    it('answers the user\'s claims for the access token and the ID token', async () => {
      expect(await call(POST_LOGIN, auth0PostLoginRequest({ userId: KIM }))).toEqual({
        status: 200,
        body: { accessToken: { customClaims: kimClaims }, idToken: { customClaims: kimClaims } },
      });
    });

    it('finds the user by a verified email when the user id is unknown', async () => {
      const response = await call(POST_LOGIN, auth0PostLoginRequest({ userId: 'google-oauth2|1234567890', email: 'Kim.Sato@example.com' }));

      expect(response.body.idToken.customClaims).toEqual(kimClaims);
    });

    it('does not look up even a verified email unless AUTH0_LOOKUP_VERIFIED_EMAIL is true', async () => {
      const strict = await runHookApi(stackEnv(namespace));
      try {
        const response = await strict.post(POST_LOGIN, auth0PostLoginRequest({ userId: 'google-oauth2|1234567890', email: 'kim.sato@example.com' }), AUTH0_HOOK_HEADERS);
        expect(await response.json()).toEqual({ accessToken: { customClaims: {} }, idToken: { customClaims: {} } });
      } finally {
        await strict.app.close();
      }
    });

    it('does not look up an email that is not verified', async () => {
      const response = await call(POST_LOGIN, auth0PostLoginRequest({ userId: 'auth0|signed-up-just-now', email: 'kim.sato@example.com', emailVerified: false }));

      expect(response).toEqual({ status: 200, body: { accessToken: { customClaims: {} }, idToken: { customClaims: {} } } });
    });

    it('answers empty claims for an erased user', async () => {
      expect(await call(POST_LOGIN, auth0PostLoginRequest({ userId: 'auth0|erased', email: null }))).toEqual({
        status: 200,
        body: { accessToken: { customClaims: {} }, idToken: { customClaims: {} } },
      });
    });

    it('answers 403 access_denied for a deactivated user', async () => {
      expect(await call(POST_LOGIN, auth0PostLoginRequest({ userId: 'auth0|suspended', email: null }))).toMatchObject({ status: 403, body: { error: 'access_denied' } });
    });

    it('answers 400 naming each malformed field', async () => {
      expect(await call(POST_LOGIN, { userId: 42, emailVerified: 'yes' })).toEqual({
        status: 400,
        body: expect.objectContaining({
          errors: [
            { field: 'userId', reason: expect.any(String) },
            { field: 'emailVerified', reason: 'must be a boolean' },
          ],
        }),
      });
    });
  });

  it.each([
    ['no credential', {}],
    ['a wrong credential', { 'x-claims-hook-key': 'wrong-secret' }],
    ["another provider's credential", { authorization: 'Bearer hydra-hook-secret value' }],
  ])('answers 401 with no body to a caller with %s', async (_case, headers: Record<string, string>) => {
    for (const path of [CREDENTIALS_EXCHANGE, POST_LOGIN]) {
      expect(await call(path, auth0PostLoginRequest({ userId: KIM }), headers)).toEqual({ status: 401, body: undefined });
    }
  });

  it('answers 413 to a body over the limit', async () => {
    expect((await call(POST_LOGIN, auth0PostLoginRequest({ extra: { padding: 'x'.repeat(8_000) } }))).status).toBe(413);
  });
});
