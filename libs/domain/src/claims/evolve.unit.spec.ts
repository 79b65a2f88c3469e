import type { LoggedEvent } from '../events/event-types.js';
import { streamOf } from '../testing/recorded-events.js';
import type { ClaimsDocument, SubjectState } from './claims-document.js';
import { evolve } from './evolve.js';
import { projectSubject } from './project-subject.js';

type TimedEvent = LoggedEvent & { occurredAt?: string };

const at = (minute: number) => `2024-05-01T10:${String(minute).padStart(2, '0')}:00.000Z`;
const registered = (minute?: number, login = 'john'): TimedEvent => ({ type: 'identity.registered', data: { login }, ...(minute !== undefined && { occurredAt: at(minute) }) });
const deactivated = (minute?: number): TimedEvent => ({ type: 'identity.deactivated', data: {}, ...(minute !== undefined && { occurredAt: at(minute) }) });
const reactivated = (minute?: number): TimedEvent => ({ type: 'identity.reactivated', data: {}, ...(minute !== undefined && { occurredAt: at(minute) }) });
const deleted = (minute?: number): TimedEvent => ({ type: 'identity.deleted', data: {}, ...(minute !== undefined && { occurredAt: at(minute) }) });

/** The state after the events, in the order the log holds them. */
const fold = (...events: TimedEvent[]): SubjectState => projectSubject(null, streamOf('00u1', events)).state!;

function permutations<T>(items: readonly T[]): T[][] {
  if (items.length <= 1) return [[...items]];
  return items.flatMap((item, index) => permutations([...items.slice(0, index), ...items.slice(index + 1)]).map((rest) => [item, ...rest]));
}

describe('evolve, with events delivered out of order', () => {
  it('ignores a status change that happened before the last one applied, yet advances the version', () => {
    const state = fold(registered(0), deactivated(2), reactivated(1));

    expect(state).toMatchObject({ version: 3, status: 'deactivated', statusChangedAt: at(2) });
  });

  it('ends with the status of the latest status change, whatever order they arrive in', () => {
    const changes = [deactivated(1), reactivated(2), deactivated(3), reactivated(4), deactivated(5)];

    for (const order of permutations(changes)) {
      expect(fold(registered(0), ...order)).toMatchObject({ version: 6, status: 'deactivated', statusChangedAt: at(5) });
    }
  });

  it('keeps the status a registration arriving after it found', () => {
    expect(fold(deactivated(2), registered(0))).toMatchObject({ status: 'deactivated', login: 'john', version: 2 });
  });

  it('keeps the names of the latest registration when an older one arrives after it', () => {
    const state = fold(registered(5, 'john.newer'), registered(1, 'john.older'));

    expect(state).toMatchObject({ version: 2, login: 'john.newer', names: { 'john.newer': expect.any(String) }, registeredAt: at(5) });
    expect(fold(registered(1, 'john.older'), registered(5, 'john.newer'))).toMatchObject({ login: 'john.newer', registeredAt: at(5) });
    expect(fold(registered(5, 'john.newer'), registered(undefined, 'john.untimed'))).toMatchObject({ login: 'john.untimed', registeredAt: at(5) });
  });

  it('compares only when both events say when they happened; otherwise the log order decides', () => {
    expect(fold(registered(), deactivated(2), reactivated())).toMatchObject({ status: 'active', statusChangedAt: at(2) });
    expect(fold(registered(), deactivated(), reactivated(1))).toMatchObject({ status: 'active', statusChangedAt: at(1) });
    expect(fold(registered(), deactivated(), reactivated())).not.toHaveProperty('statusChangedAt');
  });

  it('keeps the last known time across a change that gives none, so what happened before it stays stale', () => {
    const state = fold(registered(), deactivated(2), reactivated(), deactivated(1));

    expect(state).toMatchObject({ version: 4, status: 'active', statusChangedAt: at(2) });
  });

  it('does not bring an erased subject back with a registration from before the erasure', () => {
    const state = fold(registered(0), deleted(5), registered(1, 'late'));

    expect(state).toEqual({ subject: '00u1', version: 3, status: 'deleted', deletedAt: at(5) });
  });

  it('registers an erased subject again with a later registration, or one that does not say when', () => {
    expect(fold(registered(0), deleted(5), registered(6, 'new'))).toMatchObject({ version: 3, status: 'active', login: 'new' });
    expect(fold(registered(0), deleted(5), registered(undefined, 'new'))).toMatchObject({ version: 3, status: 'active', login: 'new' });
    expect(fold(registered(0), deleted(), registered(1, 'new'))).toMatchObject({ version: 3, status: 'active', login: 'new' });
  });

  it('ignores, once a subject is registered again, a status change from before its erasure', () => {
    const state = fold(registered(0), deleted(5), registered(6, 'new'), deactivated(4));

    expect(state).toMatchObject({ version: 4, status: 'active', login: 'new', statusChangedAt: at(5) });
  });

  it('never resurrects an erased subject with a status change, late or not', () => {
    for (const change of [deactivated(1), deactivated(9), reactivated(1), reactivated(9), deactivated(), reactivated()]) {
      expect(fold(registered(0), deleted(5), change)).toEqual({ subject: '00u1', version: 3, status: 'deleted', deletedAt: at(5) });
    }
  });

  it('keeps the later time of two erasures', () => {
    expect(fold(registered(0), deleted(5), deleted(3), registered(4))).toEqual({ subject: '00u1', version: 4, status: 'deleted', deletedAt: at(5) });
    expect(fold(registered(0), deleted(5), deleted())).toEqual({ subject: '00u1', version: 3, status: 'deleted', deletedAt: at(5) });
  });

  it('compares instants, not strings: offsets and precision may differ', () => {
    const state = fold(registered(), { ...deactivated(), occurredAt: '2024-05-01T12:00:00+02:00' }, { ...reactivated(), occurredAt: '2024-05-01T09:59:59.999Z' });

    expect(state).toMatchObject({ status: 'deactivated' });
  });

  it('only advances the version over an event kept as received, even on an erased subject', () => {
    const [registration, received] = streamOf('00u1', [registered(0), { type: 'okta.user.session.start', data: { outcome: 'SUCCESS' } }]);
    const [, , ...afterErasure] = streamOf('00u1', [registered(0), deleted(1), { type: 'okta.user.account.update_profile', data: {} }]);
    const erased = fold(registered(0), deleted(1));

    expect(evolve(evolve(null, registration!), received!)).toEqual({ ...(evolve(null, registration!) as ClaimsDocument), version: 2 });
    expect(evolve(erased, afterErasure[0]!)).toEqual({ ...erased, version: 3 });
  });
});
