import { Inject, Logger, Module, type DynamicModule, type FactoryProvider, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { ClaimsKeys } from './claims-keys.js';
import { ClaimsReader } from './claims-reader.js';
import { ClaimsWriter } from './claims-writer.js';
import { DeliveryAnswers } from './delivery-answers.js';
import { NearCache, RedisDocuments, type ClaimsDocuments, type NearCacheOptions } from './near-cache.js';
import { ProjectionStateStore } from './projection-state.js';
import { createFailFastRedis, createPatientRedis } from './redis-clients.js';

export const CLAIMS_REDIS = Symbol('CLAIMS_REDIS');
/** The hooks' `ClaimsDocuments`: a `NearCache` when the hook-api keeps one. */
export const CLAIMS_DOCUMENTS = Symbol('CLAIMS_DOCUMENTS');

/** How long boot waits for Redis: long enough for a normal connect, short enough not to hang on a silent one. */
const CONNECT_WAIT_MS = 3_000;

type RedisAccess = new (redis: Redis, keys: ClaimsKeys) => object;

export interface ClaimsStoreOptions {
  redisUrl: string;
  prefix: string;
}

export interface HookClaimsStoreOptions extends ClaimsStoreOptions {
  commandTimeoutMs: number;
  /** Keeps documents in the process, as long as Redis tracks them for it; without it every read goes to Redis. */
  nearCache?: NearCacheOptions;
}

/**
 * The Redis projection: a reader (and the delivery answers) for the hooks, a writer for the
 * projection worker, its state for both.
 */
@Module({})
export class ClaimsStoreModule implements OnModuleInit, OnApplicationShutdown {
  constructor(@Inject(CLAIMS_REDIS) private readonly redis: Redis) {}

  /** Reads fail within `commandTimeoutMs`, so a hook can still answer inside its deadline. */
  static forHooks(options: HookClaimsStoreOptions): DynamicModule {
    const module = ClaimsStoreModule.build(options.prefix, () => createFailFastRedis(options.redisUrl, 'hooks', options.commandTimeoutMs), [DeliveryAnswers]);
    const { nearCache } = options;
    const documents: FactoryProvider<ClaimsDocuments> = nearCache
      ? {
          provide: CLAIMS_DOCUMENTS,
          // Connections of its own: Redis tracks what the reader reads, and only documents are read on it.
          useFactory: () =>
            new NearCache(
              createFailFastRedis(options.redisUrl, 'hooks-near-cache', options.commandTimeoutMs),
              createPatientRedis(options.redisUrl, 'near-cache-invalidations', { autoResubscribe: false }),
              nearCache,
            ),
        }
      : { provide: CLAIMS_DOCUMENTS, inject: [CLAIMS_REDIS], useFactory: (redis: Redis) => new RedisDocuments(redis) };
    const reader: FactoryProvider<ClaimsReader> = {
      provide: ClaimsReader,
      inject: [CLAIMS_DOCUMENTS],
      useFactory: (source: ClaimsDocuments) => new ClaimsReader(source, new ClaimsKeys(options.prefix)),
    };
    return { ...module, providers: [...module.providers!, documents, reader], exports: [...module.exports!, ClaimsReader, CLAIMS_DOCUMENTS] };
  }

  static forProjection(options: ClaimsStoreOptions): DynamicModule {
    return ClaimsStoreModule.build(options.prefix, () => createPatientRedis(options.redisUrl, 'projection'), [ClaimsWriter]);
  }

  private static build(prefix: string, createRedis: () => Redis, access: Array<RedisAccess>): DynamicModule {
    const onRedis = (type: RedisAccess): FactoryProvider => ({
      provide: type,
      inject: [CLAIMS_REDIS],
      useFactory: (redis: Redis) => new type(redis, new ClaimsKeys(prefix)),
    });
    return {
      module: ClaimsStoreModule,
      global: true,
      providers: [{ provide: CLAIMS_REDIS, useFactory: createRedis }, ...[...access, ProjectionStateStore].map(onRedis)],
      exports: [...access, ProjectionStateStore, CLAIMS_REDIS],
    };
  }

  /**
   * Waits a little for the first connection, so that the first calls after a restart are answered
   * from Redis rather than with the failure mode; boot goes on without it when Redis refuses or is silent.
   */
  async onModuleInit(): Promise<void> {
    if (this.redis.status === 'ready') return;
    const ready = await new Promise<boolean>((resolve) => {
      const settle = (connected: boolean) => () => {
        clearTimeout(timer);
        this.redis.off('ready', onReady).off('error', onError);
        resolve(connected);
      };
      const onReady = settle(true);
      const onError = settle(false);
      const timer = setTimeout(onError, CONNECT_WAIT_MS);
      this.redis.once('ready', onReady).once('error', onError);
    });
    if (!ready) new Logger(ClaimsStoreModule.name).warn('Redis is not reachable yet; starting anyway');
  }

  async onApplicationShutdown(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}
