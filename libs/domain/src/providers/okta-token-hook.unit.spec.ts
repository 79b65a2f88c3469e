import type { ClaimsDocument } from '../claims/claims-document.js';
import { DEFAULT_CLAIMS_CONFIG, mappingFor, parseClaimsConfig } from './claim-mapping.js';
import { kimDocument } from '../testing/claims-documents.js';
import { oktaTokenHookRequest } from '../testing/okta-requests.js';
import { answerOktaTokenHook, escapeJsonPointer, oktaFailureAnswer, parseOktaTokenHookRequest, type OktaTokenHookRequest } from './okta-token-hook.js';

const mapping = mappingFor(DEFAULT_CLAIMS_CONFIG, 'okta');

const kim = kimDocument({ profile: { ward: 'B2' } });

/** Okta's request for kim, with one member replaced (`undefined` removes it). */
function oktaRequest(path?: string, value?: unknown): Record<string, unknown> {
  const body = oktaTokenHookRequest({ login: 'kim.sato@example.com', userId: '00uq8tMo3zV0OfJON0g3' });
  if (path === undefined) return body;
  const keys = path.split('.');
  const parent = keys.slice(0, -1).reduce<Record<string, unknown>>((node, key) => node[key] as Record<string, unknown>, body);
  if (value === undefined) delete parent[keys.at(-1)!];
  else parent[keys.at(-1)!] = value;
  return body;
}

function parsed(body: unknown): OktaTokenHookRequest {
  const result = parseOktaTokenHookRequest(body);
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result.value;
}

describe('parseOktaTokenHookRequest', () => {
  it('looks the user up by login, then preferred_username, then user id', () => {
    const request = parsed(oktaRequest('data.identity.claims.preferred_username', 'kim@alias.example'));

    expect(request.lookups).toEqual([
      { by: 'name', value: 'kim.sato@example.com' },
      { by: 'name', value: 'kim@alias.example' },
      { by: 'subject', value: '00uq8tMo3zV0OfJON0g3' },
    ]);
  });

  it('falls back to preferred_username when the context has no user', () => {
    const request = parsed(oktaRequest('data.context.user', null));

    expect(request.lookups).toEqual([{ by: 'name', value: 'kim.sato@example.com' }]);
  });

  it('looks a client_credentials token up by the client, since it has no user and no ID token', () => {
    const machine = oktaRequest('data.context.user');
    delete (machine['data'] as Record<string, unknown>)['identity'];

    expect(parsed(machine)).toEqual({ lookups: [{ by: 'subject', value: 'abc' }], accessTokenClaims: expect.any(Object) });
  });

  it('tells which tokens are minted from the presence of data.identity and data.access', () => {
    expect(parsed(oktaRequest('data.access'))).not.toHaveProperty('accessTokenClaims');
    expect(parsed(oktaRequest('data.identity', null))).not.toHaveProperty('idTokenClaims');
    expect(parsed(oktaRequest('data.access.claims')).accessTokenClaims).toEqual({});
  });

  it('names the field that is missing or of the wrong type', () => {
    expect(parseOktaTokenHookRequest('nope')).toEqual({ ok: false, errors: [{ field: '', reason: 'the body must be a JSON object' }] });
    expect(parseOktaTokenHookRequest({ eventType: 'x' })).toEqual({ ok: false, errors: [{ field: 'data', reason: 'must be an object' }] });
    expect(parseOktaTokenHookRequest(oktaRequest('data.context.user.profile.login', 42))).toEqual({
      ok: false,
      errors: [{ field: 'data.context.user.profile.login', reason: 'must be a string' }],
    });
    expect(parseOktaTokenHookRequest(oktaRequest('data.identity.claims', []))).toEqual({
      ok: false,
      errors: [{ field: 'data.identity.claims', reason: 'must be an object' }],
    });
    const anonymous = oktaRequest('data.context.user', {});
    delete (anonymous['data'] as Record<string, unknown>)['identity'];
    expect(parseOktaTokenHookRequest(anonymous)).toEqual({
      ok: false,
      errors: [{ field: 'data.context.user.profile.login', reason: expect.stringContaining('is required to find the user') }],
    });
    const clientless = oktaRequest('data.context.protocol.client', { id: 7 });
    delete ((clientless['data'] as Record<string, Record<string, unknown>>)['context']!)['user'];
    delete (clientless['data'] as Record<string, unknown>)['identity'];
    expect(parseOktaTokenHookRequest(clientless)).toEqual({ ok: false, errors: [{ field: 'data.context.protocol.client.id', reason: 'must be a string' }] });
  });
});

