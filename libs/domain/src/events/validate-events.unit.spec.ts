import { MAX_EVENTS_PER_BATCH, validateEventBatch } from './validate-events.js';

const registered = { type: 'identity.registered', subject: '00u1', data: { login: 'kim.sato@example.com' } };
const linked = { id: '6f1c64e2-5a0e-4a53-9d55-6f0f8d3e1a01', type: 'patient.linked', subject: '00u1', data: { patientId: '6789' } };

describe('validateEventBatch', () => {
  it('accepts an array of events and the { events } form alike', () => {
    const asArray = validateEventBatch([registered, linked]);
    const asObject = validateEventBatch({ events: [registered, linked] });

    expect(asArray).toEqual({ ok: true, events: [registered, linked] });
    expect(asObject).toEqual(asArray);
  });

  it('keeps the optional envelope fields and lower-cases the id', () => {
    const result = validateEventBatch([{ ...linked, id: linked.id.toUpperCase(), occurredAt: '2026-11-22T10:00:00Z' }]);

    expect(result).toEqual({ ok: true, events: [{ ...linked, occurredAt: '2026-11-22T10:00:00Z' }] });
  });

  it('treats a missing data object as empty for types that carry none', () => {
    const result = validateEventBatch([{ type: 'identity.deleted', subject: '00u1' }]);

    expect(result).toEqual({ ok: true, events: [{ type: 'identity.deleted', subject: '00u1', data: {} }] });
  });

  it('lists every bad field of every bad event, by index', () => {
    const result = validateEventBatch([
      registered,
      { type: 'patient.linked', subject: '00u1', data: { patientID: '6789' } },
      { type: 'identity.exploded', subject: '' },
      { type: 'claims.granted', subject: '00u2', data: { claims: { sub: 'x' } }, occurredAt: 'yesterday' },
    ]);

    expect(result.ok).toBe(false);
    const errors = result.ok ? [] : result.errors;
    expect(errors).toEqual(
      expect.arrayContaining([
        { index: 1, field: 'data.patientID', reason: 'is not a known field' },
        { index: 1, field: 'data.patientId', reason: 'must be a string' },
        { index: 2, field: 'type', reason: expect.stringContaining('must be one of identity.registered') },
        { index: 2, field: 'subject', reason: expect.stringContaining('longer than or equal to 1') },
        { index: 3, field: 'occurredAt', reason: 'must be an RFC 3339 date-time' },
      ]),
    );
    expect(errors.some((error) => error.index === 0)).toBe(false);
  });

  it('refuses registered JWT claim names in granted claims', () => {
    const result = validateEventBatch([{ type: 'claims.granted', subject: '00u2', data: { claims: { sub: 'x' } } }]);

    expect(result).toEqual({ ok: false, errors: [{ index: 0, field: 'data.claims', reason: expect.stringContaining('registered JWT claim') }] });
  });

  it('refuses keys that could reach a prototype, and absurd nesting', () => {
    const polluted = JSON.parse('{"type":"identity.profile_updated","subject":"s","data":{"profile":{"__proto__":{"admin":true}}}}');
    let deep: unknown = 'x';
    for (let i = 0; i < 40; i++) deep = { deeper: deep };

    const result = validateEventBatch([polluted, { type: 'claims.granted', subject: 's', data: { claims: { deep } } }]);

    expect(result).toEqual({
      ok: false,
      errors: [
        { index: 0, field: 'data.profile.__proto__', reason: 'is not an allowed key' },
        { index: 1, field: expect.stringMatching(/^data\.claims\.deep(\.deeper)+$/), reason: 'is nested deeper than 16 levels' },
      ],
    });
  });

  it('refuses text Postgres cannot store, NUL and unpaired surrogates, in values and keys alike', () => {
    const batch = JSON.parse(
      '[{"type":"claims.granted","subject":"s","data":{"claims":{"note":"a\\u0000b"}}},' +
        '{"type":"patient.linked","subject":"\\ud800","data":{"patientId":"1"}},' +
        '{"type":"identity.profile_updated","subject":"s","data":{"profile":{"\\udfffx":1}}},' +
        '{"type":"claims.granted","subject":"s","data":{"claims":{"mood":"\\ud83d\\ude00"}}}]',
    );
    const reason = 'must not contain NUL or an unpaired surrogate (Postgres cannot store them)';

    expect(validateEventBatch(batch)).toEqual({
      ok: false,
      errors: [
        { index: 0, field: 'data.claims.note', reason },
        { index: 1, field: 'subject', reason },
        { index: 2, field: 'data.profile.\udfffx', reason },
      ],
    });
  });

  it('refuses integers that a JSON parser reading doubles would change', () => {
    const batch = JSON.parse('[{"type":"claims.granted","subject":"s","data":{"claims":{"mrn":12345678901234567890,"safe":9007199254740991,"ratio":0.5}}}]');

    expect(validateEventBatch(batch)).toEqual({
      ok: false,
      errors: [{ index: 0, field: 'data.claims.mrn', reason: 'is an integer too large to keep exactly as a JSON number: send it as a string' }],
    });
  });

  it('names the bad fields of the envelope and of the data in one answer', () => {
    expect(validateEventBatch([{ type: 'patient.linked', subject: '', data: {} }])).toEqual({
      ok: false,
      errors: [
        { index: 0, field: 'subject', reason: expect.any(String) },
        { index: 0, field: 'data.patientId', reason: expect.any(String) },
      ],
    });
    expect(validateEventBatch([{ type: 'patient.unknown', subject: '', data: {} }])).toEqual({
      ok: false,
      errors: [expect.objectContaining({ field: 'type' }), expect.objectContaining({ field: 'subject' })],
    });
  });

  it('refuses numbers a JSON parser reads as Infinity, which would be stored as null', () => {
    const batch = JSON.parse('[{"type":"claims.granted","subject":"s","data":{"claims":{"score":1e400,"low":-1e400}}}]');

    expect(validateEventBatch(batch)).toEqual({ ok: false, errors: [{ index: 0, field: 'data.claims.score', reason: 'is a number too large for a JSON number' }] });
  });

  it('refuses data over the size limit', () => {
    const result = validateEventBatch([{ type: 'claims.granted', subject: 's', data: { claims: { big: 'x'.repeat(20_000) } } }]);

    expect(result).toEqual({ ok: false, errors: [{ index: 0, field: 'data', reason: 'must be at most 16384 bytes of JSON' }] });
  });

  it('refuses a body that is not a batch, an empty batch and an oversized one', () => {
    expect(validateEventBatch({ type: 'identity.deleted' })).toEqual({ ok: false, errors: [{ field: 'events', reason: expect.stringContaining('JSON array') }] });
    expect(validateEventBatch([])).toEqual({ ok: false, errors: [{ field: 'events', reason: 'must contain at least one event' }] });
    expect(validateEventBatch(Array(MAX_EVENTS_PER_BATCH + 1).fill(registered))).toEqual({
      ok: false,
      errors: [{ field: 'events', reason: `must contain at most ${MAX_EVENTS_PER_BATCH} events (got ${MAX_EVENTS_PER_BATCH + 1})` }],
    });
  });

  it('refuses an event that is not an object', () => {
    expect(validateEventBatch([42])).toEqual({ ok: false, errors: [{ index: 0, field: '', reason: 'must be a JSON object' }] });
  });
});

