/**
 * An Okta token inline hook request as Okta sends it (the example of Okta's management API spec,
 * abridged): `identity` when an ID token is minted, `access` when an access token is.
 */
export function oktaTokenHookRequest(options: {
  login?: string;
  userId?: string;
  idTokenClaims?: Record<string, unknown> | null;
  accessTokenClaims?: Record<string, unknown> | null;
} = {}): Record<string, unknown> {
  const { login = 'jane@example.com', userId = '00uq8tMo3zV0OfJON0g3' } = options;
  const data: Record<string, unknown> = {
    context: {
      request: { id: 'reqv66CbCaCStGEFc8AdfS0ng', method: 'GET', url: { value: 'https://example.okta.com/oauth2/default/v1/authorize' }, ipAddress: '127.0.0.1' },
      protocol: {
        type: 'OAUTH2.0',
        request: { scope: 'openid profile email', response_type: 'token id_token', client_id: 'abc', grant_type: 'authorization_code' },
        issuer: { uri: 'https://example.okta.com/oauth2/default' },
        client: { id: 'abc', name: 'Native client', type: 'PUBLIC' },
      },
      session: { id: '102Qoe7t5PcRnSxr8j3I8I6pA', userId, login, status: 'ACTIVE', amr: ['PASSWORD'], mfaActive: false },
      user: { id: userId, passwordChanged: '2018-09-11T23:19:12.000Z', profile: { login, firstName: 'Jane', lastName: 'Doe', locale: 'en', timeZone: 'America/Los_Angeles' } },
      policy: { id: '00pq8lGaLlI8APuqY0g3', rule: { id: '0prq8mLKuKAmavOvq0g3' } },
    },
  };
  if (options.idTokenClaims !== null) {
    data['identity'] = {
      claims: options.idTokenClaims ?? { sub: userId, ver: 1, iss: 'https://example.okta.com/oauth2/default', aud: 'abc', preferred_username: login, auth_time: 1547594229 },
      token: { lifetime: { expiration: 3600 } },
    };
  }
  if (options.accessTokenClaims !== null) {
    data['access'] = {
      claims: options.accessTokenClaims ?? { ver: 1, jti: 'AT.xxxx', iss: 'https://example.okta.com/oauth2/default', aud: 'api://default', cid: 'abc', uid: userId, sub: login },
      token: { lifetime: { expiration: 3600 } },
      scopes: { openid: { id: 'scpq7bW1cp6dcvrz80g3', action: 'GRANT' } },
    };
  }
  return {
    source: 'https://example.okta.com/oauth2/default/v1/authorize',
    eventId: '3OWo4oo-QQ-rBWfRyTmQYw',
    eventTime: '2019-01-15T23:20:47.000Z',
    eventTypeVersion: '1.0',
    cloudEventVersion: '0.1',
    contentType: 'application/json',
    eventType: 'com.okta.oauth2.tokens.transform',
    data,
  };
}
