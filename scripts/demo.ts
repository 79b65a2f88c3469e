/**
 * `npm start -- --demo`: the Okta token inline hook guide's scenario, ready to try. It loads the
 * guide's patients (and one machine client for the client-credentials routes) as events, waits until
 * the hooks answer with them, and prints a curl line for every provider route.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { auth0CredentialsExchangeRequest, auth0PostLoginRequest } from '../libs/domain/src/testing/auth0-requests.js';
import { hydraRefreshHookRequest, hydraTokenHookRequest } from '../libs/domain/src/testing/hydra-requests.js';
import { kratosWebHookRequest, type KratosHookPoint } from '../libs/domain/src/testing/kratos-requests.js';
import { oktaTokenHookRequest } from '../libs/domain/src/testing/okta-requests.js';

/** A patient store in the manner of Okta's guide: a user's login and the id the hook adds to the ID token. */
export const DEMO_PATIENTS = [
  { subject: '00udemo1johndoe', login: 'john.doe@example.com', patientId: '1234' },
  { subject: '00udemo2janedoe', login: 'jane.doe@example.com', patientId: '5678' },
  { subject: '00udemo3jsmith', login: 'john.smith@example.com', patientId: '9012' },
] as const;
const DEMO_CLIENT = { subject: 'demo-ehr-client', claims: { tenant: 'general-hospital' } };

/**
 * Credentials the demo uses for each group of settings the environment leaves unset, so that every
 * route answers. They are printed: a demo is not a deployment.
 */
const DEMO_SETTINGS: Array<Record<string, string>> = [
  { INGEST_API_KEY: 'demo-ingest-key-not-for-production' },
  // The guide's own example: `Basic` with admin:supersecret.
  { OKTA_HOOK_AUTH_NAME: 'Authorization', OKTA_HOOK_AUTH_VALUE: 'Basic YWRtaW46c3VwZXJzZWNyZXQ=' },
  { HYDRA_HOOK_AUTH_NAME: 'Authorization', HYDRA_HOOK_AUTH_VALUE: 'Bearer demo-hydra-secret' },
  { AUTH0_HOOK_AUTH_NAME: 'X-Claims-Hook-Key', AUTH0_HOOK_AUTH_VALUE: 'demo-auth0-secret', AUTH0_CLAIM_NAMESPACE: 'https://claims.example.org/' },
  { KRATOS_HOOK_AUTH_NAME: 'X-Claims-Hook-Key', KRATOS_HOOK_AUTH_VALUE: 'demo-kratos-secret' },
];

/** The environment with the demo's settings for each group it leaves wholly unset, and which were added. */
export function withDemoSettings(env: NodeJS.ProcessEnv): { env: NodeJS.ProcessEnv; added: Record<string, string> } {
  const added = Object.assign({}, ...DEMO_SETTINGS.filter((group) => Object.keys(group).every((name) => !env[name])));
  return { env: { ...env, ...added }, added };
}

const john = DEMO_PATIENTS[0];
const kratosRequest = (hookPoint: KratosHookPoint) => kratosWebHookRequest({ hookPoint, addresses: [{ value: john.login, verified: true }] });

/** Each provider route with a body its provider would send for John Doe (or the demo client). */
const DEMO_CALLS: Array<{ path: string; provider: 'OKTA' | 'HYDRA' | 'AUTH0' | 'KRATOS'; body: object }> = [
  { path: '/hooks/okta/token', provider: 'OKTA', body: oktaTokenHookRequest({ login: john.login, userId: john.subject }) },
  { path: '/hooks/hydra/token', provider: 'HYDRA', body: hydraTokenHookRequest({ subject: john.subject }) },
  { path: '/hooks/hydra/refresh', provider: 'HYDRA', body: hydraRefreshHookRequest({ subject: john.subject }) },
  { path: '/hooks/auth0/post-login', provider: 'AUTH0', body: auth0PostLoginRequest({ userId: john.subject, email: john.login }) },
  { path: '/hooks/auth0/credentials-exchange', provider: 'AUTH0', body: auth0CredentialsExchangeRequest({ clientId: DEMO_CLIENT.subject }) },
  { path: '/hooks/kratos/registration', provider: 'KRATOS', body: kratosRequest('registration') },
  { path: '/hooks/kratos/settings', provider: 'KRATOS', body: kratosRequest('settings') },
  { path: '/hooks/kratos/login', provider: 'KRATOS', body: kratosRequest('login') },
];

