/**
 * Hydra token hook bodies as Hydra sends them (`oauth2/token_hook.go`, `oauth2/refresh_hook.go`,
 * the session structs and Hydra's own test snapshots; see the Hydra reference in the team's shared
 * folder). Timestamps are RFC 3339 strings, maps and lists Hydra never set are `null`, and the zero
 * time is `0001-01-01T00:00:00Z`.
 */

export const HYDRA_GRANTS = {
  authorization_code: 'authorization_code',
  refresh_token: 'refresh_token',
  client_credentials: 'client_credentials',
  jwt_bearer: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
  password: 'password',
  device_code: 'urn:ietf:params:oauth:grant-type:device_code',
} as const;

export type HydraGrant = keyof typeof HYDRA_GRANTS;

type Claims = Record<string, unknown> | null;

export interface HydraSessionOptions {
  grant?: HydraGrant;
  /** The raw subject; `null` leaves it out, as Hydra v25.4+ does when it is empty. */
  subject?: string | null;
  /** `session.extra`: the custom access-token claims. */
  extra?: Claims;
  /** `session.id_token.id_token_claims.ext`: the custom ID-token claims. */
  ext?: Claims;
  clientId?: string;
  /** `v2` sends `username` always (empty when unused); `v26` leaves it out when empty and adds `preserve_ext_claims`. */
  hydraVersion?: 'v2' | 'v26';
}

const ZERO_TIME = '0001-01-01T00:00:00Z';
const JWT_ASSERTION = 'eyJhbGciOiJSUzI1NiIsImtpZCI6ImsxIn0.eyJpc3MiOiJodHRwczovL2lkcC5leGFtcGxlLmNvbS8iLCJzdWIiOiJzZXJ2aWNlLTQyIn0.c2ln';

/** The generic `oauth2.token_hook` body for one grant. */
export function hydraTokenHookRequest(options: HydraSessionOptions = {}): Record<string, unknown> {
  const grant = options.grant ?? 'authorization_code';
  const clientId = options.clientId ?? (grant === 'client_credentials' ? 'billing-service' : 'patient-portal');
  const scopes = scopesOf(grant);
  const payload: Record<string, string[]> = { grant_type: [HYDRA_GRANTS[grant]] };
  if (grant === 'client_credentials') payload['scope'] = scopes;
  if (grant === 'jwt_bearer') Object.assign(payload, { assertion: [JWT_ASSERTION], scope: scopes });
  return {
    session: hydraSession({ ...options, grant, clientId }),
    request: {
      client_id: clientId,
      requested_scopes: scopes,
      granted_scopes: scopes,
      granted_audience: { client_credentials: ['https://api.example.com/'], jwt_bearer: ['https://auth.example.com/oauth2/token'] }[grant as string] ?? [],
      grant_types: [HYDRA_GRANTS[grant]],
      payload,
    },
  };
}

/** The legacy `oauth2.refresh_token_hook` body: the subject and the requester at the top level as well. */
export function hydraRefreshHookRequest(options: Omit<HydraSessionOptions, 'grant' | 'subject'> & { subject?: string } = {}): Record<string, unknown> {
  const clientId = options.clientId ?? 'patient-portal';
  const session = hydraSession({ ...options, grant: 'refresh_token', clientId });
  const granted = scopesOf('refresh_token');
  const requester = { client_id: clientId, granted_scopes: granted, granted_audience: [], grant_types: ['refresh_token'] };
  return { subject: options.subject ?? 'kratos-identity-1', session, requester, client_id: clientId, granted_scopes: granted, granted_audience: [] };
}

/**
 * What Hydra does with a 200: it replaces the session's custom claims with the answer's two maps
 * and sends them back at the next refresh. Returns the next request for the same token chain.
 */
export function withHydraAnswerApplied(body: Record<string, unknown>, answer: unknown): Record<string, unknown> {
  const next = structuredClone(body);
  const session = next['session'] as { extra: unknown; id_token: { id_token_claims: { ext: unknown } } };
  const answered = (answer as { session: { access_token: unknown; id_token: unknown } }).session;
  session.extra = answered.access_token;
  session.id_token.id_token_claims.ext = answered.id_token;
  return next;
}

function hydraSession(options: HydraSessionOptions & { grant: HydraGrant; clientId: string }): Record<string, unknown> {
  const { grant, clientId, hydraVersion = 'v26' } = options;
  const userFlow = grant !== 'client_credentials' && grant !== 'jwt_bearer';
  const defaultSubject = grant === 'client_credentials' ? clientId : grant === 'jwt_bearer' ? 'service-42' : 'kratos-identity-1';
  const subject = options.subject === undefined ? defaultSubject : options.subject;
  const username = grant === 'password' ? 'kim.sato@example.com' : '';
  const defaultExtra = grant === 'password' ? { username } : userFlow ? { consent_scope_note: 'from consent' } : {};
  const idTokenClaims = {
    jti: grant === 'refresh_token' ? '' : '5a1b3c9e-7d2f-4e8a-9b6c-0f1e2d3c4b5a',
    iss: 'https://auth.example.com/',
    // A pairwise client sees another `sub`: the hook must never look users up by it.
    sub: userFlow ? 'pairwise-3f9a1c' : '',
    aud: userFlow ? [clientId] : null,
    nonce: '',
    exp: grant === 'refresh_token' || !userFlow ? ZERO_TIME : '2026-11-22T11:00:00Z',
    iat: '2026-11-22T10:00:00.123456789Z',
    rat: userFlow ? '2026-11-22T09:59:41Z' : ZERO_TIME,
    auth_time: userFlow ? '2026-11-22T09:59:45Z' : ZERO_TIME,
    at_hash: '',
    acr: userFlow ? '1' : '',
    amr: userFlow ? ['pwd'] : null,
    c_hash: '',
    // Login sessions (and with them `sid`) exist for browser flows only, not for the password grant.
    ext: options.ext === undefined ? (userFlow && grant !== 'password' ? { sid: 'c7a8f1e2-login-session', email: 'kim.sato@example.com' } : null) : options.ext,
  };
  const idToken: Record<string, unknown> = {
    id_token_claims: idTokenClaims,
    headers: { extra: userFlow ? { kid: 'id-token-key-1' } : null },
    expires_at: userFlow
      ? { access_token: '2026-11-22T11:00:00.123456789Z', refresh_token: '2026-12-22T10:00:00Z', id_token: '2026-11-22T11:00:00Z' }
      : { access_token: '2026-11-22T11:00:00.123456789Z' },
  };
  if (hydraVersion === 'v2' || username !== '') idToken['username'] = username;
  if (subject !== null && (hydraVersion === 'v2' || subject !== '')) idToken['subject'] = subject;
  const session: Record<string, unknown> = {
    id_token: idToken,
    extra: options.extra === undefined ? defaultExtra : options.extra,
    kid: 'access-token-key-1',
    client_id: clientId,
    consent_challenge: grant === 'authorization_code' || grant === 'device_code' ? '7f3b2a1c9d8e' : '',
    exclude_not_before_claim: false,
    allowed_top_level_claims: [],
    mirror_top_level_claims: true,
  };
  if (hydraVersion === 'v26') session['preserve_ext_claims'] = false;
  return session;
}

function scopesOf(grant: HydraGrant): string[] {
  if (grant === 'client_credentials') return ['billing.read'];
  if (grant === 'jwt_bearer') return ['offline_access'];
  return ['openid', 'offline', 'patient.read'];
}
