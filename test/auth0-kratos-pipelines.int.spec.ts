import { auth0PostLoginRequest } from '../libs/domain/src/testing/auth0-requests.js';
import { kratosWebHookRequest, type KratosRequestOptions } from '../libs/domain/src/testing/kratos-requests.js';
import { eventually } from './support/eventually.js';
import { answerOf, AUTH0_CLAIM_NAMESPACE, AUTH0_HOOK_HEADERS, KRATOS_HOOK_HEADERS, type RunningStack, runStack } from './support/stack.js';

describe('events in, claims out: POST /events → log → relay → projection → Auth0 and Kratos hooks', () => {
  let stack: RunningStack;

  beforeAll(async () => {
    stack = await runStack();
  });

  afterAll(async () => {
    await stack.close();
  });

  const call = async (path: string, body: unknown, headers: Record<string, string>) => answerOf(await stack.api.post(path, body, headers));

  it('Auth0: the post-login Action gets the patient id and granted claims, a deactivated user is denied, an erased one gets nothing', async () => {
    const user = 'auth0|65a0c0ffee0000000000e2e1';
    const postLogin = () => call('/hooks/auth0/post-login', auth0PostLoginRequest({ userId: user, email: 'ana.lima@example.com' }), AUTH0_HOOK_HEADERS);
    const claims = { [`${AUTH0_CLAIM_NAMESPACE}patient_id`]: '1235', [`${AUTH0_CLAIM_NAMESPACE}ward`]: '4B' };

    await stack.append([
      { type: 'identity.registered', subject: user, data: { login: 'ana.lima@example.com' } },
      { type: 'patient.linked', subject: user, data: { patientId: '1235' } },
      { type: 'claims.granted', subject: user, data: { claims: { ward: '4B' } } },
    ]);
    await eventually(async () => {
      expect(await postLogin()).toEqual({ status: 200, body: { accessToken: { customClaims: claims }, idToken: { customClaims: claims } } });
    }, 1_000);

    await stack.append([{ type: 'identity.deactivated', subject: user, data: {} }]);
    await eventually(async () => expect(await postLogin()).toMatchObject({ status: 403, body: { error: 'access_denied' } }), 1_000);

    await stack.append([{ type: 'identity.deleted', subject: user }]);
    await eventually(async () => {
      expect(await postLogin()).toEqual({ status: 200, body: { accessToken: { customClaims: {} }, idToken: { customClaims: {} } } });
    }, 1_000);
  });

  it('Kratos: registration and settings carry the patient id into public metadata, unlinking takes it out, a deactivated identity cannot sign in', async () => {
    const identityId = '0f6e5d4c-3b2a-4190-8e7d-6c5b4a3f2e1d';
    const address = { value: 'ana.kowalska@example.com', verified: true };
    const kratos = (hookPoint: 'registration' | 'settings' | 'login', options: KratosRequestOptions = {}) =>
      call(`/hooks/kratos/${hookPoint}`, kratosWebHookRequest({ hookPoint, identityId, addresses: [address], ...options }), KRATOS_HOOK_HEADERS);

    await stack.append([
      { type: 'identity.registered', subject: identityId, data: { login: address.value } },
      { type: 'patient.linked', subject: identityId, data: { patientId: '1236' } },
    ]);
    await eventually(async () => {
      expect(await kratos('registration')).toEqual({ status: 200, body: { identity: { metadata_public: { patient_id: '1236' } } } });
    }, 1_000);
    expect(await kratos('settings', { metadataPublic: { patient_id: '1236', locale: 'pl' } })).toEqual({ status: 204, body: undefined });

    await stack.append([{ type: 'patient.unlinked', subject: identityId, data: { patientId: '1236' } }]);
    await eventually(async () => {
      expect(await kratos('settings', { metadataPublic: { patient_id: '1236', locale: 'pl' } })).toEqual({
        status: 200,
        body: { identity: { metadata_public: { locale: 'pl' } } },
      });
    }, 1_000);

    expect(await kratos('login')).toEqual({ status: 204, body: undefined });
    await stack.append([{ type: 'identity.deactivated', subject: identityId, data: {} }]);
    await eventually(async () => expect(await kratos('login')).toMatchObject({ status: 403, body: { messages: [{ instance_ptr: '#/' }] } }), 1_000);

    // An identity the subject was found for by its address alone keeps no patient id once it is erased.
    const foundByAddress = { identityId: '9a8b7c6d-0000-4000-8000-000000000001', metadataPublic: { patient_id: '1236', locale: 'pl' } };
    await stack.append([{ type: 'identity.deleted', subject: identityId }]);
    await eventually(async () => {
      expect(await kratos('settings', foundByAddress)).toEqual({ status: 200, body: { identity: { metadata_public: { locale: 'pl' } } } });
    }, 1_000);
  });
});
