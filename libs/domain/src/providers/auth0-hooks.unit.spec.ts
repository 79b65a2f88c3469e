import type { ClaimsDocument, DeletedSubject } from '../claims/claims-document.js';
import type { Parsed } from '../errors.js';
import { auth0CredentialsExchangeRequest, auth0PostLoginRequest } from '../testing/auth0-requests.js';
import { kimDocument } from '../testing/claims-documents.js';
import {
  answerAuth0Hook,
  auth0FailureAnswer,
  parseAuth0ClaimNamespace,
  parseAuth0CredentialsExchangeRequest,
  parseAuth0PostLoginRequest,
  type Auth0HookRequest,
} from './auth0-hooks.js';
import { DEFAULT_CLAIMS_CONFIG, parseClaimsConfig, type ClaimMapping } from './claim-mapping.js';

const mapping: ClaimMapping = { rules: DEFAULT_CLAIMS_CONFIG.rules };
const namespace = 'https://claims.example.org/';

const kim = kimDocument({ subject: 'auth0|6650f1a2b3c4d5e6f7a8b9c0', profile: { ward: 'B2' } });
const { patientId: _none, ...billingService } = kimDocument({ subject: 'billing-service', login: 'billing-service', names: {}, claims: { tier: 'gold' } });

function parsed(result: Parsed<Auth0HookRequest>): Auth0HookRequest {
  if (!result.ok) throw new Error(`unexpected parse errors: ${JSON.stringify(result.errors)}`);
  return result.value;
}

const credentialsExchange = parsed(parseAuth0CredentialsExchangeRequest(auth0CredentialsExchangeRequest()));
const postLogin = parsed(parseAuth0PostLoginRequest(auth0PostLoginRequest()));

describe('parseAuth0CredentialsExchangeRequest', () => {
  it('looks the client up as the subject and ignores what else the Action sends', () => {
    const request = parsed(parseAuth0CredentialsExchangeRequest(auth0CredentialsExchangeRequest({ extra: { audience: 'https://api.example.com' } })));

    expect(request).toEqual({ trigger: 'credentials-exchange', lookups: [{ by: 'subject', value: 'billing-service' }] });
  });

  it('names the field that is missing or of the wrong type', () => {
    expect(parseAuth0CredentialsExchangeRequest(['billing-service'])).toEqual({ ok: false, errors: [{ field: '', reason: 'the body must be a JSON object' }] });
    expect(parseAuth0CredentialsExchangeRequest(auth0CredentialsExchangeRequest({ clientId: 42 }))).toEqual({
      ok: false,
      errors: [{ field: 'clientId', reason: 'must be a string' }],
    });
    expect(parseAuth0CredentialsExchangeRequest(auth0CredentialsExchangeRequest({ clientId: null }))).toEqual({
      ok: false,
      errors: [{ field: 'clientId', reason: expect.stringContaining('is required') }],
    });
  });
});

describe('parseAuth0PostLoginRequest', () => {
  it('looks the user up by id, then by verified email', () => {
    expect(postLogin).toEqual({
      trigger: 'post-login',
      lookups: [
        { by: 'subject', value: 'auth0|6650f1a2b3c4d5e6f7a8b9c0' },
        { by: 'name', value: 'kim.sato@example.com' },
      ],
    });
  });

  it.each([
    ['unverified', { emailVerified: false }],
    ['of unknown verification', { emailVerified: null }],
  ])('never looks up an email that is %s', (_case, options) => {
    const request = parsed(parseAuth0PostLoginRequest(auth0PostLoginRequest(options)));

    expect(request.lookups).toEqual([{ by: 'subject', value: 'auth0|6650f1a2b3c4d5e6f7a8b9c0' }]);
  });

  it('looks the user up by id alone when there is no email', () => {
    const request = parsed(parseAuth0PostLoginRequest(auth0PostLoginRequest({ email: null })));

    expect(request.lookups).toEqual([{ by: 'subject', value: 'auth0|6650f1a2b3c4d5e6f7a8b9c0' }]);
  });

  it('names every field of the wrong type, and then the missing user id', () => {
    expect(parseAuth0PostLoginRequest('auth0|1')).toEqual({ ok: false, errors: [{ field: '', reason: 'the body must be a JSON object' }] });
    expect(parseAuth0PostLoginRequest(auth0PostLoginRequest({ userId: 7, email: {}, emailVerified: 'yes' }))).toEqual({
      ok: false,
      errors: [
        { field: 'userId', reason: 'must be a string' },
        { field: 'email', reason: 'must be a string' },
        { field: 'emailVerified', reason: 'must be a boolean' },
      ],
    });
    expect(parseAuth0PostLoginRequest(auth0PostLoginRequest({ userId: '' }))).toEqual({
      ok: false,
      errors: [{ field: 'userId', reason: expect.stringContaining('is required') }],
    });
  });
});

