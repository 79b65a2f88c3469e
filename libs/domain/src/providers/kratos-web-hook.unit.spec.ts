import type { ClaimsDocument, DeletedSubject } from '../claims/claims-document.js';
import type { JsonObject } from '../json.js';
import { kimDocument } from '../testing/claims-documents.js';
import { kratosWebHookRequest, type KratosRequestOptions } from '../testing/kratos-requests.js';
import { DEFAULT_CLAIMS_CONFIG, type ClaimMapping } from './claim-mapping.js';
import {
  answerKratosLoginHook,
  answerKratosPrePersistHook,
  KRATOS_BODY_TEMPLATE,
  KRATOS_MESSAGE_IDS,
  kratosFailureAnswer,
  parseKratosWebHookRequest,
  type KratosWebHookRequest,
} from './kratos-web-hook.js';

// `kratos` has no entry of its own in the claims configuration yet: the shared rules apply.
const mapping: ClaimMapping = { rules: DEFAULT_CLAIMS_CONFIG.rules };

const kim = kimDocument({ subject: 'kratos-identity-1' });
const deactivated: ClaimsDocument = { ...kim, status: 'deactivated' };
const erased: DeletedSubject = { subject: kim.subject, version: 3, status: 'deleted' };

function parsed(options: KratosRequestOptions = {}): KratosWebHookRequest {
  const result = parseKratosWebHookRequest(kratosWebHookRequest(options));
  if (!result.ok) throw new Error(`unexpected parse errors: ${JSON.stringify(result.errors)}`);
  return result.value;
}

function interruption(id: number): unknown {
  return { status: 403, body: { messages: [{ instance_ptr: '#/', messages: [{ id, text: expect.any(String), type: 'error' }] }] } };
}

describe('parseKratosWebHookRequest', () => {
  it('looks a saved identity up by its id, then by each verified address', () => {
    const request = parsed({ hookPoint: 'settings', addresses: [{ value: 'kim.sato@example.com', verified: true }, { value: 'kim@work.example', verified: true }] });

    expect(request).toEqual({
      lookups: [
        { by: 'subject', value: 'kratos-identity-1' },
        { by: 'name', value: 'kim.sato@example.com' },
        { by: 'name', value: 'kim@work.example' },
      ],
      metadataPublic: null,
    });
  });

  it('does not look up the nil id Kratos sends before registration saves the identity', () => {
    expect(parsed({ hookPoint: 'registration' }).lookups).toEqual([{ by: 'name', value: 'kim.sato@example.com' }]);
  });

  it('never looks up an address Kratos has not verified, so a typed-in email finds no one', () => {
    const request = parsed({ hookPoint: 'registration', addresses: [{ value: 'kim.sato@example.com', verified: false }] });

    expect(request.lookups).toEqual([]);
  });

  it('reads metadata_public as it came, and takes a body without addresses', () => {
    const body = kratosWebHookRequest({ metadataPublic: { plan: 'free' } });
    delete (body['identity'] as Record<string, unknown>)['verifiable_addresses'];

    expect(parseKratosWebHookRequest(body)).toEqual({ ok: true, value: { lookups: [{ by: 'subject', value: 'kratos-identity-1' }], metadataPublic: { plan: 'free' } } });
  });

  it('names the field that is missing or of the wrong type', () => {
    expect(parseKratosWebHookRequest([])).toEqual({ ok: false, errors: [{ field: '', reason: 'the body must be a JSON object' }] });
    expect(parseKratosWebHookRequest({ flow: {} })).toEqual({ ok: false, errors: [{ field: 'identity', reason: 'must be an object' }] });
    expect(parseKratosWebHookRequest({ identity: { metadata_public: null } })).toEqual({
      ok: false,
      errors: [{ field: 'identity.id', reason: expect.stringContaining('is required') }],
    });
    expect(parseKratosWebHookRequest({ identity: { id: 7, metadata_public: 'x', verifiable_addresses: {} } })).toEqual({
      ok: false,
      errors: [
        { field: 'identity.id', reason: 'must be a string' },
        { field: 'identity.metadata_public', reason: 'must be an object' },
        { field: 'identity.verifiable_addresses', reason: 'must be an array' },
      ],
    });
    expect(parseKratosWebHookRequest({ identity: { id: 'i', verifiable_addresses: ['a', { value: 1, verified: 'yes' }] } })).toEqual({
      ok: false,
      errors: [
        { field: 'identity.verifiable_addresses[0]', reason: 'must be an object' },
        { field: 'identity.verifiable_addresses[1].verified', reason: 'must be a boolean' },
        { field: 'identity.verifiable_addresses[1].value', reason: 'must be a string' },
      ],
    });
  });
});

