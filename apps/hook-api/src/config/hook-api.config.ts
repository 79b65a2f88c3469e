import { ConfigError, InfrastructureEnv, loadEnv, type EnvSource, type LogLevel } from '@app/config';
import { DEFAULT_CLAIMS_CONFIG, parseAuth0ClaimNamespace, parseClaimsConfig, type ClaimsConfig, type FailureMode, type Provider } from '@app/domain';
import { IsIn, IsInt, IsOptional, IsString, Max, Min, MinLength } from 'class-validator';
import { readFileSync } from 'node:fs';
import type { ProviderCredential } from '../auth/credential.js';

class HookApiEnv extends InfrastructureEnv {
  @Min(0)
  @Max(65535)
  @IsInt()
  PORT: number = 3000;

  @IsOptional()
  @IsString()
  @MinLength(16)
  INGEST_API_KEY?: string;

  @IsOptional()
  @IsIn(['header', 'cookie'])
  OKTA_HOOK_AUTH_IN?: 'header' | 'cookie';

  @IsOptional()
  @IsString()
  OKTA_HOOK_AUTH_NAME?: string;

  @IsOptional()
  @IsString()
  @MinLength(8)
  OKTA_HOOK_AUTH_VALUE?: string;

  @IsOptional()
  @IsIn(['header', 'cookie'])
  HYDRA_HOOK_AUTH_IN?: 'header' | 'cookie';

  @IsOptional()
  @IsString()
  HYDRA_HOOK_AUTH_NAME?: string;

  @IsOptional()
  @IsString()
  @MinLength(8)
  HYDRA_HOOK_AUTH_VALUE?: string;

  @IsOptional()
  @IsIn(['header', 'cookie'])
  AUTH0_HOOK_AUTH_IN?: 'header' | 'cookie';

  @IsOptional()
  @IsString()
  AUTH0_HOOK_AUTH_NAME?: string;

  @IsOptional()
  @IsString()
  @MinLength(8)
  AUTH0_HOOK_AUTH_VALUE?: string;

  @IsOptional()
  @IsString()
  AUTH0_CLAIM_NAMESPACE?: string;

  @IsIn(['true', 'false'])
  AUTH0_LOOKUP_VERIFIED_EMAIL: 'true' | 'false' = 'false';

  @IsOptional()
  @IsIn(['header', 'cookie'])
  KRATOS_HOOK_AUTH_IN?: 'header' | 'cookie';

  @IsOptional()
  @IsString()
  KRATOS_HOOK_AUTH_NAME?: string;

  @IsOptional()
  @IsString()
  @MinLength(8)
  KRATOS_HOOK_AUTH_VALUE?: string;

  @IsOptional()
  @IsString()
  CLAIMS_CONFIG?: string;

  @Min(10)
  @Max(2_900)
  @IsInt()
  HOOK_DEADLINE_MS: number = 250;

  /** Below 100 ms its confirmations (4 per bound) would cost Redis more than the reads they save. */
  @Min(100)
  @Max(60_000)
  @IsInt()
  NEAR_CACHE_MAX_STALENESS_MS: number = 1_000;

  /** 0 turns the near cache off. */
  @Min(0)
  @Max(10_000_000)
  @IsInt()
  NEAR_CACHE_MAX_ENTRIES: number = 100_000;

  @IsIn(['open', 'closed'])
  HOOK_FAILURE_MODE: FailureMode = 'open';

  @Min(1024)
  @IsInt()
  HOOK_BODY_LIMIT_BYTES: number = 256 * 1024;

  @Min(1024)
  @IsInt()
  INGEST_BODY_LIMIT_BYTES: number = 4 * 1024 * 1024;

  /** Node's own default, 300 s, let a caller that never finishes its request hold a connection for 5 minutes. */
  @Min(100)
  @Max(300_000)
  @IsInt()
  REQUEST_TIMEOUT_MS: number = 10_000;
}

/** Each provider's credential comes from `<PREFIX>_HOOK_AUTH_IN`, `_NAME` and `_VALUE`. */
const CREDENTIAL_PREFIXES = { okta: 'OKTA', hydra: 'HYDRA', auth0: 'AUTH0', kratos: 'KRATOS' } as const satisfies Record<Provider, string>;
type CredentialPrefix = (typeof CREDENTIAL_PREFIXES)[Provider];
type ProviderCredentials = Partial<Record<Provider, ProviderCredential>>;

/** The hook-api's settings, validated once at boot; a bad one stops the process with its name. */
export class HookApiConfig {
  readonly port: number;
  /** How long a caller has to send its whole request, headers and body, before it gets 408. */
  readonly requestTimeoutMs: number;
  readonly logLevel: LogLevel;
  readonly postgres: { databaseUrl: string; schema: string };
  readonly redis: { url: string; prefix: string };
  readonly ingest: { apiKey?: string; bodyLimitBytes: number };
  readonly hooks: {
    deadlineMs: number;
    failureMode: FailureMode;
    /** Documents kept in the process, never served further behind Redis than `maxStalenessMs`; absent when turned off. */
    nearCache?: { maxStalenessMs: number; maxEntries: number };
    bodyLimitBytes: number;
    claims: ClaimsConfig;
    credentials: ProviderCredentials;
    /** The URL prefix of every claim name answered to Auth0; set whenever Auth0's credential is. */
    auth0ClaimNamespace?: string;
    /**
     * Whether post-login may find a user by an email Auth0 says is verified. Off by default: a social
     * or enterprise connection passes its upstream's `email_verified` on, and one lax upstream would
     * let a stranger with a matching email receive someone's patient id.
     */
    auth0LookupVerifiedEmail: boolean;
  };

