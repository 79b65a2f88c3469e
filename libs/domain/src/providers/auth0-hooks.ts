import { isDeleted, type SubjectState } from '../claims/claims-document.js';
import type { Parsed } from '../errors.js';
import { isJsonObject, type JsonObject } from '../json.js';
import { tokenClaims, type ClaimMapping, type TokenKind } from './claim-mapping.js';
import type { FailureMode, HookAnswer, SubjectLookup } from './hook-answer.js';
import { RequestFields } from './request-fields.js';
import { AUTH0_RESTRICTED_CLAIMS } from './reserved-claims.js';

/*
 * Auth0 has no HTTP callout of its own: an Action on the trigger calls these routes with `fetch`,
 * so both bodies are ours to define. They carry only what finds the subject; members other than
 * the ones read here are ignored, so an Action may send more for its own logs. The answer is
 * `{ "accessToken": { "customClaims": {...} }, "idToken": { "customClaims": {...} } }` (`idToken`
 * for post-login only), which the Action hands claim by claim to `api.accessToken.setCustomClaim`
 * and `api.idToken.setCustomClaim`; a 403 `{ "error", "error_description" }` it turns into
 * `api.access.deny`.
 */

/** The Actions triggers this service answers for, one route each. */
export type Auth0Trigger = 'credentials-exchange' | 'post-login';

/** What both Auth0 routes need from the Action's request. */
export interface Auth0HookRequest {
  trigger: Auth0Trigger;
  /** Where to look the subject up, in order. */
  lookups: SubjectLookup[];
}

const MINTED_TOKENS: Record<Auth0Trigger, TokenKind[]> = { 'credentials-exchange': ['access'], 'post-login': ['access', 'id'] };
const ANSWER_MEMBERS: Record<TokenKind, string> = { access: 'accessToken', id: 'idToken' };
// Auth0 shows a post-login denial's reason to the user, so it says what happened and nothing more.
const DENIED_DESCRIPTION = 'The account is deactivated';
const UNAVAILABLE_DESCRIPTION = 'The claims service could not answer in time';
const NOT_AN_OBJECT: Parsed<never> = { ok: false, errors: [{ field: '', reason: 'the body must be a JSON object' }] };

/**
 * Reads the body an Action on `credentials-exchange` sends: `{ "clientId": event.client.client_id }`.
 * A machine-to-machine token has no user: its subject is the client, looked up by id.
 */
export function parseAuth0CredentialsExchangeRequest(body: unknown): Parsed<Auth0HookRequest> {
  if (!isJsonObject(body)) return NOT_AN_OBJECT;
  const fields = new RequestFields();
  const clientId = fields.string(body, 'clientId', 'clientId');
  if (fields.errors.length > 0) return { ok: false, errors: fields.errors };
  if (clientId === undefined) {
    return { ok: false, errors: [{ field: 'clientId', reason: 'is required: the client the token is minted for (event.client.client_id)' }] };
  }
  return { ok: true, value: { trigger: 'credentials-exchange', lookups: [{ by: 'subject', value: clientId }] } };
}

/**
 * Reads the body an Action on `post-login` sends:
 * `{ "userId": event.user.user_id, "email": event.user.email, "emailVerified": event.user.email_verified }`,
 * `email` and `emailVerified` optional. The user is looked up by id (`auth0|…`, `google-oauth2|…`)
 * first, then by email as a login name, but only a verified one: post-login also runs right after
 * a sign-up, and an unverified email is whatever was typed into the form, so looking it up could
 * hand a stranger someone else's patient id.
 */
export function parseAuth0PostLoginRequest(body: unknown): Parsed<Auth0HookRequest> {
  if (!isJsonObject(body)) return NOT_AN_OBJECT;
  const fields = new RequestFields();
  const userId = fields.string(body, 'userId', 'userId');
  const email = fields.string(body, 'email', 'email');
  const emailVerified = body['emailVerified'] ?? false;
  const errors = typeof emailVerified === 'boolean' ? fields.errors : [...fields.errors, { field: 'emailVerified', reason: 'must be a boolean' }];
  if (errors.length > 0) return { ok: false, errors };
  if (userId === undefined) {
    return { ok: false, errors: [{ field: 'userId', reason: 'is required: the user the tokens are minted for (event.user.user_id)' }] };
  }
  const lookups: SubjectLookup[] = [{ by: 'subject', value: userId }];
  if (email !== undefined && emailVerified) lookups.push({ by: 'name', value: email });
  return { ok: true, value: { trigger: 'post-login', lookups } };
}

