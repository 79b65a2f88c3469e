/**
 * `npm run bench:freshness`: how soon the hooks answer with an event once `POST /events` has
 * acknowledged it, while producers append a steady load. A background producer appends BENCH_RATE
 * events/s (500) in batches of BENCH_PRODUCER_BATCH (10) over BENCH_SUBJECTS subjects (10,000),
 * whatever the previous batches take. Every so often (BENCH_PROBE_GAP_MS, 50 ms, jittered) a probe
 * links one of BENCH_PROBE_SUBJECTS subjects (10) to a new patient id through `POST /events`; from
 * the moment that answer arrives, the Okta token hook is asked for the subject every
 * BENCH_POLL_INTERVAL_MS (1 ms), one request in flight, until its answer holds the new id. The
 * delay to that first answer is the freshness; BENCH_PROBES (600) probes give its p50, p99 and max.
 * Right before each probe the hook is asked once for the subject, so that whatever the hook-api
 * keeps of it (a near cache) is warm and holds the old value when the event lands. Both apps run
 * from `dist/` as they are deployed, with their defaults (no near-cache or relay settings).
 */
import { Redis } from 'ioredis';
import { randomUUID } from 'node:crypto';
import { oktaTokenHookRequest } from '../libs/domain/src/testing/okta-requests.js';
import { findLive } from '../test/support/projection.js';
import { OKTA_AUTHORIZATION } from '../test/support/credentials.js';
import { appendOverHttp, INGEST_HEADERS, startApps } from './support/apps.js';
import { caughtUp } from './support/projection.js';
import { latencies, machine, ms, seconds, verdict } from './support/report.js';

const RATE = Number(process.env['BENCH_RATE'] ?? 500);
const PRODUCER_BATCH = Number(process.env['BENCH_PRODUCER_BATCH'] ?? 10);
const SUBJECTS = Number(process.env['BENCH_SUBJECTS'] ?? 10_000);
const PROBES = Number(process.env['BENCH_PROBES'] ?? 600);
const PROBE_SUBJECTS = Number(process.env['BENCH_PROBE_SUBJECTS'] ?? 10);
const PROBE_GAP_MS = Number(process.env['BENCH_PROBE_GAP_MS'] ?? 50);
const POLL_INTERVAL_MS = Number(process.env['BENCH_POLL_INTERVAL_MS'] ?? 1);
const WARMUP_SECONDS = 3;
/** A probe whose event no hook answer holds after this long is counted as timed out. */
const PROBE_TIMEOUT_MS = 10_000;
/** Producer batches allowed in flight at once; a tick that finds this many skips its batch (and the rate shows it). */
const PRODUCER_MAX_IN_FLIGHT = 50;
const TARGET_P99_MS = 50;

/** Settings that change freshness; the apps inherit this process's environment, so a value set there is used. */
const TUNING = ['NEAR_CACHE_MAX_STALENESS_MS', 'NEAR_CACHE_MAX_ENTRIES', 'RELAY_POLL_INTERVAL_MS', 'RELAY_BATCH_SIZE', 'HOOK_DEADLINE_MS'];

const sleep = (milliseconds: number) => new Promise((resolve) => setTimeout(resolve, milliseconds));
const subjectOf = (index: number) => `00u${index}`;
const loginOf = (index: number) => `patient.${index}@example.org`;
const probeSubjectOf = (index: number) => `00uprobe${index}`;
const probeLoginOf = (index: number) => `probe.${index}@example.org`;

