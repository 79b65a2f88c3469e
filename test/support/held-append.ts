import { normalizeLookupName } from '@app/domain';
import pg from 'pg';
import type { TestNamespace } from './namespace.js';

export interface NameIndexHold {
  /** How many sessions wait on the hold: 1 once the append is stuck in its transaction. */
  waiting(): Promise<number>;
  /** Lets the held append go on and commit. Harmless when Postgres went away meanwhile. */
  release(): Promise<void>;
}

/**
 * Stops an append of `identity.registered` for `subject` and `name` in the middle of its
 * transaction, through the product's own path: an append inserts its events (taking their log
 * positions) before it indexes their names, and this uncommitted row of the index makes that insert
 * wait until `release()`. Meanwhile later appends commit: the held one commits late, after events
 * numbered above its own, or is still in flight when Postgres goes away.
 */
export async function holdNameIndexing(namespace: TestNamespace, subject: string, name: string): Promise<NameIndexHold> {
  const client = new pg.Client({ connectionString: namespace.databaseUrl, options: `-c search_path=${namespace.schema}` });
  // The hold's connection dies with Postgres when a test stops it.
  client.on('error', () => undefined);
  await client.connect();
  await client.query('BEGIN');
  await client.query('INSERT INTO lookup_names (name_key, subject) VALUES (lookup_key($1), $2)', [normalizeLookupName(name), subject]);
  return {
    waiting: async () => {
      // Inside a transaction pg_stat_activity is read once and then kept; a fresh look is asked for.
      await client.query('SELECT pg_stat_clear_snapshot()');
      const { rows } = await client.query<{ waiting: number }>(
        'SELECT count(*)::integer AS waiting FROM pg_stat_activity WHERE pg_backend_pid() = ANY(pg_blocking_pids(pid))',
      );
      return rows[0]!.waiting;
    },
    release: async () => {
      await client.query('ROLLBACK').catch(() => undefined);
      await client.end().catch(() => undefined);
    },
  };
}
