import { hydraTokenHookRequest, withHydraAnswerApplied } from '../libs/domain/src/testing/hydra-requests.js';
import { eventually } from './support/eventually.js';
import { HYDRA_AUTHORIZATION, type RunningStack, runStack } from './support/stack.js';

const SUBJECT = 'f3a1c2d4-kratos-identity';

describe('the event pipeline, end to end through HTTP: POST /events → projection → Hydra refresh hook', () => {
  let stack: RunningStack;

  beforeAll(async () => {
    stack = await runStack();
  });

  afterAll(async () => {
    await stack.close();
  });

  const callHook = async (body: Record<string, unknown>) => {
    const response = await stack.api.post('/hooks/hydra/token', body, { authorization: HYDRA_AUTHORIZATION });
    return { status: response.status, body: response.status === 200 ? ((await response.json()) as unknown) : await response.text() };
  };

  it('adds the patient id at a refresh, keeps sid and consent claims, and drops only ours once unlinked', async () => {
    // The token chain as Hydra stores it: consent claims in both maps, the login session id in the ID token.
    let refresh = hydraTokenHookRequest({ grant: 'refresh_token', subject: SUBJECT, extra: { department: 'cardiology' }, ext: { sid: 'login-session-7', email: 'kim.sato@example.com' } });

    await stack.append([
      { type: 'identity.registered', subject: SUBJECT, data: { login: 'kim.sato@example.com' } },
      { type: 'patient.linked', subject: SUBJECT, data: { patientId: '6789' } },
    ]);
    const linked = await eventually(async () => {
      const answer = await callHook(refresh);
      expect(answer).toEqual({
        status: 200,
        body: {
          session: {
            access_token: { department: 'cardiology', patient_id: '6789' },
            id_token: { sid: 'login-session-7', email: 'kim.sato@example.com', patient_id: '6789' },
          },
        },
      });
      return answer.body;
    }, 1_000);
    refresh = withHydraAnswerApplied(refresh, linked);
    expect(await callHook(refresh)).toEqual({ status: 204, body: '' });

    await stack.append([{ type: 'patient.unlinked', subject: SUBJECT, data: { patientId: '6789' } }]);
    await eventually(async () => {
      expect(await callHook(refresh)).toEqual({
        status: 200,
        body: { session: { access_token: { department: 'cardiology' }, id_token: { sid: 'login-session-7', email: 'kim.sato@example.com' } } },
      });
    }, 1_000);

    await stack.append([{ type: 'identity.deleted', subject: SUBJECT }]);
    await eventually(async () => expect((await callHook(refresh)).status).toBe(403), 1_000);
  });
});
