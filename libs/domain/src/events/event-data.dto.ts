import {
  ArrayMaxSize,
  ArrayNotEmpty,
  IsArray,
  IsEmail,
  IsIn,
  IsNotEmptyObject,
  IsObject,
  IsOptional,
  IsRFC3339,
  IsString,
  IsUUID,
  Length,
  Matches,
  MaxLength,
  ValidateBy,
  type ValidationOptions,
} from 'class-validator';
import { EVENT_TYPES, type EventType } from './event-types.js';

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

function HasAllowedClaimNames(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'hasAllowedClaimNames',
      validator: {
        validate: (value: unknown) =>
          typeof value === 'object' &&
          value !== null &&
          Object.keys(value).every((name) => name.length > 0 && name.length <= 256 && !JWT_REGISTERED_CLAIMS.has(name)),
        defaultMessage: () =>
          `claim names must be 1 to 256 characters and not a registered JWT claim (${[...JWT_REGISTERED_CLAIMS].join(', ')})`,
      },
    },
    options,
  );
}

/*
 * Validation stops at the first failed check of a field, and class-validator runs the decorator
 * nearest the property first: the type check sits there, so a wrong type is reported as such.
 */
export class EventEnvelopeDto {
  @IsOptional()
  @IsUUID('all', { message: 'must be a UUID' })
  id?: string;

  @IsIn(EVENT_TYPES, { message: `must be one of ${EVENT_TYPES.join(', ')}` })
  type!: EventType;

  @Matches(NO_CONTROL_CHARACTERS, { message: 'must not contain control characters' })
  @Length(1, MAX_SUBJECT_LENGTH)
  @IsString()
  subject!: string;

  @IsOptional()
  @IsObject()
  data?: object;

  @IsOptional()
  @IsRFC3339({ message: 'must be an RFC 3339 date-time' })
  occurredAt?: string;
}

export class IdentityRegisteredData {
  @Matches(NO_CONTROL_CHARACTERS, { message: 'must not contain control characters' })
  @Length(1, MAX_NAME_LENGTH)
  @IsString()
  login!: string;

  @IsOptional()
  @MaxLength(MAX_NAME_LENGTH)
  @IsEmail()
  email?: string;

  @IsOptional()
  @Matches(NO_CONTROL_CHARACTERS, { each: true, message: 'must not contain control characters' })
  @Length(1, MAX_NAME_LENGTH, { each: true })
  @IsString({ each: true })
  @ArrayMaxSize(50)
  @IsArray()
  aliases?: string[];
}

export class ProfileUpdatedData {
  @IsNotEmptyObject()
  @IsObject()
  profile!: object;
}

export class StatusChangeData {
  @IsOptional()
  @MaxLength(500)
  @IsString()
  reason?: string;
}

export class NoData {}

export class PatientData {
  @Matches(NO_CONTROL_CHARACTERS, { message: 'must not contain control characters' })
  @Length(1, 128)
  @IsString()
  patientId!: string;
}

export class ClaimsGrantedData {
  @HasAllowedClaimNames()
  @IsNotEmptyObject()
  @IsObject()
  claims!: object;
}

export class ClaimsRevokedData {
  @IsString({ each: true })
  @ArrayNotEmpty()
  @IsArray()
  names!: string[];
}

export const EVENT_DATA_CLASSES: Record<EventType, new () => object> = {
  'identity.registered': IdentityRegisteredData,
  'identity.profile_updated': ProfileUpdatedData,
  'identity.deactivated': StatusChangeData,
  'identity.reactivated': StatusChangeData,
  'identity.deleted': NoData,
  'patient.linked': PatientData,
  'patient.unlinked': PatientData,
  'claims.granted': ClaimsGrantedData,
  'claims.revoked': ClaimsRevokedData,
};
