import { isDeleted, type SubjectState } from '../claims/claims-document.js';
import { newDocument } from '../claims/evolve.js';
import type { FieldError, Parsed } from '../errors.js';
import { isJsonObject, jsonEquals, type JsonObject } from '../json.js';
import { ownedClaimNames, tokenClaims, type ClaimMapping, type TokenKind } from './claim-mapping.js';
import { NO_CHANGE, type FailureMode, type HookAnswer, type SubjectLookup } from './hook-answer.js';
import { RequestFields } from './request-fields.js';

/**
 * The Jsonnet `body` template of every Kratos `web_hook` that calls this service (registration,
 * settings and login). Kratos passes its template context as `ctx`; `ctx.identity` is serialized
 * without credentials and `metadata_admin`. Traits are left out on purpose: we never read them (see
 * {@link parseKratosWebHookRequest}), and what is not sent cannot leak. Kratos may omit
 * `verifiable_addresses` and sends `metadata_public` as `null` when the identity has none.
 */
export const KRATOS_BODY_TEMPLATE = `function(ctx) {
  identity: {
    id: ctx.identity.id,
    metadata_public: if std.objectHas(ctx.identity, 'metadata_public') then ctx.identity.metadata_public else null,
    verifiable_addresses: [
      { value: address.value, verified: address.verified }
      for address in (if std.objectHas(ctx.identity, 'verifiable_addresses') && ctx.identity.verifiable_addresses != null
                      then ctx.identity.verifiable_addresses else [])
    ],
  },
}
`;

/** What this service needs from the body {@link KRATOS_BODY_TEMPLATE} makes. */
export interface KratosWebHookRequest {
  /** Where to look the identity up, in order: its id, then each verified address. May be empty. */
  lookups: SubjectLookup[];
  /** `identity.metadata_public` as Kratos holds it now; `null` when the identity has none. */
  metadataPublic: JsonObject | null;
}

/**
 * Ids of the UI messages this service shows through Kratos, for UIs that translate by id. Kratos
 * keeps 1000000–5999999 for its own messages; these stay clear of that range.
 */
export const KRATOS_MESSAGE_IDS = {
  accountDeactivated: 9_000_001,
  claimsUnavailable: 9_000_002,
} as const;

/** `identity.id` at registration pre-persist: the identity is not created yet, so it has no id. */
const NIL_UUID = '00000000-0000-0000-0000-000000000000';

/**
 * Public metadata describes the identity to apps the way an ID token does, so it carries the
 * claims the mapping gives the ID token.
 */
const METADATA_TOKEN: TokenKind = 'id';

/**
 * Reads the body of {@link KRATOS_BODY_TEMPLATE}. The identity is looked up by its id, then by each
 * address Kratos has verified. At registration pre-persist the id is the nil UUID, so only a
 * verified address (an OIDC sign-up, for one) can find the subject then. Traits and unverified
 * addresses are never used: they hold whatever the user typed, and a lookup by them would copy
 * someone else's claims (a patient id) into metadata the typist can read.
 */
export function parseKratosWebHookRequest(body: unknown): Parsed<KratosWebHookRequest> {
  if (!isJsonObject(body)) return { ok: false, errors: [{ field: '', reason: 'the body must be a JSON object' }] };
  if (!isJsonObject(body['identity'])) return { ok: false, errors: [{ field: 'identity', reason: 'must be an object' }] };
  const identity = body['identity'];
  const fields = new RequestFields();
  const id = fields.string(identity, 'id', 'identity.id');
  const metadataPublic = fields.object(identity, 'metadata_public', 'identity.metadata_public');
  const verifiedAddresses = readVerifiedAddresses(identity['verifiable_addresses'], fields.errors);
  if (fields.errors.length > 0) return { ok: false, errors: fields.errors };
  if (id === undefined) return { ok: false, errors: [{ field: 'identity.id', reason: 'is required: the id of the identity the flow is for' }] };

  const lookups: SubjectLookup[] = id === NIL_UUID ? [] : [{ by: 'subject', value: id }];
  for (const address of verifiedAddresses) lookups.push({ by: 'name', value: address });
  return { ok: true, value: { lookups, metadataPublic: metadataPublic ?? null } };
}

