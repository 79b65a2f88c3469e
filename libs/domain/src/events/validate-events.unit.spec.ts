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
