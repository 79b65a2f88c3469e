import type { ClaimsDocument } from '../claims/claims-document.js';

/** Kim's document as the projection leaves it after registration and a patient link; overrides win. */
export function kimDocument(overrides: Partial<ClaimsDocument> = {}): ClaimsDocument {
  return {
    subject: '00uq8tMo3zV0OfJON0g3',
    version: 2,
    status: 'active',
    login: 'kim.sato@example.com',
    aliases: [],
    names: { 'kim.sato@example.com': '1' },
    patientId: '6789',
    claims: {},
    revokedClaims: [],
    profile: {},
    ...overrides,
  };
}
