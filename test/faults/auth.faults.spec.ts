import type pg from 'pg';
import { oktaEventDelivery } from '../../libs/domain/src/testing/okta-events.js';
import { migratedPool } from '../support/database.js';
import { HOOK_CALLS } from '../support/hook-calls.js';
import { PrivateServers } from '../support/private-servers.js';
import { INGEST_KEY, OKTA_AUTHORIZATION, runHookApi, type RunningHookApi } from '../support/stack.js';

interface Guarded {
  method: 'GET' | 'POST';
  path: string;
  body?: unknown;
  /** The header that carries the caller's secret, and the secret. */
  credential: { name: string; value: string };
  headers?: Record<string, string>;
}

const bearer = { name: 'authorization', value: `Bearer ${INGEST_KEY}` };

/** The providers' routes, each with its provider's credential. */
const PROVIDER_ROUTES: Guarded[] = [
  ...HOOK_CALLS.map(({ path, body, headers, credential }) => ({
    method: 'POST' as const,
    path,
    body,
    credential: { name: credential, value: (headers as Record<string, string>)[credential]! },
  })),
  { method: 'GET', path: '/events/okta', credential: { name: 'authorization', value: OKTA_AUTHORIZATION }, headers: { 'x-okta-verification-challenge': 'a-challenge' } },
  { method: 'POST', path: '/events/okta', body: oktaEventDelivery([]), credential: { name: 'authorization', value: OKTA_AUTHORIZATION } },
];

/** The operators' routes, behind INGEST_API_KEY. */
const ADMIN_ROUTES: Guarded[] = [
  { method: 'POST', path: '/events', body: [{ type: 'patient.linked', subject: 'auth-check', data: { patientId: 'p1' } }], credential: bearer },
  { method: 'GET', path: '/admin/rebuild', credential: bearer },
  { method: 'POST', path: '/admin/rebuild', body: {}, credential: bearer },
  { method: 'GET', path: '/metrics', credential: bearer },
  { method: 'GET', path: '/admin/queues', credential: bearer },
  { method: 'GET', path: '/admin/queues/api/queues', credential: bearer },
];

/**
 * Wrong secrets as someone timing the answers would try them: a growing part of the secret right
 * and the rest wrong, one character off at either end, one more or one fewer, the same letters in
 * another case, the same length, far longer, empty.
 */
function nearMisses(secret: string): string[] {
  const flipped = (character: string) => String.fromCharCode(character.charCodeAt(0) ^ 1);
  const rightFor = (length: number) => `${secret.slice(0, length)}${'~'.repeat(secret.length - length)}`;
  return [
    ...[1, Math.floor(secret.length / 4), Math.floor(secret.length / 2), secret.length - 1].map(rightFor),
    `${flipped(secret[0]!)}${secret.slice(1)}`,
    `${secret.slice(0, -1)}${flipped(secret.at(-1)!)}`,
    secret.slice(0, -1),
    `${secret}x`,
    secret.toUpperCase() === secret ? secret.toLowerCase() : secret.toUpperCase(),
    'x'.repeat(secret.length),
    secret.repeat(200),
    '',
  ];
}

describe('authentication on every route', () => {
  let servers: PrivateServers;
  let api: RunningHookApi;
  let pool: pg.Pool;

  beforeAll(async () => {
    servers = await PrivateServers.start();
    pool = await migratedPool(servers.namespace);
    api = await runHookApi(servers.stackEnv());
  }, 60_000);

  afterAll(async () => {
    await api?.app.close();
    await pool?.end();
    await servers?.stop();
  });

  async function statusOf(route: Guarded, credential: Record<string, string>): Promise<{ route: string; status: number }> {
    const response = await fetch(`${api.url}${route.path}`, {
      method: route.method,
      headers: { ...route.headers, ...(route.body !== undefined && { 'content-type': 'application/json' }), ...credential },
      ...(route.body !== undefined && { body: JSON.stringify(route.body) }),
    });
    await response.arrayBuffer();
    return { route: `${route.method} ${route.path}`, status: response.status };
  }

  /** Every call answered 401: the list of those that were not. */
  async function notRefused(calls: Array<{ route: Guarded; credential: Record<string, string> }>) {
    const answers = await Promise.all(calls.map(async ({ route, credential }) => ({ ...(await statusOf(route, credential)), credential })));
    return answers.filter(({ status }) => status !== 401);
  }

  it('lets each route in with its own credential (what the refusals below are measured against)', async () => {
    const answers = await Promise.all([...PROVIDER_ROUTES, ...ADMIN_ROUTES].map((route) => statusOf(route, { [route.credential.name]: route.credential.value })));

    expect(answers.filter(({ status }) => status === 401)).toEqual([]);
  });

  it('answers 401 on every route to a call without a credential, with a wrong one, and with each near miss of the right one', async () => {
    const calls = [...PROVIDER_ROUTES, ...ADMIN_ROUTES].flatMap((route) => [
      { route, credential: {} },
      { route, credential: { [route.credential.name]: 'wrong-secret-0123456789' } },
      ...nearMisses(route.credential.value).map((value) => ({ route, credential: { [route.credential.name]: value } })),
    ]);

    expect(calls.length).toBeGreaterThan(200);
    expect(await notRefused(calls)).toEqual([]);
  });

  it("never lets a provider's credential into an operator's route, nor into another provider's", async () => {
    const providerCredentials = [...new Map(PROVIDER_ROUTES.map(({ credential }) => [`${credential.name}:${credential.value}`, credential])).values()];
    const basicAdmin = (password: string) => `Basic ${Buffer.from(`admin:${password}`).toString('base64')}`;
    const intoAdmin = ADMIN_ROUTES.flatMap((route) =>
      providerCredentials.flatMap(({ name, value }) => [
        { route, credential: { [name]: value } },
        { route, credential: { authorization: `Bearer ${value}` } },
        { route, credential: { authorization: basicAdmin(value) } },
      ]),
    );
    const intoOtherProviders = PROVIDER_ROUTES.flatMap((route) =>
      [...providerCredentials, bearer]
        .filter(({ name, value }) => name !== route.credential.name || value !== route.credential.value)
        .map(({ name, value }) => ({ route, credential: { [name]: value } })),
    );

    expect(await notRefused([...intoAdmin, ...intoOtherProviders])).toEqual([]);
  });
});