  private constructor(env: HookApiEnv, claims: ClaimsConfig, credentials: ProviderCredentials) {
    this.port = env.PORT;
    this.requestTimeoutMs = env.REQUEST_TIMEOUT_MS;
    this.logLevel = env.LOG_LEVEL;
    this.postgres = { databaseUrl: env.DATABASE_URL, schema: env.PG_SCHEMA };
    this.redis = { url: env.REDIS_URL, prefix: env.REDIS_PREFIX };
    this.ingest = { bodyLimitBytes: env.INGEST_BODY_LIMIT_BYTES, ...(env.INGEST_API_KEY && { apiKey: env.INGEST_API_KEY }) };
    this.hooks = {
      deadlineMs: env.HOOK_DEADLINE_MS,
      failureMode: env.HOOK_FAILURE_MODE,
      ...(env.NEAR_CACHE_MAX_ENTRIES > 0 && { nearCache: { maxStalenessMs: env.NEAR_CACHE_MAX_STALENESS_MS, maxEntries: env.NEAR_CACHE_MAX_ENTRIES } }),
      bodyLimitBytes: env.HOOK_BODY_LIMIT_BYTES,
      claims,
      credentials,
      auth0LookupVerifiedEmail: env.AUTH0_LOOKUP_VERIFIED_EMAIL === 'true',
      ...(env.AUTH0_CLAIM_NAMESPACE && { auth0ClaimNamespace: env.AUTH0_CLAIM_NAMESPACE }),
    };
  }

  static fromEnv(source: EnvSource): HookApiConfig {
    const env = loadEnv(HookApiEnv, source);
    const problems: string[] = [];
    const credentials: ProviderCredentials = {};
    for (const [provider, prefix] of Object.entries(CREDENTIAL_PREFIXES) as Array<[Provider, CredentialPrefix]>) {
      const credential = providerCredential(env, prefix, problems);
      if (credential) credentials[provider] = credential;
    }
    checkAuth0ClaimNamespace(env.AUTH0_CLAIM_NAMESPACE, credentials.auth0 !== undefined, problems);
    const claims = env.CLAIMS_CONFIG ? readClaimsConfig(env.CLAIMS_CONFIG, problems) : DEFAULT_CLAIMS_CONFIG;
    if (problems.length > 0) throw new ConfigError(problems);
    return new HookApiConfig(env, claims, credentials);
  }
}

/** `<PROVIDER>_HOOK_AUTH_NAME` and `_VALUE` come together; `_IN` defaults to `header`. */
function providerCredential(env: HookApiEnv, provider: CredentialPrefix, problems: string[]): ProviderCredential | undefined {
  const location = env[`${provider}_HOOK_AUTH_IN`];
  const name = env[`${provider}_HOOK_AUTH_NAME`];
  const value = env[`${provider}_HOOK_AUTH_VALUE`];
  if (name === undefined && value === undefined) {
    if (location !== undefined) problems.push(`${provider}_HOOK_AUTH_IN: set ${provider}_HOOK_AUTH_NAME and ${provider}_HOOK_AUTH_VALUE with it`);
    return undefined;
  }
  if (name === undefined || value === undefined) {
    problems.push(`${provider}_HOOK_AUTH_NAME, ${provider}_HOOK_AUTH_VALUE: set both or neither`);
    return undefined;
  }
  if (location === 'cookie' && !COOKIE_VALUE.test(value)) {
    problems.push(`${provider}_HOOK_AUTH_VALUE: a cookie value may hold only printable ASCII without " ; or \\ (the provider would drop the rest)`);
    return undefined;
  }
  return { in: location ?? 'header', name, value };
}

/** Auth0 drops a custom claim without a namespace it accepts, so its routes do not run without one. */
function checkAuth0ClaimNamespace(namespace: string | undefined, auth0Configured: boolean, problems: string[]): void {
  if (namespace === undefined) {
    if (auth0Configured) problems.push('AUTH0_CLAIM_NAMESPACE: is required with AUTH0_HOOK_AUTH_*, as an http(s) URL ending in / such as https://claims.example.org/');
    return;
  }
  const parsed = parseAuth0ClaimNamespace(namespace);
  if (!parsed.ok) problems.push(...parsed.errors.map((error) => `AUTH0_CLAIM_NAMESPACE: ${error.reason}`));
}

/** What Go's `http.Cookie` keeps of a value; it silently drops every other byte. */
const COOKIE_VALUE = /^[\x20\x21\x23-\x3a\x3c-\x5b\x5d-\x7e]+$/;

function readClaimsConfig(path: string, problems: string[]): ClaimsConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    problems.push(`CLAIMS_CONFIG: cannot read ${path} as JSON (${(error as Error).message})`);
    return DEFAULT_CLAIMS_CONFIG;
  }
  const parsed = parseClaimsConfig(raw);
  if (parsed.ok) return parsed.value;
  problems.push(...parsed.errors.map((error) => `CLAIMS_CONFIG (${path}): ${error.field || '(file)'}: ${error.reason}`));
  return DEFAULT_CLAIMS_CONFIG;
}
