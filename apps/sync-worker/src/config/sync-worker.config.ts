import { InfrastructureEnv, loadEnv, type EnvSource, type LogLevel } from '@app/config';
import { IsIn, IsInt, IsString, Max, Min } from 'class-validator';

class SyncWorkerEnv extends InfrastructureEnv {
  /** Interface the `events.append` listener binds to; the TCP transport has no authentication of its own. */
  @IsString()
  INGEST_TCP_HOST: string = '127.0.0.1';

  @Min(0)
  @Max(65535)
  @IsInt()
  INGEST_TCP_PORT: number = 3001;

  @Min(1)
  @Max(10_000)
  @IsInt()
  RELAY_BATCH_SIZE: number = 1000;

  @Min(10)
  @Max(60_000)
  @IsInt()
  RELAY_POLL_INTERVAL_MS: number = 1000;

  @IsIn(['true', 'false'])
  MIGRATE_ON_BOOT: 'true' | 'false' = 'true';

  /** Streams per rebuild chunk: relayed jobs wait for at most one chunk. */
  @Min(1)
  @Max(100_000)
  @IsInt()
  REBUILD_CHUNK_STREAMS: number = 1_000;

  /** How long a generation readers left is kept current before it is removed; far above the hooks' 250 ms refresh. */
  @Min(2_000)
  @IsInt()
  REBUILD_RETIRE_DELAY_MS: number = 30_000;
}

/** The sync-worker's settings, validated once at boot. */
export class SyncWorkerConfig {
  readonly logLevel: LogLevel;
  readonly postgres: { databaseUrl: string; schema: string };
  readonly redis: { url: string; prefix: string };
  readonly ingest: { host: string; port: number };
  readonly relay: { batchSize: number; pollIntervalMs: number };
  readonly migrateOnBoot: boolean;
  readonly rebuild: { chunkStreams: number; retireDelayMs: number };

  private constructor(env: SyncWorkerEnv) {
    this.logLevel = env.LOG_LEVEL;
    this.postgres = { databaseUrl: env.DATABASE_URL, schema: env.PG_SCHEMA };
    this.redis = { url: env.REDIS_URL, prefix: env.REDIS_PREFIX };
    this.ingest = { host: env.INGEST_TCP_HOST, port: env.INGEST_TCP_PORT };
    this.relay = { batchSize: env.RELAY_BATCH_SIZE, pollIntervalMs: env.RELAY_POLL_INTERVAL_MS };
    this.migrateOnBoot = env.MIGRATE_ON_BOOT === 'true';
    this.rebuild = { chunkStreams: env.REBUILD_CHUNK_STREAMS, retireDelayMs: env.REBUILD_RETIRE_DELAY_MS };
  }

  static fromEnv(source: EnvSource): SyncWorkerConfig {
    return new SyncWorkerConfig(loadEnv(SyncWorkerEnv, source));
  }
}
