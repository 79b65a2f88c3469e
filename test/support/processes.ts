import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { join } from 'node:path';
import { SYNC_WORKER_NODE_FLAGS } from '../../apps/sync-worker/src/node-flags.js';
import { freePort } from '../../scripts/local-services/free-port.js';

export interface Service {
  name: string;
  process: ChildProcess;
  /** Everything the process printed, for when it fails. */
  output(): string;
  stop(): Promise<void>;
}

/** Starts a process and resolves once `ready(url)` answers, or rejects with its output. */
export async function startService(name: string, command: string[], env: Record<string, string>, ready: () => Promise<boolean>): Promise<Service> {
  const child = spawn(command[0]!, command.slice(1), { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const service: Service = {
    name,
    process: child,
    output: () => output,
    // SIGTERM, and SIGKILL if the process has not exited 10 s later: a cleanup must not hang.
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        const kill = setTimeout(() => {
          console.error(`${name} did not stop within 10 s of SIGTERM; killing it`);
          child.kill('SIGKILL');
        }, 10_000);
        child.once('exit', () => {
          clearTimeout(kill);
          resolve();
        });
        child.kill('SIGTERM');
      }),
  };
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode}:\n${output}`);
    if (await ready().catch(() => false)) return service;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await service.stop();
  throw new Error(`${name} did not become ready:\n${output}`);
}

/** Resolves once something accepts HTTP on the port. */
export async function answersHttp(url: string): Promise<boolean> {
  await (await fetch(url, { method: 'GET' })).text();
  return true;
}

/** Whether something accepts TCP connections on the port. */
export function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ port, host: '127.0.0.1' }, () => {
      socket.end();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
  });
}

/** Whether a process with this pid exists (a zombie not yet reaped by its parent counts). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The pid of the Postgres server whose data folder this is, from the first line of its `postmaster.pid`. */
export function postmasterPid(postgresDataDir: string): number {
  return Number(readFileSync(join(postgresDataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
}

/** The built sync-worker (`dist/`), as deployed, with its `events.append` listener on a free port. */
export async function startBuiltSyncWorker(env: Record<string, string>): Promise<Service & { ingestPort: number }> {
  const port = await freePort();
  const service = await startService('sync-worker', ['node', ...SYNC_WORKER_NODE_FLAGS, 'dist/apps/sync-worker/main.js'], { ...env, INGEST_TCP_PORT: String(port) }, () =>
    portOpen(port),
  );
  return { ...service, ingestPort: port };
}

/** The built hook-api (`dist/`), as deployed, on a free port. */
export async function startBuiltHookApi(env: Record<string, string>): Promise<Service & { url: string }> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const service = await startService('hook-api', ['node', 'dist/apps/hook-api/main.js'], { ...env, PORT: String(port) }, () => answersHttp(url));
  return { ...service, url };
}
