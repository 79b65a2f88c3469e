import type { SubjectState } from '@app/domain';
import { decodeState, encodeState, parseSharedState, stateOf } from './stored-state.js';

describe('stored states', () => {
  const document: SubjectState = {
    subject: 'kim',
    version: 2,
    status: 'active',
    login: 'kim@example.org',
    aliases: [],
    names: { 'kim@example.org': '1' },
    patientId: 'p-1',
    claims: { ward: 'north' },
    revokedClaims: [],
    profile: {},
  };

  it('gives back the document it stored', () => {
    expect(decodeState(encodeState(document), 'kim')).toEqual(document);
  });

  it('keeps no id in a tombstone, and gives it back from the lookup', () => {
    const stored = encodeState({ subject: 'kim', version: 3, status: 'deleted', deletedAt: '2026-01-01T00:00:00Z' });
    expect(stored).not.toContain('kim');
    expect(decodeState(stored, 'kim')).toEqual({ subject: 'kim', version: 3, status: 'deleted', deletedAt: '2026-01-01T00:00:00Z' });
  });

  // The near cache hands one parsed state to every call about the subject.
  it('parses a shared state into one that nothing can change, nested objects included', () => {
    const parsed = parseSharedState(encodeState(document)) as { version: number; claims: Record<string, unknown> };
    expect(() => (parsed.version = 9)).toThrow(TypeError);
    expect(() => (parsed.claims['ward'] = 'south')).toThrow(TypeError);
    expect(stateOf(parseSharedState(encodeState(document)), 'kim')).toEqual(document);
  });
});
