import { normalizeLookupName, type NewEvent, type RecordedEvent } from '@app/domain';
import { randomUUID } from 'node:crypto';
import type { Pool } from 'pg';
import type { LogPosition } from './log-position.js';

/** The outcome of appending one event: where it is in the log, and whether it was there already. */
export interface AppendedEvent {
  id: string;
  subject: string;
  version: number;
  position: string;
  duplicate: boolean;
}

/** A stretch of the log in commit order: after `from` (exclusive) up to `to` (inclusive). */
export interface LogRange {
  from: LogPosition;
  to: LogPosition;
}

export interface Backlog {
  events: number;
  /** `null` when there is no backlog. */
  oldestRecordedAt: Date | null;
}

export interface ReadBatch {
  /** Position of the last event read; absent when there was nothing to read. */
  last?: LogPosition;
  count: number;
  /**
   * Events exist past the batch that may not be read yet, because a transaction that began
   * earlier is still running and could commit events that belong before them.
   */
  heldBack: boolean;
}

const UNIQUE_VIOLATION = '23505';
const MAX_APPEND_ATTEMPTS = 3;

/**
 * The event log in Postgres: atomic batch appends, idempotent by event id, and the two reads the
 * relay and the projection need. Every query runs in the deployment's schema (the pool's `search_path`).
 */
export class EventStore {
  constructor(private readonly pool: Pool) {}

  /**
   * Appends a batch in one statement, so one round trip and one transaction, and answers after the
   * commit. An event whose id is stored already is answered as a duplicate and not stored again. A
   * subject's events get consecutive versions in batch order.
   */
  async append(events: readonly NewEvent[]): Promise<AppendedEvent[]> {
    const batch = events.map((event) => ({ ...event, id: event.id ?? randomUUID() }));
    const parameters = appendParameters(firstOfEachId(batch));
    for (let attempt = 1; ; attempt++) {
      try {
        const { rows } = await this.pool.query<AppendRow>(APPEND_BATCH, parameters);
        return appendedEvents(batch, rows);
      } catch (error) {
        // Two batches carrying the same new event id raced; the loser retries and sees the duplicate.
        const raced = (error as { code?: string; constraint?: string }).code === UNIQUE_VIOLATION && (error as { constraint?: string }).constraint === 'events_id_key';
        if (!raced || attempt === MAX_APPEND_ATTEMPTS) throw error;
      }
    }
  }

  /**
   * Reads up to `limit` positions after `after` in commit order, stopping before any transaction
   * that is still running: an event is read only once no earlier-starting writer can still commit.
   * The horizon is written inline rather than in a CTE so that both reads are index range scans:
   * through a CTE, the held-back check scanned the rest of the table on every read (270 ms at
   * 500,000 events to go; 1 ms now). Every row at or past the horizon lies after `after`, since
   * `after` was read below an earlier, never later, horizon.
   */
  async readAfter(after: LogPosition, limit: number): Promise<ReadBatch> {
    const { rows } = await this.pool.query<{ count: string; transaction_id: string | null; position: string | null; held_back: boolean }>(
      `WITH batch AS (
         SELECT transaction_id, position FROM events
         WHERE (transaction_id, position) > ($1::xid8, $2::bigint) AND transaction_id < pg_snapshot_xmin(pg_current_snapshot())
         ORDER BY transaction_id, position
         LIMIT $3
       ), last AS (
         SELECT transaction_id, position FROM batch ORDER BY transaction_id DESC, position DESC LIMIT 1
       )
       SELECT (SELECT count(*) FROM batch) AS count, last.transaction_id::text, last.position::text,
              (SELECT transaction_id FROM events WHERE transaction_id >= pg_snapshot_xmin(pg_current_snapshot())
               ORDER BY transaction_id LIMIT 1) IS NOT NULL AS held_back
       FROM (VALUES (1)) AS one LEFT JOIN last ON true`,
      [after.transactionId, after.position, limit],
    );
    const row = rows[0]!;
    const batch: ReadBatch = { count: Number(row.count), heldBack: row.held_back };
    if (row.transaction_id !== null && row.position !== null) batch.last = { transactionId: row.transaction_id, position: row.position };
    return batch;
  }

