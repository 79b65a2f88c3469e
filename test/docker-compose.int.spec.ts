import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parse } from 'yaml';
import { HookApiConfig } from '../apps/hook-api/src/config/hook-api.config.js';
import { SyncWorkerConfig } from '../apps/sync-worker/src/config/sync-worker.config.js';
import { SYNC_WORKER_NODE_FLAGS } from '../apps/sync-worker/src/node-flags.js';
import { freePort } from '../scripts/local-services/free-port.js';

interface ComposeService {
  image?: string;
  build?: string;
  command?: string[];
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }>;
  restart?: string;
  healthcheck?: { test: string[] };
  ports?: string[];
}

/** Compose's `${NAME:-default}` with nothing set in the environment: the default. */
function withDefaults(environment: Record<string, string> = {}): Record<string, string> {
  return Object.fromEntries(Object.entries(environment).map(([name, value]) => [name, String(value).replace(/\$\{[A-Z0-9_]+:-([^}]*)\}/g, '$1')]));
}

// Docker does not run on the machines that run the tests: the file is checked by reading it.
describe('docker-compose.yml', () => {
  const { services } = parse(readFileSync('docker-compose.yml', 'utf8'), { merge: true }) as { services: Record<string, ComposeService> };

  it('runs Postgres and Redis with health checks, Redis without eviction', () => {
    expect(services['postgres']).toMatchObject({ image: expect.stringMatching(/^postgres:/), healthcheck: { test: expect.arrayContaining([expect.stringContaining('pg_isready')]) } });
    expect(services['redis']).toMatchObject({ image: expect.stringMatching(/^redis:/), healthcheck: { test: ['CMD', 'redis-cli', 'ping'] } });
    expect(services['redis']!.command).toEqual(expect.arrayContaining(['--maxmemory-policy', 'noeviction']));
  });

  it('migrates once Postgres is healthy, and starts both apps only after the migration succeeded', () => {
    expect(services['migrate']).toMatchObject({ build: '.', command: ['node', 'dist/apps/sync-worker/main.js', 'migrate'], depends_on: { postgres: { condition: 'service_healthy' } } });
    for (const [app, flags] of [['sync-worker', SYNC_WORKER_NODE_FLAGS], ['hook-api', []]] as const) {
      expect(services[app]).toMatchObject({
        build: '.',
        command: ['node', ...flags, `dist/apps/${app}/main.js`],
        depends_on: { migrate: { condition: 'service_completed_successfully' }, redis: { condition: 'service_healthy' } },
      });
    }
    expect(services['hook-api']!.ports).toEqual(['${HOOK_API_PORT:-3000}:3000']);
  });

  it('starts the sync-worker with its Node flags from package.json too', () => {
    const { scripts } = JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> };

    expect(scripts['start:sync-worker']).toBe(['node', ...SYNC_WORKER_NODE_FLAGS, 'dist/apps/sync-worker/main.js'].join(' '));
  });

  it('restarts the long-running services, and checks the health of each app in a way its image can (node, no curl)', () => {
    for (const name of ['postgres', 'redis', 'sync-worker', 'hook-api']) expect({ name, restart: services[name]!.restart }).toEqual({ name, restart: 'unless-stopped' });
    expect(services['migrate']!.restart).toBe('no');

    const hookApiCheck = services['hook-api']!.healthcheck!.test;
    const workerCheck = services['sync-worker']!.healthcheck!.test;
    expect(hookApiCheck.slice(0, 3)).toEqual(['CMD', 'node', '-e']);
    expect(hookApiCheck[3]).toContain("'http://127.0.0.1:3000/healthz'");
    expect(workerCheck.slice(0, 3)).toEqual(['CMD', 'node', '-e']);
    expect(workerCheck[3]).toContain('connect(3001,');
    expect(services['sync-worker']!.environment!['INGEST_TCP_PORT']).toBe('3001');
  });

  it('health checks that answer: exit 0 when the port serves, 1 when nothing listens', async () => {
    const server = createServer((_request, response) => response.end('{"status":"ok"}'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const run = async (check: string[], target: number) =>
      new Promise<number | null>((resolve) => execFile(process.execPath, ['-e', check[3]!.replaceAll(/\b300[01]\b/g, String(target))]).once('exit', resolve));
    try {
      for (const app of ['hook-api', 'sync-worker']) {
        const check = services[app]!.healthcheck!.test;
        expect({ app, up: await run(check, port) }).toEqual({ app, up: 0 });
        expect({ app, down: await run(check, await freePort()) }).toEqual({ app, down: 1 });
      }
    } finally {
      server.close();
    }
  });

  it('gives each app an environment its configuration accepts', () => {
    const hookApi = HookApiConfig.fromEnv(withDefaults(services['hook-api']!.environment));
    const syncWorker = SyncWorkerConfig.fromEnv(withDefaults(services['sync-worker']!.environment));

    expect(hookApi.postgres.databaseUrl).toBe('postgres://claims:claims@postgres:5432/claims');
    expect(hookApi.redis.url).toBe('redis://redis:6379');
    expect(syncWorker.ingest).toEqual({ host: '0.0.0.0', port: 3001 });
    expect(syncWorker.migrateOnBoot).toBe(false);
  });
});
