import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { HookApiConfig } from '../apps/hook-api/src/config/hook-api.config.js';
import { SyncWorkerConfig } from '../apps/sync-worker/src/config/sync-worker.config.js';
import { SYNC_WORKER_NODE_FLAGS } from '../apps/sync-worker/src/node-flags.js';

interface ComposeService {
  image?: string;
  build?: string;
  command?: string[];
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }>;
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

  it('gives each app an environment its configuration accepts', () => {
    const hookApi = HookApiConfig.fromEnv(withDefaults(services['hook-api']!.environment));
    const syncWorker = SyncWorkerConfig.fromEnv(withDefaults(services['sync-worker']!.environment));

    expect(hookApi.postgres.databaseUrl).toBe('postgres://claims:claims@postgres:5432/claims');
    expect(hookApi.redis.url).toBe('redis://redis:6379');
    expect(syncWorker.ingest).toEqual({ host: '0.0.0.0', port: 3001 });
    expect(syncWorker.migrateOnBoot).toBe(false);
  });
});
