import { EVENT_TYPES, MAX_EVENTS_PER_BATCH } from '@app/domain';
import type { SchemaObject } from '@nestjs/swagger';

/*
 * The bodies of the ingest and admin routes, for the OpenAPI description. Events are validated by
 * the domain's own rules (`validateEventBatch`), not by DTO classes, so their shapes are written
 * here once, from the same constants.
 */

const EVENT: SchemaObject = {
  type: 'object',
  required: ['type', 'subject', 'data'],
  properties: {
    id: { type: 'string', format: 'uuid', description: 'Idempotency key: the same id appended twice is stored once' },
    type: { type: 'string', enum: [...EVENT_TYPES] },
    subject: { type: 'string', description: 'The identity the event is about (its id at the identity provider)' },
    data: { type: 'object', description: 'What the type carries: see the README, "Producing events"' },
    occurredAt: { type: 'string', format: 'date-time', description: 'When it happened; a late status change or registration never undoes a newer one' },
  },
};

export const EVENT_BATCH: SchemaObject = {
  oneOf: [
    { type: 'array', items: EVENT, minItems: 1, maxItems: MAX_EVENTS_PER_BATCH },
    { type: 'object', required: ['events'], properties: { events: { type: 'array', items: EVENT, minItems: 1, maxItems: MAX_EVENTS_PER_BATCH } } },
  ],
};

export const INGESTION_RESULT: SchemaObject = {
  type: 'object',
  properties: {
    appended: { type: 'integer' },
    duplicates: { type: 'integer' },
    events: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          id: { type: 'string', format: 'uuid' },
          subject: { type: 'string' },
          version: { type: 'integer', description: "The event's place in its subject's stream" },
          position: { type: 'string', description: 'Its place in the log (a 64-bit integer as a string)' },
          duplicate: { type: 'boolean' },
        },
      },
    },
  },
};

export const FIELD_ERRORS: SchemaObject = {
  type: 'object',
  properties: {
    statusCode: { type: 'integer' },
    message: { type: 'string' },
    errors: {
      type: 'array',
      items: { type: 'object', properties: { index: { type: 'integer' }, field: { type: 'string' }, reason: { type: 'string' } } },
    },
  },
};

const REBUILD_PROGRESS: SchemaObject = {
  type: 'object',
  properties: {
    percent: { type: 'number' },
    position: { type: 'integer', description: 'The last stream replayed' },
    lastOrdinal: { type: 'integer', description: 'The last stream to replay' },
    events: { type: 'integer' },
    eventsPerSecond: { type: 'number' },
    etaSeconds: { type: 'integer', nullable: true },
  },
};

const REBUILD_JOB: SchemaObject = {
  type: 'object',
  properties: { generation: { type: 'string' }, state: { type: 'string', description: 'waiting, active, completed, failed…' }, progress: REBUILD_PROGRESS },
};

export const REBUILD_STARTED: SchemaObject = { allOf: [REBUILD_JOB, { type: 'object', properties: { started: { type: 'boolean' } } }] };

export const PROJECTION_STATUS: SchemaObject = {
  type: 'object',
  properties: {
    live: { type: 'string', nullable: true, description: 'The generation readers use' },
    warm: { type: 'boolean', description: 'Whether it holds every subject of the log' },
    rebuild: { ...REBUILD_JOB, nullable: true },
  },
};
