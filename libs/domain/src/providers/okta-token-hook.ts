import { isDeleted, type SubjectState } from '../claims/claims-document.js';
import type { Parsed } from '../errors.js';
import { isJsonObject, jsonEquals, type JsonObject, type JsonValue } from '../json.js';
import { tokenClaims, type ClaimMapping, type TokenKind } from './claim-mapping.js';
import { NO_CHANGE, type FailureMode, type HookAnswer, type SubjectLookup } from './hook-answer.js';
import { RequestFields } from './request-fields.js';
import { RESERVED_CLAIMS } from './reserved-claims.js';

/** What the Okta token inline hook (`com.okta.oauth2.tokens.transform`) needs from Okta's request. */
export interface OktaTokenHookRequest {
  /** Where to look the user up, in order: login, `preferred_username` of the ID token, user id. */
  lookups: SubjectLookup[];
  /** Claims of the ID token being minted; absent when Okta mints no ID token. */
  idTokenClaims?: JsonObject;
  /** Claims of the access token being minted; absent when Okta mints no access token. */
  accessTokenClaims?: JsonObject;
}

export interface OktaPatchOperation {
  op: 'add' | 'replace';
  path: string;
  value: JsonValue;
}

const COMMAND_TYPES: Record<TokenKind, string> = { id: 'com.okta.identity.patch', access: 'com.okta.access.patch' };
/** In the order of the commands: the ID token's patch first. */
const PATCHED_TOKENS: readonly TokenKind[] = ['id', 'access'];
const DENIED_SUMMARY = 'Token refused by the claims service: the account is deactivated';
const UNAVAILABLE_SUMMARY = 'Token refused: the claims service could not answer in time';

export function parseOktaTokenHookRequest(body: unknown): Parsed<OktaTokenHookRequest> {
  if (!isJsonObject(body)) return { ok: false, errors: [{ field: '', reason: 'the body must be a JSON object' }] };
  if (!isJsonObject(body['data'])) return { ok: false, errors: [{ field: 'data', reason: 'must be an object' }] };
  const data = body['data'];
  const fields = new RequestFields();
  const context = fields.object(data, 'context', 'data.context');
  const user = fields.object(context, 'user', 'data.context.user');
  const login = fields.string(fields.object(user, 'profile', 'data.context.user.profile'), 'login', 'data.context.user.profile.login');
  const userId = fields.string(user, 'id', 'data.context.user.id');
  const identity = fields.object(data, 'identity', 'data.identity');
  const idTokenClaims = fields.object(identity, 'claims', 'data.identity.claims');
  const preferredUsername = fields.string(idTokenClaims, 'preferred_username', 'data.identity.claims.preferred_username');
  const access = fields.object(data, 'access', 'data.access');
  const accessTokenClaims = fields.object(access, 'claims', 'data.access.claims');
  // A client_credentials token has no user and no ID token: its subject is the client, as on Auth0's credentials-exchange.
  const client = user || identity ? undefined : fields.object(fields.object(context, 'protocol', 'data.context.protocol'), 'client', 'data.context.protocol.client');
  const clientId = fields.string(client, 'id', 'data.context.protocol.client.id');
  if (fields.errors.length > 0) return { ok: false, errors: fields.errors };

  const lookups: SubjectLookup[] = [];
  if (login) lookups.push({ by: 'name', value: login });
  if (preferredUsername && preferredUsername !== login) lookups.push({ by: 'name', value: preferredUsername });
  if (userId) lookups.push({ by: 'subject', value: userId });
  if (clientId) lookups.push({ by: 'subject', value: clientId });
  if (lookups.length === 0) {
    return {
      ok: false,
      errors: [
        {
          field: 'data.context.user.profile.login',
          reason: 'is required to find the user (or data.identity.claims.preferred_username, or data.context.user.id; without a user, data.context.protocol.client.id)',
        },
      ],
    };
  }
  const request: OktaTokenHookRequest = { lookups };
  if (identity) request.idTokenClaims = idTokenClaims ?? {};
  if (access) request.accessTokenClaims = accessTokenClaims ?? {};
  return { ok: true, value: request };
}

/**
 * The answer to Okta: a patch per token being minted, `add` for a claim the token lacks and
 * `replace` for one it has with another value; 204 when there is nothing to change; the `error`
 * object (Okta then issues no token) for a deactivated subject. An erased subject is answered as
 * an unknown one: Okta mints every token afresh, so no claim of ours survives in it, and erasure
 * in this service is not a reason to stop the user signing in.
 */
export function answerOktaTokenHook(request: OktaTokenHookRequest, state: SubjectState | null, mapping: ClaimMapping): HookAnswer {
  if (state === null || isDeleted(state)) return NO_CHANGE;
  const doc = state;
  if (doc.status === 'deactivated') return denial(DENIED_SUMMARY);
  const commands: JsonValue[] = [];
  for (const token of PATCHED_TOKENS) {
    const current = token === 'id' ? request.idTokenClaims : request.accessTokenClaims;
    if (current === undefined) continue;
    const value = patchOperations(tokenClaims(doc, mapping, token), current, RESERVED_CLAIMS.okta[token]);
    if (value.length > 0) commands.push({ type: COMMAND_TYPES[token], value: value as unknown as JsonValue[] });
  }
  return commands.length > 0 ? { status: 200, body: { commands } } : NO_CHANGE;
}

/** Fail-open leaves the token as Okta would mint it; fail-closed makes Okta refuse it. */
export function oktaFailureAnswer(mode: FailureMode): HookAnswer {
  return mode === 'open' ? NO_CHANGE : denial(UNAVAILABLE_SUMMARY);
}

function patchOperations(ours: JsonObject, current: JsonObject, reserved: ReadonlySet<string>): OktaPatchOperation[] {
  const operations: OktaPatchOperation[] = [];
  for (const name of Object.keys(ours)) {
    const value = ours[name]!;
    // Okta refuses the whole patch for a reserved name or a null value, so neither is sent.
    if (reserved.has(name) || value === null) continue;
    const path = `/claims/${escapeJsonPointer(name)}`;
    if (!Object.hasOwn(current, name)) operations.push({ op: 'add', path, value });
    else if (!jsonEquals(current[name], value)) operations.push({ op: 'replace', path, value });
  }
  return operations;
}

/** RFC 6901: a claim name such as `https://example.com/tier` becomes `https:~1~1example.com~1tier`. */
export function escapeJsonPointer(segment: string): string {
  return segment.replaceAll('~', '~0').replaceAll('/', '~1');
}

function denial(errorSummary: string): HookAnswer {
  return { status: 200, body: { error: { errorSummary } } };
}
