/** The operators' key and every provider's credential that tests and benchmarks run both apps with. */
export const INGEST_KEY = 'test-ingest-key-0123456789';
export const OKTA_AUTHORIZATION = `Basic ${Buffer.from('okta:hook-secret').toString('base64')}`;
/** Hydra sends its configured value verbatim; Hydra's own tests use a value with a space in it. */
export const HYDRA_AUTHORIZATION = 'Bearer hydra-hook-secret value';
/** The header our Auth0 Action sends its secret in (examples/auth0). */
export const AUTH0_HOOK_HEADERS = { 'x-claims-hook-key': 'auth0-hook-secret' };
export const AUTH0_CLAIM_NAMESPACE = 'https://claims.example.org/';
/** Kratos' `api_key` auth, `in: header`, as examples/kratos configures it. */
export const KRATOS_HOOK_HEADERS = { 'x-claims-hook-key': 'kratos-hook-secret' };

/** The settings that give the apps the credentials above. */
export function credentialsEnv(): Record<string, string> {
  return {
    INGEST_API_KEY: INGEST_KEY,
    OKTA_HOOK_AUTH_NAME: 'Authorization',
    OKTA_HOOK_AUTH_VALUE: OKTA_AUTHORIZATION,
    HYDRA_HOOK_AUTH_NAME: 'Authorization',
    HYDRA_HOOK_AUTH_VALUE: HYDRA_AUTHORIZATION,
    AUTH0_HOOK_AUTH_NAME: 'X-Claims-Hook-Key',
    AUTH0_HOOK_AUTH_VALUE: AUTH0_HOOK_HEADERS['x-claims-hook-key'],
    AUTH0_CLAIM_NAMESPACE,
    KRATOS_HOOK_AUTH_NAME: 'X-Claims-Hook-Key',
    KRATOS_HOOK_AUTH_VALUE: KRATOS_HOOK_HEADERS['x-claims-hook-key'],
  };
}