/** The demo's events, with fixed ids: loading them again stores nothing twice. */
function demoEvents(): object[] {
  const events: object[] = DEMO_PATIENTS.flatMap(({ subject, login, patientId }, index) => [
    { id: demoEventId(index, 1), type: 'identity.registered', subject, data: { login, email: login } },
    { id: demoEventId(index, 2), type: 'patient.linked', subject, data: { patientId } },
  ]);
  events.push({ id: demoEventId(DEMO_PATIENTS.length, 1), type: 'claims.granted', subject: DEMO_CLIENT.subject, data: { claims: DEMO_CLIENT.claims } });
  return events;
}

function demoEventId(subjectIndex: number, eventIndex: number): string {
  return `d3e0d3e0-0000-4000-8000-${String(subjectIndex * 100 + eventIndex).padStart(12, '0')}`;
}

/**
 * Appends the demo's events through `POST /events`, waits until the Okta hook answers each patient's
 * id, and returns the lines to print: the settings it added, as an `export`, and one curl per route.
 */
export async function loadDemo(hookApiUrl: string, env: NodeJS.ProcessEnv, added: Record<string, string>, dataDir: string): Promise<string[]> {
  const appended = await fetch(`${hookApiUrl}/events`, {
    method: 'POST',
    headers: { authorization: `Bearer ${env['INGEST_API_KEY']}`, 'content-type': 'application/json' },
    body: JSON.stringify(demoEvents()),
  });
  if (!appended.ok) throw new Error(`POST /events answered ${appended.status}: ${await appended.text()}`);
  for (const patient of DEMO_PATIENTS) await untilOktaAnswers(hookApiUrl, env, patient);

  const bodiesDir = resolve(dataDir, 'demo');
  mkdirSync(bodiesDir, { recursive: true });
  const curls = DEMO_CALLS.map(({ path, provider, body }) => {
    const file = join(bodiesDir, `${path.slice('/hooks/'.length).replace('/', '-')}.json`);
    writeFileSync(file, JSON.stringify(body, null, 2));
    return `curl -s -w '\\nHTTP %{http_code}\\n' -X POST ${hookApiUrl}${path} ${credentialOption(provider, env)} -H 'Content-Type: application/json' -d @${file}`;
  });
  // The shell needs the secrets the curl lines read, and the ingest key to append more events.
  const exported = Object.entries(added)
    .filter(([name]) => name === 'INGEST_API_KEY' || name.endsWith('_HOOK_AUTH_VALUE'))
    .map(([name, value]) => `${name}='${value}'`);
  return [
    `loaded ${DEMO_PATIENTS.map(({ login, patientId }) => `${login} (patient ${patientId})`).join(', ')} and the client ${DEMO_CLIENT.subject}`,
    ...(exported.length > 0 ? ['the demo credentials, for the curl lines below:', `export ${exported.join(' ')}`] : []),
    'each provider route, as its provider calls it for John Doe (the credentials-exchange route for the client):',
    ...curls,
  ];
}

/** The curl option that sends a provider's credential, read from the shell's environment. */
function credentialOption(provider: string, env: NodeJS.ProcessEnv): string {
  const name = env[`${provider}_HOOK_AUTH_NAME`];
  const value = `$${provider}_HOOK_AUTH_VALUE`;
  return env[`${provider}_HOOK_AUTH_IN`] === 'cookie' ? `-b "${name}=${value}"` : `-H "${name}: ${value}"`;
}

function credentialHeader(provider: string, env: NodeJS.ProcessEnv): Record<string, string> {
  const name = env[`${provider}_HOOK_AUTH_NAME`]!;
  const value = env[`${provider}_HOOK_AUTH_VALUE`]!;
  return env[`${provider}_HOOK_AUTH_IN`] === 'cookie' ? { cookie: `${name}=${value}` } : { [name]: value };
}

async function untilOktaAnswers(hookApiUrl: string, env: NodeJS.ProcessEnv, patient: (typeof DEMO_PATIENTS)[number]): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const response = await fetch(`${hookApiUrl}/hooks/okta/token`, {
      method: 'POST',
      headers: { ...credentialHeader('OKTA', env), 'content-type': 'application/json' },
      body: JSON.stringify(oktaTokenHookRequest({ login: patient.login, userId: patient.subject })),
    });
    if ((await response.text()).includes(`"${patient.patientId}"`)) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`the Okta hook did not answer ${patient.login}'s patient id within 30 s`);
}