/**
 * The answer to the Action: every claim the mapping gives each token being minted, named
 * `<namespace><claim>`. An unknown or erased subject gets the same 200 with no claims: Auth0 mints
 * every token afresh, so no claim of ours survives in it, and a subject this service does not know
 * is no reason to stop it getting a token. A deactivated subject gets a 403 with no claims in it.
 *
 * @param namespace The URL prefix of every claim name, checked at boot with {@link parseAuth0ClaimNamespace}.
 */
export function answerAuth0Hook(request: Auth0HookRequest, state: SubjectState | null, mapping: ClaimMapping, namespace: string): HookAnswer {
  if (state === null || isDeleted(state)) return noClaims(request.trigger);
  if (state.status === 'deactivated') return denial(DENIED_DESCRIPTION);
  return customClaims(request.trigger, (token) => namespaced(tokenClaims(state, mapping, token), namespace));
}

/** Fail-open lets Auth0 issue the tokens without our claims; fail-closed has the Action deny them. */
export function auth0FailureAnswer(mode: FailureMode, trigger: Auth0Trigger): HookAnswer {
  return mode === 'open' ? noClaims(trigger) : denial(UNAVAILABLE_DESCRIPTION);
}

const AUTH0_DOMAINS = ['auth0.com', 'webtask.io', 'webtask.run'];

/**
 * Checks the configured claim namespace: an `http(s)` URL ending in `/` (claim names read
 * `https://claims.example.org/patient_id`), with no query or fragment, and not on a domain Auth0
 * keeps for itself (`auth0.com`, `webtask.io`, `webtask.run` and their subdomains), where it
 * would drop every claim. Returns the namespace as given.
 */
export function parseAuth0ClaimNamespace(raw: unknown): Parsed<string> {
  const refused = (reason: string): Parsed<string> => ({ ok: false, errors: [{ field: '', reason }] });
  if (typeof raw !== 'string' || !URL.canParse(raw)) return refused('must be an http(s) URL such as https://claims.example.org/');
  const url = new URL(raw);
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return refused('must be an http(s) URL such as https://claims.example.org/');
  if (url.search !== '' || url.hash !== '' || !raw.endsWith('/')) return refused('must end with / and have no query or fragment');
  const host = url.hostname.replace(/\.$/, '');
  if (AUTH0_DOMAINS.some((domain) => host === domain || host.endsWith(`.${domain}`))) {
    return refused(`must not be on ${AUTH0_DOMAINS.join(', ')} or their subdomains: Auth0 drops claims named there`);
  }
  return { ok: true, value: raw };
}

function customClaims(trigger: Auth0Trigger, claimsOf: (token: TokenKind) => JsonObject): HookAnswer {
  const body: JsonObject = {};
  for (const token of MINTED_TOKENS[trigger]) body[ANSWER_MEMBERS[token]] = { customClaims: claimsOf(token) };
  return { status: 200, body };
}

function noClaims(trigger: Auth0Trigger): HookAnswer {
  return customClaims(trigger, () => ({}));
}

function namespaced(claims: JsonObject, namespace: string): JsonObject {
  const named: JsonObject = {};
  for (const [name, value] of Object.entries(claims)) {
    // Only a namespace that skipped the boot check (an empty one, say) can produce a restricted
    // name; Auth0 would drop it silently, so it is left out here and the answer says what the token holds.
    const claim = `${namespace}${name}`;
    if (!AUTH0_RESTRICTED_CLAIMS.has(claim)) named[claim] = value;
  }
  return named;
}

function denial(description: string): HookAnswer {
  return { status: 403, body: { error: 'access_denied', error_description: description } };
}
