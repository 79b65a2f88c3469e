import { dropNamespace, namespaceEnv, newNamespace, type TestNamespace } from '../../test/support/namespace.js';
import { startBuiltHookApi, startBuiltSyncWorker, type Service } from '../../test/support/processes.js';

export const INGEST_KEY = 'bench-ingest-key-0123456789';
export const OKTA_AUTHORIZATION = `Basic ${Buffer.from('okta:bench-secret').toString('base64')}`;
export const HYDRA_AUTHORIZATION = 'Bearer bench-hydra-secret';
/** Auth0's and Kratos' credential, in the header our Action and our Kratos configuration use. */
export const AUTH0_HEADERS = { 'x-claims-hook-key': 'bench-auth0-secret' };
export const KRATOS_HEADERS = { 'x-claims-hook-key': 'bench-kratos-secret' };
/** The headers of `POST /events` and of the admin routes. */
export const INGEST_HEADERS = { authorization: `Bearer ${INGEST_KEY}`, 'content-type': 'application/json' };

export interface BenchApps {
  namespace: TestNamespace;
  worker: Service & { ingestPort: number };
  api: Service & { url: string };
  /** Stops both apps and removes the namespace's schema and keys. */
  stop(): Promise<void>;
}

/**
 * Both apps built in `dist/`, started as deployed, in a schema and key prefix of their own. They get
 * the ingest key and every provider's credential and otherwise their defaults, so that a
 * benchmark measures what a deployment gets; `env` adds or overrides settings. Call `stop` in a
 * `finally`; if an app fails to start, whatever started is stopped and the namespace removed.
 */
export async function startApps(env: Record<string, string> = {}): Promise<BenchApps> {
  const namespace = newNamespace();
  const services: Service[] = [];
  const stop = async () => {
    await Promise.all(services.map((service) => service.stop()));
    await dropNamespace(namespace);
  };
  try {
    const appEnv = {
      ...namespaceEnv(namespace),
      INGEST_API_KEY: INGEST_KEY,
      OKTA_HOOK_AUTH_NAME: 'Authorization',
      OKTA_HOOK_AUTH_VALUE: OKTA_AUTHORIZATION,
      HYDRA_HOOK_AUTH_NAME: 'Authorization',
      HYDRA_HOOK_AUTH_VALUE: HYDRA_AUTHORIZATION,
      AUTH0_HOOK_AUTH_NAME: 'X-Claims-Hook-Key',
      AUTH0_HOOK_AUTH_VALUE: AUTH0_HEADERS['x-claims-hook-key'],
      AUTH0_CLAIM_NAMESPACE: 'https://claims.example.org/',
      KRATOS_HOOK_AUTH_NAME: 'X-Claims-Hook-Key',
      KRATOS_HOOK_AUTH_VALUE: KRATOS_HEADERS['x-claims-hook-key'],
      ...env,
    };
    const worker = await startBuiltSyncWorker(appEnv);
    services.push(worker);
    const api = await startBuiltHookApi(appEnv);
    services.push(api);
    return { namespace, worker, api, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** The answer of `POST /events` to a batch it stored. */
export interface AppendAnswer {
  appended: number;
  duplicates: number;
}

/** Appends a batch (an array, or its JSON) through `POST /events`; anything but a 201 throws. */
export async function appendOverHttp(apiUrl: string, events: unknown[] | string): Promise<AppendAnswer> {
  const response = await fetch(`${apiUrl}/events`, { method: 'POST', headers: INGEST_HEADERS, body: typeof events === 'string' ? events : JSON.stringify(events) });
  const answer = await response.text();
  if (response.status !== 201) throw new Error(`append failed: ${response.status} ${answer.slice(0, 500)}`);
  return JSON.parse(answer) as AppendAnswer;
}
