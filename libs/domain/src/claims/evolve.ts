import type { RecordedEvent } from '../events/event-types.js';
import type { JsonObject } from '../json.js';
import { isDeleted, normalizeLookupName, type ClaimsDocument, type SubjectState } from './claims-document.js';

export function newDocument(subject: string): ClaimsDocument {
  return { subject, version: 0, status: 'active', aliases: [], names: {}, claims: {}, revokedClaims: [], profile: {} };
}

/**
 * Folds one event into a subject's state. Total: an event is a fact, so a type this code does not
 * know only advances the version. An erased subject stays erased until it is registered again.
 */
export function evolve(state: SubjectState | null, event: RecordedEvent): SubjectState {
  const { subject, version } = event;
  if (event.type === 'identity.deleted') return { subject, version, status: 'deleted' };
  if (event.type === 'identity.registered') {
    const current = state === null || isDeleted(state) ? newDocument(subject) : state;
    return register({ ...current, version }, event.data, event.position);
  }
  if (state !== null && isDeleted(state)) return { ...state, version };

  // One copy of the document per event: a rebuild folds every event of the log.
  const doc = state ?? newDocument(subject);
  switch (event.type) {
    case 'identity.profile_updated':
      return { ...doc, version, profile: mergeAttributes(doc.profile, event.data.profile) };
    case 'identity.deactivated':
      return { ...doc, version, status: 'deactivated' };
    case 'identity.reactivated':
      return { ...doc, version, status: 'active' };
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
      const unknownType: never = event;
      void unknownType;
      return { ...doc, version };
    }
  }
}

function register(
  doc: ClaimsDocument,
  data: { login: string; email?: string; aliases?: string[] },
  position: string,
): ClaimsDocument {
  const names: Record<string, string> = {};
  for (const name of [data.login, data.email, ...(data.aliases ?? [])]) {
    const key = name === undefined ? '' : normalizeLookupName(name);
    // A name the subject already holds keeps its original claim, so re-registering does not take
    // a name over from a subject that claimed it in between.
    if (key) names[key] = doc.names[key] ?? position;
  }
  const registered: ClaimsDocument = { ...withoutKey(doc, 'email'), login: data.login, aliases: data.aliases ?? [], names };
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
