import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { oktaTokenHookRequest } from '../libs/domain/src/testing/okta-requests.js';
import { freePort } from '../scripts/local-services/free-port.js';
import { answerOf } from './support/stack.js';
import { isAlive, portOpen, postmasterPid } from './support/processes.js';

const RUNNING = '[start] running; Ctrl-C stops it';

/** `npm start` as a newcomer runs it: no DATABASE_URL, no REDIS_URL, its data in `dataDir`. */
class NpmStart {
  private output = '';
  readonly process: ChildProcess;

  constructor(args: string[], env: Record<string, string>) {
    const { DATABASE_URL: _database, REDIS_URL: _redis, ...inherited } = process.env;
    this.process = spawn(process.execPath, ['--import', 'tsx', 'scripts/start.ts', ...args], { env: { ...inherited, LOG_LEVEL: 'warn', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    this.process.stdout!.on('data', (chunk) => (this.output += chunk));
    this.process.stderr!.on('data', (chunk) => (this.output += chunk));
  }

  lines(): string[] {
    return this.output.split('\n');
  }

  async running(): Promise<void> {
    const deadline = Date.now() + 90_000;
    while (!this.output.includes(RUNNING)) {
      if (this.process.exitCode !== null || Date.now() > deadline) throw new Error(`npm start did not come up:\n${this.output}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /**
   * Sends the signal and resolves with the exit code. SIGKILL is the cleanup after a failure: npm start
   * cannot stop what it started then, so its process groups are killed too.
   */
  stop(signal: NodeJS.Signals): Promise<number | null> {
    if (this.process.exitCode !== null || this.process.signalCode !== null) return Promise.resolve(this.process.exitCode);
    const exited = new Promise<number | null>((resolve) => this.process.once('exit', (code) => resolve(code)));
    if (signal === 'SIGKILL') for (const pid of this.childPids()) process.kill(-pid, 'SIGKILL');
    this.process.kill(signal);
    return exited;
  }

  private childPids(): number[] {
    try {
      return readFileSync(`/proc/${this.process.pid}/task/${this.process.pid}/children`, 'utf8').split(' ').filter(Boolean).map(Number);
    } catch {
      return [];
    }
  }
}

describe('npm start', () => {
  let home: string;
  let dataDir: string;
  let ports: Record<string, string>;

  beforeAll(async () => {
    home = mkdtempSync(join(tmpdir(), 'npm-start-'));
    // Run as root, the embedded Postgres runs as the `postgres` user, which must reach its folder.
    chmodSync(home, 0o755);
    dataDir = join(home, 'var');
    ports = { PORT: String(await freePort()), INGEST_TCP_PORT: String(await freePort()) };
  });
  afterAll(() => rmSync(home, { recursive: true, force: true }));

  it('runs the service on an embedded Postgres and a private Redis; --demo prints a curl line per provider route that answers', async () => {
    const start = new NpmStart(['--demo'], { LOCAL_DATA_DIR: dataDir, ...ports });
    try {
      await start.running();
      const lines = start.lines();
      const exported = lines.find((line) => line.startsWith('[start] export '))!.slice('[start] '.length);
      const curls = lines.filter((line) => line.startsWith('[start] curl ')).map((line) => line.slice('[start] '.length));
      const answers = new Map<string, string>();
      for (const curl of curls) {
        const { stdout } = await promisify(execFile)('sh', ['-c', `${exported}\n${curl}`]);
        answers.set(curl.match(/\/hooks\/[a-z0-9-]+\/[a-z-]+/)![0], stdout);
      }

      expect([...answers.keys()]).toEqual([
        '/hooks/okta/token',
        '/hooks/hydra/token',
        '/hooks/hydra/refresh',
        '/hooks/auth0/post-login',
        '/hooks/auth0/credentials-exchange',
        '/hooks/kratos/registration',
        '/hooks/kratos/settings',
        '/hooks/kratos/login',
      ]);
      for (const route of ['/hooks/okta/token', '/hooks/hydra/token', '/hooks/hydra/refresh', '/hooks/auth0/post-login', '/hooks/kratos/registration', '/hooks/kratos/settings']) {
        expect({ route, answer: answers.get(route) }).toEqual({ route, answer: expect.stringMatching(/"1234"[\s\S]*HTTP 200\n$/) });
      }
      expect(answers.get('/hooks/auth0/credentials-exchange')).toMatch(/"general-hospital"[\s\S]*HTTP 200\n$/);
      // Kratos' login hook only lets an active identity through: no body, 204.
      expect(answers.get('/hooks/kratos/login')).toBe('\nHTTP 204\n');
      const postgresPid = postmasterPid(join(dataDir, 'postgres'));
      const redisPort = Number(start.lines().find((line) => line.startsWith('[start] Redis:'))!.match(/:(\d+)$/)![1]);

      // Ctrl-C in a terminal: SIGINT to npm start alone, since what it runs has a process group of its own.
      expect(await start.stop('SIGINT')).toBe(0);
      expect(isAlive(postgresPid)).toBe(false);
      expect(await portOpen(redisPort)).toBe(false);
      expect(await portOpen(Number(ports['PORT']))).toBe(false);
    } finally {
      await start.stop('SIGKILL');
    }
  }, 180_000);

  it('keeps its data across starts', async () => {
    const okta = { OKTA_HOOK_AUTH_NAME: 'Authorization', OKTA_HOOK_AUTH_VALUE: 'Basic b2t0YTpyZXN0YXJ0ZWQ=' };
    const start = new NpmStart([], { LOCAL_DATA_DIR: dataDir, ...ports, ...okta });
    try {
      await start.running();
      const answer = await fetch(`http://127.0.0.1:${ports['PORT']}/hooks/okta/token`, {
        method: 'POST',
        headers: { authorization: okta.OKTA_HOOK_AUTH_VALUE, 'content-type': 'application/json' },
        body: JSON.stringify(oktaTokenHookRequest({ login: 'jane.doe@example.com', userId: '00udemo2janedoe' })),
      });

      expect(JSON.stringify((await answerOf(answer)).body)).toContain('"5678"');
      expect(start.lines().join('\n')).not.toContain('[start] loaded');
      expect(await start.stop('SIGTERM')).toBe(0);
    } finally {
      await start.stop('SIGKILL');
    }
  }, 180_000);

  it('says in one line what to install or set when there is no Redis to use', async () => {
    const start = new NpmStart([], { LOCAL_DATA_DIR: dataDir, ...ports, PATH: join(home, 'no-such-folder') });
    const code = await new Promise((resolve) => start.process.once('exit', resolve));

    expect(code).toBe(1);
    expect(start.lines().filter(Boolean)).toEqual([
      'npm start needs Redis: install redis-server (apt-get install redis-server, brew install redis) or set REDIS_URL=redis://host:6379',
    ]);
  });
});
