import type { INestApplication, INestMicroservice } from '@nestjs/common';
import { HookApiConfig } from '../../apps/hook-api/src/config/hook-api.config.js';
import { startHookApi } from '../../apps/hook-api/src/hook-api.js';
import { SyncWorkerConfig } from '../../apps/sync-worker/src/config/sync-worker.config.js';
import { startSyncWorker } from '../../apps/sync-worker/src/sync-worker.js';
import { freePort } from '../../scripts/local-services/free-port.js';
import { credentialsEnv, INGEST_KEY } from './credentials.js';
import { dropNamespace, namespaceEnv, newNamespace, type TestNamespace } from './namespace.js';

export { AUTH0_CLAIM_NAMESPACE, AUTH0_HOOK_HEADERS, HYDRA_AUTHORIZATION, INGEST_KEY, KRATOS_HOOK_HEADERS, OKTA_AUTHORIZATION } from './credentials.js';

/** The settings both apps of a test run with, on top of the namespace's; overrides win. */
export function stackEnv(namespace: TestNamespace, overrides: Record<string, string> = {}): Record<string, string> {
  return {
    ...namespaceEnv(namespace),
    ...credentialsEnv(),
    RELAY_POLL_INTERVAL_MS: '200',
    LOG_LEVEL: 'warn',
    ...overrides,
  };
}

/** Posts JSON (or a string as it is) to a path of a running hook-api. */
export type Post = (path: string, body: unknown, headers?: Record<string, string>) => Promise<Response>;

export interface RunningHookApi {
  app: INestApplication;
  url: string;
  post: Post;
}

/** A hook's answer as a test compares it: the status and the JSON body, `undefined` when there is none. */
export async function answerOf(response: Response): Promise<{ status: number; body: any }> {
  const text = await response.text();
  return { status: response.status, body: text === '' ? undefined : JSON.parse(text) };
}

export function poster(url: string): Post {
  return (path, body, headers = {}) =>
    fetch(`${url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
}

export async function runHookApi(env: Record<string, string>): Promise<RunningHookApi> {
  const app = await startHookApi(HookApiConfig.fromEnv({ ...env, PORT: '0' }), '127.0.0.1');
  const url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  return { app, url, post: poster(url) };
}

export interface RunningSyncWorker {
  app: INestMicroservice;
  ingestPort: number;
}

export async function runSyncWorker(env: Record<string, string>): Promise<RunningSyncWorker> {
  const ingestPort = await freePort();
  const app = await startSyncWorker(SyncWorkerConfig.fromEnv({ ...env, INGEST_TCP_PORT: String(ingestPort) }));
  return { app, ingestPort };
}


/** Both apps in this process on a namespace of their own: the stack of the end-to-end tests. */
export interface RunningStack {
  namespace: TestNamespace;
  worker: RunningSyncWorker;
  api: RunningHookApi;
  /** Appends a batch through `POST /events` with the ingest key; anything but a 201 fails the test. */
  append(events: unknown[]): Promise<void>;
  /** Stops both apps and removes the namespace. */
  close(): Promise<void>;
}

export async function runStack(): Promise<RunningStack> {
  const namespace = newNamespace();
  const env = stackEnv(namespace);
  const worker = await runSyncWorker(env);
  const api = await runHookApi(env).catch(async (error: unknown) => {
    await worker.app.close();
    await dropNamespace(namespace);
    throw error;
  });
  return {
    namespace,
    worker,
    api,
    append: async (events) => {
      const response = await api.post('/events', events, { authorization: `Bearer ${INGEST_KEY}` });
      expect(response.status).toBe(201);
    },
    close: async () => {
      await api.app.close();
      await worker.app.close();
      await dropNamespace(namespace);
    },
  };
}