async function main(): Promise<void> {
  const { namespace, api, stop } = await startApps();
  const producer = new SteadyProducer(api.url);
  const redis = new Redis(namespace.redisUrl);
  try {
    let started = performance.now();
    const current = await seed(api.url);
    await caughtUp(namespace);
    const hooks = Array.from({ length: PROBE_SUBJECTS }, (_, index) => new OktaHook(api.url, index));
    for (const [index, hook] of hooks.entries()) await hook.waitFor(current[index]!, 30_000);
    console.log(`seeded ${SUBJECTS + PROBE_SUBJECTS} subjects through POST /events and projected them in ${seconds(started)} s`);

    producer.start();
    await sleep(WARMUP_SECONDS * 1000);
    const loadBefore = machine();
    const acknowledgedBefore = producer.acknowledged;
    started = performance.now();
    const freshness: number[] = [];
    const appends: number[] = [];
    let timeouts = 0;
    let staleAfterFresh = 0;
    let polls = 0;
    for (let probe = 0; probe < PROBES; probe++) {
      const index = probe % PROBE_SUBJECTS;
      const hook = hooks[index]!;
      if (!(await hook.holds(current[index]!))) staleAfterFresh++;
      const patientId = `P${probe.toString().padStart(7, '0')}`;
      const sent = performance.now();
      await appendOverHttp(api.url, [{ id: randomUUID(), type: 'patient.linked', subject: probeSubjectOf(index), data: { patientId } }]);
      const acknowledged = performance.now();
      appends.push(acknowledged - sent);
      const seen = await hook.waitFor(patientId, PROBE_TIMEOUT_MS);
      polls += seen.polls;
      if (seen.at === undefined) {
        timeouts++;
        const projected = await findLive(redis, namespace, [{ by: 'subject', value: probeSubjectOf(index) }]);
        console.log(
          `probe ${probe} at ${seconds(started)} s: no hook answer held its patient id ${PROBE_TIMEOUT_MS} ms after POST /events answered ` +
            `(last hook answer ${seen.lastStatus}); the live projection in Redis ${JSON.stringify(projected).includes(`"${patientId}"`) ? 'holds it' : 'does not hold it yet'}`,
        );
      }
      freshness.push((seen.at ?? acknowledged + PROBE_TIMEOUT_MS) - acknowledged);
      current[index] = patientId;
      if (probe > 0 && probe % 100 === 0) console.log(`${probe} probes, ${seconds(started)} s`);
      await sleep(PROBE_GAP_MS * (0.5 + Math.random()));
    }
    const elapsed = (performance.now() - started) / 1000;
    const achievedRate = (producer.acknowledged - acknowledgedBefore) / elapsed;
    await producer.stop();

    const delays = latencies(freshness);
    const appended = latencies(appends);
    console.log(`\nbefore the probes: ${loadBefore}`);
    const tuned = TUNING.filter((name) => process.env[name] !== undefined).map((name) => `${name}=${process.env[name]}`);
    console.log(tuned.length === 0 ? 'apps run with their defaults' : `apps run with settings from the environment: ${tuned.join(', ')}`);
    console.log(`after the probes:  ${machine()}`);
    console.log(
      `producer: ${RATE} events/s asked in batches of ${PRODUCER_BATCH} over ${SUBJECTS} subjects; ${Math.round(achievedRate)} events/s acknowledged while probing; ` +
        `${producer.skipped} events skipped (too many batches in flight), ${producer.failed} refused or failed`,
    );
    console.log(`${PROBES} probes over ${PROBE_SUBJECTS} subjects in ${elapsed.toFixed(1)} s, polling every ${POLL_INTERVAL_MS} ms (${(polls / PROBES).toFixed(1)} hook requests a probe)\n`);
    console.table([
      {
        probes: delays.count,
        'producer events/s': Math.round(achievedRate),
        'freshness p50 ms': ms(delays.p50),
        'freshness p99 ms': ms(delays.p99),
        'freshness max ms': ms(delays.max),
        'probe POST /events p50 ms': ms(appended.p50),
        'probe POST /events p99 ms': ms(appended.p99),
        'timed out': timeouts,
        'stale after fresh': staleAfterFresh,
      },
    ]);
    console.log(`\ntarget: freshness p99 < ${TARGET_P99_MS} ms: ${verdict(delays.p99 < TARGET_P99_MS && timeouts === 0)} (p99 ${ms(delays.p99)} ms)`);
    if (staleAfterFresh > 0) console.log(`${staleAfterFresh} time(s) a hook answered an older patient id after it had answered the newer one`);
  } finally {
    await producer.stop();
    redis.disconnect();
    await stop();
  }
}

/**
 * Registers every subject with a patient id: the producer's, and the probes' (whose ids the probes
 * then replace). Returns the probe subjects' patient ids.
 */
async function seed(apiUrl: string): Promise<string[]> {
  const events: object[] = [];
  for (let index = 0; index < SUBJECTS; index++) {
    events.push({ type: 'identity.registered', subject: subjectOf(index), data: { login: loginOf(index) } });
    events.push({ type: 'patient.linked', subject: subjectOf(index), data: { patientId: String(100_000 + index) } });
  }
  const current = Array.from({ length: PROBE_SUBJECTS }, (_, index) => `S${index}`);
  for (let index = 0; index < PROBE_SUBJECTS; index++) {
    events.push({ type: 'identity.registered', subject: probeSubjectOf(index), data: { login: probeLoginOf(index) } });
    events.push({ type: 'patient.linked', subject: probeSubjectOf(index), data: { patientId: current[index] } });
  }
  for (let start = 0; start < events.length; start += 1_000) await appendOverHttp(apiUrl, events.slice(start, start + 1_000));
  return current;
}

