/**
 * A System Log LogEvent as an Okta event hook delivers it, modelled on the `user.lifecycle.deactivate`
 * sample of Okta's event hook guide: the user acted on is the `User` target, the admin who acted the
 * actor. Every member Okta sends is there (client, request, security context…), so that tests can
 * show what is not stored.
 */
export function oktaLogEvent(options: {
  eventType: string;
  uuid?: string;
  published?: string;
  /** The target user; `null` for an event about no user. */
  user?: { id: string; login: string } | null;
  outcome?: 'SUCCESS' | 'FAILURE' | 'DENY';
  /** Targets after the user (a group, an app). */
  otherTargets?: Array<Record<string, unknown>>;
}): Record<string, unknown> {
  const { eventType, uuid = 'ab62c0bc-2837-11eb-9823-9fb8f750c5a9', published = '2020-11-16T18:15:12.862Z', outcome = 'SUCCESS' } = options;
  const user = options.user === undefined ? { id: '00u3m90rxKjGQ0G6L1d6', login: 'john.doe@example.com' } : options.user;
  const target = [
    ...(user ? [{ id: user.id, type: 'User', alternateId: user.login, displayName: 'John Doe', detailEntry: null }] : []),
    ...(options.otherTargets ?? []),
  ];
  return {
    uuid,
    published,
    eventType,
    version: '0',
    displayMessage: `Okta event ${eventType}`,
    severity: 'INFO',
    client: {
      userAgent: { rawUserAgent: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7)', os: 'Mac OS X', browser: 'CHROME' },
      zone: 'null',
      device: 'Computer',
      id: null,
      ipAddress: '203.0.113.7',
      geographicalContext: { city: 'San Francisco', state: 'California', country: 'United States', postalCode: '94105', geolocation: { lat: 37.78, lon: -122.39 } },
    },
    device: null,
    actor: { id: '00u2di94bAMSEPvAY1d6', type: 'User', alternateId: 'admin@example.com', displayName: 'Admin', detailEntry: null },
    outcome: { result: outcome, reason: outcome === 'SUCCESS' ? null : 'INSUFFICIENT_PERMISSIONS' },
    target,
    transaction: { type: 'WEB', id: 'X7LBsMxeqO-ADcGcmp0WGQAAB@g', detail: {} },
    debugContext: { debugData: { requestId: 'X7LBsMxeqO-ADcGcmp0WGQAAB@g', requestUri: '/api/v1/users/00u3m90rxKjGQ0G6L1d6/lifecycle/deactivate', url: '/api/v1/users/00u3m90rxKjGQ0G6L1d6/lifecycle/deactivate?' } },
    legacyEventType: 'core.user.config.user_deactivated',
    authenticationContext: { authenticationStep: 0, externalSessionId: '102nZ7s5xHUQ4uSHxa5r9rKVA', interface: null, authenticationProvider: null, credentialProvider: null, credentialType: null, issuer: null },
    securityContext: { asNumber: 64496, asOrg: 'example isp', isp: 'example isp', domain: 'example.net', isProxy: false },
    request: { ipChain: [{ ip: '203.0.113.7', geographicalContext: { city: 'San Francisco', country: 'United States' }, version: 'V4', source: null }] },
  };
}

/** An event hook delivery as Okta POSTs it: the CloudEvents-like envelope around `data.events`. */
export function oktaEventDelivery(events: unknown[]): Record<string, unknown> {
  return {
    eventType: 'com.okta.event_hook',
    eventTypeVersion: '1.0',
    cloudEventsVersion: '0.1',
    source: 'https://example.okta.com/api/v1/eventHooks/who7hphp39JoHLni81d7',
    eventId: '85b60edb-4263-4e13-993b-818e26201052',
    eventTime: '2023-03-28T17:03:37.093Z',
    contentType: 'application/json',
    data: { events },
  };
}
