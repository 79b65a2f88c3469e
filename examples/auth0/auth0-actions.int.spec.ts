import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { join } from 'node:path';
import { runInNewContext } from 'node:vm';
import { freePort } from '../../scripts/local-services/free-port.js';
import { dropNamespace, newNamespace, type TestNamespace } from '../../test/support/namespace.js';
import { seedProjection } from '../../test/support/projection.js';
import { AUTH0_CLAIM_NAMESPACE, AUTH0_HOOK_HEADERS, runHookApi, stackEnv, type RunningHookApi } from '../../test/support/stack.js';

/*
 * The Actions users paste into Auth0, run as Auth0 runs them: the file's source as CommonJS in a
 * context of its own, with no `require` and the globals of Auth0's Node runtime, called with an
 * `event` shaped like Auth0's and an `api` that records what the Action asks of Auth0.
 */

type Trigger = 'post-login' | 'credentials-exchange';
type Call = [method: string, ...args: unknown[]];
type Handler = (event: unknown, api: unknown) => Promise<unknown>;

const HANDLER_NAMES: Record<Trigger, string> = { 'post-login': 'onExecutePostLogin', 'credentials-exchange': 'onExecuteCredentialsExchange' };
const KEY = AUTH0_HOOK_HEADERS['x-claims-hook-key'];
const KIM = 'auth0|6650f1a2b3c4d5e6f7a8b9c0';
const claim = (name: string) => `${AUTH0_CLAIM_NAMESPACE}${name}`;

interface LoadedAction {
  run(event: unknown): Promise<{ calls: Call[]; logs: string[] }>;
}

function loadAction(trigger: Trigger): LoadedAction {
  const filename = join('examples', 'auth0', `${trigger}.cjs`);
  const module = { exports: {} as Record<string, unknown> };
  const logs: string[] = [];
  const record = (...args: unknown[]) => logs.push(args.map(String).join(' '));
  runInNewContext(
    readFileSync(filename, 'utf8'),
    { module, exports: module.exports, console: { log: record, info: record, warn: record, error: record }, fetch, AbortSignal, setTimeout, clearTimeout },
    { filename },
  );
  const handler = module.exports[HANDLER_NAMES[trigger]] as Handler;
  return {
    async run(event) {
      logs.length = 0;
      const calls: Call[] = [];
      // Auth0's api methods return the api; the arguments are copied out of the Action's realm.
      const recorder = (method: string) =>
        function (this: unknown, ...args: unknown[]) {
          calls.push([method, ...(JSON.parse(JSON.stringify(args)) as unknown[])]);
          return api;
        };
      const api: Record<string, unknown> = {
        access: { deny: recorder('access.deny') },
        accessToken: { setCustomClaim: recorder('accessToken.setCustomClaim') },
        // Credentials exchange mints no ID token: its api has no idToken.
        ...(trigger === 'post-login' && {
          idToken: { setCustomClaim: recorder('idToken.setCustomClaim') },
          user: { setAppMetadata: recorder('user.setAppMetadata'), setUserMetadata: recorder('user.setUserMetadata') },
        }),
      };
      await handler(event, api);
      return { calls, logs: [...logs] };
    },
  };
}

type Secrets = Record<string, string>;

/** An `event` of the Post Login trigger (fields as Auth0's event object documents them). */
function postLoginEvent(user: { user_id: string; email?: string; email_verified?: boolean }, secrets: Secrets) {
  return {
    transaction: { id: 'txn_0123', protocol: 'oidc-basic-profile', requested_scopes: ['openid', 'profile', 'email'], locale: 'en' },
    user: {
      ...user,
      name: 'Kim Sato',
      nickname: 'kim.sato',
      created_at: '2026-01-12T09:30:00.000Z',
      app_metadata: { plan: 'standard' },
      user_metadata: { ward_preference: 'quiet' },
      identities: [{ provider: 'auth0', user_id: user.user_id.split('|')[1], connection: 'Username-Password-Authentication', isSocial: false }],
    },
    client: { client_id: 'pWn4cEXAMPLEspa', name: 'Patient Portal', metadata: {} },
    connection: { id: 'con_A1b2C3d4', name: 'Username-Password-Authentication', strategy: 'auth0', metadata: {} },
    authorization: { roles: ['patient'] },
    resource_server: { identifier: 'https://api.example.org' },
    request: { ip: '203.0.113.9', method: 'POST', hostname: 'tenant.eu.auth0.com', user_agent: 'Mozilla/5.0', language: 'en', query: {}, body: {}, geoip: { countryCode: 'PT' } },
    tenant: { id: 'tenant' },
    stats: { logins_count: 7 },
    secrets,
  };
}

