import { isStorableDateTime } from './date-time.js';

describe(isStorableDateTime.name, () => {
  it.each(['2026-11-22T10:00:00Z', '2024-02-29T23:59:59.123456+05:30', '2000-02-29T00:00:00z', '2026-12-31T00:00:00-15:59', '0001-01-01T00:00:00Z', '2026-06-30T12:00:00.5+15:00'])(
    'takes %s',
    (value) => expect(isStorableDateTime(value)).toBe(true),
  );

  it.each([
    ['a day the month does not have', '2026-02-30T10:00:00Z'],
    ['29 February outside a leap year', '2025-02-29T00:00:00Z'],
    ['29 February of a century year that is not a leap year', '1900-02-29T00:00:00Z'],
    ['31 April', '2026-04-31T00:00:00Z'],
    ['year 0', '0000-01-01T00:00:00Z'],
    ['an offset of 16 hours', '2026-01-01T00:00:00+16:00'],
    ['a date without a time', '2026-11-22'],
    ['no time zone', '2026-11-22T10:00:00'],
    ['not a string', 1_795_000_000_000],
  ])('refuses %s', (_, value) => expect(isStorableDateTime(value)).toBe(false));
});
