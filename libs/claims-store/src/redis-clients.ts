import { Logger } from '@nestjs/common';
import { Redis, type RedisOptions } from 'ioredis';

/**
 * A client for a request path with a deadline: commands fail at once while Redis is unreachable
 * and give up after `commandTimeoutMs`, so the caller can answer in time instead of queueing.
 */
export function createFailFastRedis(url: string, name: string, commandTimeoutMs: number): Redis {
  return watch(
    new Redis(url, {
      connectionName: name,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      commandTimeout: commandTimeoutMs,
      enableAutoPipelining: true,
      retryStrategy: (attempt) => Math.min(50 * 2 ** attempt, 2_000),
      // ioredis waits this long on a connection that is already gone before it lets go of it.
      disconnectTimeout: 500,
    }),
    name,
  );
}

/** A client for background work: commands wait for Redis to come back rather than fail. */
export function createPatientRedis(url: string, name: string, options: RedisOptions = {}): Redis {
  return watch(
    new Redis(url, { connectionName: name, maxRetriesPerRequest: null, enableAutoPipelining: true, ...options }),
    name,
  );
}

function watch(redis: Redis, name: string): Redis {
  const logger = new Logger(`Redis:${name}`);
  let reported = false;
  redis.on('error', (error: Error) => {
    // A down Redis emits an error per reconnection attempt; one line until it is back is enough.
    if (!reported) logger.warn(`unreachable: ${error.message}`);
    reported = true;
  });
  redis.on('ready', () => {
    if (reported) logger.log('reachable again');
    reported = false;
  });
  return redis;
}
