import type { Pool } from 'pg';
import { MIGRATIONS, type Migration } from './migrations/index.js';

/** The database holds migrations this code does not know: an older build must not run against it. */
export class SchemaTooNewError extends Error {
  constructor(schema: string, applied: number, known: number) {
    super(`schema "${schema}" is at migration ${applied}, but this build knows migrations up to ${known} only; deploy the newer build`);
    this.name = 'SchemaTooNewError';
  }
}

/**
 * Applies the pending migrations to `schema`, each in its own transaction, and returns the names
 * of those it applied. Idempotent, and safe when several processes start together: they queue on
 * an advisory lock of the schema, and each one reads what is applied only once it holds the lock.
 */
export async function migrate(pool: Pool, schema: string, migrations: readonly Migration[] = MIGRATIONS): Promise<string[]> {
  const client = await pool.connect();
  const lockKey = `claims-enrichment:migrate:${schema}`;
  const quoted = client.escapeIdentifier(schema);
  try {
    await client.query('SELECT pg_advisory_lock(hashtext($1))', [lockKey]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoted}`);
    await client.query(`CREATE TABLE IF NOT EXISTS ${quoted}.schema_migrations (
      version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
    const { rows } = await client.query<{ version: number }>(`SELECT version FROM ${quoted}.schema_migrations`);
    const applied = new Set(rows.map((row) => row.version));
    const latestKnown = Math.max(0, ...migrations.map((migration) => migration.version));
    const latestApplied = Math.max(0, ...applied);
    if (latestApplied > latestKnown) throw new SchemaTooNewError(schema, latestApplied, latestKnown);

    const pending = migrations.filter((migration) => !applied.has(migration.version)).sort((a, b) => a.version - b.version);
    for (const migration of pending) {
      await client.query('BEGIN');
      try {
        await client.query(`SET LOCAL search_path TO ${quoted}`);
        await client.query(migration.sql);
        await client.query(`INSERT INTO ${quoted}.schema_migrations (version, name) VALUES ($1, $2)`, [migration.version, migration.name]);
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK');
        throw error;
      }
    }
    return pending.map((migration) => `${String(migration.version).padStart(4, '0')}-${migration.name}`);
  } finally {
    await client.query('SELECT pg_advisory_unlock(hashtext($1))', [lockKey]).catch(() => undefined);
    client.release();
  }
}
