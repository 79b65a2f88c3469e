import { Redis } from 'ioredis';
import { oktaTokenHookRequest } from '../libs/domain/src/testing/okta-requests.js';
import { eventually } from './support/eventually.js';
import { keysOf } from './support/namespace.js';
import { redisValueAsText } from './support/redis-dump.js';
import { answerOf, OKTA_AUTHORIZATION, type RunningStack, runStack } from './support/stack.js';

const SUBJECT = '00u5kim7sato';
const LOGIN = 'kim.sato@example.com';

describe('the event pipeline, end to end through HTTP: POST /events → log → relay → projection → Okta hook', () => {
  let stack: RunningStack;
  let redis: Redis;

  beforeAll(async () => {
    stack = await runStack();
    redis = new Redis(stack.namespace.redisUrl);
  });

  afterAll(async () => {
    redis.disconnect();
    await stack.close();
  });

  const callOktaHook = async () => answerOf(await stack.api.post('/hooks/okta/token', oktaTokenHookRequest({ login: LOGIN, userId: SUBJECT }), { authorization: OKTA_AUTHORIZATION }));

  it('adds the patient id, drops it when unlinked, denies a deactivated subject and forgets a deleted one', async () => {
    await stack.append([
      { type: 'identity.registered', subject: SUBJECT, data: { login: LOGIN } },
      { type: 'patient.linked', subject: SUBJECT, data: { patientId: '6789' } },
    ]);
    await eventually(async () => {
      expect(await callOktaHook()).toEqual({
        status: 200,
        body: {
          commands: [
            { type: 'com.okta.identity.patch', value: [{ op: 'add', path: '/claims/patient_id', value: '6789' }] },
            { type: 'com.okta.access.patch', value: [{ op: 'add', path: '/claims/patient_id', value: '6789' }] },
          ],
        },
      });
    }, 1_000);

    await stack.append([{ type: 'patient.unlinked', subject: SUBJECT, data: { patientId: '6789' } }]);
    await eventually(async () => expect(await callOktaHook()).toEqual({ status: 204, body: undefined }), 1_000);

    await stack.append([{ type: 'identity.deactivated', subject: SUBJECT, data: { reason: 'left the practice' } }]);
    await eventually(async () => expect(await callOktaHook()).toEqual({ status: 200, body: { error: { errorSummary: expect.stringContaining('deactivated') } } }), 1_000);

    await stack.append([{ type: 'identity.deleted', subject: SUBJECT }]);
    await eventually(async () => {
      const keys = await keysOf(redis, stack.namespace);
      const mentions: string[] = [];
      for (const key of keys) {
        const text = `${key} ${await redisValueAsText(redis, key)}`;
        if (text.includes(SUBJECT) || text.toLowerCase().includes(LOGIN)) mentions.push(key);
      }
      expect(keys.length).toBeGreaterThan(0);
      expect(mentions).toEqual([]);
    }, 1_000);
    expect(await callOktaHook()).toEqual({ status: 204, body: undefined });
  });
});
