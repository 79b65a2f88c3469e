import type { ClaimsDocument, DeletedSubject } from '../claims/claims-document.js';
import type { JsonObject } from '../json.js';
import { kimDocument } from '../testing/claims-documents.js';
import { HYDRA_GRANTS, hydraRefreshHookRequest, hydraTokenHookRequest, withHydraAnswerApplied, type HydraGrant } from '../testing/hydra-requests.js';
import { DEFAULT_CLAIMS_CONFIG, mappingFor } from './claim-mapping.js';
import { answerHydraTokenHook, hydraFailureAnswer, parseHydraTokenHookRequest, type HydraTokenHookRequest } from './hydra-token-hook.js';

const mapping = mappingFor(DEFAULT_CLAIMS_CONFIG, 'hydra');

const kim = kimDocument({ subject: 'kratos-identity-1' });

function parsed(body: unknown): HydraTokenHookRequest {
  const result = parseHydraTokenHookRequest(body);
  if (!result.ok) throw new Error(`unexpected parse errors: ${JSON.stringify(result.errors)}`);
  return result.value;
}

describe('parseHydraTokenHookRequest', () => {
  it.each(Object.keys(HYDRA_GRANTS) as HydraGrant[])('finds the raw subject and the custom claims of a %s body', (grant) => {
    const request = parsed(hydraTokenHookRequest({ grant }));

    const expectedSubject = { client_credentials: 'billing-service', jwt_bearer: 'service-42' }[grant as string] ?? 'kratos-identity-1';
    expect(request.subject).toBe(expectedSubject);
    expect(request.subject).not.toBe('pairwise-3f9a1c');
  });

  it('reads the session claims of a code flow: sid and consent claims in ext, consent claims in extra', () => {
    expect(parsed(hydraTokenHookRequest())).toEqual({
      subject: 'kratos-identity-1',
      accessTokenClaims: { consent_scope_note: 'from consent' },
      idTokenClaims: { sid: 'c7a8f1e2-login-session', email: 'kim.sato@example.com' },
    });
  });

  it('reads the username Hydra puts in extra for the password grant as a claim that came in', () => {
    expect(parsed(hydraTokenHookRequest({ grant: 'password' })).accessTokenClaims).toEqual({ username: 'kim.sato@example.com' });
  });

  it('reads the legacy refresh hook body by its top-level subject', () => {
    expect(parsed(hydraRefreshHookRequest({ ext: { sid: 's1' } }))).toEqual({ subject: 'kratos-identity-1', accessTokenClaims: { consent_scope_note: 'from consent' }, idTokenClaims: { sid: 's1' } });
    const withoutTopLevelSubject = hydraRefreshHookRequest();
    delete withoutTopLevelSubject['subject'];
    expect(parsed(withoutTopLevelSubject)).toMatchObject({ subject: 'kratos-identity-1' });
  });

  it('takes null for every map and list, zero and fractional times, Hydra v2 fields and unknown keys', () => {
    const body = hydraTokenHookRequest({ grant: 'client_credentials', extra: null, ext: null, hydraVersion: 'v2' });
    const request = body['request'] as Record<string, unknown>;
    Object.assign(request, { granted_audience: null, requested_scopes: null, payload: null, a_future_field: { nested: [1, 2] } });
    body['a_future_top_level_key'] = true;

    expect(parsed(body)).toEqual({ subject: 'billing-service', accessTokenClaims: {}, idTokenClaims: {} });
  });

  it('refuses a body without a subject, naming the field', () => {
    expect(parseHydraTokenHookRequest(hydraTokenHookRequest({ grant: 'refresh_token', subject: null }))).toEqual({
      ok: false,
      errors: [{ field: 'session.id_token.subject', reason: 'is required: the subject the token is minted for (legacy hook: subject)' }],
    });
  });

  it('names each field of the wrong type', () => {
    const body = hydraTokenHookRequest();
    const session = body['session'] as Record<string, unknown>;
    session['extra'] = ['not', 'a', 'map'];
    (session['id_token'] as Record<string, unknown>)['subject'] = 42;

    expect(parseHydraTokenHookRequest(body)).toEqual({
      ok: false,
      errors: [
        { field: 'session.extra', reason: 'must be an object' },
        { field: 'session.id_token.subject', reason: 'must be a string' },
      ],
    });
    expect(parseHydraTokenHookRequest('[]')).toEqual({ ok: false, errors: [{ field: '', reason: 'the body must be a JSON object' }] });
  });
});