/** An `event` of the Machine to Machine trigger. */
function credentialsExchangeEvent(clientId: string, secrets: Secrets) {
  return {
    accessToken: { customClaims: {}, scope: ['read:patients'] },
    client: { client_id: clientId, name: 'Billing service', metadata: { team: 'billing' } },
    request: { ip: '198.51.100.7', method: 'POST', hostname: 'tenant.eu.auth0.com', user_agent: 'node', body: { grant_type: 'client_credentials' }, geoip: { countryCode: 'PT' } },
    resource_server: { identifier: 'https://api.example.org' },
    tenant: { id: 'tenant' },
    transaction: { requested_scopes: ['read:patients'], correlation_id: 'c0ffee' },
    secrets,
  };
}

interface TestServer {
  url: string;
  close(): Promise<void>;
}

async function startServer(handler: (request: IncomingMessage, response: ServerResponse) => void): Promise<TestServer> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

describe('examples/auth0 Actions', () => {
  const postLogin = loadAction('post-login');
  const credentialsExchange = loadAction('credentials-exchange');
  let namespace: TestNamespace;
  let hookApi: RunningHookApi;
  let secrets: Secrets;

  beforeAll(async () => {
    namespace = newNamespace();
    await seedProjection(namespace, {
      [KIM]: [
        { type: 'identity.registered', data: { login: 'kim.sato@example.com' } },
        { type: 'patient.linked', data: { patientId: '6789' } },
        { type: 'claims.granted', data: { claims: { care_team: ['cardiology'] } } },
      ],
      'auth0|suspended': [{ type: 'patient.linked', data: { patientId: '2222' } }, { type: 'identity.deactivated', data: {} }],
      'billing-service': [{ type: 'claims.granted', data: { claims: { tenant: 'north-clinic' } } }],
      'retired-service': [{ type: 'claims.granted', data: { claims: { tenant: 'north-clinic' } } }, { type: 'identity.deactivated', data: {} }],
    });
    hookApi = await runHookApi(stackEnv(namespace, { AUTH0_LOOKUP_VERIFIED_EMAIL: 'true' }));
    secrets = { CLAIMS_HOOK_URL: hookApi.url, CLAIMS_HOOK_KEY: KEY };
  });

  afterAll(async () => {
    await hookApi.app.close();
    await dropNamespace(namespace);
  });

  describe('post-login', () => {
    const kimClaims = { [claim('patient_id')]: '6789', [claim('care_team')]: ['cardiology'] };

    it('sets the user\'s namespaced claims in the access token and the ID token, and logs nothing', async () => {
      const { calls, logs } = await postLogin.run(postLoginEvent({ user_id: KIM, email: 'kim.sato@example.com', email_verified: true }, secrets));

      expect(calls).toHaveLength(4);
      expect(calls).toEqual(
        expect.arrayContaining(
          Object.entries(kimClaims).flatMap(([name, value]) => [
            ['accessToken.setCustomClaim', name, value],
            ['idToken.setCustomClaim', name, value],
          ]),
        ),
      );
      expect(logs).toEqual([]);
    });

    it('passes Auth0\'s email_verified on: a verified email finds the user, an unverified one does not', async () => {
      const event = (emailVerified: boolean) => postLoginEvent({ user_id: 'google-oauth2|1234567890', email: 'kim.sato@example.com', email_verified: emailVerified }, secrets);

      expect((await postLogin.run(event(true))).calls).toContainEqual(['idToken.setCustomClaim', claim('patient_id'), '6789']);
      expect((await postLogin.run(event(false))).calls).toEqual([]);
    });

    it('sets nothing for a user the service does not know, and logs nothing', async () => {
      expect(await postLogin.run(postLoginEvent({ user_id: 'auth0|stranger', email: 'stranger@example.com', email_verified: true }, secrets))).toEqual({ calls: [], logs: [] });
    });

    it('denies the login of a deactivated user with the service\'s reason, and sets no claim', async () => {
      const { calls } = await postLogin.run(postLoginEvent({ user_id: 'auth0|suspended' }, secrets));

      expect(calls).toEqual([['access.deny', 'The account is deactivated']]);
    });
  });

  describe('credentials-exchange', () => {
    it('sets the client\'s namespaced claims in the access token', async () => {
      const { calls, logs } = await credentialsExchange.run(credentialsExchangeEvent('billing-service', secrets));

      expect(calls).toEqual([['accessToken.setCustomClaim', claim('tenant'), 'north-clinic']]);
      expect(logs).toEqual([]);
    });

    it('sets nothing for a client the service does not know', async () => {
      expect(await credentialsExchange.run(credentialsExchangeEvent('unknown-client', secrets))).toEqual({ calls: [], logs: [] });
    });

    it('denies the token of a deactivated client with invalid_request and the service\'s reason', async () => {
      const { calls } = await credentialsExchange.run(credentialsExchangeEvent('retired-service', secrets));

      expect(calls).toEqual([['access.deny', 'invalid_request', 'The account is deactivated']]);
    });
  });

  describe('what each Action sends', () => {
    let server: TestServer;
    const received: Array<{ method: string | undefined; url: string | undefined; key: string | string[] | undefined; contentType: string | undefined; body: unknown }> = [];

    beforeAll(async () => {
      server = await startServer((request, response) => {
        let body = '';
        request.on('data', (chunk: Buffer) => (body += chunk.toString()));
        request.on('end', () => {
          received.push({ method: request.method, url: request.url, key: request.headers['x-claims-hook-key'], contentType: request.headers['content-type'], body: JSON.parse(body) });
          response.writeHead(200, { 'content-type': 'application/json' }).end('{"accessToken":{"customClaims":{}},"idToken":{"customClaims":{}}}');
        });
      });
    });

    afterAll(() => server.close());

    beforeEach(() => {
      received.length = 0;
    });

    it('post-login sends the user id, the email and whether Auth0 verified it, and nothing else of the event', async () => {
      await postLogin.run(postLoginEvent({ user_id: KIM, email: 'kim.sato@example.com', email_verified: true }, { CLAIMS_HOOK_URL: `${server.url}/`, CLAIMS_HOOK_KEY: KEY }));

      expect(received).toEqual([
        {
          method: 'POST',
          url: '/hooks/auth0/post-login',
          key: KEY,
          contentType: 'application/json',
          body: { userId: KIM, email: 'kim.sato@example.com', emailVerified: true },
        },
      ]);
    });

    it('post-login leaves out an email the user does not have', async () => {
      await postLogin.run(postLoginEvent({ user_id: 'sms|5f1e2d3c' }, { CLAIMS_HOOK_URL: server.url, CLAIMS_HOOK_KEY: KEY }));

      expect(received.map(({ body }) => body)).toEqual([{ userId: 'sms|5f1e2d3c' }]);
    });

    it('credentials-exchange sends the client id and nothing else of the event', async () => {
      await credentialsExchange.run(credentialsExchangeEvent('billing-service', { CLAIMS_HOOK_URL: server.url, CLAIMS_HOOK_KEY: KEY }));

      expect(received).toEqual([{ method: 'POST', url: '/hooks/auth0/credentials-exchange', key: KEY, contentType: 'application/json', body: { clientId: 'billing-service' } }]);
    });
  });

  describe('fail-open', () => {
    const run = (trigger: Trigger, actionSecrets: Secrets) =>
      trigger === 'post-login'
        ? postLogin.run(postLoginEvent({ user_id: KIM, email: 'kim.sato@example.com', email_verified: true }, actionSecrets))
        : credentialsExchange.run(credentialsExchangeEvent('billing-service', actionSecrets));
    const triggers: Trigger[] = ['post-login', 'credentials-exchange'];

    /** One log line that says why, with no claim value and no secret in it. */
    const expectOneLogLine = (logs: string[], why: RegExp) => {
      expect(logs).toEqual([expect.stringMatching(why)]);
      for (const leak of ['6789', 'cardiology', 'north-clinic', KEY]) expect(logs[0]).not.toContain(leak);
      // Auth0 keeps 256 characters of a log line.
      expect(logs[0]!.length).toBeLessThanOrEqual(256);
    };

    it.each(triggers)('%s: a wrong key (401) sets nothing and denies nothing, and logs that the key is wrong', async (trigger) => {
      const { calls, logs } = await run(trigger, { ...secrets, CLAIMS_HOOK_KEY: 'not-the-hook-secret' });

      expect(calls).toEqual([]);
      expectOneLogLine(logs, /401.*CLAIMS_HOOK_KEY/);
    });

    it.each(triggers)('%s: nothing listening on the port sets nothing and denies nothing', async (trigger) => {
      const { calls, logs } = await run(trigger, { ...secrets, CLAIMS_HOOK_URL: `http://127.0.0.1:${await freePort()}` });

      expect(calls).toEqual([]);
      expectOneLogLine(logs, /unreachable.*ECONNREFUSED/);
    });

    describe('a service that never answers', () => {
      let silent: TestServer;

      beforeAll(async () => {
        silent = await startServer(() => undefined);
      });

      afterAll(() => silent.close());

      it.each(triggers)('%s: gives up after CLAIMS_HOOK_TIMEOUT_MS, sets nothing and denies nothing', async (trigger) => {
        const started = performance.now();
        const { calls, logs } = await run(trigger, { ...secrets, CLAIMS_HOOK_URL: silent.url, CLAIMS_HOOK_TIMEOUT_MS: '200' });
        const elapsed = performance.now() - started;

        expect(calls).toEqual([]);
        expectOneLogLine(logs, /no answer within 200 ms/);
        expect(elapsed).toBeGreaterThanOrEqual(190);
        // Well under the 1500 ms default: the secret is what bounds the wait.
        expect(elapsed).toBeLessThan(1_200);
      });
    });

    describe('a service answering other statuses', () => {
      let server: TestServer;
      const answers: Record<string, { status: number; body: string }> = {
        '/unavailable': { status: 503, body: '{"statusCode":503,"error":"Service Unavailable"}' },
        '/gateway': { status: 502, body: '<html>Bad Gateway</html>' },
        // A 403 that is not the service's (a proxy's or a firewall's) is no reason to lock everyone out.
        '/proxy-forbidden': { status: 403, body: '<html>Forbidden</html>' },
        '/not-json': { status: 200, body: 'OK' },
      };

      beforeAll(async () => {
        server = await startServer((request, response) => {
          const answer = answers[request.url!.replace(/\/hooks\/auth0\/.*$/, '')]!;
          request.resume().on('end', () => response.writeHead(answer.status).end(answer.body));
        });
      });

      afterAll(() => server.close());

      it.each(triggers.flatMap((trigger) => Object.entries(answers).map(([path, { status }]) => [trigger, path, status] as const)))(
        '%s: %s (%i) sets nothing and denies nothing',
        async (trigger, path, status) => {
          const { calls, logs } = await run(trigger, { ...secrets, CLAIMS_HOOK_URL: `${server.url}${path}` });

          expect(calls).toEqual([]);
          expectOneLogLine(logs, new RegExp(`answered ${status}`));
        },
      );
    });

    it.each(triggers)('%s: missing secrets set nothing and make no call', async (trigger) => {
      const { calls, logs } = await run(trigger, {});

      expect(calls).toEqual([]);
      expectOneLogLine(logs, /CLAIMS_HOOK_URL and CLAIMS_HOOK_KEY must be set/);
    });
  });
});
