import { credentialsEnv, INGEST_KEY } from '../../test/support/credentials.js';
import { dropNamespace, namespaceEnv, newNamespace, type TestNamespace } from '../../test/support/namespace.js';
import { startBuiltHookApi, startBuiltSyncWorker, type Service } from '../../test/support/processes.js';

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
    const appEnv = { ...namespaceEnv(namespace), ...credentialsEnv(), ...env };
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