describe('answerHydraTokenHook', () => {
  it('answers both maps: what came in (sid, consent claims) merged with the patient id', () => {
    const answer = answerHydraTokenHook(parsed(hydraTokenHookRequest()), kim, mapping);

    expect(answer).toEqual({
      status: 200,
      body: {
        session: {
          access_token: { consent_scope_note: 'from consent', patient_id: '6789' },
          id_token: { sid: 'c7a8f1e2-login-session', email: 'kim.sato@example.com', patient_id: '6789' },
        },
      },
    });
  });

  it('gives the same answer for the legacy body as for the generic one', () => {
    const generic = answerHydraTokenHook(parsed(hydraTokenHookRequest({ grant: 'refresh_token' })), kim, mapping);

    expect(answerHydraTokenHook(parsed(hydraRefreshHookRequest()), kim, mapping)).toEqual(generic);
  });

  it('gives a machine client its claims in both maps, starting from null ones', () => {
    const { patientId: _none, ...person } = kim;
    const client: ClaimsDocument = { ...person, subject: 'billing-service', claims: { tenant: 'north' } };
    const request = parsed(hydraTokenHookRequest({ grant: 'client_credentials', extra: null, ext: null }));

    expect(answerHydraTokenHook(request, client, mapping)).toEqual({ status: 200, body: { session: { access_token: { tenant: 'north' }, id_token: { tenant: 'north' } } } });
  });

  it('answers 204 when the session already carries our claims, so a retried or repeated call changes nothing', () => {
    const body = hydraTokenHookRequest({ grant: 'refresh_token' });
    const first = answerHydraTokenHook(parsed(body), kim, mapping);
    const refreshed = withHydraAnswerApplied(body, (first as { body: JsonObject }).body);

    expect(answerHydraTokenHook(parsed(refreshed), kim, mapping)).toEqual({ status: 204 });
    expect(answerHydraTokenHook(parsed(refreshed), kim, mapping)).toEqual({ status: 204 });
  });

  it('drops only our claim when the patient is unlinked, keeping sid and consent claims', () => {
    const body = hydraTokenHookRequest({ grant: 'refresh_token' });
    const refreshed = withHydraAnswerApplied(body, (answerHydraTokenHook(parsed(body), kim, mapping) as { body: JsonObject }).body);
    const unlinked: ClaimsDocument = { ...kim, version: 3 };
    delete unlinked.patientId;

    expect(answerHydraTokenHook(parsed(refreshed), unlinked, mapping)).toEqual({
      status: 200,
      body: { session: { access_token: { consent_scope_note: 'from consent' }, id_token: { sid: 'c7a8f1e2-login-session', email: 'kim.sato@example.com' } } },
    });
  });

  it('drops a revoked grant and updates a changed one', () => {
    const request = parsed(hydraTokenHookRequest({ extra: { ward: 'B2', tier: 'gold', other_hook: 1 }, ext: { sid: 's', tier: 'gold' } }));
    const doc: ClaimsDocument = { ...kim, claims: { tier: 'silver' }, revokedClaims: ['ward'] };

    expect(answerHydraTokenHook(request, doc, mapping)).toEqual({
      status: 200,
      body: { session: { access_token: { other_hook: 1, tier: 'silver', patient_id: '6789' }, id_token: { sid: 's', tier: 'silver', patient_id: '6789' } } },
    });
  });

  it('never sets or removes a claim Hydra keeps for itself', () => {
    const request = parsed(hydraTokenHookRequest({ extra: {}, ext: { sid: 'hydra-session' } }));
    const doc: ClaimsDocument = { ...kim, claims: { sid: 'ours', acr: 'ours', client_id: 'ours', tier: 'gold' } };

    expect(answerHydraTokenHook(request, doc, mapping)).toEqual({
      status: 200,
      body: {
        session: {
          access_token: { sid: 'ours', acr: 'ours', tier: 'gold', patient_id: '6789' },
          id_token: { sid: 'hydra-session', client_id: 'ours', tier: 'gold', patient_id: '6789' },
        },
      },
    });
  });

  it('follows a mapping that puts the patient id in the ID token only', () => {
    const idOnly = { rules: [{ source: 'patientId' as const, claim: 'extPatientId', tokens: ['id' as const] }] };
    const request = parsed(hydraTokenHookRequest({ extra: { patient_id: 'set by consent' }, ext: {} }));

    expect(answerHydraTokenHook(request, kim, idOnly)).toEqual({
      status: 200,
      body: { session: { access_token: { patient_id: 'set by consent' }, id_token: { extPatientId: '6789' } } },
    });
  });

  it('answers 204 for a subject the projection does not know, 403 for a deactivated or erased one', () => {
    const request = parsed(hydraTokenHookRequest());
    const erased: DeletedSubject = { subject: kim.subject, version: 3, status: 'deleted' };

    expect(answerHydraTokenHook(request, null, mapping)).toEqual({ status: 204 });
    expect(answerHydraTokenHook(request, { ...kim, status: 'deactivated' }, mapping)).toMatchObject({ status: 403 });
    expect(answerHydraTokenHook(request, erased, mapping)).toMatchObject({ status: 403 });
  });

  it('echoes claims as Hydra sent them, large integers as the strings they came as', () => {
    const request = parsed(hydraTokenHookRequest({ ext: { sid: 's', big_id: '12345678901234567890', ratio: 0.25 } }));
    const doc: ClaimsDocument = { ...kim, claims: { count: 9007199254740991, nested: { list: [1, 2.5, 'x'] } } };

    const answer = answerHydraTokenHook(request, doc, mapping) as { body: JsonObject };

    expect(answer.body['session']).toMatchObject({ id_token: { big_id: '12345678901234567890', ratio: 0.25, count: 9007199254740991 } });
  });
});

describe('hydraFailureAnswer', () => {
  it('lets Hydra issue the tokens unchanged when open, and refuses them when closed', () => {
    expect(hydraFailureAnswer('open')).toEqual({ status: 204 });
    expect(hydraFailureAnswer('closed')).toMatchObject({ status: 403 });
  });
});

