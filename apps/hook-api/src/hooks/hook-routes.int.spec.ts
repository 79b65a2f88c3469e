import { HOOK_CALLS } from '../../../../test/support/hook-calls.js';
import { dropNamespace, newNamespace, type TestNamespace } from '../../../../test/support/namespace.js';
import { seedProjection } from '../../../../test/support/projection.js';
import { runHookApi, stackEnv } from '../../../../test/support/stack.js';
import { FreezableProxy } from '../../../../test/support/tcp-proxy.js';

describe.each(HOOK_CALLS)('POST $path while Redis cannot answer', ({ path, body, headers, open, closed }) => {
  const expected = { open, closed };
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
