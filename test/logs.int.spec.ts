import { ClientProxyFactory, Transport } from '@nestjs/microservices';
import { firstValueFrom } from 'rxjs';
import { auth0CredentialsExchangeRequest, auth0PostLoginRequest } from '../libs/domain/src/testing/auth0-requests.js';
import { hydraRefreshHookRequest, hydraTokenHookRequest } from '../libs/domain/src/testing/hydra-requests.js';
import { kratosWebHookRequest } from '../libs/domain/src/testing/kratos-requests.js';
import { oktaEventDelivery, oktaLogEvent } from '../libs/domain/src/testing/okta-events.js';
import { oktaTokenHookRequest } from '../libs/domain/src/testing/okta-requests.js';
import { migratedPool } from './support/database.js';
import { eventually } from './support/eventually.js';
import { dropNamespace, newNamespace, type TestNamespace } from './support/namespace.js';
import { startBuiltHookApi, startBuiltSyncWorker, type Service } from './support/processes.js';
import { AUTH0_HOOK_HEADERS, HYDRA_AUTHORIZATION, INGEST_KEY, KRATOS_HOOK_HEADERS, OKTA_AUTHORIZATION, stackEnv } from './support/stack.js';

/** A patient id no other value of the test contains, so a match in the logs can only be a leak. */
const PATIENT_ID = 'PID-7f3a9c21-leak-canary';
const LOGIN = 'canary.patient@example.org';
const SUBJECT = '00ucanary01';

/**
 * Both apps run as deployed, at the most verbose level, while a patient id goes through every route
 * and the paths that fail (bad credentials, malformed bodies, duplicates). Their whole output must
 * hold neither the patient id nor a credential, and every line must be JSON.
 */
