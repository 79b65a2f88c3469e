import type { FieldError } from '../errors.js';
import { isJsonObject, type JsonObject } from '../json.js';

/**
 * Lenient readers for provider request bodies: an absent or `null` member is "not there"; a member
 * of the wrong type is recorded as a field error naming its path.
 */
export class RequestFields {
  readonly errors: FieldError[] = [];

  object(parent: JsonObject | undefined, key: string, path: string): JsonObject | undefined {
    const value = parent?.[key];
    if (value === undefined || value === null) return undefined;
    if (isJsonObject(value)) return value;
    this.errors.push({ field: path, reason: 'must be an object' });
    return undefined;
  }

  string(parent: JsonObject | undefined, key: string, path: string): string | undefined {
    const value = parent?.[key];
    if (value === undefined || value === null) return undefined;
    if (typeof value === 'string') return value.length > 0 ? value : undefined;
    this.errors.push({ field: path, reason: 'must be a string' });
    return undefined;
  }

}
