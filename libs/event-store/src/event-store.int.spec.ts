import { isStorableDateTime, normalizeLookupName, type NewEvent } from '@app/domain';
import { hash } from 'node:crypto';
import type pg from 'pg';
import { migratedPool } from '../../../test/support/database.js';
import { dropNamespace, newNamespace, type TestNamespace } from '../../../test/support/namespace.js';
import { EventStore } from './event-store.js';
import { LOG_START } from './log-position.js';
import { migrate } from './migrate.js';
import { createPostgresPool } from './postgres-pool.js';
import { MIGRATIONS } from './migrations/index.js';

const linked = (subject: string, patientId: string, id?: string): NewEvent => ({
  type: 'patient.linked',
  subject,
  data: { patientId },
  ...(id && { id }),
});

describe(EventStore.name, () => {
  let namespace: TestNamespace;
  let pool: pg.Pool;
  let sut: EventStore;

  beforeEach(async () => {
    namespace = newNamespace();
    pool = await migratedPool(namespace);
    sut = new EventStore(pool);
  });

  afterEach(async () => {
    await pool.end();
    await dropNamespace(namespace);
  });

  const lookupKey = async (name: string) => (await pool.query<{ key: string }>('SELECT lookup_key($1) AS key', [name])).rows[0]!.key;
  const storedCount = async () => Number((await pool.query('SELECT count(*) FROM events')).rows[0].count);

  it('stores every occurredAt the validation lets through, at the edges of what Postgres takes', async () => {
    const edges = ['0001-01-01T00:00:00+15:00', '2024-02-29T23:59:60Z', '2026-12-31T00:00:00-15:59', '9999-12-31T23:59:59.999999999+15:59'];
    expect(edges.every(isStorableDateTime)).toBe(true);

    const stored = await sut.append(edges.map((occurredAt, index) => ({ ...linked(`s${index}`, '1'), occurredAt })));

    expect(stored).toHaveLength(edges.length);
  });

  it('numbers each subject’s events 1, 2, 3… across batches, in batch order', async () => {
    await sut.append([linked('a', '1'), linked('b', '1'), linked('a', '2')]);
    const second = await sut.append([linked('b', '2'), linked('a', '3')]);

    expect(second.map(({ subject, version }) => [subject, version])).toEqual([['b', 2], ['a', 3]]);
    const { rows } = await pool.query('SELECT subject, subject_version, position FROM events ORDER BY position');
    expect(rows.map((row) => `${row.subject}${row.subject_version}`)).toEqual(['a1', 'b1', 'a2', 'b2', 'a3']);
  });

  it('stores an event id once and answers a repeat as a duplicate, within a batch and across batches', async () => {
    const id = '0b9a4c8e-0f3c-4b8e-8c57-2f4b3a1d9e01';
    const first = await sut.append([linked('a', '1', id), linked('a', '1', id)]);
    const again = await sut.append([linked('a', '1', id), linked('a', '2')]);

    expect(first.map((event) => event.duplicate)).toEqual([false, true]);
    expect(again).toEqual([
      { ...first[0], duplicate: true },
      expect.objectContaining({ subject: 'a', version: 2, duplicate: false }),
    ]);
    expect(await storedCount()).toBe(2);
  });

  it('stores subjects and names as sent, quotes, backslashes, braces and the word NULL included', async () => {
    const subjects = ['a "quoted", {braced} \\ subject', 'NULL', ' é😀 '];
    await sut.append(subjects.map((subject) => ({ type: 'identity.registered', subject, data: { login: `${subject}@example.org` } })));

    const { rows } = await pool.query<{ subject: string }>('SELECT subject FROM events ORDER BY position');
    expect(rows.map((row) => row.subject)).toEqual(subjects);
    for (const subject of subjects) expect(await sut.subjectsWithName(await lookupKey(normalizeLookupName(`${subject}@example.org`)))).toEqual([subject]);
  });

  it('indexes the names of the registrations it stores, not those of repeated ids', async () => {
    const id = '9d2c1e6a-1b7f-4c55-a3a1-0f6e2d9b8c41';
    const registered = (login: string): NewEvent => ({ id, type: 'identity.registered', subject: 'a', data: { login, aliases: ['MRN-1'] } });
    await sut.append([registered('kim@example.org'), registered('kim.later@example.org')]);
    await sut.append([registered('kim.again@example.org')]);

    expect(await sut.subjectsWithName(await lookupKey('kim@example.org'))).toEqual(['a']);
    expect(await sut.subjectsWithName(await lookupKey('mrn-1'))).toEqual(['a']);
    expect(await sut.subjectsWithName(await lookupKey('kim.later@example.org'))).toEqual([]);
    expect(await sut.subjectsWithName(await lookupKey('kim.again@example.org'))).toEqual([]);
  });

  it('keeps versions gapless and ids unique when batches race on the same subjects and ids', async () => {
    const sharedId = '5e1f7d7a-3f0a-4a43-9a43-6c6b1f2b7c10';
    const batches = Array.from({ length: 20 }, (_, index) => [linked('a', String(index)), linked('b', String(index)), linked('a', 'shared', sharedId)]);

    const results = await Promise.all(batches.map((batch) => sut.append(batch)));

    expect(results.flat().filter((event) => event.id === sharedId && !event.duplicate)).toHaveLength(1);
    const { rows } = await pool.query<{ subject: string; versions: number[] }>(
      'SELECT subject, array_agg(subject_version ORDER BY position) AS versions FROM events GROUP BY subject ORDER BY subject',
    );
    expect(rows).toEqual([
      { subject: 'a', versions: Array.from({ length: 21 }, (_, index) => index + 1) },
      { subject: 'b', versions: Array.from({ length: 20 }, (_, index) => index + 1) },
    ]);
  });

  it('reads streams after a version and stretches of the log in commit order', async () => {
    await sut.append([{ type: 'identity.registered', subject: 'a', data: { login: 'a@example.org' }, occurredAt: '2026-11-22T10:00:00Z' }, linked('b', '1')]);
    await sut.append([linked('a', '2')]);

    const all = await sut.readAfter(LOG_START, 10);
    const streams = await sut.readStreams(new Map([['a', 1], ['b', 0]]));

    expect(all).toEqual({ count: 3, heldBack: false, last: expect.objectContaining({ position: '3' }) });
    expect(await sut.subjectsIn({ from: LOG_START, to: all.last! })).toEqual(expect.arrayContaining(['a', 'b']));
    expect(streams.get('a')).toEqual([expect.objectContaining({ subject: 'a', version: 2, position: '3', type: 'patient.linked', data: { patientId: '2' } })]);
    expect(streams.get('b')).toEqual([expect.objectContaining({ version: 1 })]);
    const [registered] = (await sut.readStreams(new Map([['a', 0]]))).get('a')!;
    expect(registered).toMatchObject({ type: 'identity.registered', data: { login: 'a@example.org' }, occurredAt: '2026-11-22T10:00:00.000Z' });
  });

  it('refuses to change or remove what the log holds', async () => {
    await sut.append([linked('a', '1')]);

    await expect(pool.query("UPDATE events SET data = '{}'")).rejects.toThrow(/append-only/);
    await expect(pool.query('DELETE FROM events')).rejects.toThrow(/append-only/);
    await expect(pool.query('TRUNCATE events')).rejects.toThrow(/append-only/);
    expect(await storedCount()).toBe(1);
  });

  it('finds a subject by the hash of its id, for streams created before and after migration 0004 indexed the hash instead of storing it', async () => {
    const older = newNamespace();
    const olderPool = createPostgresPool({ databaseUrl: older.databaseUrl, schema: older.schema, applicationName: 'claims-tests' });
    try {
      await migrate(olderPool, older.schema, MIGRATIONS.filter((migration) => migration.version < 4));
      const olderStore = new EventStore(olderPool);
      await olderStore.append([linked('before', '1')]);

      expect(await migrate(olderPool, older.schema)).toEqual(['0004-subject-key-index', '0005-faster-lookup-key', '0006-events-without-position-index', '0007-byte-order-keys']);
      await olderStore.append([linked('after', '2'), linked('before', '3')]);

      expect(await olderStore.subjectsWithKey(await lookupKey('before'))).toEqual(['before']);
      expect(await olderStore.subjectsWithKey(await lookupKey('after'))).toEqual(['after']);
      expect(await olderStore.subjectsWithKey(await lookupKey('nobody'))).toEqual([]);
    } finally {
      await olderPool.end();
      await dropNamespace(older);
    }
  });

  it('hashes lookups as the Redis keys do: the first 128 bits of SHA-256 of the UTF-8 text, base64url', async () => {
    const values = ['00u1kim', 'kim.sato@example.org', 'mrn-6789', 'é😀 ', ...Array.from({ length: 200 }, (_, index) => `subject-${index}`)];

    const { rows } = await pool.query<{ key: string }>('SELECT lookup_key(value) AS key FROM unnest($1::text[]) WITH ORDINALITY AS v(value, n) ORDER BY n', [values]);

    expect(rows.map((row) => row.key)).toEqual(values.map((value) => hash('sha256', value, 'base64url').slice(0, 22)));
  });

  it('migrates idempotently, even when processes migrate at once, and refuses a schema newer than the code', async () => {
    const again = await Promise.all([migrate(pool, namespace.schema), migrate(pool, namespace.schema)]);

    expect(again).toEqual([[], []]);
    await pool.query(`INSERT INTO ${namespace.schema}.schema_migrations (version, name) VALUES (${MIGRATIONS.length + 1}, 'from-the-future')`);
    await expect(migrate(pool, namespace.schema)).rejects.toThrow(/newer build/);
  });
});
