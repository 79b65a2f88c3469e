import { createPostgresPool, migrate } from '@app/event-store';
import type pg from 'pg';
import type { TestNamespace } from './namespace.js';

/** A pool on the namespace's schema, migrated, as the apps would have it. */
export async function migratedPool(namespace: TestNamespace): Promise<pg.Pool> {
  const pool = createPostgresPool({ databaseUrl: namespace.databaseUrl, schema: namespace.schema, applicationName: 'claims-tests' });
  await migrate(pool, namespace.schema);
  return pool;
}
