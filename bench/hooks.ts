/**
 * `npm run bench:hooks`: requests per second and latency of each provider's hook against a warm
 * projection, each side by side, in the same run, with a bare Fastify + ioredis server doing one GET
 * per request for the same bodies. Both apps run from `dist/` as they are deployed; the load comes from autocannon in
 * this process. Settings: BENCH_SUBJECTS (10000), BENCH_CONNECTIONS (50), BENCH_SECONDS (10).
 */
import { ClaimsKeys, ProjectionStateStore } from '@app/claims-store';
import autocannon from 'autocannon';
import { Redis } from 'ioredis';
import { cpus } from 'node:os';
import { hydraTokenHookRequest } from '../libs/domain/src/testing/hydra-requests.js';
import { oktaTokenHookRequest } from '../libs/domain/src/testing/okta-requests.js';
import { dropNamespace, namespaceEnv, newNamespace } from '../test/support/namespace.js';
import { freePort } from '../scripts/local-services/free-port.js';
import { answersHttp, startBuiltHookApi, startBuiltSyncWorker, startService, type Service } from '../test/support/processes.js';

const SUBJECTS = Number(process.env['BENCH_SUBJECTS'] ?? 10_000);
const CONNECTIONS = Number(process.env['BENCH_CONNECTIONS'] ?? 50);
const SECONDS = Number(process.env['BENCH_SECONDS'] ?? 10);
const WARMUP_SECONDS = 2;
const DISTINCT_REQUESTS = 1_000;
const INGEST_KEY = 'bench-ingest-key-0123456789';
const OKTA_AUTHORIZATION = `Basic ${Buffer.from('okta:bench-secret').toString('base64')}`;
const HYDRA_AUTHORIZATION = 'Bearer bench-hydra-secret';

const loginOf = (index: number) => `patient.${index}@example.org`;
const subjectOf = (index: number) => `00u${index}`;

/** The hooks measured, each with the body its provider sends for the subject at `index`. */
const HOOKS = [
  {
    path: '/hooks/okta/token',
    authorization: OKTA_AUTHORIZATION,
    body: (index: number) => oktaTokenHookRequest({ login: loginOf(index), userId: subjectOf(index) }),
  },
  {
    path: '/hooks/hydra/token',
    authorization: HYDRA_AUTHORIZATION,
    body: (index: number) => hydraTokenHookRequest({ grant: 'refresh_token', subject: subjectOf(index) }),
  },
];

interface Row {
  server: string;
  /** Requests per second of the reference server on the same bodies. */
  reference: number;
  requestsPerSecond: number;
  p50: number;
  p99: number;
  max: number;
  errors: number;
}

async function main(): Promise<void> {
  const namespace = newNamespace();
  const redis = new Redis(namespace.redisUrl);
  const services: Service[] = [];
  try {
    const env = {
      ...namespaceEnv(namespace),
      INGEST_API_KEY: INGEST_KEY,
      OKTA_HOOK_AUTH_NAME: 'Authorization',
      OKTA_HOOK_AUTH_VALUE: OKTA_AUTHORIZATION,
      HYDRA_HOOK_AUTH_NAME: 'Authorization',
      HYDRA_HOOK_AUTH_VALUE: HYDRA_AUTHORIZATION,
    };
    services.push(await startBuiltSyncWorker(env));
    const api = await startBuiltHookApi(env);
    services.push(api);
    const apiUrl = api.url;

    const seeded = performance.now();
    await seed(apiUrl);
    await waitForProjection(redis, namespace.redisPrefix);
    console.log(`seeded ${SUBJECTS} subjects (${SUBJECTS * 2} events) through POST /events and projected them in ${((performance.now() - seeded) / 1000).toFixed(1)} s`);

    const referencePrefix = `${namespace.redisPrefix}:reference`;
    await copyDocumentsForReference(redis, new ClaimsKeys(namespace.redisPrefix), referencePrefix);
    const referencePort = await freePort();
    const referenceUrl = `http://127.0.0.1:${referencePort}`;
    services.push(
      await startService('reference', ['node', '--import', 'tsx', 'bench/reference-server.ts'], { REDIS_URL: namespace.redisUrl, PORT: String(referencePort), REFERENCE_PREFIX: referencePrefix }, () =>
        answersHttp(referenceUrl),
      ),
    );

    const rows: Row[] = [];
    for (const hook of HOOKS) {
      const reference = await measure(`reference, ${hook.path} bodies`, `${referenceUrl}/hook`, {}, hook.body);
      rows.push({ ...reference, reference: reference.requestsPerSecond });
      const measured = await measure(`POST ${hook.path}`, `${apiUrl}${hook.path}`, { authorization: hook.authorization }, hook.body);
      rows.push({ ...measured, reference: reference.requestsPerSecond });
    }
    print(rows);
  } finally {
    await Promise.all(services.map((service) => service.stop()));
    redis.disconnect();
    await dropNamespace(namespace);
  }
}

