import { auth0CredentialsExchangeRequest, auth0PostLoginRequest } from '../../../../libs/domain/src/testing/auth0-requests.js';
import { hydraRefreshHookRequest, hydraTokenHookRequest } from '../../../../libs/domain/src/testing/hydra-requests.js';
import { kratosWebHookRequest } from '../../../../libs/domain/src/testing/kratos-requests.js';
import { oktaTokenHookRequest } from '../../../../libs/domain/src/testing/okta-requests.js';
import { dropNamespace, newNamespace, type TestNamespace } from '../../../../test/support/namespace.js';
import { seedProjection } from '../../../../test/support/projection.js';
import { AUTH0_HOOK_HEADERS, HYDRA_AUTHORIZATION, KRATOS_HOOK_HEADERS, OKTA_AUTHORIZATION, runHookApi, stackEnv } from '../../../../test/support/stack.js';
import { FreezableProxy } from '../../../../test/support/tcp-proxy.js';

/** Every hook route, with a call to it and what its provider takes as "no extra claims" and "deny". */
const ROUTES = [
  { path: '/hooks/okta/token', body: oktaTokenHookRequest(), headers: { authorization: OKTA_AUTHORIZATION }, open: { status: 204, body: '' }, closed: { status: 200, body: expect.stringContaining('errorSummary') } },
  { path: '/hooks/hydra/token', body: hydraTokenHookRequest(), headers: { authorization: HYDRA_AUTHORIZATION }, open: { status: 204, body: '' }, closed: { status: 403, body: expect.any(String) } },
  { path: '/hooks/hydra/refresh', body: hydraRefreshHookRequest(), headers: { authorization: HYDRA_AUTHORIZATION }, open: { status: 204, body: '' }, closed: { status: 403, body: expect.any(String) } },
  ...(['credentials-exchange', 'post-login'] as const).map((trigger) => ({
    path: `/hooks/auth0/${trigger}`,
    body: trigger === 'post-login' ? auth0PostLoginRequest() : auth0CredentialsExchangeRequest(),
    headers: AUTH0_HOOK_HEADERS,
    open: { status: 200, body: expect.stringContaining('"accessToken":{"customClaims":{}}') },
    closed: { status: 403, body: expect.stringContaining('access_denied') },
  })),
  ...(['registration', 'settings', 'login'] as const).map((hookPoint) => ({
    path: `/hooks/kratos/${hookPoint}`,
    body: kratosWebHookRequest({ hookPoint }),
    headers: { ...KRATOS_HOOK_HEADERS, 'ory-webhook-trigger-id': 'a-delivery' },
    open: { status: 204, body: '' },
    closed: { status: 403, body: expect.stringContaining('"instance_ptr":"#/"') },
  })),
];

describe.each(ROUTES)('POST $path while Redis cannot answer', ({ path, body, headers, ...expected }) => {
  const DEADLINE_MS = 100;
  let namespace: TestNamespace;
  let proxy: FreezableProxy;

  beforeEach(async () => {
    namespace = newNamespace();
    await seedProjection(namespace, {});
    proxy = await FreezableProxy.start({ host: '127.0.0.1', port: Number(new URL(namespace.redisUrl).port || 6379) });
  });

  afterEach(async () => {
    await proxy.close();
    await dropNamespace(namespace);
  });

  async function timedCall(env: Record<string, string>, beforeCall: () => void = () => undefined) {
    const api = await runHookApi(stackEnv(namespace, { HOOK_DEADLINE_MS: String(DEADLINE_MS), ...env }));
    try {
      await api.post(path, body, headers);
      beforeCall();
      const started = performance.now();
      const response = await api.post(path, body, headers);
      return { status: response.status, body: await response.text(), elapsed: performance.now() - started };
    } finally {
      await api.app.close();
    }
  }

  it.each(['open', 'closed'] as const)('fails %s at once when Redis is unreachable', async (mode) => {
    const answer = await timedCall({ REDIS_URL: 'redis://127.0.0.1:1', HOOK_FAILURE_MODE: mode });

    expect(answer).toEqual({ ...expected[mode], elapsed: expect.any(Number) });
    expect(answer.elapsed).toBeLessThan(DEADLINE_MS);
  });

  it.each(['open', 'closed'] as const)('fails %s within the deadline when Redis stops answering', async (mode) => {
    const answer = await timedCall({ REDIS_URL: `redis://127.0.0.1:${proxy.port}`, HOOK_FAILURE_MODE: mode }, () => proxy.freeze());

    expect(answer).toEqual({ ...expected[mode], elapsed: expect.any(Number) });
    expect(answer.elapsed).toBeGreaterThanOrEqual(DEADLINE_MS - 5);
    expect(answer.elapsed).toBeLessThan(DEADLINE_MS + 100);
  });
});
