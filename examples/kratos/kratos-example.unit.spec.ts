import { KRATOS_BODY_TEMPLATE } from '@app/domain';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { credentialCheck } from '../../apps/hook-api/src/auth/credential.js';
import { HookApiConfig } from '../../apps/hook-api/src/config/hook-api.config.js';

interface WebHookConfig {
  url: string;
  method: string;
  body: string;
  auth: { type: string; config: { in?: string; name: string; value: string } };
  response?: { parse?: boolean; ignore?: boolean };
  can_interrupt?: boolean;
}
interface Hook {
  hook: string;
  config?: WebHookConfig;
}
type AfterHooks = { hooks?: Hook[] } & Record<string, { hooks?: Hook[] } | Hook[] | undefined>;
type Flow = 'registration' | 'settings' | 'login';
interface KratosConfig {
  selfservice: { flows: Record<Flow, { after: AfterHooks }> };
}

const read = (file: string) => readFileSync(join('examples', 'kratos', file), 'utf8');

/** Every `web_hook` of a flow's after-hooks, by the method list it is in (`(global)` for `after.hooks`). */
function webHooks(after: AfterHooks): Array<{ list: string; config: WebHookConfig }> {
  return Object.entries(after).flatMap(([method, value]) => {
    const hooks = method === 'hooks' ? (value as Hook[]) : ((value as { hooks?: Hook[] }).hooks ?? []);
    const list = method === 'hooks' ? '(global)' : method;
    return hooks.filter((hook) => hook.hook === 'web_hook').map((hook) => ({ list, config: hook.config! }));
  });
}

// Kratos does not run here: the example is checked by reading it.
describe('examples/kratos', () => {
  const config = parse(read('kratos.yml')) as KratosConfig;
  const flows = config.selfservice.flows;

  it('claims-hook.jsonnet is the body template the Kratos routes read', () => {
    expect(read('claims-hook.jsonnet')).toBe(KRATOS_BODY_TEMPLATE);
  });

  it.each([
    ['registration', ['password', 'oidc'], { response: { parse: true } }],
    ['settings', ['profile', 'password', 'oidc'], { response: { parse: true } }],
    ['login', ['password', 'oidc'], { can_interrupt: true }],
  ] as const)('%s: a web_hook to its route in each of the method lists %j, with %j', (flow, methods, mode) => {
    const hooks = webHooks(flows[flow].after);

    expect(hooks.map(({ list }) => list)).toEqual(methods);
    for (const { config: hook } of hooks) {
      expect(hook).toMatchObject({ method: 'POST', body: 'file:///etc/config/kratos/claims-hook.jsonnet', ...mode });
      expect(new URL(hook.url).pathname).toBe(`/hooks/kratos/${flow}`);
      // Fire-and-forget would drop the answer (and Kratos refuses it together with parse or can_interrupt).
      expect(hook.response?.ignore).toBeUndefined();
    }
  });

  it('has no web_hook in a global after.hooks list, where Kratos would skip it for methods that have their own', () => {
    for (const flow of Object.values(flows)) expect(webHooks(flow.after).filter(({ list }) => list === '(global)')).toEqual([]);
  });

  it("authenticates every call with an api_key header the hook-api's KRATOS_HOOK_AUTH_* accept", () => {
    const auths = Object.values(flows).flatMap((flow) => webHooks(flow.after).map(({ config: hook }) => hook.auth));
    const { name, value } = auths[0]!.config;

    expect(auths).toEqual(auths.map(() => ({ type: 'api_key', config: { in: 'header', name: 'X-Claims-Hook-Key', value } })));
    const hookApi = HookApiConfig.fromEnv({ KRATOS_HOOK_AUTH_IN: 'header', KRATOS_HOOK_AUTH_NAME: name, KRATOS_HOOK_AUTH_VALUE: value });
    // Go canonicalises the header name on the way out; Node lower-cases it on the way in.
    const isAuthorized = credentialCheck(hookApi.hooks.credentials.kratos);
    expect(isAuthorized({ 'x-claims-hook-key': value })).toBe(true);
    expect(isAuthorized({ 'x-claims-hook-key': `${value}x` })).toBe(false);
  });

  it('points every hook at one hook-api', () => {
    const origins = new Set(Object.values(flows).flatMap((flow) => webHooks(flow.after).map(({ config: hook }) => new URL(hook.url).origin)));

    expect([...origins]).toEqual(['https://claims.example.org']);
  });
});
