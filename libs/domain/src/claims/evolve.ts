import type { ReceivedEvent, RecordedEvent } from '../events/event-types.js';
import type { JsonObject } from '../json.js';
import { isDeleted, normalizeLookupName, type ClaimsDocument, type DeletedSubject, type SubjectState } from './claims-document.js';

export function newDocument(subject: string): ClaimsDocument {
  return { subject, version: 0, status: 'active', aliases: [], names: {}, claims: {}, revokedClaims: [], profile: {} };
}

/**
 * Folds one event into a subject's state. Total: an event is a fact, so a type this code does not
 * know (a provider's event kept as received) only advances the version. An erased subject stays
 * erased until it is registered again.
 *
 * A stale event never undoes a newer one, since some producers (Okta) deliver out of order: a status
 * change that happened before the last one applied, a registration that happened before the last
 * one applied, and a registration that happened before the erasure of an erased subject, only
 * advance the version. Times are compared only when both events
 * carry one (`occurredAt` is optional); otherwise the log's order decides.
 */
export function evolve(state: SubjectState | null, event: RecordedEvent): SubjectState {
  const { subject, version } = event;
  if (event.type === 'identity.deleted') return erase(state, subject, version, event.occurredAt);
  if (event.type === 'identity.registered') {
    if (state !== null && isDeleted(state)) {
      if (happenedBefore(event.occurredAt, state.deletedAt)) return { ...state, version };
      return register(reborn(state, version), event.data, event.position, event.occurredAt);
    }
    const doc = state ?? newDocument(subject);
    // A late registration (Okta's create delivered after a producer's newer one) keeps the newer names.
    if (happenedBefore(event.occurredAt, doc.registeredAt)) return { ...doc, version };
    return register({ ...doc, version }, event.data, event.position, event.occurredAt);
  }
  if (state !== null && isDeleted(state)) return { ...state, version };

  // One copy of the document per event: a rebuild folds every event of the log.
  const doc = state ?? newDocument(subject);
  switch (event.type) {
    case 'identity.profile_updated':
      return { ...doc, version, profile: mergeAttributes(doc.profile, event.data.profile) };
    case 'identity.deactivated':
      return changeStatus(doc, version, 'deactivated', event.occurredAt);
    case 'identity.reactivated':
      return changeStatus(doc, version, 'active', event.occurredAt);
    case 'patient.linked':
      return { ...doc, version, patientId: event.data.patientId };
    case 'patient.unlinked':
      // Unlinking a patient id the subject no longer has must not drop the one it has now.
      return doc.patientId === event.data.patientId ? { ...withoutKey(doc, 'patientId'), version } : { ...doc, version };
    case 'claims.granted': {
      const granted = new Set(Object.keys(event.data.claims));
      return { ...doc, version, claims: { ...doc.claims, ...event.data.claims }, revokedClaims: doc.revokedClaims.filter((name) => !granted.has(name)) };
    }
    case 'claims.revoked': {
      const revoked = event.data.names.filter((name) => Object.hasOwn(doc.claims, name) && !doc.revokedClaims.includes(name));
      return { ...doc, version, claims: withoutKeys(doc.claims, event.data.names), revokedClaims: [...doc.revokedClaims, ...revoked] };
    }
    default: {
      // Only events kept as received are left (at run time, also types of a later version of this code).
      const received: ReceivedEvent = event;
      void received;
      return { ...doc, version };
    }
  }
}

/** A second erasure keeps the later of the two times, so a stale one cannot let an older registration back. */
function erase(state: SubjectState | null, subject: string, version: number, occurredAt: string | undefined): DeletedSubject {
  const deletedAt = later(state !== null && isDeleted(state) ? state.deletedAt : undefined, occurredAt);
  return deletedAt === undefined ? { subject, version, status: 'deleted' } : { subject, version, status: 'deleted', deletedAt };
}

/** A new document for a subject registered again: status changes from before its erasure stay stale. */
function reborn(tombstone: DeletedSubject, version: number): ClaimsDocument {
  const doc = { ...newDocument(tombstone.subject), version };
  return tombstone.deletedAt === undefined ? doc : { ...doc, statusChangedAt: tombstone.deletedAt };
}

function changeStatus(doc: ClaimsDocument, version: number, status: ClaimsDocument['status'], occurredAt: string | undefined): ClaimsDocument {
  if (happenedBefore(occurredAt, doc.statusChangedAt)) return { ...doc, version };
  // A change that does not say when it happened keeps the last known time: what happened before it is still stale.
  return occurredAt === undefined ? { ...doc, version, status } : { ...doc, version, status, statusChangedAt: occurredAt };
}

/** Whether `time` is known to be earlier than `reference`; unknown when either is absent. */
function happenedBefore(time: string | undefined, reference: string | undefined): boolean {
  return time !== undefined && reference !== undefined && Date.parse(time) < Date.parse(reference);
}

function later(a: string | undefined, b: string | undefined): string | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return Date.parse(b) > Date.parse(a) ? b : a;
}

function register(
  doc: ClaimsDocument,
  data: { login: string; email?: string; aliases?: string[] },
  position: string,
  occurredAt: string | undefined,
): ClaimsDocument {
  const names: Record<string, string> = {};
  for (const name of [data.login, data.email, ...(data.aliases ?? [])]) {
    const key = name === undefined ? '' : normalizeLookupName(name);
    // A name the subject already holds keeps its original claim, so re-registering does not take
    // a name over from a subject that claimed it in between.
    if (key) names[key] = doc.names[key] ?? position;
  }
  const registered: ClaimsDocument = { ...withoutKey(doc, 'email'), login: data.login, aliases: data.aliases ?? [], names };
  // Like a status change, a registration that does not say when keeps the last known time.
  if (occurredAt !== undefined) registered.registeredAt = occurredAt;
  return data.email === undefined ? registered : { ...registered, email: data.email };
}

/** Shallow merge where `null` removes an attribute. */
function mergeAttributes(current: JsonObject, update: JsonObject): JsonObject {
  const merged: JsonObject = { ...current };
  for (const [name, value] of Object.entries(update)) {
    if (value === null) delete merged[name];
    else merged[name] = value;
  }
  return merged;
}

function withoutKey<T extends object, K extends keyof T>(value: T, key: K): Omit<T, K> {
  const { [key]: _removed, ...rest } = value;
  return rest;
}

function withoutKeys(value: JsonObject, keys: readonly string[]): JsonObject {
  const result: JsonObject = { ...value };
  for (const key of keys) delete result[key];
  return result;
}
