import { eventLog } from './0001-event-log.js';
import { streamOrdinals } from './0002-stream-ordinals.js';
import { lookupIndex } from './0003-lookup-index.js';
import { subjectKeyIndex } from './0004-subject-key-index.js';
import { fasterLookupKey } from './0005-faster-lookup-key.js';
import { eventsWithoutPositionIndex } from './0006-events-without-position-index.js';
import { byteOrderKeys } from './0007-byte-order-keys.js';
import type { Migration } from './migration.js';

export type { Migration } from './migration.js';

export const MIGRATIONS: readonly Migration[] = [eventLog, streamOrdinals, lookupIndex, subjectKeyIndex, fasterLookupKey, eventsWithoutPositionIndex, byteOrderKeys];
