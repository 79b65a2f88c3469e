import { execFileSync } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { chromium, type Browser, type BrowserContextOptions, type Page } from 'playwright-core';
import { eventually } from '../../../../test/support/eventually.js';
import { INGEST_KEY, OKTA_AUTHORIZATION, type RunningStack, runStack } from '../../../../test/support/stack.js';
import { ADMIN_USER } from '../auth/admin-key.js';
import { QUEUE_DASHBOARD_PATH } from './queue-dashboard.js';

const SCREENSHOT = join(process.cwd(), 'test-artifacts', 'queue-dashboard.png');
const BEARER = { authorization: `Bearer ${INGEST_KEY}` };
const basic = (user: string, password: string) => ({ authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` });

/** Debian's `chromium`: playwright-core never downloads a browser, and without one the test fails rather than skips. */
function debianChromium(): string {
  try {
    return execFileSync('which', ['chromium'], { encoding: 'utf8' }).trim();
  } catch {
    throw new Error("Chromium is not installed: run `apt-get install -y chromium` (Debian's package; the browser test needs it)");
  }
}

describe('the queue dashboard at /admin/queues', () => {
  let stack: RunningStack;
  let browser: Browser;

  beforeAll(async () => {
    stack = await runStack();
  });

  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });

  const get = (path: string, headers: Record<string, string> = {}) => fetch(`${stack.api.url}${QUEUE_DASHBOARD_PATH}${path}`, { headers });

  /** A browser page that reaches this hook-api only: the dashboard asks Google for its fonts, the test stays offline. */
  async function openPage(options: BrowserContextOptions = {}): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 1400, height: 900 }, ...options });
    await context.route((url) => url.origin !== new URL(stack.api.url).origin, (route) => route.abort());
    return context.newPage();
  }

  it('asks for the admin key on the page, its static files and its API, as Basic for user admin or as Bearer', async () => {
    const paths = ['', '/', '/queue/projection', '/api/queues', '/api/queues/projection/log-1-1', '/static/favicon-32x32.png'];
    const refusals = [{}, { authorization: OKTA_AUTHORIZATION }, basic(ADMIN_USER, 'wrong-key-0123456789'), basic('root', INGEST_KEY), { authorization: INGEST_KEY }];
    for (const path of paths) {
      for (const headers of refusals) {
        const response = await get(path, headers);
        expect({ path, headers, status: response.status, challenge: response.headers.get('www-authenticate') }).toEqual({
          path,
          headers,
          status: 401,
          challenge: 'Basic realm="claims-enrichment admin"',
        });
      }
    }
    for (const admitted of [basic(ADMIN_USER, INGEST_KEY), BEARER]) {
      expect((await get('/api/queues', admitted)).status).toBe(200);
      expect((await get('/static/favicon-32x32.png', admitted)).status).toBe(200);
    }
  });

  it('is read-only: it neither empties a queue nor retries its failed jobs', async () => {
    const empty = await fetch(`${stack.api.url}${QUEUE_DASHBOARD_PATH}/api/queues/projection/empty`, { method: 'PUT', headers: BEARER });
    const retry = await fetch(`${stack.api.url}${QUEUE_DASHBOARD_PATH}/api/queues/rebuild/retry/failed`, { method: 'PUT', headers: BEARER });

    expect([empty.status, retry.status]).toEqual([405, 405]);
  });

  it('shows the projection and rebuild queues with their jobs in a real browser, after the login prompt', async () => {
    // The relay turns the event into a job; the sync-worker, finding Redis empty at boot, queued a rebuild.
    expect((await stack.api.post('/events', [{ type: 'patient.linked', subject: '00u1kim', data: { patientId: '6789' } }], BEARER)).status).toBe(201);
    await eventually(async () => {
      const { queues } = (await (await get('/api/queues', BEARER)).json()) as { queues: Array<{ name: string; counts: { completed: number } }> };
      expect(queues.map(({ name, counts }) => [name, counts.completed > 0])).toEqual([
        ['projection', true],
        ['rebuild', true],
      ]);
    }, 15_000, 200);

    browser = await chromium.launch({ executablePath: debianChromium(), args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
    // Without credentials to answer the login prompt with, Chromium drops the page after the 401.
    const stranger = await openPage();
    const challenged = stranger.waitForResponse(`${stack.api.url}${QUEUE_DASHBOARD_PATH}`);
    await expect(stranger.goto(`${stack.api.url}${QUEUE_DASHBOARD_PATH}`)).rejects.toThrow('ERR_INVALID_AUTH_CREDENTIALS');
    expect((await challenged).status()).toBe(401);

    const operator = await openPage({ httpCredentials: { username: ADMIN_USER, password: INGEST_KEY } });
    expect((await operator.goto(`${stack.api.url}${QUEUE_DASHBOARD_PATH}`))?.status()).toBe(200);
    await operator.getByRole('link', { name: /^rebuild/ }).first().click();
    await operator.getByText(/^rebuild-g[0-9a-z]+$/).first().waitFor();
    await operator.getByRole('link', { name: /^projection/ }).first().click();
    await operator.getByText('project: a stretch of the log the relay read', { exact: false }).waitFor();
    await operator.getByText(/^log-\d+-\d+$/).first().waitFor();
    await operator.getByText('project', { exact: true }).first().waitFor();

    await mkdir(dirname(SCREENSHOT), { recursive: true });
    await operator.screenshot({ path: SCREENSHOT, fullPage: true });
  }, 60_000);
});
