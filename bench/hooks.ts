/**
 * `npm run bench:hooks`: requests per second and latency of each provider's hook against a warm
 * projection, each side by side, in the same run, with a bare Fastify + ioredis server doing one GET
 * per request for the same bodies. Both apps run from `dist/` as they are deployed; the load comes
 * from autocannon in this process. Each server is first called once for every subject, then both are
 * loaded in turn, round after round, with calls for subjects drawn at random: the speed of this
 * machine drifts over minutes, and alternating rounds give both servers the same drift. A row shows
 * the round with the median requests/s. Settings: BENCH_SUBJECTS (100000), BENCH_CONNECTIONS (50),
 * BENCH_SECONDS (5, a round), BENCH_ROUNDS (3), BENCH_ROUTES (a comma-separated part of the route
 * paths, e.g. `okta,hydra/token`: only those).
 */
import { ClaimsKeys, ProjectionStateStore } from '@app/claims-store';
import autocannon from 'autocannon';
import { Redis } from 'ioredis';
import { auth0CredentialsExchangeRequest, auth0PostLoginRequest } from '../libs/domain/src/testing/auth0-requests.js';
import { hydraRefreshHookRequest, hydraTokenHookRequest } from '../libs/domain/src/testing/hydra-requests.js';
import { kratosWebHookRequest, type KratosHookPoint } from '../libs/domain/src/testing/kratos-requests.js';
import { oktaTokenHookRequest } from '../libs/domain/src/testing/okta-requests.js';
import { freePort } from '../scripts/local-services/free-port.js';
import { answersHttp, startService, type Service } from '../test/support/processes.js';
import { AUTH0_HOOK_HEADERS, HYDRA_AUTHORIZATION, KRATOS_HOOK_HEADERS, OKTA_AUTHORIZATION } from '../test/support/credentials.js';
import { appendOverHttp, startApps } from './support/apps.js';
import { machine } from './support/report.js';

const SUBJECTS = Number(process.env['BENCH_SUBJECTS'] ?? 100_000);
const CONNECTIONS = Number(process.env['BENCH_CONNECTIONS'] ?? 50);
const SECONDS = Number(process.env['BENCH_SECONDS'] ?? 5);
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 3);
const ROUTES = process.env['BENCH_ROUTES']?.split(',');

const loginOf = (index: number) => `patient.${index}@example.org`;
const subjectOf = (index: number) => `00u${index}`;

const kratosBody = (hookPoint: KratosHookPoint) => (index: number) =>
  kratosWebHookRequest({ hookPoint, identityId: subjectOf(index), addresses: [{ value: loginOf(index), verified: true }] });

/** Every provider route, each with the body its provider sends for the subject at `index`. */
const HOOKS: Array<{ path: string; headers: Record<string, string>; body: (index: number) => object }> = [
  { path: '/hooks/okta/token', headers: { authorization: OKTA_AUTHORIZATION }, body: (index) => oktaTokenHookRequest({ login: loginOf(index), userId: subjectOf(index) }) },
  { path: '/hooks/hydra/token', headers: { authorization: HYDRA_AUTHORIZATION }, body: (index) => hydraTokenHookRequest({ grant: 'refresh_token', subject: subjectOf(index) }) },
  { path: '/hooks/hydra/refresh', headers: { authorization: HYDRA_AUTHORIZATION }, body: (index) => hydraRefreshHookRequest({ subject: subjectOf(index) }) },
  { path: '/hooks/auth0/post-login', headers: AUTH0_HOOK_HEADERS, body: (index) => auth0PostLoginRequest({ userId: subjectOf(index), email: loginOf(index) }) },
  { path: '/hooks/auth0/credentials-exchange', headers: AUTH0_HOOK_HEADERS, body: (index) => auth0CredentialsExchangeRequest({ clientId: subjectOf(index) }) },
  // At registration Kratos has no identity id yet: the lookup is by the verified address.
  { path: '/hooks/kratos/registration', headers: KRATOS_HOOK_HEADERS, body: kratosBody('registration') },
  { path: '/hooks/kratos/settings', headers: KRATOS_HOOK_HEADERS, body: kratosBody('settings') },
  { path: '/hooks/kratos/login', headers: KRATOS_HOOK_HEADERS, body: kratosBody('login') },
];

interface Round {
  requestsPerSecond: number;
  p50: number;
  p99: number;
  max: number;
  errors: number;
}

interface Row extends Round {
  server: string;
  /** Requests per second of each round. */
  rounds: number[];
  /** Median requests per second of the reference server on the same bodies. */
  reference: number;
}

