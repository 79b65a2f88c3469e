import { ConfigError } from '@app/config';
import { DEFAULT_CLAIMS_CONFIG } from '@app/domain';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HookApiConfig } from './hook-api.config.js';

function problemsOf(env: Record<string, string>): string[] {
  try {
    HookApiConfig.fromEnv(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe(HookApiConfig.name, () => {
  it('falls back to the documented defaults', () => {
    const config = HookApiConfig.fromEnv({});

    expect(config).toMatchObject({
      port: 3000,
      postgres: { databaseUrl: 'postgres://postgres@127.0.0.1:5432/postgres', schema: 'public' },
      redis: { url: 'redis://127.0.0.1:6379', prefix: 'claims' },
      ingest: { bodyLimitBytes: 4 * 1024 * 1024 },
      hooks: { deadlineMs: 250, failureMode: 'open', claims: DEFAULT_CLAIMS_CONFIG, credentials: {} },
    });
    expect(config.ingest).not.toHaveProperty('apiKey');
  });

  it('names every bad variable, without echoing values', () => {
    const problems = problemsOf({
      PORT: 'eighty',
      PG_SCHEMA: 'Claims; DROP',
      REDIS_URL: 'http://cache',
      HOOK_FAILURE_MODE: 'maybe',
      INGEST_API_KEY: 'short-secret',
      OKTA_HOOK_AUTH_NAME: 'Authorization',
    });

    expect(problems).toEqual([
      'PORT: must be an integer number',
      'INGEST_API_KEY: must be longer than or equal to 16 characters',
      'HOOK_FAILURE_MODE: must be one of the following values: open, closed',
      'PG_SCHEMA: must be a lower-case SQL identifier of at most 48 characters',
      'REDIS_URL: must be a URL starting with redis:// or rediss://',
    ]);
    expect(problems.join()).not.toContain('short-secret');
  });

  it('wants a provider credential whole: name and value together', () => {
    expect(problemsOf({ OKTA_HOOK_AUTH_NAME: 'Authorization' })).toEqual(['OKTA_HOOK_AUTH_NAME, OKTA_HOOK_AUTH_VALUE: set both or neither']);
    expect(HookApiConfig.fromEnv({ OKTA_HOOK_AUTH_NAME: 'Authorization', OKTA_HOOK_AUTH_VALUE: 'Basic b2t0YTpzZWNyZXQ=' }).hooks.credentials).toEqual({
      okta: { in: 'header', name: 'Authorization', value: 'Basic b2t0YTpzZWNyZXQ=' },
    });
  });

  it('reads each provider\'s credential from its own variables', () => {
    const config = HookApiConfig.fromEnv({ HYDRA_HOOK_AUTH_IN: 'cookie', HYDRA_HOOK_AUTH_NAME: 'hook', HYDRA_HOOK_AUTH_VALUE: 'cookie-secret' });

    expect(config.hooks.credentials).toEqual({ hydra: { in: 'cookie', name: 'hook', value: 'cookie-secret' } });
    expect(problemsOf({ HYDRA_HOOK_AUTH_IN: 'query', HYDRA_HOOK_AUTH_NAME: 'k', HYDRA_HOOK_AUTH_VALUE: 'long-enough' })).toEqual([
      'HYDRA_HOOK_AUTH_IN: must be one of the following values: header, cookie',
    ]);
  });

  it('refuses a cookie credential with characters the provider would drop from the cookie', () => {
    for (const value of ['with"quote', 'semi;colon', 'back\\slash', 'clé-secrète']) {
      expect(problemsOf({ HYDRA_HOOK_AUTH_IN: 'cookie', HYDRA_HOOK_AUTH_NAME: 'k', HYDRA_HOOK_AUTH_VALUE: value })).toEqual([
        expect.stringMatching(/^HYDRA_HOOK_AUTH_VALUE: a cookie value may hold only printable ASCII/),
      ]);
    }
    expect(problemsOf({ HYDRA_HOOK_AUTH_IN: 'cookie', HYDRA_HOOK_AUTH_NAME: 'k', HYDRA_HOOK_AUTH_VALUE: 'Bearer secret, value' })).toEqual([]);
  });

  it('wants the Auth0 claim namespace with Auth0\'s credential, as a URL Auth0 keeps claims under', () => {
    const auth0 = { AUTH0_HOOK_AUTH_NAME: 'X-Claims-Hook-Key', AUTH0_HOOK_AUTH_VALUE: 'auth0-hook-secret' };

    expect(problemsOf(auth0)).toEqual([expect.stringMatching(/^AUTH0_CLAIM_NAMESPACE: is required with AUTH0_HOOK_AUTH_\*/)]);
    expect(problemsOf({ ...auth0, AUTH0_CLAIM_NAMESPACE: 'https://tenant.auth0.com/' })).toEqual([expect.stringMatching(/^AUTH0_CLAIM_NAMESPACE: must not be on auth0\.com/)]);
    expect(problemsOf({ ...auth0, AUTH0_CLAIM_NAMESPACE: 'https://claims.example.org' })).toEqual(['AUTH0_CLAIM_NAMESPACE: must end with / and have no query or fragment']);
    expect(HookApiConfig.fromEnv({ ...auth0, AUTH0_CLAIM_NAMESPACE: 'https://claims.example.org/' }).hooks).toMatchObject({
      auth0ClaimNamespace: 'https://claims.example.org/',
      credentials: { auth0: { in: 'header', name: 'X-Claims-Hook-Key', value: 'auth0-hook-secret' } },
    });
  });

  it('reads CLAIMS_CONFIG and names what is wrong in it', () => {
    const directory = mkdtempSync(join(tmpdir(), 'claims-config-'));
    const good = join(directory, 'good.json');
    const bad = join(directory, 'bad.json');
    writeFileSync(good, JSON.stringify({ rules: [{ source: 'patientId', claim: 'extPatientId', tokens: ['id'] }] }));
    writeFileSync(bad, JSON.stringify({ rules: [{ source: 'patientId', claim: 'sub', tokens: ['id'] }] }));

    expect(HookApiConfig.fromEnv({ CLAIMS_CONFIG: good }).hooks.claims.rules).toEqual([{ source: 'patientId', claim: 'extPatientId', tokens: ['id'] }]);
    expect(problemsOf({ CLAIMS_CONFIG: bad })).toEqual([`CLAIMS_CONFIG (${bad}): rules[0].claim: "sub" is reserved by okta in the id token, and by hydra in the id token`]);
    expect(problemsOf({ CLAIMS_CONFIG: join(directory, 'missing.json') })).toEqual([expect.stringMatching(/^CLAIMS_CONFIG: cannot read .*missing\.json/)]);
  });
});