async function seed(apiUrl: string): Promise<void> {
  const perBatch = 500;
  for (let start = 0; start < SUBJECTS; start += perBatch) {
    const events = [];
    for (let index = start; index < Math.min(start + perBatch, SUBJECTS); index++) {
      events.push({ type: 'identity.registered', subject: subjectOf(index), data: { login: loginOf(index) } });
      events.push({ type: 'patient.linked', subject: subjectOf(index), data: { patientId: String(100_000 + index) } });
    }
    const response = await fetch(`${apiUrl}/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${INGEST_KEY}` },
      body: JSON.stringify(events),
    });
    const answer = await response.text();
    if (response.status !== 201) throw new Error(`seeding failed: ${response.status} ${answer}`);
  }
}

async function waitForProjection(redis: Redis, prefix: string): Promise<void> {
  const deadline = Date.now() + 120_000;
  for (;;) {
    let subjects = 0;
    for await (const batch of redis.scanStream({ match: `${prefix}:*:subject:*`, count: 1000 })) subjects += (batch as string[]).length;
    if (subjects >= SUBJECTS) return;
    if (Date.now() > deadline) throw new Error(`only ${subjects} of ${SUBJECTS} subjects projected after 120 s`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** The reference server reads the same documents, stored as plain strings under the subject id. */
async function copyDocumentsForReference(redis: Redis, keys: ClaimsKeys, referencePrefix: string): Promise<void> {
  const pipeline = redis.pipeline();
  const { live } = (await new ProjectionStateStore(redis, keys).read())!;
  for (let index = 0; index < SUBJECTS; index++) pipeline.hget(keys.subject(live, subjectOf(index)), 'd');
  const documents = (await pipeline.exec())!.map(([, value]) => value as string);
  const writes = redis.pipeline();
  documents.forEach((document, index) => writes.set(`${referencePrefix}:${subjectOf(index)}`, document));
  await writes.exec();
}

async function measure(server: string, url: string, headers: Record<string, string>, bodyOf: (index: number) => object): Promise<Omit<Row, 'reference'>> {
  const requests = Array.from({ length: DISTINCT_REQUESTS }, () => {
    const body = bodyOf(Math.floor(Math.random() * SUBJECTS));
    return { method: 'POST' as const, headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) };
  });
  const options = { url, connections: CONNECTIONS, requests };
  await autocannon({ ...options, duration: WARMUP_SECONDS });
  const result = await autocannon({ ...options, duration: SECONDS });
  return {
    server,
    requestsPerSecond: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    max: result.latency.max,
    errors: result.errors + result.timeouts + result.non2xx,
  };
}

function print(rows: Row[]): void {
  console.log(`\n${cpus().length} CPUs (${cpus()[0]?.model}), Node ${process.version}; ${CONNECTIONS} connections, ${SECONDS} s after ${WARMUP_SECONDS} s warm-up, ${SUBJECTS} subjects\n`);
  console.table(
    rows.map((row) => ({
      server: row.server,
      'req/s': Math.round(row.requestsPerSecond),
      'p50 ms': row.p50,
      'p99 ms': row.p99,
      'max ms': row.max,
      'vs reference': (row.requestsPerSecond / row.reference).toFixed(2),
      'errors/non-2xx': row.errors,
    })),
  );
}

await main();