  /** The subjects that have events in `range`. */
  async subjectsIn(range: LogRange): Promise<string[]> {
    const { rows } = await this.pool.query<{ subject: string }>(
      `SELECT DISTINCT subject FROM events
       WHERE (transaction_id, position) > ($1::xid8, $2::bigint) AND (transaction_id, position) <= ($3::xid8, $4::bigint)`,
      [range.from.transactionId, range.from.position, range.to.transactionId, range.to.position],
    );
    return rows.map((row) => row.subject);
  }

  /**
   * How far the log runs past a position, in commit order: the events after it (counted up to
   * `limit`, so a large backlog costs a bounded read) and when the oldest of them was stored.
   */
  async backlogAfter(after: LogPosition, limit: number): Promise<Backlog> {
    const { rows } = await this.pool.query<{ events: number; oldest: Date | null }>(
      `SELECT count(*)::integer AS events, min(recorded_at) AS oldest FROM (
         SELECT recorded_at FROM events WHERE (transaction_id, position) > ($1::xid8, $2::bigint)
         ORDER BY transaction_id, position LIMIT $3
       ) AS backlog`,
      [after.transactionId, after.position, limit],
    );
    return { events: rows[0]!.events, oldestRecordedAt: rows[0]!.oldest };
  }

  /** The ordinal of the last stream: streams up to it hold every subject appended so far. */
  async lastStreamOrdinal(): Promise<number> {
    const { rows } = await this.pool.query<{ last: string | null }>('SELECT max(ordinal)::text AS last FROM streams');
    return Number(rows[0]?.last ?? 0);
  }

  /** The subjects whose streams are numbered in `(after, through]`, in that order. */
  async subjectsByOrdinal(after: number, through: number): Promise<string[]> {
    const { rows } = await this.pool.query<{ subject: string }>(
      'SELECT subject FROM streams WHERE ordinal > $1 AND ordinal <= $2 ORDER BY ordinal',
      [after, through],
    );
    return rows.map((row) => row.subject);
  }

  /** The subject whose id hashes to `key` (see `lookup_key`), if the log has it. */
  async subjectsWithKey(key: string): Promise<string[]> {
    const { rows } = await this.pool.query<{ subject: string }>('SELECT subject FROM streams WHERE lookup_key(subject) = $1', [key]);
    return rows.map((row) => row.subject);
  }

  /** Every subject ever registered with the login, email or alias that hashes to `key`. */
  async subjectsWithName(key: string): Promise<string[]> {
    const { rows } = await this.pool.query<{ subject: string }>('SELECT subject FROM lookup_names WHERE name_key = $1', [key]);
    return rows.map((row) => row.subject);
  }

  /**
   * Indexes the names that these events' `identity.registered` give their subjects. Appends index
   * as they store; a rebuild indexes every stream it replays, so the index can always be rebuilt
   * from the log alone (a log older than the index included).
   */
  async indexLookupNames(events: readonly RecordedEvent[]): Promise<void> {
    const names = registeredNames(events);
    if (names.length > 0) await this.pool.query(LOOKUP_NAMES_INSERT, lookupNameParameters(names));
  }

  /**
   * Each subject's events after the given version, in version order, grouped by subject (in the
   * order of `after`). The lateral join makes it one index range scan per subject whatever the
   * planner estimates: a plain join was planned as a merge join over the whole index, a read that
   * grew with the log. Rows are sorted by the subject's place in `after`, an integer, rather than by
   * the subject: comparing text in the database's collation was most of the sort.
   */
  async readStreams(after: ReadonlyMap<string, number>): Promise<Map<string, RecordedEvent[]>> {
    const { rows } = await this.pool.query<EventRow>(
      `SELECT e.id, e.subject, e.subject_version, e.position::text, e.type, e.data,
              to_char(e.occurred_at AT TIME ZONE 'UTC', ${ISO_8601_UTC}) AS occurred_at
       FROM unnest($1::text[], $2::integer[]) WITH ORDINALITY AS s(subject, after_version, n)
       CROSS JOIN LATERAL (
         SELECT * FROM events WHERE events.subject = s.subject AND events.subject_version > s.after_version ORDER BY events.subject_version
       ) AS e
       ORDER BY s.n, e.subject_version`,
      [[...after.keys()], [...after.values()]],
    );
    const streams = new Map<string, RecordedEvent[]>();
    for (const row of rows) {
      const stream = streams.get(row.subject) ?? [];
      stream.push(toRecordedEvent(row));
      streams.set(row.subject, stream);
    }
    return streams;
  }
}