/** The Okta token inline hook, asked about one probe subject with the body Okta sends. */
class OktaHook {
  private readonly body: string;

  constructor(
    private readonly apiUrl: string,
    index: number,
  ) {
    this.body = JSON.stringify(oktaTokenHookRequest({ login: probeLoginOf(index), userId: probeSubjectOf(index) }));
  }

  /** The status of the last answer. */
  lastStatus = 0;

  /** Whether the hook answers with this patient id now. */
  async holds(patientId: string): Promise<boolean> {
    const response = await fetch(`${this.apiUrl}/hooks/okta/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: OKTA_AUTHORIZATION },
      body: this.body,
    });
    const answer = await response.text();
    this.lastStatus = response.status;
    return response.status === 200 && answer.includes(`"${patientId}"`);
  }

  /**
   * Asks every POLL_INTERVAL_MS (one request in flight) until an answer holds the patient id; `at`
   * is when that answer arrived, absent after `timeoutMs`.
   */
  async waitFor(patientId: string, timeoutMs: number): Promise<{ at?: number; polls: number; lastStatus: number }> {
    const deadline = performance.now() + timeoutMs;
    for (let polls = 1; ; polls++) {
      const asked = performance.now();
      if (await this.holds(patientId)) return { at: performance.now(), polls, lastStatus: this.lastStatus };
      const now = performance.now();
      if (now > deadline) return { polls, lastStatus: this.lastStatus };
      const wait = POLL_INTERVAL_MS - (now - asked);
      if (wait > 0) await sleep(wait);
    }
  }
}

/**
 * Appends RATE events/s through `POST /events` in batches of PRODUCER_BATCH, on a fixed schedule:
 * a batch leaves at each tick whether or not the previous ones have been answered, as independent
 * producers would send them. Events are what systems of record publish: patient links, granted
 * claims and profile changes, with values that change, for random subjects.
 */
class SteadyProducer {
  acknowledged = 0;
  failed = 0;
  skipped = 0;
  private readonly inFlight = new Set<Promise<void>>();
  private running?: Promise<void>;
  private stopping = false;
  private sequence = 0;

  constructor(private readonly apiUrl: string) {}

  start(): void {
    this.running = this.run();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await this.running;
    await Promise.all(this.inFlight);
  }

  private async run(): Promise<void> {
    const interval = (1000 * PRODUCER_BATCH) / RATE;
    const started = performance.now();
    for (let tick = 0; !this.stopping; tick++) {
      const wait = started + tick * interval - performance.now();
      if (wait > 0) await sleep(wait);
      if (this.stopping) break;
      if (this.inFlight.size >= PRODUCER_MAX_IN_FLIGHT) {
        this.skipped += PRODUCER_BATCH;
        continue;
      }
      const sent: Promise<void> = this.send(this.batch()).finally(() => this.inFlight.delete(sent));
      this.inFlight.add(sent);
    }
  }

  private async send(events: object[]): Promise<void> {
    try {
      const response = await fetch(`${this.apiUrl}/events`, { method: 'POST', headers: INGEST_HEADERS, body: JSON.stringify(events) });
      await response.text();
      if (response.status === 201) this.acknowledged += events.length;
      else this.failed += events.length;
    } catch {
      this.failed += events.length;
    }
  }

  private batch(): object[] {
    return Array.from({ length: PRODUCER_BATCH }, () => {
      const sequence = ++this.sequence;
      const subject = subjectOf(Math.floor(Math.random() * SUBJECTS));
      const base = { id: randomUUID(), subject, occurredAt: new Date().toISOString() };
      switch (sequence % 4) {
        case 0:
          return { ...base, type: 'patient.linked', data: { patientId: String(200_000 + sequence) } };
        case 1:
          return { ...base, type: 'claims.granted', data: { claims: { ward: `W${sequence % 40}`, roles: sequence % 3 === 0 ? ['clinician'] : ['clinician', 'prescriber'] } } };
        case 2:
          return { ...base, type: 'identity.profile_updated', data: { profile: { department: `D${sequence % 12}`, locale: sequence % 2 === 0 ? 'en' : 'fr' } } };
        default:
          return { ...base, type: 'claims.granted', data: { claims: { tenant: `t${sequence % 7}`, shift: sequence % 2 === 0 ? 'day' : 'night' } } };
      }
    });
  }
}

await main();
