/**
 * Auth0 Action for the Login / Post Login trigger: adds the claims claims-enrichment holds for the
 * user to the ID token and the access token, and refuses the login of a user it reports as
 * deactivated. Paste this whole file into the Action's code editor; it needs no dependency.
 *
 * Secrets of the Action:
 *   CLAIMS_HOOK_URL         base URL of the hook-api, e.g. https://claims.example.org
 *   CLAIMS_HOOK_KEY         the hook-api's AUTH0_HOOK_AUTH_VALUE
 *   CLAIMS_HOOK_TIMEOUT_MS  optional: how long to wait for the answer, 100 to 10000 (default 1500)
 *
 * The login goes on without our claims (fail-open) when the service does not answer in time, cannot
 * be reached, answers 5xx, or refuses the call (401: CLAIMS_HOOK_KEY is wrong); a log line says why
 * and never holds a claim value.
 */
exports.onExecutePostLogin = async (event, api) => {
  const answer = await callClaimsHook(event.secrets, 'post-login', {
    userId: event.user.user_id,
    // The service looks the email up only when Auth0 has verified it.
    email: event.user.email,
    emailVerified: event.user.email_verified,
  });
  if (answer === null) return;
  if (answer.denied !== undefined) {
    api.access.deny(answer.denied);
    return;
  }
  for (const [name, value] of Object.entries(claimsOf(answer.body.accessToken))) api.accessToken.setCustomClaim(name, value);
  for (const [name, value] of Object.entries(claimsOf(answer.body.idToken))) api.idToken.setCustomClaim(name, value);
};

// ---- The same in every claims-enrichment Action ----

/** The hook-api's AUTH0_HOOK_AUTH_NAME. */
const KEY_HEADER = 'X-Claims-Hook-Key';
const DEFAULT_TIMEOUT_MS = 1500;

/**
 * Posts `body` to the trigger's route. Returns `{ body }` for a 200, `{ denied: reason }` for the
 * service's 403, and `null` (after one log line) for anything else: the caller then sets nothing.
 */
async function callClaimsHook(secrets, trigger, body) {
  const log = (reason) => console.log(`claims-enrichment ${trigger}: ${reason}; the token gets no claims from it`);
  const base = secrets.CLAIMS_HOOK_URL;
  const key = secrets.CLAIMS_HOOK_KEY;
  if (!base || !key) {
    log('the secrets CLAIMS_HOOK_URL and CLAIMS_HOOK_KEY must be set');
    return null;
  }
  const timeoutMs = timeoutOf(secrets.CLAIMS_HOOK_TIMEOUT_MS);
  let response;
  let text;
  try {
    response = await fetch(`${base.replace(/\/+$/, '')}/hooks/auth0/${trigger}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', [KEY_HEADER]: key },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    });
    text = await response.text();
  } catch (error) {
    const cause = error && error.cause && error.cause.code ? ` (${error.cause.code})` : '';
    log(error && error.name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : `unreachable: ${error && error.name}${cause}`);
    return null;
  }
  const answer = parseJson(text);
  if (response.status === 200 && answer !== null) return { body: answer };
  if (response.status === 403 && answer !== null && answer.error === 'access_denied') {
    return { denied: typeof answer.error_description === 'string' ? answer.error_description : 'Access denied' };
  }
  if (response.status === 401) log('it refused the credential (401): CLAIMS_HOOK_KEY must equal its AUTH0_HOOK_AUTH_VALUE');
  else log(`it answered ${response.status}${answer === null ? ' without a JSON object' : ''}`);
  return null;
}

function timeoutOf(raw) {
  const ms = Number(raw);
  return Number.isInteger(ms) && ms >= 100 && ms <= 10000 ? ms : DEFAULT_TIMEOUT_MS;
}

function parseJson(text) {
  try {
    const value = JSON.parse(text);
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? value : null;
  } catch {
    return null;
  }
}

/** The `customClaims` of one token in the answer; names already carry the namespace. */
function claimsOf(token) {
  const claims = token && token.customClaims;
  return claims !== null && typeof claims === 'object' && !Array.isArray(claims) ? claims : {};
}
