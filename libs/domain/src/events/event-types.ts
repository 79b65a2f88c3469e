import type { JsonObject } from '../json.js';

/** The event types every deployment understands, named as the public contract fixes them. */
export const EventType = {
  IdentityRegistered: 'identity.registered',
  IdentityProfileUpdated: 'identity.profile_updated',
  IdentityDeactivated: 'identity.deactivated',
  IdentityReactivated: 'identity.reactivated',
  IdentityDeleted: 'identity.deleted',
  PatientLinked: 'patient.linked',
  PatientUnlinked: 'patient.unlinked',
  ClaimsGranted: 'claims.granted',
  ClaimsRevoked: 'claims.revoked',
} as const;
export type EventType = (typeof EventType)[keyof typeof EventType];
export const EVENT_TYPES: readonly EventType[] = Object.values(EventType);

export interface EventDataByType {
  'identity.registered': { login: string; email?: string; aliases?: string[] };
  'identity.profile_updated': { profile: JsonObject };
  'identity.deactivated': { reason?: string };
  'identity.reactivated': { reason?: string };
  'identity.deleted': Record<string, never>;
  'patient.linked': { patientId: string };
  'patient.unlinked': { patientId: string };
  'claims.granted': { claims: JsonObject };
  'claims.revoked': { names: string[] };
}

/** The typed body of an event: its type and the data that type carries. */
export type ClaimsEvent = { [T in EventType]: { type: T; data: EventDataByType[T] } }[EventType];

/**
 * An identity provider's event the log keeps as it was received (less what it need not keep), under
 * the provider's name: `okta.user.session.start`. No contract type starts with a provider's name, so
 * the two never collide, and `POST /events` refuses these types. The projection ignores them.
 */
export type ReceivedEventType = `okta.${string}`;
export interface ReceivedEvent {
  type: ReceivedEventType;
  data: JsonObject;
}

/**
 * The body of any event the log holds. (A log may also hold types that a later version of this code
 * writes; read back, they are treated like received events: the fold only advances the version.)
 */
export type LoggedEvent = ClaimsEvent | ReceivedEvent;

/** An event as a producer submits it, after validation, or as a provider's adapter maps it. */
export type NewEvent = LoggedEvent & {
  /** Idempotency key: the same id appended twice is stored once. */
  id?: string;
  subject: string;
  occurredAt?: string;
};

/** An event as the log holds it. */
export type RecordedEvent = LoggedEvent & {
  id: string;
  subject: string;
  /** 1, 2, 3… within the subject's stream, without gaps. */
  version: number;
  /** Global position in the log (a bigint, kept as a decimal string). */
  position: string;
  occurredAt?: string;
};