async function main(): Promise<void> {
  const { namespace, api, stop } = await startApps();
  const redis = new Redis(namespace.redisUrl);
  const services: Service[] = [];
  try {
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
    for (const hook of HOOKS.filter(({ path }) => !ROUTES || ROUTES.some((part) => path.includes(part)))) {
      const bodies = Array.from({ length: SUBJECTS }, (_, index) => JSON.stringify(hook.body(index)));
      const servers = [
        { server: `reference, ${hook.path} bodies`, url: `${referenceUrl}/hook`, headers: {}, rounds: [] as Round[] },
        { server: `POST ${hook.path}`, url: `${apiUrl}${hook.path}`, headers: hook.headers, rounds: [] as Round[] },
      ];
      for (const { url, headers } of servers) await warmUp(url, headers, bodies);
      for (let round = 0; round < ROUNDS; round++) {
        for (const { url, headers, rounds } of servers) rounds.push(await load(url, headers, bodies));
      }
      const [reference, measured] = servers.map(({ server, rounds }) => ({ server, ...median(rounds), rounds: rounds.map((each) => each.requestsPerSecond) }));
      rows.push({ ...reference!, reference: reference!.requestsPerSecond }, { ...measured!, reference: reference!.requestsPerSecond });
    }
    print(rows);
  } finally {
    await Promise.all(services.map((service) => service.stop()));
    redis.disconnect();
    await stop();
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
    await appendOverHttp(apiUrl, events);
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

/**
 * The reference server reads the same documents, stored as plain strings under the subject id and
 * under the login (a registration's only handle).
 */
async function copyDocumentsForReference(redis: Redis, keys: ClaimsKeys, referencePrefix: string): Promise<void> {
  const { live } = (await new ProjectionStateStore(redis, keys).read())!;
  const perPipeline = 10_000;
  for (let start = 0; start < SUBJECTS; start += perPipeline) {
    const indexes = Array.from({ length: Math.min(perPipeline, SUBJECTS - start) }, (_, offset) => start + offset);
    const reads = redis.pipeline();
    for (const index of indexes) reads.hget(keys.subject(live, subjectOf(index)), 'd');
    const documents = (await reads.exec())!.map(([, value]) => value as string);
    const writes = redis.pipeline();
    indexes.forEach((index, offset) => writes.set(`${referencePrefix}:${subjectOf(index)}`, documents[offset]!).set(`${referencePrefix}:${loginOf(index)}`, documents[offset]!));
    await writes.exec();
  }
}

/**
 * Each call picks its own body: with a fixed list, autocannon's connections would walk it in step,
 * all 50 asking for the same subject at once, which no identity provider does.
 */
function calls(url: string, headers: Record<string, string>, bodies: string[], bodyIndex: () => number) {
  return {
    url,
    connections: CONNECTIONS,
    requests: [{ method: 'POST' as const, headers: { 'content-type': 'application/json', ...headers }, setupRequest: (request: object) => ({ ...request, body: bodies[bodyIndex()] }) }],
  };
}

/** One call for each subject. */
async function warmUp(url: string, headers: Record<string, string>, bodies: string[]): Promise<void> {
  let next = 0;
  await autocannon({ ...calls(url, headers, bodies, () => next++), amount: bodies.length });
}

/** `SECONDS` of calls for subjects drawn at random. */
async function load(url: string, headers: Record<string, string>, bodies: string[]): Promise<Round> {
  const result = await autocannon({ ...calls(url, headers, bodies, () => Math.floor(Math.random() * bodies.length)), duration: SECONDS });
  return {
    requestsPerSecond: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    max: result.latency.max,
    errors: result.errors + result.timeouts + result.non2xx,
  };
}

/** The round with the median requests/s. */
function median(rounds: Round[]): Round {
  return [...rounds].sort((a, b) => a.requestsPerSecond - b.requestsPerSecond)[Math.floor(rounds.length / 2)]!;
}

function print(rows: Row[]): void {
  console.log(`\n${machine()}; ${CONNECTIONS} connections; ${ROUNDS} rounds of ${SECONDS} s of calls for random subjects after one call for each of the ${SUBJECTS} subjects\n`);
  console.table(
    rows.map((row) => ({
      server: row.server,
      'req/s (median)': Math.round(row.requestsPerSecond),
      rounds: row.rounds.map(Math.round).join(' '),
      'p50 ms': row.p50,
      'p99 ms': row.p99,
      'max ms': row.max,
      'vs reference': (row.requestsPerSecond / row.reference).toFixed(2),
      'errors/non-2xx': row.errors,
    })),
  );
}

await main();
