import type { FieldError, Parsed } from '../errors.js';
import { isJsonObject, type JsonObject } from '../json.js';
import { EVENT_DATA_FIELDS, EVENT_ENVELOPE_FIELDS, UNSTORABLE_TEXT, UNSTORABLE_TEXT_REASON } from './event-rules.js';
import type { EventType, NewEvent } from './event-types.js';
import { checkFields } from './field-checks.js';

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
  const size: JsonSizeBound = { bytesAtMost: 0 };
  const unsafe = findUnsafeValue(item, [], size);
  if (unsafe) return invalid(unsafe.field, unsafe.reason);

  const envelopeErrors = checkFields(item, EVENT_ENVELOPE_FIELDS);
  const type = item['type'] as EventType;
  const data = (item['data'] ?? {}) as JsonObject;
  // The data's rules are the type's, so they are checked whenever type and data are sound: one
  // answer names every bad field, a bad subject and a missing patient id alike.
  const dataCheckable = !envelopeErrors.some((error) => error.field === 'type' || error.field === 'data');
  const errors = dataCheckable ? [...envelopeErrors, ...checkFields(data, EVENT_DATA_FIELDS[type], 'data')] : envelopeErrors;
  if (errors.length > 0) return { ok: false, errors };
  // The bound covers the whole event, data included: only an event near the limit has its data
  // serialized to be measured.
  if (size.bytesAtMost > MAX_EVENT_DATA_BYTES && jsonBytesExceed(data, MAX_EVENT_DATA_BYTES)) {
    return invalid('data', `must be at most ${MAX_EVENT_DATA_BYTES} bytes of JSON`);
  }

  const event = { type, subject: item['subject'], data } as NewEvent;
  const { id, occurredAt } = item as { id?: string | null; occurredAt?: string | null };
  if (id != null) event.id = id.toLowerCase();
  if (occurredAt != null) event.occurredAt = occurredAt;
  return { ok: true, value: event };
}

/** Whether `value` takes more than `limit` bytes as UTF-8 JSON. */
function jsonBytesExceed(value: JsonObject, limit: number): boolean {
  const json = JSON.stringify(value);
  // A UTF-16 code unit is at most 3 bytes of UTF-8: only long JSON needs encoding to be measured.
  return json.length * 3 > limit && utf8.encode(json).length > limit;
}

/**
 * At least as many bytes as a value takes as UTF-8 JSON, added up by the walk that looks for unsafe
 * values, so that the size limit needs no serialization of ordinary events.
 */
interface JsonSizeBound {
  bytesAtMost: number;
}

/** A UTF-16 code unit takes at most 6 bytes of JSON (`\u001f`; unescaped, at most 3 bytes of UTF-8). */
const JSON_BYTES_PER_CODE_UNIT = 6;
/** The longest JSON number, such as `-1.7976931348623157e+308`; `true`, `false` and `null` are shorter. */
const JSON_NUMBER_BYTES = 24;

/**
 * Keys that could reach an object's prototype, nesting that only serves to exhaust the stack,
 * integers past 2^53 (JSON parsers that read numbers as doubles, JavaScript here, Go in Hydra,
 * would silently change them, so they must come as strings), and text Postgres cannot store.
 */
function findUnsafeValue(value: unknown, path: Array<string | number>, size: JsonSizeBound): FieldError | undefined {
  if (path.length > MAX_NESTING_DEPTH) return { field: fieldOf(path), reason: `is nested deeper than ${MAX_NESTING_DEPTH} levels` };
  if (typeof value === 'string') {
    if (UNSTORABLE_TEXT.test(value)) return { field: fieldOf(path), reason: UNSTORABLE_TEXT_REASON };
    size.bytesAtMost += 2 + JSON_BYTES_PER_CODE_UNIT * value.length;
  } else if (Array.isArray(value)) {
    size.bytesAtMost += 2 + value.length;
    for (let index = 0; index < value.length; index++) {
      const found = findUnsafeValueAt(value[index], path, index, size);
      if (found) return found;
    }
  } else if (isJsonObject(value)) {
    size.bytesAtMost += 2;
    for (const key of Object.keys(value)) {
      if (UNSAFE_KEYS.has(key)) return { field: fieldOf([...path, key]), reason: 'is not an allowed key' };
      if (UNSTORABLE_TEXT.test(key)) return { field: fieldOf([...path, key]), reason: UNSTORABLE_TEXT_REASON };
      size.bytesAtMost += 4 + JSON_BYTES_PER_CODE_UNIT * key.length;
      const found = findUnsafeValueAt(value[key], path, key, size);
      if (found) return found;
    }
  } else {
    // JSON.parse reads 1e400 as Infinity, which JSON.stringify would store as null.
    if (typeof value === 'number' && !Number.isFinite(value)) return { field: fieldOf(path), reason: 'is a number too large for a JSON number' };
    if (typeof value === 'number' && Number.isInteger(value) && !Number.isSafeInteger(value)) {
      return { field: fieldOf(path), reason: 'is an integer too large to keep exactly as a JSON number: send it as a string' };
    }
    size.bytesAtMost += JSON_NUMBER_BYTES;
  }
  return undefined;
}

// The path is one array, extended and restored on the way down: a field name is only spelled out
// for the value found, not for every value of every event.
function findUnsafeValueAt(value: unknown, path: Array<string | number>, step: string | number, size: JsonSizeBound): FieldError | undefined {
  path.push(step);
  const found = findUnsafeValue(value, path, size);
  path.pop();
  return found;
}

/** `data.claims.roles[0]` */
function fieldOf(path: ReadonlyArray<string | number>): string {
  return path.reduce<string>((field, step) => (typeof step === 'number' ? `${field}[${step}]` : field ? `${field}.${step}` : step), '');
}

function invalid(field: string, reason: string): Parsed<never> {
  return { ok: false, errors: [{ field, reason }] };
}

function batchError(field: string, reason: string): BatchValidation {
  return { ok: false, errors: [{ field, reason }] };
}
