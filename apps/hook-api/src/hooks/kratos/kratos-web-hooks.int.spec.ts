import type { ClaimsEvent } from '@app/domain';
import { randomUUID } from 'node:crypto';
import { kratosWebHookRequest } from '../../../../../libs/domain/src/testing/kratos-requests.js';
import { dropNamespace, newNamespace, type TestNamespace } from '../../../../../test/support/namespace.js';
import { seedProjection } from '../../../../../test/support/projection.js';
import { answerOf, KRATOS_HOOK_HEADERS, runHookApi, stackEnv, type RunningHookApi } from '../../../../../test/support/stack.js';

const KIM = '7d1c6a3e-5b2f-4c8d-9e0a-1b2c3d4e5f60';
const KIM_EVENTS: ClaimsEvent[] = [
  { type: 'identity.registered', data: { login: 'kim.sato@example.com' } },
  { type: 'patient.linked', data: { patientId: '6789' } },
];
const DEACTIVATED_MESSAGES = {
  messages: [{ instance_ptr: '#/', messages: [{ id: 9_000_001, text: expect.any(String), type: 'error' }] }],
};

describe('POST /hooks/kratos/*', () => {
  let namespace: TestNamespace;
  let api: RunningHookApi;

  beforeAll(async () => {
    namespace = newNamespace();
    await seedProjection(namespace, {
      [KIM]: KIM_EVENTS,
      'kratos-suspended': [{ type: 'patient.linked', data: { patientId: '2222' } }, { type: 'identity.deactivated', data: {} }],
      'kratos-erased': [{ type: 'patient.linked', data: { patientId: '4321' } }, { type: 'identity.deleted', data: {} }],
    });
    api = await runHookApi(stackEnv(namespace, { HOOK_BODY_LIMIT_BYTES: '4096' }));
  });

  afterAll(async () => {
    await api.app.close();
    await dropNamespace(namespace);
  });

  async function call(path: string, body: unknown, headers: Record<string, string> = KRATOS_HOOK_HEADERS) {
    return answerOf(await api.post(path, body, headers));
  }

  describe('registration (response.parse)', () => {
    it('adds the claims of a subject found by a verified address to the new identity\'s public metadata', async () => {
      const body = kratosWebHookRequest({ hookPoint: 'registration', addresses: [{ value: 'Kim.Sato@example.com', verified: true }] });

      expect(await call('/hooks/kratos/registration', body)).toEqual({ status: 200, body: { identity: { metadata_public: { patient_id: '6789' } } } });
    });

    it('answers 204 when the only address is not verified: typed addresses are never looked up', async () => {
      const body = kratosWebHookRequest({ hookPoint: 'registration', addresses: [{ value: 'kim.sato@example.com', verified: false }] });

      expect(await call('/hooks/kratos/registration', body)).toEqual({ status: 204, body: undefined });
    });
  });

  describe('settings (response.parse)', () => {
    it('echoes the metadata other writers set, merged with the claims', async () => {
      const body = kratosWebHookRequest({ hookPoint: 'settings', identityId: KIM, metadataPublic: { theme: 'dark', patient_id: 'stale' } });

      expect(await call('/hooks/kratos/settings', body)).toEqual({
        status: 200,
        body: { identity: { metadata_public: { theme: 'dark', patient_id: '6789' } } },
      });
    });

    it('answers 204 when the metadata already holds the claims', async () => {
      const body = kratosWebHookRequest({ hookPoint: 'settings', identityId: KIM, metadataPublic: { patient_id: '6789' } });

      expect(await call('/hooks/kratos/settings', body)).toEqual({ status: 204, body: undefined });
    });

    it('answers 204 for an identity the projection does not know', async () => {
      const body = kratosWebHookRequest({ hookPoint: 'settings', identityId: 'f00dfeed-0000-4000-8000-000000000000', addresses: [] });

      expect(await call('/hooks/kratos/settings', body)).toEqual({ status: 204, body: undefined });
    });

    it('takes the patient id out of an erased identity\'s metadata', async () => {
      const body = kratosWebHookRequest({ hookPoint: 'settings', identityId: 'kratos-erased', addresses: [], metadataPublic: { patient_id: '4321', theme: 'dark' } });

      expect(await call('/hooks/kratos/settings', body)).toEqual({ status: 200, body: { identity: { metadata_public: { theme: 'dark' } } } });
    });

    it('interrupts the flow of a deactivated identity with a message Kratos shows in the form', async () => {
      const body = kratosWebHookRequest({ hookPoint: 'settings', identityId: 'kratos-suspended', addresses: [] });

      expect(await call('/hooks/kratos/settings', body)).toEqual({ status: 403, body: DEACTIVATED_MESSAGES });
    });
  });

  describe('login (can_interrupt)', () => {
    it('lets an active identity sign in unchanged', async () => {
      expect(await call('/hooks/kratos/login', kratosWebHookRequest({ identityId: KIM }))).toEqual({ status: 204, body: undefined });
    });

    it('stops a deactivated identity with Kratos\' messages body', async () => {
      const body = kratosWebHookRequest({ identityId: 'kratos-suspended', addresses: [] });

      expect(await call('/hooks/kratos/login', body)).toEqual({ status: 403, body: DEACTIVATED_MESSAGES });
    });
  });

  it('gives a retry of a delivery the answer of its first attempt, by Ory-Webhook-Trigger-ID', async () => {
    const triggerId = randomUUID();
    const headers = (requestId: string) => ({ ...KRATOS_HOOK_HEADERS, 'Ory-Webhook-Trigger-Id': triggerId, 'Ory-Webhook-Request-Id': requestId });
    const body = kratosWebHookRequest({ hookPoint: 'settings', identityId: KIM, metadataPublic: null });
    const first = await call('/hooks/kratos/settings', body, headers(randomUUID()));

    await seedProjection(namespace, { [KIM]: [...KIM_EVENTS, { type: 'patient.linked', data: { patientId: '9999' } }] });
    const retried = await call('/hooks/kratos/settings', body, headers(randomUUID()));
    const nextDelivery = await call('/hooks/kratos/settings', body, { ...KRATOS_HOOK_HEADERS, 'Ory-Webhook-Trigger-Id': randomUUID() });
    const sameIdAboutAnother = await call('/hooks/kratos/settings', kratosWebHookRequest({ hookPoint: 'settings', identityId: 'kratos-suspended', addresses: [] }), headers(randomUUID()));

    expect(first).toEqual({ status: 200, body: { identity: { metadata_public: { patient_id: '6789' } } } });
    expect(retried).toEqual(first);
    expect(nextDelivery).toEqual({ status: 200, body: { identity: { metadata_public: { patient_id: '9999' } } } });
    expect(sameIdAboutAnother).toEqual({ status: 403, body: DEACTIVATED_MESSAGES });
  });

  it.each([
    ['no credential', {}],
    ['a wrong credential', { 'x-claims-hook-key': 'wrong-secret' }],
    ["Okta's credential", { authorization: `Basic ${Buffer.from('okta:hook-secret').toString('base64')}` }],
  ])('answers 401 with no body to a caller with %s', async (_case, headers: Record<string, string>) => {
    for (const flow of ['registration', 'settings', 'login']) {
      expect(await call(`/hooks/kratos/${flow}`, kratosWebHookRequest({ identityId: KIM }), headers)).toEqual({ status: 401, body: undefined });
    }
  });

  it.each(['registration', 'settings', 'login'])('answers 400 naming the field of a malformed body on /hooks/kratos/%s', async (flow) => {
    expect(await call(`/hooks/kratos/${flow}`, { identity: { id: KIM, metadata_public: 'dark' } })).toEqual({
      status: 400,
      body: expect.objectContaining({ errors: [{ field: 'identity.metadata_public', reason: expect.any(String) }] }),
    });
  });

  it('interrupts the registration of an identity whose verified address belongs to a deactivated subject', async () => {
    await seedProjection(namespace, { 'kratos-suspended-2': [{ type: 'identity.registered', data: { login: 'suspended@example.com' } }, { type: 'identity.deactivated', data: {} }] });
    const body = kratosWebHookRequest({ hookPoint: 'registration', addresses: [{ value: 'suspended@example.com', verified: true }] });

    expect(await call('/hooks/kratos/registration', body)).toEqual({ status: 403, body: DEACTIVATED_MESSAGES });
  });

  it('lets an identity the projection does not know sign in unchanged', async () => {
    expect(await call('/hooks/kratos/login', kratosWebHookRequest({ identityId: 'f00dfeed-0000-4000-8000-000000000000', addresses: [] }))).toEqual({ status: 204, body: undefined });
  });

  it('answers 413 to a body over the limit', async () => {
    const body = kratosWebHookRequest({ identityId: KIM, metadataPublic: { padding: 'x'.repeat(8_000) } });

    expect((await call('/hooks/kratos/settings', body)).status).toBe(413);
  });
});