const LOOKUP_NAMES_INSERT = `
  INSERT INTO lookup_names (name_key, subject)
  SELECT lookup_key(name), subject FROM unnest($1::text[], $2::text[]) AS n(name, subject)
  ON CONFLICT DO NOTHING`;

function lookupNameParameters(names: ReadonlyArray<{ subject: string; name: string }>): [string[], string[]] {
  return [names.map((entry) => normalizeLookupName(entry.name)), names.map((entry) => entry.subject)];
}

/** The names `identity.registered` events give their subjects, for the lookup index. */
function registeredNames(events: ReadonlyArray<NewEvent | RecordedEvent>): Array<{ subject: string; name: string }> {
  return events.flatMap((event) => namesGivenBy(event).map((name) => ({ subject: event.subject, name })));
}

function namesGivenBy(event: NewEvent | RecordedEvent): string[] {
  if (event.type !== 'identity.registered') return [];
  const { login, email, aliases = [] } = event.data;
  return [login, email, ...aliases].filter((name): name is string => Boolean(name));
}

/**
 * `occurred_at` as the ISO 8601 text of `Date.prototype.toISOString` (milliseconds, truncated, in
 * UTC; years have four digits, as RFC 3339 requires of what producers send). Formatted by
 * Postgres, it spares Node parsing a date and printing it again for every event a projection or a
 * rebuild reads: about 3 ms of the worker's CPU per 1,000 events.
 */
const ISO_8601_UTC = `'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'`;

interface EventRow {
  id: string;
  subject: string;
  subject_version: number;
  position: string;
  type: string;
  data: RecordedEvent['data'];
  /** As `Date.prototype.toISOString` writes it. */
  occurred_at: string | null;
}

function toRecordedEvent(row: EventRow): RecordedEvent {
  const event = { id: row.id, subject: row.subject, version: row.subject_version, position: row.position, type: row.type, data: row.data } as RecordedEvent;
  if (row.occurred_at) event.occurredAt = row.occurred_at;
  return event;
}

/*
 * The append, as one statement (hence one transaction):
 * - `stored`: the batch's ids already in the log, looked up in the index (`= ANY` of the array: a
 *   semi-join with `batch` was planned as a scan of the whole log), in the statement's snapshot; an
 *   id another batch commits meanwhile makes the insert fail on `events_id_key`, and `append` retries.
 * - `fresh`: the events whose id is not stored, in batch order (`append` sends the first event of
 *   each id only: a repeat within the batch is a duplicate of it).
 * - `advanced`: each subject's stream moves on by its number of fresh events. The rows are locked in
 *   subject order, so concurrent batches cannot deadlock, and stay locked until commit, so a
 *   subject's versions follow its positions. They are all locked before any event is inserted: the
 *   insert sorts its input by batch order, which reads the whole join with `advanced` first.
 * - `appended`: the events, numbered from their stream's old version, inserted in batch order (so
 *   positions follow it too).
 * - `indexed`: the names of fresh `identity.registered` events (sent with the event's place in the
 *   batch), once their events are inserted.
 * The answer lists the stored and the appended events; `appendedEvents` lays them over the batch.
 */
