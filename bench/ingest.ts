/**
 * `npm run bench:ingest`: events per second appended through each producer entry point, `POST /events`
 * on the hook-api and the `events.append` pattern of @nestjs/microservices (TCP) on the sync-worker.
 * Each path in turn: BENCH_CONCURRENCY producers (4) send batches of BENCH_BATCH events (1,000), each
 * producer its next batch as soon as the last is answered, for BENCH_SECONDS (15) after a 3 s
 * warm-up; events go to random subjects among BENCH_SUBJECTS (100,000), each with its own id as
 * producers send them. The batches are drawn before the load from BENCH_TEMPLATES (64) templates,
 * each send stamping fresh ids into one: building and serializing 1,000 random events took the
 * producers about 15 µs of CPU an event, on the two cores the apps run on, where real producers
 * run elsewhere. Over HTTP a template is kept as JSON, over TCP as objects (the Nest client
 * serializes them itself). Before either path, every subject gets its registration, and the live
 * projection catches up: both paths then measure the steady state of a known population, where an
 * event advances a stream that exists (creating 100,000 streams and their lookup names fell to
 * whichever path ran first). Between the paths the live projection catches up, so that neither path
 * shares the machine with the other's backlog. At the end the log must hold exactly the events
 * acknowledged. Both apps run from `dist/` as they are deployed, with their defaults.
 */
import { createPostgresPool } from '@app/event-store';
import { ClientProxyFactory, Transport, type ClientProxy } from '@nestjs/microservices';
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { firstValueFrom } from 'rxjs';
import { appendOverHttp, startApps, type AppendAnswer } from './support/apps.js';
import { caughtUp } from './support/projection.js';
import { latencies, machine, ms, verdict } from './support/report.js';

const CONCURRENCY = Number(process.env['BENCH_CONCURRENCY'] ?? 4);
const BATCH = Number(process.env['BENCH_BATCH'] ?? 1_000);
const SECONDS = Number(process.env['BENCH_SECONDS'] ?? 15);
const SUBJECTS = Number(process.env['BENCH_SUBJECTS'] ?? 100_000);
const TEMPLATES = Number(process.env['BENCH_TEMPLATES'] ?? 64);
const WARMUP_SECONDS = 3;
const TARGET_EVENTS_PER_SECOND = 20_000;

/** One way in for producers: `send` appends a batch, with fresh ids, of a template for producer number `producer`. */
interface IngestPath {
  name: string;
  send(producer: number, template: BatchTemplate): Promise<AppendAnswer>;
}

interface Row {
  path: string;
  eventsPerSecond: number;
  batches: number;
  p50: number;
  p99: number;
  max: number;
  /** Seconds from the last append to a projection holding the whole log (to the quarter second). */
  projectedAfter: number;
}

async function main(): Promise<void> {
  const { namespace, worker, api, stop } = await startApps();
  const pool = createPostgresPool({ databaseUrl: namespace.databaseUrl, schema: namespace.schema, applicationName: 'bench' });
  const clients: ClientProxy[] = Array.from({ length: CONCURRENCY }, () =>
    ClientProxyFactory.create({ transport: Transport.TCP, options: { host: '127.0.0.1', port: worker.ingestPort } }),
  );
  try {
    await Promise.all(clients.map((client) => client.connect()));
    const paths: IngestPath[] = [
      { name: 'POST /events', send: (_, template) => appendOverHttp(api.url, template.json()) },
      { name: 'events.append (TCP)', send: (producer, template) => firstValueFrom(clients[producer]!.send<AppendAnswer>('events.append', template.events())) },
    ];
    const seeded = await registerEverySubject(api.url);
    await caughtUp(namespace);
    const loadBefore = machine();
    const rows: Row[] = [];
    let acknowledged = seeded;
    let duplicates = 0;
    const storedAfter: string[] = [];
    for (const path of paths) {
      const warmup = await load(path, WARMUP_SECONDS);
      const measured = await load(path, SECONDS);
      acknowledged += warmup.appended + measured.appended;
      duplicates += warmup.duplicates + measured.duplicates;
      const lastAppend = Date.now();
      const projectedAt = await caughtUp(namespace);
      const stored = await storedEvents(pool);
      storedAfter.push(`${path.name}: ${stored.toLocaleString('en')} stored of ${acknowledged.toLocaleString('en')} acknowledged${stored === acknowledged ? '' : ' (MISMATCH)'}`);
      const batch = latencies(measured.latencies);
      rows.push({
        path: path.name,
        eventsPerSecond: measured.appended / measured.seconds,
        batches: batch.count,
        p50: batch.p50,
        p99: batch.p99,
        max: batch.max,
        projectedAfter: Math.max(0, projectedAt - lastAppend) / 1000,
      });
      console.log(`${path.name}: ${measured.appended.toLocaleString('en')} events in ${measured.seconds.toFixed(2)} s, ${Math.round(measured.appended / measured.seconds)} events/s`);
    }
    const stored = await storedEvents(pool);

    console.log(`\nbefore: ${loadBefore}`);
    console.log(`after:  ${machine()}`);
    console.log(`${CONCURRENCY} producers per path, ${BATCH} events a batch, ${SECONDS} s each after ${WARMUP_SECONDS} s warm-up, ${SUBJECTS} subjects\n`);
    console.table(
      rows.map((row) => ({
        path: row.path,
        'events/s': Math.round(row.eventsPerSecond),
        batches: row.batches,
        'batch p50 ms': ms(row.p50),
        'batch p99 ms': ms(row.p99),
        'batch max ms': ms(row.max),
        'projection caught up s after': Number(row.projectedAfter.toFixed(1)),
        [`≥ ${TARGET_EVENTS_PER_SECOND} events/s`]: verdict(row.eventsPerSecond >= TARGET_EVENTS_PER_SECOND),
      })),
    );
    console.log(`\nthe log: ${storedAfter.join('; ')}`);
    console.log(
      stored === acknowledged && duplicates === 0
        ? `every acknowledged event is stored, once (${stored.toLocaleString('en')})`
        : `MISMATCH: ${stored} events stored, ${acknowledged} acknowledged, ${duplicates} answered as duplicates`,
    );
    if (stored !== acknowledged || duplicates !== 0) process.exitCode = 1;
  } finally {
    await Promise.all(clients.map((client) => client.close()));
    await pool.end();
    await stop();
  }
}

