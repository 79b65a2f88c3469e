import { isRFC3339 } from 'class-validator';

const PARTS = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.\d+)?(?:[Zz]|[+-](\d{2}):(\d{2}))$/;
/** Postgres refuses a UTC offset from 16 hours on (`timestamptz` input). */
const MAX_OFFSET_HOURS = 15;

/**
 * An RFC 3339 date-time that names a real instant, as the event store's `timestamptz` takes it. The
 * RFC's grammar alone lets through days a month does not have (`2026-02-30`), year 0 and offsets
 * past ±15:59: Postgres refuses those, and a batch holding one would fail whole at the append
 * instead of being refused with the field named.
 */
export function isStorableDateTime(value: unknown): boolean {
  if (!isRFC3339(value)) return false;
  const parts = PARTS.exec(value as string);
  if (parts === null) return false;
  const [year, month, day] = [Number(parts[1]), Number(parts[2]), Number(parts[3])];
  const offsetHours = parts[7] === undefined ? 0 : Number(parts[7]);
  return year >= 1 && day <= daysIn(year, month) && offsetHours <= MAX_OFFSET_HOURS;
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function daysIn(year: number, month: number): number {
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  return month === 2 && leap ? 29 : DAYS_IN_MONTH[month - 1]!;
}