describe('answerKratosPrePersistHook', () => {
  it('answers the metadata that came in with the patient id added, and nothing else of the identity', () => {
    const answer = answerKratosPrePersistHook(parsed({ metadataPublic: { plan: 'free' } }), kim, mapping);

    expect(answer).toEqual({ status: 200, body: { identity: { metadata_public: { plan: 'free', patient_id: '6789' } } } });
  });

  it('starts from null metadata, as a registration brings it', () => {
    const answer = answerKratosPrePersistHook(parsed({ hookPoint: 'registration' }), kim, mapping);

    expect(answer).toEqual({ status: 200, body: { identity: { metadata_public: { patient_id: '6789' } } } });
  });

  it('answers 204 when the metadata already carries our claims, so a retried call changes nothing', () => {
    const request = parsed({ metadataPublic: { plan: 'free', patient_id: '6789' } });

    expect(answerKratosPrePersistHook(request, kim, mapping)).toEqual({ status: 204 });
  });

  it('answers 204 when there is nothing to add to null metadata, rather than turning it into {}', () => {
    const { patientId: _none, ...unlinked } = kim;

    expect(answerKratosPrePersistHook(parsed(), unlinked, mapping)).toEqual({ status: 204 });
  });

  it('takes the mapped claims out of an identity the projection does not know (erasure released the address it was found by), and else changes nothing', () => {
    expect(answerKratosPrePersistHook(parsed({ metadataPublic: { patient_id: '6789', theme: 'dark' } }), null, mapping)).toEqual({
      status: 200,
      body: { identity: { metadata_public: { theme: 'dark' } } },
    });
    expect(answerKratosPrePersistHook(parsed({ metadataPublic: { theme: 'dark' } }), null, mapping)).toEqual({ status: 204 });
    expect(answerKratosPrePersistHook(parsed(), null, mapping)).toEqual({ status: 204 });
  });

  it('drops our claims the projection no longer gives, even when that leaves the metadata empty', () => {
    const { patientId: _none, ...unlinked } = kim;
    const request = parsed({ metadataPublic: { ward: 'B2', tier: 'gold', patient_id: '6789', plan: 'free' } });

    expect(answerKratosPrePersistHook(request, { ...unlinked, claims: { tier: 'silver' }, revokedClaims: ['ward'] }, mapping)).toEqual({
      status: 200,
      body: { identity: { metadata_public: { plan: 'free', tier: 'silver' } } },
    });
    // Kratos replaces the field with any JSON longer than nothing, `{}` included, so this clears it.
    expect(answerKratosPrePersistHook(parsed({ metadataPublic: { patient_id: '6789' } }), unlinked, mapping)).toEqual({
      status: 200,
      body: { identity: { metadata_public: {} } },
    });
  });

  it('puts the claims the mapping gives the ID token into the metadata, not those of the access token', () => {
    const idAndAccess: ClaimMapping = {
      rules: [
        { source: 'patientId', claim: 'extPatientId', tokens: ['id'] },
        { source: 'profile.ward', claim: 'ward', tokens: ['access'] },
      ],
    };
    const doc = kimDocument({ subject: 'kratos-identity-1', profile: { ward: 'B2' } });

    expect(answerKratosPrePersistHook(parsed(), doc, idAndAccess)).toEqual({ status: 200, body: { identity: { metadata_public: { extPatientId: '6789' } } } });
  });

  it('interrupts the flow for a deactivated subject with a 403 messages body Kratos shows in the form', () => {
    expect(answerKratosPrePersistHook(parsed({ metadataPublic: { plan: 'free' } }), deactivated, mapping)).toEqual(interruption(KRATOS_MESSAGE_IDS.accountDeactivated));
  });

  it('takes the claims the mapping names out of an erased subject\'s metadata, and never interrupts', () => {
    const request = parsed({ metadataPublic: { patient_id: '6789', tier: 'gold', plan: 'free' } });

    expect(answerKratosPrePersistHook(request, erased, mapping)).toEqual({ status: 200, body: { identity: { metadata_public: { tier: 'gold', plan: 'free' } } } });
    expect(answerKratosPrePersistHook(parsed({ metadataPublic: { plan: 'free' } }), erased, mapping)).toEqual({ status: 204 });
  });

  it('echoes metadata as Kratos sent it: nested values, nulls and large integers as the strings they came as', () => {
    const metadata = { prefs: { lang: 'de', tags: ['a', null] }, external: '12345678901234567890', ratio: 0.25 };

    const answer = answerKratosPrePersistHook(parsed({ metadataPublic: metadata }), kim, mapping) as { body: JsonObject };

    expect(answer.body).toEqual({ identity: { metadata_public: { ...metadata, patient_id: '6789' } } });
  });
});

describe('answerKratosLoginHook', () => {
  it('lets an active, unknown or erased subject sign in without changing the identity', () => {
    expect(answerKratosLoginHook(kim)).toEqual({ status: 204 });
    expect(answerKratosLoginHook(null)).toEqual({ status: 204 });
    expect(answerKratosLoginHook(erased)).toEqual({ status: 204 });
  });

  it('interrupts the login of a deactivated subject with a 403 messages body', () => {
    expect(answerKratosLoginHook(deactivated)).toEqual(interruption(KRATOS_MESSAGE_IDS.accountDeactivated));
  });
});

describe('kratosFailureAnswer', () => {
  it('lets the flow go on unchanged when open, and stops it with a message (never a 5xx) when closed', () => {
    expect(kratosFailureAnswer('open')).toEqual({ status: 204 });
    expect(kratosFailureAnswer('closed')).toEqual(interruption(KRATOS_MESSAGE_IDS.claimsUnavailable));
  });
});

describe('KRATOS_MESSAGE_IDS', () => {
  it('stays out of the range Kratos keeps for its own messages', () => {
    for (const id of Object.values(KRATOS_MESSAGE_IDS)) expect(id >= 1_000_000 && id < 6_000_000).toBe(false);
  });
});

describe('KRATOS_BODY_TEMPLATE', () => {
  it('is a function of ctx that sends the identity fields the parser reads, and no traits', () => {
    expect(KRATOS_BODY_TEMPLATE).toMatch(/^function\(ctx\)/);
    for (const field of ['id', 'metadata_public', 'verifiable_addresses', 'value', 'verified']) expect(KRATOS_BODY_TEMPLATE).toContain(field);
    expect(KRATOS_BODY_TEMPLATE).not.toContain('traits');
  });
});
