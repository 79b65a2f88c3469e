import { newNamespace, type TestNamespace } from './namespace.js';
import { PrivatePostgres } from './private-postgres.js';
import { startPrivateRedis } from './private-redis.js';
import type { Service } from './processes.js';
import { stackEnv } from './stack.js';

/**
 * A Postgres and a Redis of the test's own, and a namespace on them: the fault suite stops, kills
 * and wipes them, which it must never do to the machine's shared servers. Both come back on their
 * ports, so apps started once keep their DATABASE_URL and REDIS_URL throughout.
 */
export class PrivateServers {
  private constructor(
    readonly postgres: PrivatePostgres,
    private redis: Service | undefined,
    private readonly redisPort: number,
    readonly namespace: TestNamespace,
  ) {}

  static async start(): Promise<PrivateServers> {
    const [postgres, redis] = await Promise.all([PrivatePostgres.start(), startPrivateRedis()]);
    return new PrivateServers(postgres, redis.service, redis.port, newNamespace({ databaseUrl: postgres.url, redisUrl: redis.url }));
  }

  /**
   * The apps' settings on these servers. The faults make the apps log an error per refused request
   * by design; only what would end them is worth a line.
   */
  stackEnv(overrides: Record<string, string> = {}): Record<string, string> {
    return stackEnv(this.namespace, { LOG_LEVEL: 'fatal', ...overrides });
  }

  /** Redis goes away with everything it held: it keeps nothing on disk. */
  async stopRedis(): Promise<void> {
    await this.redis?.stop();
    this.redis = undefined;
  }

  /** An empty Redis on the port the stopped one had. */
  async startRedis(): Promise<void> {
    this.redis = (await startPrivateRedis(this.redisPort)).service;
  }

  async stop(): Promise<void> {
    await Promise.all([this.stopRedis(), this.postgres.remove()]);
  }
}
