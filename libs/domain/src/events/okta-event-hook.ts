import { isUUID } from 'class-validator';
import { isStorableDateTime } from './date-time.js';
import type { FieldError, Parsed } from '../errors.js';
import { isJsonObject, type JsonObject, type JsonValue } from '../json.js';
import { RequestFields } from '../providers/request-fields.js';
import { MAX_NAME_LENGTH, MAX_SUBJECT_LENGTH, NO_CONTROL_CHARACTERS, UNSTORABLE_TEXT, UNSTORABLE_TEXT_REASON } from './event-rules.js';
import type { EventType, NewEvent, ReceivedEventType } from './event-types.js';

/**
 * What Okta's user lifecycle events mean to the projection. A suspended user is refused tokens like
 * a deactivated one. Every other Okta event type is kept as received (`okta.<eventType>`).
 */
export const OKTA_LIFECYCLE_EVENTS = {
  'user.lifecycle.create': 'identity.registered',
  'user.lifecycle.activate': 'identity.reactivated',
  'user.lifecycle.reactivate': 'identity.reactivated',
  'user.lifecycle.unsuspend': 'identity.reactivated',
  'user.lifecycle.deactivate': 'identity.deactivated',
  'user.lifecycle.suspend': 'identity.deactivated',
  'user.lifecycle.delete.initiated': 'identity.deleted',
} as const satisfies Record<string, EventType>;
type OktaLifecycleEvent = keyof typeof OKTA_LIFECYCLE_EVENTS;

/** An Okta event hook delivery, as the events to append. */
export interface OktaEventDelivery {
  /** One event per Okta event about a user, in the order they happened (`published`). */
  events: NewEvent[];
  /** Events about no user (no `User` target), which are not stored. */
  skipped: number;
  /**
   * What is wrong with each event that cannot be read (no uuid, a lifecycle event without its
   * user…): such an event is not stored, and the others of the delivery still are.
   */
  refused: FieldError[];
}

const MAX_EVENT_TYPE_LENGTH = 200;

/**
 * Reads an Okta event hook delivery (`data.events[]`, each a System Log LogEvent) into events of
 * the log. Each event's `uuid` becomes its id, so a redelivery is stored once, and `published` its
 * `occurredAt`, so a late delivery cannot undo a newer change. The subject is the event's first
 * `User` target. Lifecycle events that succeeded become contract events; other events about a user
 * are kept as received, with ids only (no names, addresses, user agents or debug data: the log is
 * append-only, so what it stores stays). An event that lacks what it needs is left out, with its bad
 * fields named, and the rest of the delivery is still read: Okta never redelivers a refused delivery,
 * so refusing it whole would lose the good events with it (a deactivation, say). Only a body that is
 * not a delivery at all is refused. The envelope's other members are not read.
 */
export function parseOktaEventDelivery(body: unknown): Parsed<OktaEventDelivery> {
  if (!isJsonObject(body)) return refused('', 'the body must be a JSON object');
  if (!isJsonObject(body['data'])) return refused('data', 'must be an object');
  const items = body['data']['events'];
  if (!Array.isArray(items)) return refused('data.events', 'must be an array of System Log events');

  const fields = new RequestFields();
  const events: NewEvent[] = [];
  let skipped = 0;
  items.forEach((item: JsonValue, index) => {
    const path = `data.events[${index}]`;
    const event = parseLogEvent(item, path, fields);
    if (event === 'no user') skipped++;
    else if (event !== undefined && holdsUnstorableText(event.data)) fields.errors.push({ field: path, reason: UNSTORABLE_TEXT_REASON });
    else if (event !== undefined) events.push(event);
  });
  // Okta batches in no particular order; appended by time, the log reads as it happened. (Stable: ties keep Okta's order.)
  events.sort((a, b) => Date.parse(a.occurredAt!) - Date.parse(b.occurredAt!));
  return { ok: true, value: { events, skipped, refused: fields.errors } };
}