describe('logs', () => {
  let namespace: TestNamespace;
  let services: Service[] = [];
  let apiUrl: string;

  beforeAll(async () => {
    namespace = newNamespace();
    await (await migratedPool(namespace)).end();
  });

  afterAll(async () => {
    await Promise.all(services.map((service) => service.stop()));
    await dropNamespace(namespace);
  });

  async function post(path: string, body: unknown, headers: Record<string, string>): Promise<{ status: number; text: string }> {
    const response = await fetch(`${apiUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
    return { status: response.status, text: await response.text() };
  }

  it('never hold a patient id or a credential, whatever route it goes through, and are JSON lines with request ids', async () => {
    const env = { ...stackEnv(namespace), LOG_LEVEL: 'trace' };
    const worker = await startBuiltSyncWorker(env);
    const api = await startBuiltHookApi(env);
    services = [worker, api];
    apiUrl = api.url;
    const ingest = { authorization: `Bearer ${INGEST_KEY}` };

    const events = [
      { id: '5d0c1c7e-9a41-4a8e-b2c9-0000000000a1', type: 'identity.registered', subject: SUBJECT, data: { login: LOGIN } },
      { id: '5d0c1c7e-9a41-4a8e-b2c9-0000000000a2', type: 'patient.linked', subject: SUBJECT, data: { patientId: PATIENT_ID } },
    ];
    expect((await post('/events', events, ingest)).status).toBe(201);
    expect((await post('/events', events, ingest)).status).toBe(200);
    expect((await post('/events', [{ type: 'patient.linked', subject: SUBJECT, data: { patientId: PATIENT_ID, extra: { deep: PATIENT_ID } } }], ingest)).status).toBe(400);
    expect((await post('/events', [{ type: 'patient.linked', subject: SUBJECT, data: { patientId: 42, note: PATIENT_ID } }], ingest)).status).toBe(400);
    expect((await post('/events', events, { authorization: `Bearer ${PATIENT_ID}` })).status).toBe(401);
    const client = ClientProxyFactory.create({ transport: Transport.TCP, options: { host: '127.0.0.1', port: worker.ingestPort } });
    await firstValueFrom(client.send('events.append', [{ type: 'claims.granted', subject: SUBJECT, data: { claims: { ward: PATIENT_ID } } }]));
    await firstValueFrom(client.send('events.append', [{ type: 'claims.granted', subject: SUBJECT, data: 'not an object', note: PATIENT_ID }])).catch(() => undefined);
    await client.close();

    const okta = () => post('/hooks/okta/token', oktaTokenHookRequest({ login: LOGIN, userId: SUBJECT }), { authorization: OKTA_AUTHORIZATION });
    await eventually(async () => expect((await okta()).text).toContain(PATIENT_ID), 5_000);
    const calls: Array<[string, unknown, Record<string, string>]> = [
      ['/hooks/hydra/token', hydraTokenHookRequest({ subject: SUBJECT }), { authorization: HYDRA_AUTHORIZATION }],
      ['/hooks/hydra/refresh', hydraRefreshHookRequest({ subject: SUBJECT }), { authorization: HYDRA_AUTHORIZATION }],
      ['/hooks/auth0/credentials-exchange', auth0CredentialsExchangeRequest({ clientId: SUBJECT }), AUTH0_HOOK_HEADERS],
      ['/hooks/auth0/post-login', auth0PostLoginRequest({ userId: SUBJECT, email: LOGIN }), AUTH0_HOOK_HEADERS],
      ['/hooks/kratos/registration', kratosWebHookRequest({ hookPoint: 'registration', addresses: [{ value: LOGIN, verified: true }] }), KRATOS_HOOK_HEADERS],
      ['/hooks/kratos/settings', kratosWebHookRequest({ hookPoint: 'settings', identityId: SUBJECT, metadataPublic: { patient_id: PATIENT_ID } }), KRATOS_HOOK_HEADERS],
      ['/hooks/kratos/login', kratosWebHookRequest({ identityId: SUBJECT }), { ...KRATOS_HOOK_HEADERS, 'ory-webhook-trigger-id': PATIENT_ID }],
    ];
    for (const [path, body, headers] of calls) {
      expect((await post(path, body, headers)).status).toBeLessThan(500);
      expect((await post(path, body, { authorization: PATIENT_ID })).status).toBe(401);
      expect((await post(path, { malformed: PATIENT_ID, identity: PATIENT_ID, session: PATIENT_ID, userId: 7 }, headers)).status).toBe(400);
    }
    expect((await post('/hooks/okta/token', { data: { context: PATIENT_ID } }, { authorization: OKTA_AUTHORIZATION })).status).toBe(400);
    const delivery = oktaEventDelivery([oktaLogEvent({ eventType: 'user.lifecycle.deactivate', user: { id: SUBJECT, login: PATIENT_ID } })]);
    expect((await post('/events/okta', delivery, { authorization: OKTA_AUTHORIZATION })).status).toBe(200);
    expect((await post('/events/okta', oktaEventDelivery([{ uuid: PATIENT_ID, published: PATIENT_ID }]), { authorization: OKTA_AUTHORIZATION })).status).toBe(200);
    expect((await post('/events/okta', { data: PATIENT_ID }, { authorization: OKTA_AUTHORIZATION })).status).toBe(400);
    expect((await fetch(`${apiUrl}/events/okta`, { headers: { authorization: OKTA_AUTHORIZATION, 'x-okta-verification-challenge': 'challenge-1' } })).status).toBe(200);
    for (const path of ['/metrics', '/admin/rebuild', '/readyz', '/healthz']) await (await fetch(`${apiUrl}${path}`, { headers: ingest })).text();
    await eventually(async () => expect(JSON.parse((await okta()).text)).toHaveProperty('error'), 5_000);

    await Promise.all(services.map((service) => service.stop()));
    const output = services.map((service) => service.output()).join('\n');
    const secrets = [INGEST_KEY, OKTA_AUTHORIZATION, HYDRA_AUTHORIZATION, AUTH0_HOOK_HEADERS['x-claims-hook-key'], KRATOS_HOOK_HEADERS['x-claims-hook-key']];
    const lines = output.split('\n').filter((line) => line.trim() !== '');
    const records = lines.map((line) => JSON.parse(line) as { requestId?: string; req?: { path?: string } });

    expect(output).not.toContain(PATIENT_ID);
    expect(output.toLowerCase()).not.toContain(LOGIN);
    for (const secret of secrets) expect(output).not.toContain(secret);
    expect(records.filter((record) => record.req?.path?.startsWith('/hooks/')).length).toBeGreaterThan(20);
    expect(records.filter((record) => record.req !== undefined && record.requestId === undefined)).toEqual([]);
  });
});
