import { isDeleted, type ClaimsDocument, type SubjectState } from '../claims/claims-document.js';
import type { Parsed } from '../errors.js';
import { isJsonObject, jsonEquals, type JsonObject } from '../json.js';
import { ownedClaimNames, tokenClaims, type ClaimMapping, type TokenKind } from './claim-mapping.js';
import { NO_CHANGE, type FailureMode, type HookAnswer } from './hook-answer.js';
import { RequestFields } from './request-fields.js';
import { RESERVED_CLAIMS } from './reserved-claims.js';

/** What both Hydra token hooks (`oauth2.token_hook`, legacy `oauth2.refresh_token_hook`) need from Hydra's request. */
export interface HydraTokenHookRequest {
  /** The raw subject, never the possibly pairwise `sub`: the user, or the client for client_credentials. */
  subject: string;
  /** The custom access-token claims the session carries now (`session.extra`). */
  accessTokenClaims: JsonObject;
  /** The custom ID-token claims the session carries now (`session.id_token.id_token_claims.ext`). */
  idTokenClaims: JsonObject;
}

const SUBJECT_FIELD = 'session.id_token.subject';

/**
 * Reads either hook's body: the legacy hook sends the subject at the top level (and `requester`),
 * the generic one only in `session.id_token.subject`, which both carry. For client_credentials that
 * subject is the client id. Maps and lists Hydra never set come as `null`; since v25.4 an empty
 * `subject` or `username` is left out.
 */
export function parseHydraTokenHookRequest(body: unknown): Parsed<HydraTokenHookRequest> {
  if (!isJsonObject(body)) return { ok: false, errors: [{ field: '', reason: 'the body must be a JSON object' }] };
  const fields = new RequestFields();
  const session = fields.object(body, 'session', 'session');
  const idToken = fields.object(session, 'id_token', 'session.id_token');
  const idTokenClaims = fields.object(fields.object(idToken, 'id_token_claims', 'session.id_token.id_token_claims'), 'ext', 'session.id_token.id_token_claims.ext');
  const accessTokenClaims = fields.object(session, 'extra', 'session.extra');
  const subject = fields.string(body, 'subject', 'subject') ?? fields.string(idToken, 'subject', SUBJECT_FIELD);
  if (fields.errors.length > 0) return { ok: false, errors: fields.errors };
  if (subject === undefined) {
    return { ok: false, errors: [{ field: SUBJECT_FIELD, reason: 'is required: the subject the token is minted for (legacy hook: subject)' }] };
  }
  return { ok: true, value: { subject, accessTokenClaims: accessTokenClaims ?? {}, idTokenClaims: idTokenClaims ?? {} } };
}

/**
 * The answer to Hydra. Hydra *replaces* the session's custom claims with the maps of a 200, so
 * each map is what came in, less the claims this service answers for, plus their current values:
 * `sid`, consent claims and other hooks' claims survive, and a claim the projection no longer gives
 * (an unlinked patient, a revoked grant) leaves the token at the next refresh. 204 when both maps
 * would come back as they are; 403 (Hydra: `access_denied`) for a deactivated or erased subject,
 * whose stored claims would otherwise live on in every refreshed token.
 */
export function answerHydraTokenHook(request: HydraTokenHookRequest, state: SubjectState | null, mapping: ClaimMapping): HookAnswer {
  if (state === null) return NO_CHANGE;
  if (isDeleted(state) || state.status === 'deactivated') return DENIAL;
  const accessToken = mergeClaims(request.accessTokenClaims, state, mapping, 'access');
  const idToken = mergeClaims(request.idTokenClaims, state, mapping, 'id');
  if (jsonEquals(accessToken, request.accessTokenClaims) && jsonEquals(idToken, request.idTokenClaims)) return NO_CHANGE;
  return { status: 200, body: { session: { access_token: accessToken, id_token: idToken } } };
}

/** Fail-open lets Hydra issue the tokens with the session as it is; fail-closed refuses them. */
export function hydraFailureAnswer(mode: FailureMode): HookAnswer {
  return mode === 'open' ? NO_CHANGE : DENIAL;
}

// Hydra ignores the body of a 403; this one is for whoever reads the exchange in a proxy log.
const DENIAL: HookAnswer = { status: 403, body: { error: 'access_denied' } };

function mergeClaims(current: JsonObject, doc: ClaimsDocument, mapping: ClaimMapping, token: TokenKind): JsonObject {
  // Hydra overwrites its reserved names itself: they are neither ours to set nor to remove.
  const reserved = RESERVED_CLAIMS.hydra[token];
  const owned = ownedClaimNames(doc, mapping, token);
  const merged: JsonObject = {};
  for (const name of Object.keys(current)) {
    if (reserved.has(name) || !owned.has(name)) merged[name] = current[name]!;
  }
  const ours = tokenClaims(doc, mapping, token);
  for (const name of Object.keys(ours)) {
    if (!reserved.has(name)) merged[name] = ours[name]!;
  }
  return merged;
}