function parseLogEvent(item: JsonValue, path: string, fields: RequestFields): NewEvent | 'no user' | undefined {
  if (!isJsonObject(item)) {
    fields.errors.push({ field: path, reason: 'must be an object' });
    return undefined;
  }
  const errorsBefore = fields.errors.length;
  const uuid = required(fields, item, 'uuid', path, (value) => isUUID(value, 'all') || 'must be a UUID');
  const published = required(fields, item, 'published', path, (value) => isStorableDateTime(value) || 'must be an RFC 3339 date-time');
  const eventType = required(fields, item, 'eventType', path, (value) => isPlainText(value, MAX_EVENT_TYPE_LENGTH) || `must be an Okta event type of at most ${MAX_EVENT_TYPE_LENGTH} characters`);
  const result = fields.string(fields.object(item, 'outcome', `${path}.outcome`), 'result', `${path}.outcome.result`);
  const actor = reference(fields, fields.object(item, 'actor', `${path}.actor`), `${path}.actor`);
  const targets = targetsOf(item, path, fields);
  if (fields.errors.length > errorsBefore || uuid === undefined || published === undefined || eventType === undefined) return undefined;

  // A lifecycle event that failed (or was denied) changed nothing; it is kept as received.
  const mapped = isLifecycleEvent(eventType) && (result === undefined || result === 'SUCCESS') ? OKTA_LIFECYCLE_EVENTS[eventType] : undefined;
  const userIndex = targets.findIndex((target) => target?.type === 'User');
  if (userIndex < 0) {
    if (mapped === undefined) return 'no user';
    fields.errors.push({ field: `${path}.target`, reason: `must hold the User the ${eventType} event is about` });
    return undefined;
  }
  const userPath = `${path}.target[${userIndex}]`;
  const user = targets[userIndex]!;
  const subject = checked(fields, user.id, `${userPath}.id`, (value) => isPlainText(value, MAX_SUBJECT_LENGTH) || `must be an Okta user id of at most ${MAX_SUBJECT_LENGTH} characters`);
  if (subject === undefined) return undefined;
  const envelope = { id: uuid.toLowerCase(), subject, occurredAt: published };

  switch (mapped) {
    case undefined: {
      const data: JsonObject = { targets: targets.flatMap((target) => (target ? [idAndType(target)] : [])) };
      if (result !== undefined) data['outcome'] = result;
      if (actor) data['actor'] = idAndType(actor);
      return { ...envelope, type: `okta.${eventType}` satisfies ReceivedEventType, data };
    }
    case 'identity.registered': {
      const login = checked(fields, user.alternateId, `${userPath}.alternateId`, (value) => isPlainText(value, MAX_NAME_LENGTH) || `must be a login of at most ${MAX_NAME_LENGTH} characters`);
      return login === undefined ? undefined : { ...envelope, type: mapped, data: { login } };
    }
    case 'identity.deleted':
      return { ...envelope, type: mapped, data: {} };
    default:
      return { ...envelope, type: mapped, data: { reason: eventType } };
  }
}

/** An actor or a target as read: its Okta id and type, and for a `User` target its login. */
interface Reference {
  id?: string;
  type?: string;
  alternateId?: string;
}

function reference(fields: RequestFields, value: JsonObject | undefined, path: string): Reference | undefined {
  if (value === undefined) return undefined;
  const read: Reference = {};
  const id = fields.string(value, 'id', `${path}.id`);
  const type = fields.string(value, 'type', `${path}.type`);
  if (id !== undefined) read.id = id;
  if (type !== undefined) read.type = type;
  return read;
}

/** What an event kept as received holds of an actor or a target: never its names. */
function idAndType(reference: Reference): JsonObject {
  const kept: JsonObject = {};
  if (reference.id !== undefined) kept['id'] = reference.id;
  if (reference.type !== undefined) kept['type'] = reference.type;
  return kept;
}

/** The `target` array; an element that is not an object is a field error (and `undefined` here). */
function targetsOf(item: JsonObject, path: string, fields: RequestFields): Array<Reference | undefined> {
  const value = item['target'];
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) {
    fields.errors.push({ field: `${path}.target`, reason: 'must be an array' });
    return [];
  }
  return value.map((element, index) => {
    const targetPath = `${path}.target[${index}]`;
    if (!isJsonObject(element)) {
      fields.errors.push({ field: targetPath, reason: 'must be an object' });
      return undefined;
    }
    const target: Reference = { ...reference(fields, element, targetPath) };
    if (target.type === 'User') {
      const alternateId = fields.string(element, 'alternateId', `${targetPath}.alternateId`);
      if (alternateId !== undefined) return { ...target, alternateId };
    }
    return target;
  });
}

/** A member every LogEvent has: absent or empty is an error, as is a value `check` refuses. */
function required(fields: RequestFields, parent: JsonObject, key: string, path: string, check: (value: string) => true | string): string | undefined {
  const raw = parent[key];
  const wrongType = raw !== undefined && raw !== null && typeof raw !== 'string';
  // A value of the wrong type is reported by `RequestFields`.
  return checked(fields, fields.string(parent, key, `${path}.${key}`), `${path}.${key}`, check, !wrongType);
}

function checked(fields: RequestFields, value: string | undefined, path: string, check: (value: string) => true | string, reportAbsent = true): string | undefined {
  if (value === undefined) {
    if (reportAbsent) fields.errors.push({ field: path, reason: 'is required' });
    return undefined;
  }
  const verdict = check(value);
  if (verdict === true) return value;
  fields.errors.push({ field: path, reason: verdict });
  return undefined;
}

function isPlainText(value: string, maxLength: number): boolean {
  return value.length <= maxLength && NO_CONTROL_CHARACTERS.test(value) && !UNSTORABLE_TEXT.test(value);
}

/** Whether the ids, types and outcome an event keeps hold text Postgres cannot store. */
function holdsUnstorableText(value: JsonValue): boolean {
  if (typeof value === 'string') return UNSTORABLE_TEXT.test(value);
  if (Array.isArray(value)) return value.some(holdsUnstorableText);
  return isJsonObject(value) && Object.values(value).some(holdsUnstorableText);
}

function isLifecycleEvent(eventType: string): eventType is OktaLifecycleEvent {
  return Object.hasOwn(OKTA_LIFECYCLE_EVENTS, eventType);
}

function refused(field: string, reason: string): Parsed<never> {
  const errors: FieldError[] = [{ field, reason }];
  return { ok: false, errors };
}
