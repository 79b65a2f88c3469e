import { Redis } from 'ioredis';
import { oktaEventDelivery, oktaLogEvent } from '../libs/domain/src/testing/okta-events.js';
import { oktaTokenHookRequest } from '../libs/domain/src/testing/okta-requests.js';
import { eventually } from './support/eventually.js';
import { keysOf } from './support/namespace.js';
import { findLive } from './support/projection.js';
import { redisValueAsText } from './support/redis-dump.js';
import { answerOf, INGEST_KEY, OKTA_AUTHORIZATION, type RunningStack, runStack } from './support/stack.js';

const SUBJECT = '00u5kim7sato';
const LOGIN = 'kim.sato@example.com';
const okta = { authorization: OKTA_AUTHORIZATION };
const at = (minute: number) => `2024-05-01T10:${String(minute).padStart(2, '0')}:00.000Z`;
const event = (n: number, eventType: string, minute: number) =>
  oktaLogEvent({ uuid: `6f1c2e3a-07a1-11ef-9b1d-${String(n).padStart(12, '0')}`, eventType, published: at(minute), user: { id: SUBJECT, login: LOGIN } });

const created = event(1, 'user.lifecycle.create', 0);
const activated = event(2, 'user.lifecycle.activate', 1);
const deactivated = event(3, 'user.lifecycle.deactivate', 2);
const unsuspended = event(4, 'user.lifecycle.unsuspend', 3);
const deleteInitiated = event(5, 'user.lifecycle.delete.initiated', 4);
const sessionStarted = event(6, 'user.session.start', 1);

const PATIENT_CLAIMS = {
  commands: [
    { type: 'com.okta.identity.patch', value: [{ op: 'add', path: '/claims/patient_id', value: '6789' }] },
    { type: 'com.okta.access.patch', value: [{ op: 'add', path: '/claims/patient_id', value: '6789' }] },
  ],
};

describe('Okta event hooks end to end: deliveries in → log → projection → Okta token inline hook', () => {
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

  const deliver = async (...events: Array<Record<string, unknown>>) => {
    const response = await stack.api.post('/events/okta', oktaEventDelivery(events), okta);
    expect(response.status).toBe(200);
  };
  const callTokenHook = async () => answerOf(await stack.api.post('/hooks/okta/token', oktaTokenHookRequest({ login: LOGIN, userId: SUBJECT }), okta));
  /** Waits until the projection has folded the subject's stream up to `version`. */
  const projectedTo = (version: number) =>
    eventually(async () => expect(await findLive(redis, stack.namespace, [{ by: 'subject', value: SUBJECT }])).toMatchObject({ version }), 5_000);

  it('registers, keeps the newest status whatever the delivery order, and erases on delete', async () => {
    // The user is created in Okta (delivered twice); an EHR links a patient through POST /events.
    await deliver(created, created, sessionStarted);
    const linked = await stack.api.post('/events', [{ type: 'patient.linked', subject: SUBJECT, data: { patientId: '6789' } }], { authorization: `Bearer ${INGEST_KEY}` });
    expect(linked.status).toBe(201);
    await eventually(async () => expect(await callTokenHook()).toEqual({ status: 200, body: PATIENT_CLAIMS }), 5_000);

    // Deactivated at 10:02, delivered before the activation of 10:01; then both delivered again.
    await deliver(deactivated);
    await deliver(activated, deactivated, created);
    await projectedTo(5);
    expect(await callTokenHook()).toEqual({ status: 200, body: { error: { errorSummary: expect.stringContaining('deactivated') } } });

    await deliver(unsuspended);
    await eventually(async () => expect(await callTokenHook()).toEqual({ status: 200, body: PATIENT_CLAIMS }), 5_000);

    // Deleted at 10:04; a late activation (10:01, a new event this time) must not bring it back.
    await deliver(deleteInitiated);
    await deliver(event(7, 'user.lifecycle.reactivate', 1));
    await projectedTo(8);
    const keys = await keysOf(redis, stack.namespace);
    const mentions: string[] = [];
    for (const key of keys) {
      const text = `${key} ${await redisValueAsText(redis, key)}`;
      if (text.includes(SUBJECT) || text.toLowerCase().includes(LOGIN) || text.includes('6789')) mentions.push(key);
    }
    expect(keys.length).toBeGreaterThan(0);
    expect(mentions).toEqual([]);
    expect(await findLive(redis, stack.namespace, [{ by: 'subject', value: SUBJECT }])).toEqual({ subject: SUBJECT, version: 8, status: 'deleted', deletedAt: at(4) });
    expect(await callTokenHook()).toEqual({ status: 204, body: undefined });
  });
});
