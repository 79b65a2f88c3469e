import type { Migration } from './migration.js';

/**
 * Lets the projection find, from the log alone, the subject a hook missed. Hooks know a subject by
 * the hash in its Redis key (`lookup_key`, the same first 128 bits of SHA-256, base64url), so a
 * backfill job carries that hash, never the id or the login. `lookup_names` holds every login,
 * email and alias a subject was ever registered with (normalized), as the projection derives them.
 */
export const lookupIndex: Migration = {
  version: 3,
  name: 'lookup-index',
  sql: `
    CREATE FUNCTION lookup_key(value text) RETURNS text LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
      SELECT left(translate(encode(sha256(convert_to(value, 'UTF8')), 'base64'), '+/', '-_'), 22)
    $$;

    ALTER TABLE streams ADD COLUMN subject_key text GENERATED ALWAYS AS (lookup_key(subject)) STORED;
    CREATE INDEX streams_subject_key_idx ON streams (subject_key);

    CREATE TABLE lookup_names (
      name_key text NOT NULL,
      subject text NOT NULL,
      PRIMARY KEY (name_key, subject)
    );
  `,
};
