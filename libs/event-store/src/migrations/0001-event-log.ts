import type { Migration } from './migration.js';

/**
 * The append-only log. `position` orders events globally; `transaction_id` records which
 * transaction wrote each row, so a reader can tell which rows are final (see `EventStore.readAfter`).
 * `streams` holds each subject's current version and is the row appends lock to number a subject's
 * events without gaps.
 */
export const eventLog: Migration = {
  version: 1,
  name: 'event-log',
  sql: `
    CREATE TABLE streams (
      subject text PRIMARY KEY,
      version integer NOT NULL CHECK (version > 0)
    );

    CREATE TABLE events (
      position bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      transaction_id xid8 NOT NULL DEFAULT pg_current_xact_id(),
      id uuid NOT NULL,
      subject text NOT NULL,
      subject_version integer NOT NULL CHECK (subject_version > 0),
      type text NOT NULL,
      data jsonb NOT NULL,
      occurred_at timestamptz,
      recorded_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT events_id_key UNIQUE (id),
      CONSTRAINT events_subject_version_key UNIQUE (subject, subject_version)
    );
    CREATE INDEX events_commit_order_idx ON events (transaction_id, position);

    CREATE FUNCTION events_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      RAISE EXCEPTION 'the event log is append-only: % is not allowed', TG_OP;
    END $$;
    CREATE TRIGGER events_append_only BEFORE UPDATE OR DELETE ON events
      FOR EACH ROW EXECUTE FUNCTION events_refuse_change();
    CREATE TRIGGER events_no_truncate BEFORE TRUNCATE ON events
      FOR EACH STATEMENT EXECUTE FUNCTION events_refuse_change();

    -- Wakes the relay. The payload is empty: the relay always reads the table, so a lost
    -- notification only costs latency. Postgres folds a transaction's identical notifications into one.
    CREATE FUNCTION events_notify_relay() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      PERFORM pg_notify('claims_events_' || TG_TABLE_SCHEMA, '');
      RETURN NULL;
    END $$;
    CREATE TRIGGER events_appended AFTER INSERT ON events
      FOR EACH STATEMENT EXECUTE FUNCTION events_notify_relay();

    CREATE TABLE relay_checkpoints (
      relay text PRIMARY KEY,
      transaction_id xid8 NOT NULL,
      position bigint NOT NULL,
      updated_at timestamptz NOT NULL DEFAULT now()
    );
  `,
};
