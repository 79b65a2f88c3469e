import { EVENT_TYPES, type EventType } from './event-types.js';
import {
  each,
  hasAtMostItems,
  hasLength,
  hasMaxLength,
  isArray,
  isEmailAddress,
  isNonEmptyArray,
  isNonEmptyObject,
  isObject,
  isOneOf,
  isRfc3339DateTime,
  isString,
  isUuid,
  matchesPattern,
  satisfies,
  type FieldRules,
} from './field-checks.js';

/** The JWT registered claim names (RFC 7519 §4.1): no provider lets a hook set them. */
export const JWT_REGISTERED_CLAIMS: ReadonlySet<string> = new Set(['iss', 'sub', 'aud', 'exp', 'nbf', 'iat', 'jti']);

/** Subject ids, names and patient ids may not hold control characters. */
export const NO_CONTROL_CHARACTERS = /^[^\u0000-\u001f\u007f]*$/;
/**
 * Text Postgres cannot store: NUL (in neither text nor jsonb) and unpaired surrogates (not UTF-8).
 * JSON.parse makes both from `\u` escapes, so an event holding either is refused before its append.
 */
export const UNSTORABLE_TEXT = /\u0000|\p{Cs}/u;
export const UNSTORABLE_TEXT_REASON = 'must not contain NUL or an unpaired surrogate (Postgres cannot store them)';
export const MAX_SUBJECT_LENGTH = 255;
/** The longest login, email or alias. */
export const MAX_NAME_LENGTH = 320;

const CONTROL_CHARACTERS_REASON = 'must not contain control characters';
const hasNoControlCharacters = matchesPattern(NO_CONTROL_CHARACTERS, CONTROL_CHARACTERS_REASON);

const hasAllowedClaimNames = satisfies(
  (claims) => Object.keys(claims as object).every((name) => name.length > 0 && name.length <= 256 && !JWT_REGISTERED_CLAIMS.has(name)),
  `claim names must be 1 to 256 characters and not a registered JWT claim (${[...JWT_REGISTERED_CLAIMS].join(', ')})`,
);

/*
 * The events producers send, field by field: the only statement of these rules (`validateEvent`
 * applies them). A field's checks run in order and the first that fails is its one reason, so the
 * type check comes first: a wrong type is reported as such, and a missing string is "must be a
 * string", not also "too short".
 */

export const EVENT_ENVELOPE_FIELDS: FieldRules = {
  id: { optional: true, checks: [isUuid('must be a UUID')] },
  type: { checks: [isOneOf(EVENT_TYPES, `must be one of ${EVENT_TYPES.join(', ')}`)] },
  subject: { checks: [isString, hasLength(1, MAX_SUBJECT_LENGTH), hasNoControlCharacters] },
  data: { optional: true, checks: [isObject] },
  occurredAt: { optional: true, checks: [isRfc3339DateTime('must be an RFC 3339 date-time')] },
};

const IDENTITY_REGISTERED: FieldRules = {
  login: { checks: [isString, hasLength(1, MAX_NAME_LENGTH), hasNoControlCharacters] },
  email: { optional: true, checks: [isEmailAddress, hasMaxLength(MAX_NAME_LENGTH)] },
  aliases: {
    optional: true,
    checks: [isArray, hasAtMostItems(50), each(isString), each(hasLength(1, MAX_NAME_LENGTH)), each(hasNoControlCharacters, CONTROL_CHARACTERS_REASON)],
  },
};

const PROFILE_UPDATED: FieldRules = {
  profile: { checks: [isObject, isNonEmptyObject] },
};

const STATUS_CHANGE: FieldRules = {
  reason: { optional: true, checks: [isString, hasMaxLength(500)] },
};

const PATIENT: FieldRules = {
  patientId: { checks: [isString, hasLength(1, 128), hasNoControlCharacters] },
};

const CLAIMS_GRANTED: FieldRules = {
  claims: { checks: [isObject, isNonEmptyObject, hasAllowedClaimNames] },
};

const CLAIMS_REVOKED: FieldRules = {
  names: { checks: [isArray, isNonEmptyArray, each(isString)] },
};

/** The fields of each type's `data` (a missing `data` is checked as `{}`). */
export const EVENT_DATA_FIELDS: Record<EventType, FieldRules> = {
  'identity.registered': IDENTITY_REGISTERED,
  'identity.profile_updated': PROFILE_UPDATED,
  'identity.deactivated': STATUS_CHANGE,
  'identity.reactivated': STATUS_CHANGE,
  'identity.deleted': {},
  'patient.linked': PATIENT,
  'patient.unlinked': PATIENT,
  'claims.granted': CLAIMS_GRANTED,
  'claims.revoked': CLAIMS_REVOKED,
};
