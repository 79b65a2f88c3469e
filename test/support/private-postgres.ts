import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmbeddedPostgres } from '../../scripts/local-services/embedded-postgres.js';
import type { LocalProcess } from '../../scripts/local-services/local-process.js';
import { isAlive, postmasterPid } from './processes.js';

/**
 * A PostgreSQL of the test's own (the embedded one of `npm start`), for what cannot be done to the
 * shared one: stopping it, killing it. It comes back on the port it had, so the apps keep their
 * DATABASE_URL across an outage.
 */
export class PrivatePostgres {
  private constructor(
    private readonly home: string,
    private readonly dataDir: string,
    private server: LocalProcess | undefined,
    readonly url: string,
  ) {}

  static async start(): Promise<PrivatePostgres> {
    const home = mkdtempSync(join(tmpdir(), 'private-postgres-'));
    // Run as root, Postgres runs as the `postgres` user, which must be able to reach its folder.
    chmodSync(home, 0o755);
    const { process, url, dataDir } = await startEmbeddedPostgres(home);
    return new PrivatePostgres(home, dataDir, process, url);
  }

  /** A fast shutdown: Postgres ends every session, then exits. */
  async stop(): Promise<void> {
    await this.server?.stop();
    this.server = undefined;
  }

  /** SIGKILL of the postmaster, as the OOM killer does: no shutdown at all; the next start recovers from the WAL. */
  async kill(): Promise<void> {
    const pid = postmasterPid(this.dataDir);
    process.kill(pid, 'SIGKILL');
    while (isAlive(pid)) await new Promise((resolve) => setTimeout(resolve, 10));
    // The process that ran it would wait forever for a postmaster that is gone.
    this.server?.child.kill('SIGKILL');
    await this.server?.exited();
    this.server = undefined;
  }

  /** Starts it again on the same data and port. */
  async restart(): Promise<void> {
    this.server = (await startEmbeddedPostgres(this.home, Number(new URL(this.url).port))).process;
  }

  /** Stops it and deletes its data. */
  async remove(): Promise<void> {
    await this.stop();
    rmSync(this.home, { recursive: true, force: true });
  }
}
