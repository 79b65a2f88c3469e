import type { RecordedEvent } from '../events/event-types.js';
import { streamOf } from '../testing/recorded-events.js';
import type { ClaimsDocument } from './claims-document.js';
import { evolve } from './evolve.js';
import { projectSubject, StreamGapError } from './project-subject.js';

const kim = (events: Parameters<typeof streamOf>[1]) => streamOf('00u1', events);

describe('projectSubject', () => {
  it('folds registration and a patient link into a findable document', () => {
    const events = kim([
      { type: 'identity.registered', data: { login: 'Kim.Sato@example.com', email: 'kim@example.org', aliases: ['MRN-1'] } },
      { type: 'patient.linked', data: { patientId: '6789' } },
    ]);

    const { state, changed, releasedNames } = projectSubject(null, events);

    expect(changed).toBe(true);
    expect(releasedNames).toEqual([]);
    expect(state).toEqual({
      subject: '00u1',
      version: 2,
      status: 'active',
      login: 'Kim.Sato@example.com',
      email: 'kim@example.org',
      aliases: ['MRN-1'],
      names: { 'kim.sato@example.com': '1', 'kim@example.org': '1', 'mrn-1': '1' },
      patientId: '6789',
      claims: {},
      revokedClaims: [],
      profile: {},
    });
  });

  it('gives the same document whether the events come in one fold or one by one', () => {
    const events = kim([
      { type: 'identity.registered', data: { login: 'kim' } },
      { type: 'claims.granted', data: { claims: { tier: 'gold', roles: ['nurse'] } } },
      { type: 'identity.profile_updated', data: { profile: { ward: 'B2', locale: 'en' } } },
      { type: 'claims.revoked', data: { names: ['tier'] } },
      { type: 'identity.profile_updated', data: { profile: { locale: null } } },
      { type: 'identity.deactivated', data: {} },
      { type: 'identity.reactivated', data: {} },
    ]);

    const atOnce = projectSubject(null, events).state;
    const oneByOne = events.reduce<ClaimsDocument | null>((doc, event) => projectSubject(doc, [event]).state as ClaimsDocument, null);

    expect(oneByOne).toEqual(atOnce);
    expect(atOnce).toMatchObject({ version: 7, status: 'active', claims: { roles: ['nurse'] }, revokedClaims: ['tier'], profile: { ward: 'B2' } });
  });

  it('remembers the names of revoked claims until they are granted again', () => {
    const events = kim([
      { type: 'claims.granted', data: { claims: { tier: 'gold', ward: 'B2' } } },
      { type: 'claims.revoked', data: { names: ['tier', 'never-granted'] } },
      { type: 'claims.revoked', data: { names: ['tier', 'ward'] } },
      { type: 'claims.granted', data: { claims: { tier: 'silver' } } },
    ]);

    const revoked = projectSubject(null, events.slice(0, 3)).state as ClaimsDocument;
    const again = projectSubject(revoked, events.slice(3)).state as ClaimsDocument;

    expect(revoked).toMatchObject({ claims: {}, revokedClaims: ['tier', 'ward'] });
    expect(again).toMatchObject({ claims: { tier: 'silver' }, revokedClaims: ['ward'] });
  });

  it('skips events the document already reflects, so duplicates change nothing', () => {
    const events = kim([{ type: 'identity.registered', data: { login: 'kim' } }, { type: 'patient.linked', data: { patientId: '6789' } }]);
    const current = projectSubject(null, events).state as ClaimsDocument;

    const replay = projectSubject(current, events);

    expect(replay).toEqual({ state: current, changed: false, releasedNames: [] });
  });

  it('refuses to fold across a gap in the stream', () => {
    const [registered, , deactivated] = kim([
      { type: 'identity.registered', data: { login: 'kim' } },
      { type: 'patient.linked', data: { patientId: '6789' } },
      { type: 'identity.deactivated', data: {} },
    ]);

    expect(() => projectSubject(null, [registered!, deactivated!])).toThrow(StreamGapError);
  });

  it('drops the patient id only when the unlinked id is the linked one', () => {
    const events = kim([
      { type: 'patient.linked', data: { patientId: '1' } },
      { type: 'patient.linked', data: { patientId: '2' } },
      { type: 'patient.unlinked', data: { patientId: '1' } },
    ]);
    const stale = projectSubject(null, events).state as ClaimsDocument;
    const unlinked = evolve(stale, { ...events[2]!, version: 4, position: '4', data: { patientId: '2' } } as RecordedEvent) as ClaimsDocument;

    expect(stale.patientId).toBe('2');
    expect(unlinked.patientId).toBeUndefined();
    expect(Object.keys(unlinked)).not.toContain('patientId');
  });

  it('releases the names a subject gave up, including ones held only in between', () => {
    const before = projectSubject(null, kim([{ type: 'identity.registered', data: { login: 'a', aliases: ['x'] } }])).state as ClaimsDocument;
    const later = streamOf('00u1', [
      { type: 'identity.registered', data: { login: 'a', aliases: ['x'] } },
      { type: 'identity.registered', data: { login: 'b', aliases: ['y'] } },
      { type: 'identity.registered', data: { login: 'b', email: 'b@example.org' } },
    ]);

    const { state, releasedNames } = projectSubject(before, later);

    expect((state as ClaimsDocument).names).toEqual({ b: '2', 'b@example.org': '3' });
    expect(releasedNames.sort()).toEqual(['a', 'x', 'y']);
  });

  it('keeps the original claim of a name the subject registers again', () => {
    const { state } = projectSubject(
      null,
      kim([
        { type: 'identity.registered', data: { login: 'kim' } },
        { type: 'identity.registered', data: { login: 'KIM', email: 'k@example.org' } },
      ]),
    );

    expect((state as ClaimsDocument).names).toEqual({ kim: '1', 'k@example.org': '2' });
  });

  it('erases a deleted subject, releases all its names and ignores what follows until it registers again', () => {
    const events = kim([
      { type: 'identity.registered', data: { login: 'kim', email: 'kim@example.org' } },
      { type: 'patient.linked', data: { patientId: '6789' } },
      { type: 'identity.deleted', data: {} },
      { type: 'patient.linked', data: { patientId: 'late' } },
    ]);

    const erased = projectSubject(null, events);
    const reborn = projectSubject(null, [...events, ...streamOf('00u1', [{ type: 'identity.registered', data: { login: 'new' } }], 5).map((e) => ({ ...e, version: 5 }))]);

    expect(erased.state).toEqual({ subject: '00u1', version: 4, status: 'deleted' });
    expect(erased.releasedNames.sort()).toEqual(['kim', 'kim@example.org']);
    expect(reborn.state).toEqual({ subject: '00u1', version: 5, status: 'active', login: 'new', aliases: [], names: { new: '5' }, claims: {}, revokedClaims: [], profile: {} });
  });

  it('lets an unregistered subject collect claims, findable by its id only', () => {
    const { state } = projectSubject(null, streamOf('svc-client', [{ type: 'claims.granted', data: { claims: { tenant: 't1' } } }]));

    expect(state).toEqual({ subject: 'svc-client', version: 1, status: 'active', aliases: [], names: {}, claims: { tenant: 't1' }, revokedClaims: [], profile: {} });
  });

  it('advances the version over an event type it does not know', () => {
    const [registered] = kim([{ type: 'identity.registered', data: { login: 'kim' } }]);
    const unknown = { ...registered!, type: 'okta.user.session.start', version: 2, position: '2', data: {} } as never;

    const doc = evolve(evolve(null, registered!), unknown);

    expect(doc).toMatchObject({ version: 2, login: 'kim' });
  });
});