/**
 * The answer to a registration-after or settings-after hook with `response.parse: true`, which
 * Kratos calls before it saves the identity. Kratos *replaces* `metadata_public` with the one of a
 * 200 (and leaves traits alone when the answer has none), so the answer is what came in, less the
 * claims this service answers for, plus their current values: metadata other writers set survives,
 * and a claim the projection no longer gives leaves the identity. 204 (Kratos: no change) when that
 * is the metadata as it is.
 *
 * A deactivated subject gets 403 with Kratos' messages body: Kratos shows the message in the form
 * and keeps the identity unsaved. Never 5xx or 429: Kratos retries those, drops the body and shows
 * a generic error.
 *
 * An erased or unknown subject loses the claims the mapping gives by name (the patient id, profile
 * claims) from its metadata, so erasure takes health data out of the identity at its next settings
 * change, even when the identity was found by an address that erasure released. Its
 * granted claims cannot be told apart from other writers' metadata, because erasure kept no record
 * of their names; clearing them is left to whoever erases the identity in Kratos. Erasure here is
 * not a reason to stop the user, so it is never an interruption.
 */
export function answerKratosPrePersistHook(request: KratosWebHookRequest, state: SubjectState | null, mapping: ClaimMapping): HookAnswer {
  // A fresh document owns exactly the names the mapping gives, which is all an erased subject's
  // tombstone still lets us know. An unknown identity is treated alike: one found at registration by
  // an address no longer is once erasure released the address, and its patient id must still go.
  if (state === null || isDeleted(state)) return metadataAnswer(request.metadataPublic, ownedClaimNames(newDocument(state?.subject ?? ''), mapping, METADATA_TOKEN), {});
  if (state.status === 'deactivated') return ACCOUNT_DEACTIVATED;
  return metadataAnswer(request.metadataPublic, ownedClaimNames(state, mapping, METADATA_TOKEN), tokenClaims(state, mapping, METADATA_TOKEN));
}

/**
 * The answer to a login-after hook with `can_interrupt: true`: 403 with Kratos' messages body for a
 * deactivated subject, so Kratos refuses the session with a message in the login form; otherwise 204.
 * Never a changed identity: Kratos does not save one at login, and 204 means "no change" whether the
 * hook parses answers or not. An erased subject signs in like an unknown one (see Okta's hook).
 */
export function answerKratosLoginHook(state: SubjectState | null): HookAnswer {
  if (state === null || isDeleted(state)) return NO_CHANGE;
  return state.status === 'deactivated' ? ACCOUNT_DEACTIVATED : NO_CHANGE;
}

/**
 * Fail-open lets the flow go on with the identity as it is; fail-closed stops it with a message the
 * user sees in the form (a 4xx, so Kratos shows it rather than retrying).
 */
export function kratosFailureAnswer(mode: FailureMode): HookAnswer {
  return mode === 'open' ? NO_CHANGE : CLAIMS_UNAVAILABLE;
}

/**
 * Kratos' interrupt body: one message on the pointer `#/`, which Kratos puts among the flow's own
 * messages rather than on a form field, since the account rather than an input is the problem.
 * Only `type: "error"` is shown as an error; Kratos reads any other type as `info`.
 */
function interruption(id: number, text: string): HookAnswer {
  return { status: 403, body: { messages: [{ instance_ptr: '#/', messages: [{ id, text, type: 'error' }] }] } };
}

const ACCOUNT_DEACTIVATED = interruption(KRATOS_MESSAGE_IDS.accountDeactivated, 'This account is deactivated.');
const CLAIMS_UNAVAILABLE = interruption(KRATOS_MESSAGE_IDS.claimsUnavailable, 'Your account could not be checked just now. Please try again in a moment.');

function metadataAnswer(current: JsonObject | null, owned: ReadonlySet<string>, ours: JsonObject): HookAnswer {
  const merged: JsonObject = {};
  for (const [name, value] of Object.entries(current ?? {})) {
    if (!owned.has(name)) merged[name] = value;
  }
  Object.assign(merged, ours);
  // A `null` metadata stays `null` rather than becoming `{}` when we have nothing to add.
  if (jsonEquals(merged, current ?? {})) return NO_CHANGE;
  return { status: 200, body: { identity: { metadata_public: merged } } };
}

/** The values of the addresses Kratos marks verified; other members of an address are not ours to check. */
function readVerifiedAddresses(raw: unknown, errors: FieldError[]): string[] {
  const path = 'identity.verifiable_addresses';
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) {
    errors.push({ field: path, reason: 'must be an array' });
    return [];
  }
  return raw.flatMap((address: unknown, index): string[] => {
    const at = `${path}[${index}]`;
    if (!isJsonObject(address)) {
      errors.push({ field: at, reason: 'must be an object' });
      return [];
    }
    const { value, verified } = address;
    if (typeof verified !== 'boolean') errors.push({ field: `${at}.verified`, reason: 'must be a boolean' });
    if (typeof value !== 'string') errors.push({ field: `${at}.value`, reason: 'must be a string' });
    return verified === true && typeof value === 'string' && value.length > 0 ? [value] : [];
  });
}
