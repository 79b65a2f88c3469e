import type { JsonObject } from '../json.js';

/**
 * What the projection knows of one subject: the document every hook answer is made from.
 * It is also the fold state, so it carries what the next event needs (versions, name claims).
 */
export interface ClaimsDocument {
  subject: string;
  /** Version of the last event folded in. */
  version: number;
  status: 'active' | 'deactivated';
  login?: string;
  email?: string;
  aliases: string[];
  /**
   * Every normalized lookup name of the subject (login, email, aliases) with the log position of
   * the event that gave it that name; when two subjects claim one name, the later claim owns it.
   */
  names: Record<string, string>;
  patientId?: string;
  /** Claims granted by `claims.granted`, by claim name. */
  claims: JsonObject;
  /**
   * Names of claims granted once and revoked since. A provider that carries claims over from the
   * last token (Hydra) still holds them, and only these names tell which of its claims were ours.
   */
  revokedClaims: string[];
  /** Profile attributes from `identity.profile_updated`. */
  profile: JsonObject;
  /**
   * When the status last changed (the `occurredAt` of the last status change applied, or of the
   * erasure a subject registered again came back from). A status change that happened before it
   * is stale and ignored. Absent until an event says when it happened.
   */
  statusChangedAt?: string;
  /** When the registration that set the login, email and aliases happened; an older one is stale. */
  registeredAt?: string;
}

/**
 * An erased subject: nothing of it is kept but the version its erasure happened at and, when the
 * erasure's event said, when it happened: a registration from before that does not bring it back.
 */
export interface DeletedSubject {
  subject: string;
  version: number;
  status: 'deleted';
  deletedAt?: string;
}

export type SubjectState = ClaimsDocument | DeletedSubject;

export function isDeleted(state: SubjectState): state is DeletedSubject {
  return state.status === 'deleted';
}

/**
 * The key under which a login, email or alias is looked up: Unicode-normalized, trimmed and
 * case-folded, since identity providers compare these without regard to case.
 */
export function normalizeLookupName(name: string): string {
  return name.normalize('NFC').trim().toLowerCase();
}
