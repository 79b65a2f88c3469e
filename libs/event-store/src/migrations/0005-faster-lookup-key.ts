import type { Migration } from './migration.js';

/**
 * The same `lookup_key`, about twice as fast (2 µs a call rather than 4–7). Postgres cannot inline
 * the SQL function (`convert_to` is only stable), so every call set up an executor; PL/pgSQL
 * evaluates a lone expression without one. Base64 of the first 17 bytes of the hash, with `+` and `/`
 * replaced, gives the same first 22 characters as that of all 32 bytes through `translate`, in less
 * work. Appends call it for every name they index and for every stream they create (the index of
 * migration 0004), rebuilds for every name of the log. Its values do not change, so neither do the
 * keys stored in `lookup_names` nor that index.
 */
export const fasterLookupKey: Migration = {
  version: 5,
  name: 'faster-lookup-key',
  sql: `
    CREATE OR REPLACE FUNCTION lookup_key(value text) RETURNS text LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
    BEGIN
      RETURN replace(replace(left(encode(substring(sha256(convert_to(value, 'UTF8')) FOR 17), 'base64'), 22), '+', '-'), '/', '_');
    END $$;
  `,
};
