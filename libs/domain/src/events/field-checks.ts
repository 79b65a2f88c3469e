import { isEmail, isObject as isObjectValue, isUUID, length, maxLength } from 'class-validator';
import { isStorableDateTime } from './date-time.js';
import type { FieldError } from '../errors.js';
import type { JsonObject } from '../json.js';

/*
 * The checks event fields are held to. They behave as class-validator does with `whitelist`,
 * `forbidNonWhitelisted` and `stopAtFirstError`, and word their reasons as it does (producers see
 * them), without its per-object work: copying each event with class-transformer and looking its
 * decorators up cost about 16 ms of CPU per 1,000 events. The predicates are class-validator's own.
 */

/** One check of a field's value; `reason` says what is wrong when it fails. */
export interface FieldCheck {
  passes(value: unknown): boolean;
  reason(value: unknown, field: string): string;
}

/** How one field is checked: the checks in order, the first that fails being the field's only error. */
export interface FieldRule {
  /** An absent or `null` value passes without any check. */
  optional?: boolean;
  checks: readonly FieldCheck[];
}

/** The fields an object may hold; any other is refused as unknown. */
export type FieldRules = Readonly<Record<string, FieldRule>>;

const UNKNOWN_FIELD = 'is not a known field';

/**
 * Every error of `object` under `rules`: each unknown field (in the object's order), then the first
 * failed check of each known field (in the rules' order). Fields are named from `parent`.
 */
export function checkFields(object: JsonObject, rules: FieldRules, parent = ''): FieldError[] {
  const errors: FieldError[] = [];
  for (const field of Object.keys(object)) {
    if (!Object.hasOwn(rules, field)) errors.push({ field: fieldPath(parent, field), reason: UNKNOWN_FIELD });
  }
  for (const field in rules) {
    const rule = rules[field]!;
    const value = Object.hasOwn(object, field) ? object[field] : undefined;
    if (rule.optional && (value === undefined || value === null)) continue;
    for (const check of rule.checks) {
      if (check.passes(value)) continue;
      errors.push({ field: fieldPath(parent, field), reason: check.reason(value, field) });
      break;
    }
  }
  return errors;
}

function fieldPath(parent: string, field: string): string {
  return parent ? `${parent}.${field}` : field;
}

function check(passes: (value: unknown) => boolean, reason: string | ((value: unknown, field: string) => string)): FieldCheck {
  return { passes, reason: typeof reason === 'string' ? () => reason : reason };
}

export const isString = check((value) => typeof value === 'string' || value instanceof String, 'must be a string');

export const isObject = check((value) => isObjectValue(value), 'must be an object');

export const isNonEmptyObject = check((value) => isObjectValue(value) && Object.keys(value).length > 0, 'must be a non-empty object');

export const isArray = check(Array.isArray, 'must be an array');

export const isNonEmptyArray = check((value) => Array.isArray(value) && value.length > 0, 'should not be empty');

export const isEmailAddress = check((value) => isEmail(value), 'must be an email');

export function hasAtMostItems(max: number): FieldCheck {
  return check((value) => Array.isArray(value) && value.length <= max, `must contain no more than ${max} elements`);
}

/**
 * Between `min` and `max` characters, counted as class-validator counts them (a surrogate pair or an
 * emoji presentation sequence is one). The reason, as class-validator words it, compares the UTF-16
 * length, and for `each` the length of the list.
 */
export function hasLength(min: number, max: number): FieldCheck {
  return check(
    // class-validator counts one character less for each surrogate pair and for each character
    // followed by U+FE0E or U+FE0F, found by two regular expressions over the string. Together they
    // take away at most three quarters of its code units, so a string of 4 × min to max code units
    // is within bounds without them.
    (value) => (typeof value === 'string' && value.length >= 4 * min && value.length <= max) || length(value, min, max),
    (value) => {
      const measured = (value as string | unknown[]).length;
      if (measured < min) return `must be longer than or equal to ${min} characters`;
      if (measured > max) return `must be shorter than or equal to ${max} characters`;
      return `must be longer than or equal to ${min} and shorter than or equal to ${max} characters`;
    },
  );
}

export function hasMaxLength(max: number): FieldCheck {
  return check((value) => maxLength(value, max), `must be shorter than or equal to ${max} characters`);
}

export function matchesPattern(pattern: RegExp, reason: string): FieldCheck {
  // What class-validator's `matches` answers, without the match array it builds on every call;
  // `pattern` is not global, so `test` keeps no position from one value to the next.
  return check((value) => typeof value === 'string' && pattern.test(value), reason);
}

export function isUuid(reason: string): FieldCheck {
  return check((value) => isUUID(value, 'all'), reason);
}

export function isRfc3339DateTime(reason: string): FieldCheck {
  return check(isStorableDateTime, reason);
}

export function isOneOf(values: readonly unknown[], reason: string): FieldCheck {
  return check((value) => values.includes(value), reason);
}

export function satisfies(predicate: (value: unknown) => boolean, reason: string): FieldCheck {
  return check(predicate, reason);
}

/**
 * `inner` applied to every item of a list. Its reason is prefixed with "each value in <field>",
 * unless `reason` replaces it.
 */
export function each(inner: FieldCheck, reason?: string): FieldCheck {
  return check(
    (value) => (Array.isArray(value) ? value.every((item) => inner.passes(item)) : inner.passes(value)),
    reason ?? ((value, field) => `each value in ${field} ${inner.reason(value, field)}`),
  );
}