describe('answerOktaTokenHook', () => {
  it('adds the patient id to both tokens', () => {
    const answer = answerOktaTokenHook(parsed(oktaRequest()), kim, mapping);

    expect(answer).toEqual({
      status: 200,
      body: {
        commands: [
          { type: 'com.okta.identity.patch', value: [{ op: 'add', path: '/claims/patient_id', value: '6789' }] },
          { type: 'com.okta.access.patch', value: [{ op: 'add', path: '/claims/patient_id', value: '6789' }] },
        ],
      },
    });
  });

  it('replaces a claim the token has with another value and leaves an equal one alone', () => {
    const request = parsed(oktaRequest('data.identity.claims.patient_id', 'old'));
    request.accessTokenClaims!['patient_id'] = '6789';

    const answer = answerOktaTokenHook(request, kim, mapping);

    expect(answer).toEqual({
      status: 200,
      body: { commands: [{ type: 'com.okta.identity.patch', value: [{ op: 'replace', path: '/claims/patient_id', value: '6789' }] }] },
    });
  });

  it('patches only the tokens being minted', () => {
    const answer = answerOktaTokenHook(parsed(oktaRequest('data.identity')), kim, mapping);

    expect(answer).toMatchObject({ body: { commands: [{ type: 'com.okta.access.patch' }] } });
  });

  it('answers 204 for an unknown subject and when there is nothing to add', () => {
    const { patientId: _none, ...unlinked } = kim;

    expect(answerOktaTokenHook(parsed(oktaRequest()), null, mapping)).toEqual({ status: 204 });
    expect(answerOktaTokenHook(parsed(oktaRequest()), unlinked, mapping)).toEqual({ status: 204 });
  });

  it('denies a deactivated subject with the error object', () => {
    const answer = answerOktaTokenHook(parsed(oktaRequest()), { ...kim, status: 'deactivated' }, mapping);

    expect(answer).toEqual({ status: 200, body: { error: { errorSummary: expect.stringContaining('deactivated') } } });
  });

  it('never patches a reserved name nor sends a null, and escapes URI claim names', () => {
    const doc: ClaimsDocument = { ...kim, claims: { groups: ['admins'], sid: 's', 'https://example.com/tier': 'gold', nothing: null, scp: 'x' } };

    const answer = answerOktaTokenHook(parsed(oktaRequest('data.access')), doc, mapping);

    expect(answer).toEqual({
      status: 200,
      body: {
        commands: [
          {
            type: 'com.okta.identity.patch',
            value: [
              { op: 'add', path: '/claims/https:~1~1example.com~1tier', value: 'gold' },
              { op: 'add', path: '/claims/scp', value: 'x' },
              { op: 'add', path: '/claims/patient_id', value: '6789' },
            ],
          },
        ],
      },
    });
  });

  it('follows a configured mapping: profile attributes where named, patient id under another name', () => {
    const config = parseClaimsConfig({
      rules: [{ source: 'patientId', claim: 'extPatientId', tokens: ['id'] }, { source: 'profile.ward', claim: 'ward', tokens: ['access'] }],
    });
    if (!config.ok) throw new Error('config should parse');

    const answer = answerOktaTokenHook(parsed(oktaRequest()), kim, mappingFor(config.value, 'okta'));

    expect(answer).toEqual({
      status: 200,
      body: {
        commands: [
          { type: 'com.okta.identity.patch', value: [{ op: 'add', path: '/claims/extPatientId', value: '6789' }] },
          { type: 'com.okta.access.patch', value: [{ op: 'add', path: '/claims/ward', value: 'B2' }] },
        ],
      },
    });
  });
});

describe('oktaFailureAnswer', () => {
  it('issues the token untouched when failing open and refuses it when failing closed', () => {
    expect(oktaFailureAnswer('open')).toEqual({ status: 204 });
    expect(oktaFailureAnswer('closed')).toEqual({ status: 200, body: { error: { errorSummary: expect.any(String) } } });
  });
});

describe('escapeJsonPointer', () => {
  it('escapes ~ before /', () => {
    expect(escapeJsonPointer('a~/b')).toBe('a~0~1b');
  });
});
