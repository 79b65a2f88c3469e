import { oktaEventDelivery, oktaLogEvent } from '../testing/okta-events.js';
import { parseOktaEventDelivery } from './okta-event-hook.js';

const JOHN = { id: '00u3m90rxKjGQ0G6L1d6', login: 'john.doe@example.com' };

describe(parseOktaEventDelivery.name, () => {
  it('keeps an event it does not map as received, under okta.<eventType>, with ids only (the reference example)', () => {
    const delivery = {
      eventType: 'com.okta.event_hook',
      eventTypeVersion: '1.0',
      cloudEventsVersion: '0.1',
      source: 'https://example.okta.com/api/v1/eventHooks/who7hphp39JoHLni81d7',
      eventId: '85b60edb-4263-4e13-993b-818e26201052',
      eventTime: '2023-03-28T17:03:37.093Z',
      contentType: 'application/json',
      data: {
        events: [
          {
            uuid: 'ab62c0bc-2837-11eb-9823-9fb8f750c5a9',
            published: '2020-11-16T18:15:12.862Z',
            eventType: 'user.account.update_profile',
            version: '0',
            displayMessage: 'Update user profile for Okta',
            severity: 'INFO',
            actor: { id: '00u2di94bAMSEPvAY1d6', type: 'User', alternateId: 'admin@example.com', displayName: 'Admin', detailEntry: null },
            target: [{ id: '00u3m90rxKjGQ0G6L1d6', type: 'User', alternateId: 'john.doe@example.com', displayName: 'John Doe', detailEntry: null }],
            outcome: { result: 'SUCCESS', reason: null },
            transaction: { type: 'WEB', id: 'X7LBsMxeqO-ADcGcmp0WGQAAB@g', detail: {} },
            debugContext: { debugData: { requestId: 'X7LBsMxeqO-ADcGcmp0WGQAAB@g' } },
          },
        ],
      },
    };

    const parsed = parseOktaEventDelivery(delivery);

    expect(parsed).toEqual({
      ok: true,
      value: {
        events: [
          {
            id: 'ab62c0bc-2837-11eb-9823-9fb8f750c5a9',
            type: 'okta.user.account.update_profile',
            subject: '00u3m90rxKjGQ0G6L1d6',
            occurredAt: '2020-11-16T18:15:12.862Z',
            data: { outcome: 'SUCCESS', actor: { id: '00u2di94bAMSEPvAY1d6', type: 'User' }, targets: [{ id: '00u3m90rxKjGQ0G6L1d6', type: 'User' }] },
          },
        ],
        skipped: 0,
        refused: [],
      },
    });
  });

  it('stores no names, addresses, user agents or debug data of an event kept as received', () => {
    const parsed = parseOktaEventDelivery(oktaEventDelivery([oktaLogEvent({ eventType: 'group.user_membership.add', otherTargets: [{ id: '00g1emaKYZTWRYYRRTSK', type: 'UserGroup', alternateId: 'Nurses', displayName: 'Nurses' }] })]));

    expect(parsed.ok).toBe(true);
    const stored = JSON.stringify(parsed.ok && parsed.value.events);
    for (const personal of ['john.doe@example.com', 'John Doe', 'admin@example.com', '203.0.113.7', 'Mozilla', 'San Francisco', 'Nurses', 'requestUri', 'X7LBsMxeqO']) {
      expect(stored).not.toContain(personal);
    }
    expect(parsed.ok && parsed.value.events[0]!.data).toEqual({
      outcome: 'SUCCESS',
      actor: { id: '00u2di94bAMSEPvAY1d6', type: 'User' },
      targets: [
        { id: JOHN.id, type: 'User' },
        { id: '00g1emaKYZTWRYYRRTSK', type: 'UserGroup' },
      ],
    });
  });

  it.each([
    ['user.lifecycle.create', { type: 'identity.registered', data: { login: JOHN.login } }],
    ['user.lifecycle.activate', { type: 'identity.reactivated', data: { reason: 'user.lifecycle.activate' } }],
    ['user.lifecycle.reactivate', { type: 'identity.reactivated', data: { reason: 'user.lifecycle.reactivate' } }],
    ['user.lifecycle.unsuspend', { type: 'identity.reactivated', data: { reason: 'user.lifecycle.unsuspend' } }],
    ['user.lifecycle.deactivate', { type: 'identity.deactivated', data: { reason: 'user.lifecycle.deactivate' } }],
    ['user.lifecycle.suspend', { type: 'identity.deactivated', data: { reason: 'user.lifecycle.suspend' } }],
    ['user.lifecycle.delete.initiated', { type: 'identity.deleted', data: {} }],
  ])('maps %s to a contract event about the User target', (eventType, expected) => {
    const parsed = parseOktaEventDelivery(oktaEventDelivery([oktaLogEvent({ eventType, user: JOHN, uuid: 'AB62C0BC-2837-11EB-9823-9FB8F750C5A9' })]));

    expect(parsed).toEqual({
      ok: true,
      value: { events: [{ id: 'ab62c0bc-2837-11eb-9823-9fb8f750c5a9', subject: JOHN.id, occurredAt: '2020-11-16T18:15:12.862Z', ...expected }], skipped: 0, refused: [] },
    });
  });

  it('keeps a lifecycle event that did not succeed as received: it changed nothing in Okta', () => {
    const parsed = parseOktaEventDelivery(oktaEventDelivery([oktaLogEvent({ eventType: 'user.lifecycle.deactivate', outcome: 'FAILURE' })]));

    expect(parsed.ok && parsed.value.events).toEqual([expect.objectContaining({ type: 'okta.user.lifecycle.deactivate', data: expect.objectContaining({ outcome: 'FAILURE' }) })]);
  });

  it('finds the user among other targets, and skips (with a count) events about no user', () => {
    const groupFirst = oktaLogEvent({ eventType: 'group.user_membership.add', user: null, otherTargets: [{ id: '00g1', type: 'UserGroup' }, { id: JOHN.id, type: 'User', alternateId: JOHN.login }] });
    const noUser = oktaLogEvent({ eventType: 'application.lifecycle.update', uuid: '5d4c3b2a-0000-11eb-9823-9fb8f750c5a9', user: null, otherTargets: [{ id: '0oa1', type: 'AppInstance' }] });
    const noTarget = { ...oktaLogEvent({ eventType: 'user.session.start', uuid: '6e5d4c3b-0000-11eb-9823-9fb8f750c5a9' }), target: null };

    const parsed = parseOktaEventDelivery(oktaEventDelivery([groupFirst, noUser, noTarget]));

    expect(parsed.ok && parsed.value.skipped).toBe(2);
    expect(parsed.ok && parsed.value.events.map((event) => [event.type, event.subject])).toEqual([['okta.group.user_membership.add', JOHN.id]]);
  });

  it('orders a batch by the time its events happened, keeping duplicates for the store to recognise', () => {
    const at = (uuid: string, eventType: string, published: string) => oktaLogEvent({ uuid, eventType, published });
    const parsed = parseOktaEventDelivery(
      oktaEventDelivery([
        at('00000000-0000-1000-8000-000000000003', 'user.lifecycle.deactivate', '2024-05-01T10:00:03Z'),
        at('00000000-0000-1000-8000-000000000001', 'user.lifecycle.create', '2024-05-01T10:00:01.000Z'),
        at('00000000-0000-1000-8000-000000000002', 'user.lifecycle.activate', '2024-05-01T12:00:02+02:00'),
        at('00000000-0000-1000-8000-000000000001', 'user.lifecycle.create', '2024-05-01T10:00:01.000Z'),
      ]),
    );

    expect(parsed.ok && parsed.value.events.map((event) => `${event.id!.slice(-1)} ${event.type}`)).toEqual([
      '1 identity.registered',
      '1 identity.registered',
      '2 identity.reactivated',
      '3 identity.deactivated',
    ]);
  });

  it('accepts a delivery with no events', () => {
    expect(parseOktaEventDelivery(oktaEventDelivery([]))).toEqual({ ok: true, value: { events: [], skipped: 0, refused: [] } });
  });

  it.each([
    ['not an object', '[]', [{ field: '', reason: 'the body must be a JSON object' }]],
    ['without data', { eventType: 'com.okta.event_hook' }, [{ field: 'data', reason: 'must be an object' }]],
    ['without data.events', { data: { event: [] } }, [{ field: 'data.events', reason: 'must be an array of System Log events' }]],
  ])('refuses a delivery %s', (_case, body: unknown, errors) => {
    expect(parseOktaEventDelivery(body)).toEqual({ ok: false, errors });
  });

  it('leaves out an event holding text Postgres cannot store, and keeps the others', () => {
    const good = oktaLogEvent({ eventType: 'user.lifecycle.deactivate' });
    const loneSurrogateInUserId = oktaLogEvent({ eventType: 'user.lifecycle.deactivate', user: { id: '00u\ud800', login: JOHN.login } });
    const nulInActorId = { ...oktaLogEvent({ eventType: 'user.session.start' }), actor: { id: '00u\u0000', type: 'User' } };

    const parsed = parseOktaEventDelivery(oktaEventDelivery([good, loneSurrogateInUserId, nulInActorId]));

    expect(parsed).toEqual({
      ok: true,
      value: {
        events: [expect.objectContaining({ type: 'identity.deactivated', subject: JOHN.id })],
        skipped: 0,
        refused: [
          { field: 'data.events[1].target[0].id', reason: 'must be an Okta user id of at most 255 characters' },
          { field: 'data.events[2]', reason: 'must not contain NUL or an unpaired surrogate (Postgres cannot store them)' },
        ],
      },
    });
  });

  it('leaves out each malformed event, naming every bad field, and keeps the others', () => {
    const good = oktaLogEvent({ eventType: 'user.lifecycle.deactivate' });
    const { uuid: _uuid, ...withoutUuid } = oktaLogEvent({ eventType: 'user.lifecycle.suspend' });
    const badValues = { ...oktaLogEvent({ eventType: 'user.lifecycle.activate' }), uuid: 'not-a-uuid', published: '2026-02-30T18:15:12.862Z', outcome: { result: 1 } };
    const createWithoutLogin = oktaLogEvent({ eventType: 'user.lifecycle.create', user: { id: JOHN.id, login: '' } });
    const deactivateOfNoUser = oktaLogEvent({ eventType: 'user.lifecycle.deactivate', user: null, otherTargets: [{ id: '0oa1', type: 'AppInstance' }] });
    const targetNotArray = { ...oktaLogEvent({ eventType: 'user.account.update_profile' }), target: { id: JOHN.id, type: 'User' } };
    const userIdNotString = { ...oktaLogEvent({ eventType: 'user.lifecycle.deactivate' }), target: [{ id: 42, type: 'User' }] };

    const parsed = parseOktaEventDelivery(oktaEventDelivery([good, withoutUuid, badValues, createWithoutLogin, deactivateOfNoUser, targetNotArray, userIdNotString, 'an event']));

    expect(parsed).toEqual({
      ok: true,
      value: {
        events: [expect.objectContaining({ type: 'identity.deactivated', subject: JOHN.id })],
        skipped: 0,
        refused: [
        { field: 'data.events[1].uuid', reason: 'is required' },
        { field: 'data.events[2].uuid', reason: 'must be a UUID' },
        { field: 'data.events[2].published', reason: 'must be an RFC 3339 date-time' },
        { field: 'data.events[2].outcome.result', reason: 'must be a string' },
        { field: 'data.events[3].target[0].alternateId', reason: 'is required' },
        { field: 'data.events[4].target', reason: 'must hold the User the user.lifecycle.deactivate event is about' },
        { field: 'data.events[5].target', reason: 'must be an array' },
        { field: 'data.events[6].target[0].id', reason: 'must be a string' },
        { field: 'data.events[7]', reason: 'must be an object' },
        ],
      },
    });
  });
});
