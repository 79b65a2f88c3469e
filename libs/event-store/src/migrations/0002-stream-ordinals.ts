import type { Migration } from './migration.js';

/**
 * Numbers each subject's stream in order of its first event. A rebuild walks the streams by this
 * number, each subject once, and can name a stretch of subjects in a job without naming any of them.
 */
export const streamOrdinals: Migration = {
  version: 2,
  name: 'stream-ordinals',
  sql: `
    ALTER TABLE streams ADD COLUMN ordinal bigint GENERATED ALWAYS AS IDENTITY;
    ALTER TABLE streams ADD CONSTRAINT streams_ordinal_key UNIQUE (ordinal);
  `,
};
