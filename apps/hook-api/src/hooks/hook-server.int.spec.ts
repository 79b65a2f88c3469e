import { connect } from 'node:net';
import { oktaTokenHookRequest } from '../../../../libs/domain/src/testing/okta-requests.js';
import { dropNamespace, newNamespace, type TestNamespace } from '../../../../test/support/namespace.js';
import { seedProjection } from '../../../../test/support/projection.js';
import { answerOf, OKTA_AUTHORIZATION, runHookApi, stackEnv, type RunningHookApi } from '../../../../test/support/stack.js';

// The hooks are answered on the app's Node server outside Nest and Fastify: to a caller they must
// look like the rest of the app.
describe('the hook routes on their own server', () => {
  const OKTA = '/hooks/okta/token';
  const authorized = { authorization: OKTA_AUTHORIZATION };
  let namespace: TestNamespace;
  let api: RunningHookApi;

  beforeAll(async () => {
    namespace = newNamespace();
    await seedProjection(namespace, { '00u1': [{ type: 'identity.registered', data: { login: 'kim.sato@example.com' } }, { type: 'patient.linked', data: { patientId: '4321' } }] });
    api = await runHookApi(stackEnv(namespace));
  });
  afterAll(async () => {
    await api.app.close();
    await dropNamespace(namespace);
  });

  it('answers on the same port as the other routes, with a query string too', async () => {
    const answer = await answerOf(await api.post(`${OKTA}?from=okta`, oktaTokenHookRequest({ login: 'kim.sato@example.com', userId: '00u1' }), authorized));

    expect(answer.status).toBe(200);
    expect(JSON.stringify(answer.body)).toContain('4321');
    expect((await fetch(`${api.url}/healthz`)).status).toBe(200);
  });

  it("gives each answer its request id, the caller's when it sent a plausible one", async () => {
    const own = await api.post(OKTA, oktaTokenHookRequest(), { ...authorized, 'x-request-id': 'okta-call-1' });
    const fresh = await api.post(OKTA, oktaTokenHookRequest(), { ...authorized, 'x-request-id': 'not an id!' });

    expect(own.headers.get('x-request-id')).toBe('okta-call-1');
    expect(fresh.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('refuses a body that is not JSON, or not declared as JSON, in the error shape of every other route', async () => {
    expect(await answerOf(await api.post(OKTA, '{"data": ', authorized))).toEqual({
      status: 400,
      body: { statusCode: 400, error: 'Bad Request', message: expect.stringContaining('JSON') },
    });
    const notJson = await fetch(`${api.url}${OKTA}`, { method: 'POST', headers: { ...authorized, 'content-type': 'application/xml' }, body: '<data/>' });
    expect(await answerOf(notJson)).toEqual({ status: 415, body: { statusCode: 415, error: 'Unsupported Media Type', message: expect.any(String) } });
  });

  it('refuses an empty body, and a prototype-polluting key, as Fastify does', async () => {
    expect(await answerOf(await api.post(OKTA, '', authorized))).toEqual({ status: 400, body: expect.objectContaining({ message: expect.stringContaining('empty') }) });
    // The parser's own message would quote the body, and with it what the body holds.
    const broken = await answerOf(await api.post(OKTA, '{"sub": patient-4711}', authorized));
    expect(broken.status).toBe(400);
    expect(JSON.stringify(broken.body)).not.toContain('4711');
    for (const polluting of ['{"__proto__": {"admin": true}}', '{"data": {"constructor": {"prototype": {"admin": true}}}}']) {
      expect(await answerOf(await api.post(OKTA, polluting, authorized))).toEqual({ status: 400, body: expect.objectContaining({ message: expect.stringContaining('prototype') }) });
    }
  });

  it('refuses a body without a content type, sent with a length or in chunks', async () => {
    const request = JSON.stringify(oktaTokenHookRequest());
    const chunked = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode(request));
        controller.close();
      },
    });
    for (const body of [new Blob([request]), chunked]) {
      const undeclared = await fetch(`${api.url}${OKTA}`, { method: 'POST', headers: authorized, body, duplex: 'half' } as RequestInit);
      expect(await answerOf(undeclared)).toEqual({ status: 415, body: expect.objectContaining({ statusCode: 415 }) });
    }
  });

  it('refuses a body over the limit sent without a length, once the limit is passed, and closes the connection', async () => {
    const chunk = new TextEncoder().encode(`"${'x'.repeat(64 * 1024)}",`);
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent === 0) controller.enqueue(new TextEncoder().encode('['));
        // Twice the limit at most: the answer comes before the body ends.
        if (sent++ < 8) controller.enqueue(chunk);
        else controller.close();
      },
    });
    const response = await fetch(`${api.url}${OKTA}`, { method: 'POST', headers: { ...authorized, 'content-type': 'application/json' }, body, duplex: 'half' } as RequestInit);

    expect(response.headers.get('connection')).toBe('close');
    expect(await answerOf(response)).toEqual({ status: 413, body: { statusCode: 413, error: 'Payload Too Large', message: expect.any(String) } });
  });

  it('refuses a body over HOOK_BODY_LIMIT_BYTES (256 KiB), far below the ingest limit', async () => {
    const oversized = { ...oktaTokenHookRequest(), padding: 'x'.repeat(256 * 1024) };

    expect(await answerOf(await api.post(OKTA, oversized, authorized))).toEqual({ status: 413, body: { statusCode: 413, error: 'Payload Too Large', message: expect.any(String) } });
  });

  it('leaves other methods and near-miss paths to the rest of the app, which does not know them', async () => {
    const notFound = { status: 404, body: expect.objectContaining({ statusCode: 404 }) };

    expect(await answerOf(await fetch(`${api.url}${OKTA}`))).toEqual(notFound);
    expect(await answerOf(await api.post(`${OKTA}/`, oktaTokenHookRequest(), authorized))).toEqual(notFound);
    expect(await answerOf(await api.post('/hooks/okta', oktaTokenHookRequest(), authorized))).toEqual(notFound);
  });

  it('answers 408 and closes the connection when a caller does not finish its request within REQUEST_TIMEOUT_MS, on every route', async () => {
    const impatient = await runHookApi(stackEnv(namespace, { REQUEST_TIMEOUT_MS: '300' }));
    try {
      const { port } = new URL(impatient.url);
      for (const path of [OKTA, '/events']) {
        const answer = await rawExchange(Number(port), `POST ${path} HTTP/1.1\r\nhost: localhost\r\nauthorization: ${OKTA_AUTHORIZATION}\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{"data":`);

        expect(answer.text).toMatch(/^HTTP\/1\.1 408 /);
        // The timeout counts from the request's start, checked every 300 ms here: well under Node's 300 s.
        expect(answer.closedAfterMs).toBeGreaterThanOrEqual(250);
        expect(answer.closedAfterMs).toBeLessThan(5_000);
      }
    } finally {
      await impatient.app.close();
    }
  });
});

/** Sends `request` as it is on a new connection and collects what comes back until the server closes it. */
function rawExchange(port: number, request: string): Promise<{ text: string; closedAfterMs: number }> {
  return new Promise((resolve, reject) => {
    const startedAt = performance.now();
    const socket = connect(port, '127.0.0.1', () => socket.write(request));
    let text = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (text += chunk));
    socket.on('error', reject);
    socket.on('close', () => resolve({ text, closedAfterMs: performance.now() - startedAt }));
  });
}