describe('validateEventBatch, field by field', () => {
  const id = '6f1c64e2-5a0e-4a53-9d55-6f0f8d3e1a01';
  const errorsOf = (event: object) => {
    const result = validateEventBatch([event]);
    return result.ok ? [] : result.errors.map(({ field, reason }) => ({ field, reason }));
  };

  it.each([
    ['id', { id: 'x', type: 'identity.deleted', subject: 's' }, 'id', 'must be a UUID'],
    ['type', { type: 42, subject: 's' }, 'type', expect.stringMatching(/^must be one of identity\.registered, .*, claims\.revoked$/)],
    ['subject, a string', { type: 'identity.deleted', subject: 7 }, 'subject', 'must be a string'],
    ['subject, too long', { type: 'identity.deleted', subject: 'x'.repeat(256) }, 'subject', 'must be shorter than or equal to 255 characters'],
    ['subject, control characters', { type: 'identity.deleted', subject: 'a\nb' }, 'subject', 'must not contain control characters'],
    ['data', { type: 'identity.deleted', subject: 's', data: [] }, 'data', 'must be an object'],
    ['occurredAt', { type: 'identity.deleted', subject: 's', occurredAt: '2026-11-22' }, 'occurredAt', 'must be an RFC 3339 date-time'],
    ['occurredAt, a real day', { type: 'identity.deleted', subject: 's', occurredAt: '2026-02-30T10:00:00Z' }, 'occurredAt', 'must be an RFC 3339 date-time'],
    ['login', { type: 'identity.registered', subject: 's', data: { login: '' } }, 'data.login', 'must be longer than or equal to 1 characters'],
    ['email', { type: 'identity.registered', subject: 's', data: { login: 'l', email: 'kim' } }, 'data.email', 'must be an email'],
    ['aliases, an array', { type: 'identity.registered', subject: 's', data: { login: 'l', aliases: 'a' } }, 'data.aliases', 'must be an array'],
    ['aliases, at most 50', { type: 'identity.registered', subject: 's', data: { login: 'l', aliases: Array(51).fill('a') } }, 'data.aliases', 'must contain no more than 50 elements'],
    ['aliases, strings', { type: 'identity.registered', subject: 's', data: { login: 'l', aliases: ['a', 1] } }, 'data.aliases', 'each value in aliases must be a string'],
    [
      'aliases, not empty',
      { type: 'identity.registered', subject: 's', data: { login: 'l', aliases: ['a', ''] } },
      'data.aliases',
      'each value in aliases must be longer than or equal to 1 and shorter than or equal to 320 characters',
    ],
    ['aliases, control characters', { type: 'identity.registered', subject: 's', data: { login: 'l', aliases: ['a\u0007'] } }, 'data.aliases', 'must not contain control characters'],
    ['profile, an object', { type: 'identity.profile_updated', subject: 's', data: { profile: 'x' } }, 'data.profile', 'must be an object'],
    ['profile, not empty', { type: 'identity.profile_updated', subject: 's', data: { profile: {} } }, 'data.profile', 'must be a non-empty object'],
    ['reason', { type: 'identity.deactivated', subject: 's', data: { reason: 'x'.repeat(501) } }, 'data.reason', 'must be shorter than or equal to 500 characters'],
    ['patientId', { type: 'patient.unlinked', subject: 's', data: { patientId: 'x'.repeat(129) } }, 'data.patientId', 'must be shorter than or equal to 128 characters'],
    [
      'claim names',
      { type: 'claims.granted', subject: 's', data: { claims: { '': 1 } } },
      'data.claims',
      'claim names must be 1 to 256 characters and not a registered JWT claim (iss, sub, aud, exp, nbf, iat, jti)',
    ],
    ['names, not empty', { type: 'claims.revoked', subject: 's', data: { names: [] } }, 'data.names', 'should not be empty'],
    ['names, strings', { type: 'claims.revoked', subject: 's', data: { names: [null] } }, 'data.names', 'each value in names must be a string'],
  ])('gives the reason for a bad %s', (_, event, field, reason) => {
    expect(errorsOf({ id, ...event })).toEqual([{ field, reason }]);
  });

  it('lists unknown fields first, in the order sent, then the first failed check of each known field in turn, then the data', () => {
    const errors = errorsOf({ zeta: 1, type: 'patient.linked', alpha: 2, subject: '' });

    expect(errors).toEqual([
      { field: 'zeta', reason: 'is not a known field' },
      { field: 'alpha', reason: 'is not a known field' },
      { field: 'subject', reason: 'must be longer than or equal to 1 characters' },
      { field: 'data.patientId', reason: 'must be a string' },
    ]);
  });

  it('refuses unknown fields named like members every object inherits', () => {
    const errors = errorsOf({ type: 'patient.linked', subject: 's', toString: 'x', data: { patientId: '1', hasOwnProperty: true } });

    expect(errors).toEqual([
      { field: 'toString', reason: 'is not a known field' },
      { field: 'data.hasOwnProperty', reason: 'is not a known field' },
    ]);
    expect(errorsOf({ type: 'patient.linked', subject: 's', data: { patientId: '1', valueOf: 1 } })).toEqual([{ field: 'data.valueOf', reason: 'is not a known field' }]);
  });

  it('takes a null id or occurredAt for an absent one', () => {
    expect(validateEventBatch([{ id: null, occurredAt: null, type: 'identity.deleted', subject: 's' }])).toEqual({
      ok: true,
      events: [{ type: 'identity.deleted', subject: 's', data: {} }],
    });
  });

  it('counts an emoji as one character', () => {
    expect(errorsOf({ type: 'patient.linked', subject: '😀'.repeat(255), data: { patientId: '1' } })).toEqual([]);
    expect(errorsOf({ type: 'patient.linked', subject: '😀'.repeat(256), data: { patientId: '1' } })).toEqual([
      { field: 'subject', reason: 'must be shorter than or equal to 255 characters' },
    ]);
  });

  it('measures the size limit in UTF-8 bytes', () => {
    const claims = (text: string) => ({ type: 'claims.granted', subject: 's', data: { claims: { text } } });

    expect(errorsOf(claims('é'.repeat(8_000)))).toEqual([]);
    expect(errorsOf(claims('é'.repeat(8_200)))).toEqual([{ field: 'data', reason: 'must be at most 16384 bytes of JSON' }]);
  });

  it('measures escaped characters as JSON writes them, six bytes for a control character', () => {
    const claims = (text: string) => ({ type: 'claims.granted', subject: 's', data: { claims: { text } } });

    expect(errorsOf(claims('\u0001'.repeat(2_700)))).toEqual([]);
    expect(errorsOf(claims('\u0001'.repeat(2_740)))).toEqual([{ field: 'data', reason: 'must be at most 16384 bytes of JSON' }]);
    expect(errorsOf(claims(`${'a'.repeat(16_300)}${'"'.repeat(60)}`))).toEqual([{ field: 'data', reason: 'must be at most 16384 bytes of JSON' }]);
  });

  it('names an unsafe value inside a list by its index', () => {
    const event = JSON.parse('{"type":"claims.granted","subject":"s","data":{"claims":{"roles":["a",{"__proto__":1}]}}}');

    expect(errorsOf(event)).toEqual([{ field: 'data.claims.roles[1].__proto__', reason: 'is not an allowed key' }]);
  });
});
