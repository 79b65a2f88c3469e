import { Redis } from 'ioredis';
import { randomBytes } from 'node:crypto';
import pg from 'pg';

/**
 * A test's private slice of the shared Postgres and Redis: its own schema and its own key prefix,
 * so that tests run in parallel and never see each other's data.
 */
export interface TestNamespace {
  databaseUrl: string;
  redisUrl: string;
  schema: string;
  redisPrefix: string;
}

/** A namespace on the shared Postgres and Redis, or on servers of the test's own. */
export function newNamespace(servers: { databaseUrl?: string; redisUrl?: string } = {}): TestNamespace {
  const id = randomBytes(6).toString('hex');
  return {
    databaseUrl: servers.databaseUrl ?? process.env['DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres',
    redisUrl: servers.redisUrl ?? process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379',
    schema: `test_${id}`,
    redisPrefix: `test-${id}`,
  };
}

/** The environment an app of this namespace would be started with. */
export function namespaceEnv(namespace: TestNamespace): Record<string, string> {
  return {
    DATABASE_URL: namespace.databaseUrl,
    REDIS_URL: namespace.redisUrl,
    PG_SCHEMA: namespace.schema,
    REDIS_PREFIX: namespace.redisPrefix,
  };
}

/** Every key of the namespace, BullMQ's included. */
export async function keysOf(redis: Redis, namespace: TestNamespace): Promise<string[]> {
  const keys: string[] = [];
  for await (const batch of redis.scanStream({ match: `${namespace.redisPrefix}:*`, count: 1000 })) keys.push(...(batch as string[]));
  return keys;
}

export async function dropNamespace(namespace: TestNamespace): Promise<void> {
  const redis = new Redis(namespace.redisUrl);
  const client = new pg.Client({ connectionString: namespace.databaseUrl });
  try {
    const keys = await keysOf(redis, namespace);
    for (let start = 0; start < keys.length; start += 1_000) await redis.unlink(...keys.slice(start, start + 1_000));
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS ${client.escapeIdentifier(namespace.schema)} CASCADE`);
  } finally {
    redis.disconnect();
    await client.end();
  }
}
