import { plainToInstance } from 'class-transformer';
import { validateSync, type ValidationError } from 'class-validator';
import type { FieldError, Parsed } from '../errors.js';
import { isJsonObject, type JsonValue } from '../json.js';
import { EVENT_DATA_CLASSES, EventEnvelopeDto, UNSTORABLE_TEXT, UNSTORABLE_TEXT_REASON } from './event-data.dto.js';
import type { NewEvent } from './event-types.js';

export const MAX_EVENTS_PER_BATCH = 1000;
export const MAX_EVENT_DATA_BYTES = 16 * 1024;
const MAX_NESTING_DEPTH = 16;
const UNSAFE_KEYS = new Set(['__proto__', 'constructor', 'prototype']);
const utf8 = new TextEncoder();

/** A refused event: its place in the batch and what is wrong with it. */
export interface EventError extends FieldError {
  /** Index of the event in the batch; absent when the batch itself is wrong. */
  index?: number;
}

export type BatchValidation = { ok: true; events: NewEvent[] } | { ok: false; errors: EventError[] };

/**
 * Validates a batch as `POST /events` and `events.append` accept it: a JSON array of events, or
 * `{ "events": [...] }`, 1 to {@link MAX_EVENTS_PER_BATCH} of them. The batch is valid only if every
 * event is; otherwise every bad event is listed with each bad field.
 */
export function validateEventBatch(body: unknown): BatchValidation {
  const items = Array.isArray(body) ? body : isJsonObject(body) ? body['events'] : undefined;
  if (!Array.isArray(items)) {
    return batchError('events', 'the body must be a JSON array of events or an object with an "events" array');
  }
  if (items.length === 0) return batchError('events', 'must contain at least one event');
  if (items.length > MAX_EVENTS_PER_BATCH) {
    return batchError('events', `must contain at most ${MAX_EVENTS_PER_BATCH} events (got ${items.length})`);
  }
  const events: NewEvent[] = [];
  const errors: EventError[] = [];
  items.forEach((item: unknown, index) => {
    const parsed = validateEvent(item);
    if (parsed.ok) events.push(parsed.value);
    else errors.push(...parsed.errors.map((error) => ({ index, ...error })));
  });
  return errors.length > 0 ? { ok: false, errors } : { ok: true, events };
}

export function validateEvent(item: unknown): Parsed<NewEvent> {
  if (!isJsonObject(item)) return invalid('', 'must be a JSON object');
  const unsafe = findUnsafeValue(item, '');
  if (unsafe) return invalid(unsafe.field, unsafe.reason);

  const envelope = plainToInstance(EventEnvelopeDto, item);
  const envelopeErrors = describe(validateSync(envelope, VALIDATION_OPTIONS));
  if (envelopeErrors.length > 0) return { ok: false, errors: envelopeErrors };

  const data = (item['data'] ?? {}) as JsonValue;
  const dataErrors = describe(validateSync(plainToInstance(EVENT_DATA_CLASSES[envelope.type], data), VALIDATION_OPTIONS), 'data');
  if (dataErrors.length > 0) return { ok: false, errors: dataErrors };
  if (utf8.encode(JSON.stringify(data)).length > MAX_EVENT_DATA_BYTES) {
    return invalid('data', `must be at most ${MAX_EVENT_DATA_BYTES} bytes of JSON`);
  }

  const event = { type: envelope.type, subject: envelope.subject, data } as NewEvent;
  if (envelope.id !== undefined) event.id = envelope.id.toLowerCase();
  if (envelope.occurredAt !== undefined) event.occurredAt = envelope.occurredAt;
  return { ok: true, value: event };
}

// Every value validated here is an instance of a DTO class, so unknown-value checks add nothing.
// One reason per field is enough to fix it: a missing string is "must be a string", not also "too short".
const VALIDATION_OPTIONS = { whitelist: true, forbidNonWhitelisted: true, forbidUnknownValues: false, stopAtFirstError: true };

function describe(errors: ValidationError[], parent = ''): FieldError[] {
  return errors.flatMap((error) => {
    const field = parent ? `${parent}.${error.property}` : error.property;
    const own = Object.entries(error.constraints ?? {}).map(([constraint, message]) => ({
      field,
      reason: constraint === 'whitelistValidation' ? 'is not a known field' : stripPropertyName(message, error.property),
    }));
    return [...own, ...describe(error.children ?? [], field)];
  });
}

function stripPropertyName(message: string, property: string): string {
  return message.startsWith(`${property} `) ? message.slice(property.length + 1) : message;
}

/**
 * Keys that could reach an object's prototype, nesting that only serves to exhaust the stack,
 * integers past 2^53 (JSON parsers that read numbers as doubles, JavaScript here, Go in Hydra,
 * would silently change them, so they must come as strings), and text Postgres cannot store.
 */
function findUnsafeValue(value: unknown, path: string, depth = 0): FieldError | undefined {
  if (depth > MAX_NESTING_DEPTH) return { field: path, reason: `is nested deeper than ${MAX_NESTING_DEPTH} levels` };
  if (typeof value === 'string' && UNSTORABLE_TEXT.test(value)) return { field: path, reason: UNSTORABLE_TEXT_REASON };
  if (typeof value === 'number' && Number.isInteger(value) && !Number.isSafeInteger(value)) {
    return { field: path, reason: 'is an integer too large to keep exactly as a JSON number: send it as a string' };
  }
  if (Array.isArray(value)) {
    for (const [index, item] of value.entries()) {
      const found = findUnsafeValue(item, `${path}[${index}]`, depth + 1);
      if (found) return found;
    }
  } else if (isJsonObject(value)) {
    for (const [key, item] of Object.entries(value)) {
      const field = path ? `${path}.${key}` : key;
      if (UNSAFE_KEYS.has(key)) return { field, reason: 'is not an allowed key' };
      if (UNSTORABLE_TEXT.test(key)) return { field, reason: UNSTORABLE_TEXT_REASON };
      const found = findUnsafeValue(item, field, depth + 1);
      if (found) return found;
    }
  }
  return undefined;
}

function invalid(field: string, reason: string): Parsed<never> {
  return { ok: false, errors: [{ field, reason }] };
}

function batchError(field: string, reason: string): BatchValidation {
  return { ok: false, errors: [{ field, reason }] };
}
