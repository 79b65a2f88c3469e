/**
 * `npm start`: the whole service on one machine, from the build in `dist/`. Applies the migrations,
 * then runs the sync-worker and the hook-api with the environment as it is (see the README for the
 * variables and their defaults), each line prefixed with the app it comes from. Ctrl-C stops both.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { SYNC_WORKER_NODE_FLAGS } from '../apps/sync-worker/src/node-flags.js';

const APPS = ['sync-worker', 'hook-api'] as const;

function run(app: string, args: string[] = []): ChildProcess {
  const flags = app === 'sync-worker' ? SYNC_WORKER_NODE_FLAGS : [];
  const child = spawn(process.execPath, [...flags, `dist/apps/${app}/main.js`, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  for (const stream of [child.stdout!, child.stderr!]) {
    createInterface({ input: stream }).on('line', (line) => console.log(`[${app}] ${line}`));
  }
  return child;
}

function exited(child: ChildProcess): Promise<number> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve(child.exitCode ?? 1);
    else child.once('exit', (code) => resolve(code ?? 1));
  });
}

const migrated = await exited(run('sync-worker', ['migrate']));
if (migrated !== 0) process.exit(migrated);

const children = APPS.map((app) => run(app));
let stopping = false;
const stop = () => {
  if (stopping) return;
  stopping = true;
  for (const child of children) child.kill('SIGTERM');
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);

// When one app stops on its own, the other is stopped too: half a service is no service.
const firstCode = await Promise.race(children.map(exited));
const asked = stopping;
if (!asked) console.error(`an app exited with code ${firstCode}; stopping the other`);
stop();
await Promise.all(children.map(exited));
process.exit(asked ? 0 : firstCode || 1);
