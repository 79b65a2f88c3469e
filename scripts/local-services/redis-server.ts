import { Redis } from 'ioredis';
import { accessSync, constants, mkdirSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { freePort } from './free-port.js';
import { LocalProcess, printedAs } from './local-process.js';

/** Where `redis-server` is on the PATH, if anywhere. */
export function redisServerOnPath(path = process.env['PATH'] ?? ''): string | undefined {
  for (const folder of path.split(delimiter).filter(Boolean)) {
    const candidate = join(folder, 'redis-server');
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this folder
    }
  }
  return undefined;
}

/**
 * A Redis of its own for `npm start`: a free port of 127.0.0.1, its append-only file in
 * `<dataDir>/redis` so that queued jobs survive a restart, and no eviction, which BullMQ requires.
 */
export async function startRedisServer(binary: string, dataDir: string): Promise<{ process: LocalProcess; url: string; dataDir: string }> {
  const port = await freePort();
  const redisDir = join(dataDir, 'redis');
  mkdirSync(redisDir, { recursive: true });
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', redisDir, '--appendonly', 'yes', '--save', '', '--maxmemory-policy', 'noeviction', '--loglevel', 'warning'];
  const server = LocalProcess.start('redis', [binary, ...args], { env: process.env, onLine: printedAs('redis') });
  const url = `redis://127.0.0.1:${port}`;
  while (!(await answersPing(port))) {
    if (!server.running) throw new Error(`redis-server did not start:\n${server.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return { process: server, url, dataDir: redisDir };
}

async function answersPing(port: number): Promise<boolean> {
  const client = new Redis(port, '127.0.0.1', { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}