const APPEND_BATCH = `
  WITH batch AS (
    SELECT * FROM ROWS FROM (unnest($1::uuid[]), unnest($2::text[]), unnest($3::text[]), jsonb_array_elements($4::jsonb), unnest($5::timestamptz[]))
      WITH ORDINALITY AS b(id, subject, type, data, occurred_at, n)
  ), stored AS (
    SELECT id, subject, subject_version, position FROM events WHERE id = ANY($1::uuid[])
  ), fresh AS (
    SELECT * FROM batch WHERE NOT EXISTS (SELECT FROM stored WHERE stored.id = batch.id)
  ), advanced AS (
    INSERT INTO streams (subject, version)
    SELECT subject, count(*) FROM fresh GROUP BY subject ORDER BY subject
    ON CONFLICT (subject) DO UPDATE SET version = streams.version + excluded.version
    RETURNING subject, version
  ), appended AS (
    INSERT INTO events (id, subject, subject_version, type, data, occurred_at)
    SELECT fresh.id, fresh.subject,
           advanced.version - count(*) OVER (PARTITION BY fresh.subject) + row_number() OVER (PARTITION BY fresh.subject ORDER BY fresh.n),
           fresh.type, fresh.data, fresh.occurred_at
    FROM fresh JOIN advanced USING (subject)
    ORDER BY fresh.n
    RETURNING id, subject, subject_version, position
  ), indexed AS (
    INSERT INTO lookup_names (name_key, subject)
    SELECT lookup_key(names.name), appended.subject
    FROM unnest($6::bigint[], $7::text[]) AS names(n, name) JOIN fresh USING (n) JOIN appended USING (id)
    ON CONFLICT DO NOTHING
  )
  SELECT id, subject, subject_version, position::text, true AS duplicate FROM stored
  UNION ALL
  SELECT id, subject, subject_version, position::text, false FROM appended`;

interface AppendRow {
  id: string;
  subject: string;
  subject_version: number;
  position: string;
  duplicate: boolean;
}

type IdentifiedEvent = NewEvent & { id: string };

/** The batch without the events whose id an earlier event of it has (ids are lower-case: see `validateEvent`). */
function firstOfEachId(batch: readonly IdentifiedEvent[]): IdentifiedEvent[] {
  const seen = new Set<string>();
  return batch.filter((event) => {
    if (seen.has(event.id)) return false;
    seen.add(event.id);
    return true;
  });
}

function appendParameters(batch: readonly IdentifiedEvent[]): unknown[] {
  const names = batch.flatMap((event, index) => namesGivenBy(event).map((name) => ({ n: index + 1, name: normalizeLookupName(name) })));
  return [
    arrayLiteral(batch.map((event) => event.id)),
    arrayLiteral(batch.map((event) => event.subject)),
    arrayLiteral(batch.map((event) => event.type)),
    // One JSON array rather than a jsonb[]: an array literal would escape every quote of every
    // event's JSON, in Node, and unescape it again in Postgres.
    JSON.stringify(batch.map((event) => event.data)),
    arrayLiteral(batch.map((event) => event.occurredAt ?? null)),
    names.map((entry) => entry.n),
    arrayLiteral(names.map((entry) => entry.name)),
  ];
}

/**
 * A Postgres array literal of text (or NULL) elements. pg writes the same for a JavaScript array, but
 * runs two regular expressions over every element; ids, subjects and timestamps seldom hold the
 * quote or the backslash they look for.
 */
function arrayLiteral(values: ReadonlyArray<string | null>): string {
  let literal = '{';
  for (let index = 0; index < values.length; index++) {
    const value = values[index] as string | null;
    if (index > 0) literal += ',';
    if (value === null) literal += 'NULL';
    else if (value.includes('"') || value.includes('\\')) literal += `"${value.replace(/["\\]/g, '\\$&')}"`;
    else literal += `"${value}"`;
  }
  return `${literal}}`;
}

/** Each event of the batch, in order: where it is in the log, and whether it was there before it or earlier in the batch. */
function appendedEvents(batch: readonly IdentifiedEvent[], rows: readonly AppendRow[]): AppendedEvent[] {
  const byId = new Map(rows.map((row) => [row.id, row]));
  const answered = new Set<string>();
  return batch.map((event) => {
    const row = byId.get(event.id)!;
    const duplicate = row.duplicate || answered.has(event.id);
    answered.add(event.id);
    return { id: event.id, subject: row.subject, version: row.subject_version, position: row.position, duplicate };
  });
}