/** CONCURRENCY producers appending back to back for `seconds`; a batch started in time is waited for. */
async function load(path: IngestPath, seconds: number): Promise<{ appended: number; duplicates: number; seconds: number; latencies: number[] }> {
  const started = performance.now();
  const end = started + seconds * 1000;
  const batchLatencies: number[] = [];
  let appended = 0;
  let duplicates = 0;
  const producer = async (index: number) => {
    while (performance.now() < end) {
      const template = templates[Math.floor(Math.random() * templates.length)]!;
      const sent = performance.now();
      const answer = await path.send(index, template);
      batchLatencies.push(performance.now() - sent);
      appended += answer.appended;
      duplicates += answer.duplicates;
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, (_, index) => producer(index)));
  return { appended, duplicates, seconds: (performance.now() - started) / 1000, latencies: batchLatencies };
}

/** One registration for every subject, through `POST /events`; resolves with the number of events. */
async function registerEverySubject(apiUrl: string): Promise<number> {
  const started = performance.now();
  for (let start = 0; start < SUBJECTS; start += BATCH) {
    const indexes = Array.from({ length: Math.min(BATCH, SUBJECTS - start) }, (_, offset) => start + offset);
    await appendOverHttp(apiUrl, indexes.map((index) => ({ type: 'identity.registered', subject: `00u${index}`, data: { login: `patient.${index}@example.org`, aliases: [`MRN-${index}`] } })));
  }
  console.log(`registered ${SUBJECTS.toLocaleString('en')} subjects in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  return SUBJECTS;
}

/** A batch whose events are fixed but for their ids: each call gives every event a new one. */
interface BatchTemplate {
  events(): object[];
  json(): string;
}

let sequence = 0;
const templates = Array.from({ length: TEMPLATES }, () => batchTemplate(randomBatch()));

function batchTemplate(events: ReadonlyArray<Record<string, unknown>>): BatchTemplate {
  // Each event's JSON after its id, so that a fresh batch is ids and text put together.
  const afterIds = events.map((event) => JSON.stringify(event).slice(1));
  return {
    events: () => events.map((event) => ({ id: randomUUID(), ...event })),
    json: () => `[${afterIds.map((rest) => `{"id":"${randomUUID()}",${rest}`).join(',')}]`,
  };
}

/** A batch of what systems of record publish, for random subjects: registrations, patient links, claims and profile changes. */
function randomBatch(): Array<Record<string, unknown>> {
  return Array.from({ length: BATCH }, () => {
    const index = Math.floor(Math.random() * SUBJECTS);
    const base = { subject: `00u${index}`, occurredAt: new Date().toISOString() };
    sequence += 1;
    switch (sequence % 10) {
      case 0:
        return { ...base, type: 'identity.registered', data: { login: `patient.${index}@example.org`, aliases: [`MRN-${index}`] } };
      case 1:
      case 2:
      case 3:
        return { ...base, type: 'patient.linked', data: { patientId: String(100_000 + sequence) } };
      case 4:
      case 5:
        return { ...base, type: 'identity.profile_updated', data: { profile: { department: `D${sequence % 12}`, locale: sequence % 2 === 0 ? 'en' : 'fr' } } };
      default:
        return { ...base, type: 'claims.granted', data: { claims: { ward: `W${sequence % 40}`, roles: sequence % 3 === 0 ? ['clinician'] : ['clinician', 'prescriber'] } } };
    }
  });
}

async function storedEvents(pool: pg.Pool): Promise<number> {
  const { rows } = await pool.query<{ count: string }>('SELECT count(*) AS count FROM events');
  return Number(rows[0]!.count);
}

await main();
