import type { ClaimsDocument } from '../claims/claims-document.js';
import { DEFAULT_CLAIMS_CONFIG, mappingFor, ownedClaimNames, parseClaimsConfig, tokenClaims } from './claim-mapping.js';

const doc: ClaimsDocument = {
  subject: 's',
  version: 3,
  status: 'active',
  aliases: [],
  names: {},
  patientId: '6789',
  claims: { tier: 'gold', patient_id: 'from-grant' },
  revokedClaims: ['ward'],
  profile: { ward: 'B2' },
};

describe('tokenClaims', () => {
  it('puts granted claims and the patient id in both tokens by default, the explicit rule winning', () => {
    const mapping = mappingFor(DEFAULT_CLAIMS_CONFIG, 'okta');

    expect(tokenClaims(doc, mapping, 'access')).toEqual({ tier: 'gold', patient_id: '6789' });
    expect(tokenClaims(doc, mapping, 'id')).toEqual({ tier: 'gold', patient_id: '6789' });
  });

  it('leaves profile attributes out unless a rule names them', () => {
    const mapping = { rules: [{ source: 'profile.ward' as const, claim: 'ward', tokens: ['id' as const] }] };

    expect(tokenClaims(doc, mapping, 'id')).toEqual({ ward: 'B2' });
    expect(tokenClaims(doc, mapping, 'access')).toEqual({});
    expect(tokenClaims(doc, mappingFor(DEFAULT_CLAIMS_CONFIG, 'okta'), 'id')).not.toHaveProperty('ward');
  });
});

describe('ownedClaimNames', () => {
  it('names every claim the mapping answers for in a token, with or without a value now', () => {
    const mapping = { rules: [{ source: 'grantedClaims' as const, tokens: ['access' as const] }, { source: 'profile.unit' as const, claim: 'unit', tokens: ['id' as const] }] };

    expect(ownedClaimNames(doc, mapping, 'access')).toEqual(new Set(['tier', 'patient_id', 'ward']));
    expect(ownedClaimNames(doc, mapping, 'id')).toEqual(new Set(['unit']));
  });
});

describe('parseClaimsConfig', () => {
  it('reads rules and per-provider overrides', () => {
    const result = parseClaimsConfig({
      rules: [{ source: 'grantedClaims', tokens: ['access'] }],
      providers: { okta: { rules: [{ source: 'patientId', claim: 'extPatientId', tokens: ['id', 'id'] }] } },
    });

    expect(result).toEqual({
      ok: true,
      value: {
        rules: [{ source: 'grantedClaims', tokens: ['access'] }],
        providers: { okta: { rules: [{ source: 'patientId', claim: 'extPatientId', tokens: ['id'] }] } },
      },
    });
  });

  it('names every bad field, including claim names a provider reserves', () => {
    const result = parseClaimsConfig({
      rules: [
        { source: 'patient', tokens: ['id'] },
        { source: 'patientId', tokens: [] },
        { source: 'profile.groups', claim: 'groups', tokens: ['access'] },
        { source: 'grantedClaims', claim: 'x', tokens: ['id'] },
      ],
      providers: { keycloak: { rules: [] } },
    });

    expect(result).toEqual({
      ok: false,
      errors: [
        { field: 'providers.keycloak', reason: 'is not a provider (okta, hydra, auth0, kratos)' },
        { field: 'rules[0].source', reason: 'must be patientId, grantedClaims or profile.<attribute>' },
        { field: 'rules[0].claim', reason: 'must be a non-empty claim name' },
        { field: 'rules[1].claim', reason: 'must be a non-empty claim name' },
        { field: 'rules[1].tokens', reason: 'must be a non-empty array of "access" and "id"' },
        { field: 'rules[2].claim', reason: '"groups" is reserved by okta in the access token' },
        { field: 'rules[3].claim', reason: 'must be absent: granted claims keep their own names' },
      ],
    });
  });
});
