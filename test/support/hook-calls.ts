import { randomUUID } from 'node:crypto';
import { auth0CredentialsExchangeRequest, auth0PostLoginRequest } from '../../libs/domain/src/testing/auth0-requests.js';
import { hydraRefreshHookRequest, hydraTokenHookRequest } from '../../libs/domain/src/testing/hydra-requests.js';
import { kratosWebHookRequest } from '../../libs/domain/src/testing/kratos-requests.js';
import { oktaTokenHookRequest } from '../../libs/domain/src/testing/okta-requests.js';
import { AUTH0_HOOK_HEADERS, HYDRA_AUTHORIZATION, KRATOS_HOOK_HEADERS, OKTA_AUTHORIZATION, poster } from './stack.js';

/**
 * Every hook route, with a call to it as its provider makes it (`credential` names the header that
 * carries the provider's secret among `headers`), and what its provider takes as "no extra claims"
 * (`open`) and as "deny" (`closed`), the answers of the two failure modes.
 */
export const HOOK_CALLS = [
  {
    path: '/hooks/okta/token',
    body: oktaTokenHookRequest(),
    headers: { authorization: OKTA_AUTHORIZATION },
    credential: 'authorization',
    open: { status: 204, body: '' },
    closed: { status: 200, body: expect.stringContaining('errorSummary') },
  },
  ...[
    { path: '/hooks/hydra/token', body: hydraTokenHookRequest() },
    { path: '/hooks/hydra/refresh', body: hydraRefreshHookRequest() },
  ].map((call) => ({
    ...call,
    headers: { authorization: HYDRA_AUTHORIZATION },
    credential: 'authorization',
    open: { status: 204, body: '' },
    closed: { status: 403, body: expect.any(String) },
  })),
  ...(['credentials-exchange', 'post-login'] as const).map((trigger) => ({
    path: `/hooks/auth0/${trigger}`,
    body: trigger === 'post-login' ? auth0PostLoginRequest() : auth0CredentialsExchangeRequest(),
    headers: AUTH0_HOOK_HEADERS,
    credential: 'x-claims-hook-key',
    open: { status: 200, body: expect.stringContaining('"accessToken":{"customClaims":{}}') },
    closed: { status: 403, body: expect.stringContaining('access_denied') },
  })),
  ...(['registration', 'settings', 'login'] as const).map((hookPoint) => ({
    path: `/hooks/kratos/${hookPoint}`,
    body: kratosWebHookRequest({ hookPoint }),
    headers: { ...KRATOS_HOOK_HEADERS, 'ory-webhook-trigger-id': 'a-delivery' },
    credential: 'x-claims-hook-key',
    open: { status: 204, body: '' },
    closed: { status: 403, body: expect.stringContaining('"instance_ptr":"#/"') },
  })),
];

export type HookCall = (typeof HOOK_CALLS)[number];

/**
 * The subjects the calls above look up, each with a claim of its own: with these appended, every
 * call finds its subject, and a found answer differs from the failure answers (Kratos' login hook
 * aside: it lets an active identity through with 204, as fail-open does).
 */
export const HOOK_CALL_SUBJECT_EVENTS = [
  ...registeredPatient('00uq8tMo3zV0OfJON0g3', 'jane@example.com', 'p-okta-1'),
  ...registeredPatient('kratos-identity-1', 'kim.sato@example.com', 'p-ory-2'),
  ...registeredPatient('auth0|6650f1a2b3c4d5e6f7a8b9c0', 'auth0-user@example.org', 'p-auth0-3'),
  { type: 'identity.registered', subject: 'billing-service', data: { login: 'billing-service' } },
  { type: 'claims.granted', subject: 'billing-service', data: { claims: { tenant: 'general-hospital' } } },
];

function registeredPatient(subject: string, login: string, patientId: string) {
  return [
    { type: 'identity.registered', subject, data: { login } },
    { type: 'patient.linked', subject, data: { patientId } },
  ];
}

/** Each call's answer, as status and body text; Kratos gets a new delivery id each time, so no answer is a replay. */
export async function answersToHookCalls(url: string): Promise<Record<string, { status: number; body: string }>> {
  const answers = await Promise.all(
    HOOK_CALLS.map(async ({ path, body, headers }) => {
      const response = await poster(url)(path, body, { ...headers, 'ory-webhook-trigger-id': randomUUID() });
      return [path, { status: response.status, body: await response.text() }] as const;
    }),
  );
  return Object.fromEntries(answers);
}