describe('answerAuth0Hook', () => {
  it('gives a client its claims in the access token, namespaced', () => {
    const answer = answerAuth0Hook(credentialsExchange, billingService, mapping, namespace);

    expect(answer).toEqual({
      status: 200,
      body: { accessToken: { customClaims: { 'https://claims.example.org/tier': 'gold' } } },
    });
  });

  it('gives a user their claims in the access token and the ID token', () => {
    const answer = answerAuth0Hook(postLogin, kim, mapping, namespace);

    expect(answer).toEqual({
      status: 200,
      body: {
        accessToken: { customClaims: { 'https://claims.example.org/patient_id': '6789' } },
        idToken: { customClaims: { 'https://claims.example.org/patient_id': '6789' } },
      },
    });
  });

  it('follows a configured mapping: profile attributes where named, each claim in its own tokens', () => {
    const config = parseClaimsConfig({
      rules: [{ source: 'patientId', claim: 'extPatientId', tokens: ['id'] }, { source: 'profile.ward', claim: 'ward', tokens: ['access'] }],
    });
    if (!config.ok) throw new Error('config should parse');

    const answer = answerAuth0Hook(postLogin, kim, { rules: config.value.rules }, namespace);

    expect(answer).toEqual({
      status: 200,
      body: {
        accessToken: { customClaims: { 'https://claims.example.org/ward': 'B2' } },
        idToken: { customClaims: { 'https://claims.example.org/extPatientId': '6789' } },
      },
    });
  });

  it.each([
    ['unknown', null],
    ['erased', { subject: kim.subject, version: 3, status: 'deleted' } satisfies DeletedSubject],
  ])('answers 200 with no claims for an %s subject', (_case, state) => {
    expect(answerAuth0Hook(credentialsExchange, state, mapping, namespace)).toEqual({ status: 200, body: { accessToken: { customClaims: {} } } });
    expect(answerAuth0Hook(postLogin, state, mapping, namespace)).toEqual({
      status: 200,
      body: { accessToken: { customClaims: {} }, idToken: { customClaims: {} } },
    });
  });

  it('denies a deactivated subject with 403 and no claim in the body', () => {
    const denied = { status: 403, body: { error: 'access_denied', error_description: 'The account is deactivated' } };

    expect(answerAuth0Hook(credentialsExchange, { ...billingService, status: 'deactivated' }, mapping, namespace)).toEqual(denied);
    expect(answerAuth0Hook(postLogin, { ...kim, status: 'deactivated' }, mapping, namespace)).toEqual(denied);
  });

  it('keeps a name Auth0 restricts once it is namespaced, and never returns it bare', () => {
    const doc: ClaimsDocument = { ...kim, claims: { roles: ['clinician'], sub: 'someone-else', tier: 'gold' } };

    const withNamespace = answerAuth0Hook(credentialsExchange, doc, mapping, namespace);
    const withoutNamespace = answerAuth0Hook(credentialsExchange, doc, mapping, '');

    expect(withNamespace).toMatchObject({ body: { accessToken: { customClaims: { 'https://claims.example.org/roles': ['clinician'], 'https://claims.example.org/sub': 'someone-else' } } } });
    expect(withoutNamespace).toEqual({ status: 200, body: { accessToken: { customClaims: { tier: 'gold', patient_id: '6789' } } } });
  });
});

describe('auth0FailureAnswer', () => {
  it('issues the tokens without our claims when failing open', () => {
    expect(auth0FailureAnswer('open', 'credentials-exchange')).toEqual({ status: 200, body: { accessToken: { customClaims: {} } } });
    expect(auth0FailureAnswer('open', 'post-login')).toEqual({ status: 200, body: { accessToken: { customClaims: {} }, idToken: { customClaims: {} } } });
  });

  it('has the Action deny the tokens when failing closed', () => {
    expect(auth0FailureAnswer('closed', 'post-login')).toEqual({ status: 403, body: { error: 'access_denied', error_description: expect.any(String) } });
  });
});

describe('parseAuth0ClaimNamespace', () => {
  it.each(['https://claims.example.org/', 'http://example.com/claims/', 'https://notauth0.com/'])('accepts %s as it is', (raw) => {
    expect(parseAuth0ClaimNamespace(raw)).toEqual({ ok: true, value: raw });
  });

  it.each([
    [42, 'must be an http(s) URL'],
    ['claims.example.org/', 'must be an http(s) URL'],
    ['urn:example:claims:', 'must be an http(s) URL'],
    ['https://claims.example.org', 'must end with /'],
    ['https://claims.example.org/?v=/', 'no query or fragment'],
    ['https://claims.example.org/#/', 'no query or fragment'],
    ['https://auth0.com/', 'must not be on auth0.com'],
    ['https://my-tenant.eu.auth0.com/', 'must not be on auth0.com'],
    ['https://AUTH0.COM./', 'must not be on auth0.com'],
    ['https://x.webtask.io/', 'must not be on auth0.com'],
    ['https://webtask.run/', 'must not be on auth0.com'],
  ])('refuses %s', (raw, reason) => {
    expect(parseAuth0ClaimNamespace(raw)).toEqual({ ok: false, errors: [{ field: '', reason: expect.stringContaining(reason) }] });
  });
});
