import type { Migration } from './migration.js';

/**
 * Gives each subject's stream a number, when its row is first written. A rebuild walks the streams
 * by this number, each subject once, and can name a stretch of subjects in a job without naming any
 * of them. Streams created while a rebuild runs get numbers past its end; relayed jobs cover them.
 */
export const streamOrdinals: Migration = {
  version: 2,
  name: 'stream-ordinals',
  sql: `
    ALTER TABLE streams ADD COLUMN ordinal bigint GENERATED ALWAYS AS IDENTITY;
    ALTER TABLE streams ADD CONSTRAINT streams_ordinal_key UNIQUE (ordinal);
  `,
};
