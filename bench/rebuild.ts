/**
 * `npm run bench:rebuild`: appends BENCH_SUBJECTS × BENCH_EVENTS_PER_SUBJECT events (100,000 × 10 by
 * default) through `POST /events`, lets the live projection catch up, then rebuilds the projection
 * BENCH_REBUILDS times (3 by default) with `POST /admin/rebuild` and prints each rebuild's pace, their
 * median, and the sync-worker's memory: one rebuild's pace moves by a quarter from run to run on a
 * shared 2-core machine, so one figure alone says little. Both apps run from `dist/` as they are deployed. A subject's events are spread over the whole log (round after
 * round over all subjects), as in a log that grew over time.
 */
import { queuePrefix, PROJECTION_QUEUE, REBUILD_QUEUE } from '@app/jobs';
import { Queue } from 'bullmq';
import { readFileSync } from 'node:fs';
import { appendOverHttp, INGEST_HEADERS, startApps } from './support/apps.js';
import { drained, relayed } from './support/projection.js';
import { machine, seconds } from './support/report.js';

const SUBJECTS = Number(process.env['BENCH_SUBJECTS'] ?? 100_000);
const REBUILDS = Number(process.env['BENCH_REBUILDS'] ?? 3);
const EVENTS_PER_SUBJECT = Number(process.env['BENCH_EVENTS_PER_SUBJECT'] ?? 10);
const BATCH = 1_000;
const PARALLEL_APPENDS = 4;

interface RebuildStatus {
  live: string;
  rebuild: { progress?: { events: number; eventsPerSecond: number; percent: number } } | null;
}

async function main(): Promise<void> {
  const { namespace, worker, api, stop } = await startApps();
  const [projectionQueue, rebuildQueue] = [PROJECTION_QUEUE, REBUILD_QUEUE].map(
    (name) => new Queue(name, { connection: { url: namespace.redisUrl }, prefix: queuePrefix(namespace.redisPrefix) }),
  ) as [Queue, Queue];
  try {
    const apiUrl = api.url;

    const total = SUBJECTS * EVENTS_PER_SUBJECT;
    let started = performance.now();
    await append(apiUrl);
    console.log(`appended ${total.toLocaleString('en')} events for ${SUBJECTS.toLocaleString('en')} subjects through POST /events in ${seconds(started)} s`);
    started = performance.now();
    await relayed(namespace);
    await drained(projectionQueue);
    console.log(`live projection caught up ${seconds(started)} s later`);

    const memory = new MemorySampler(worker.process.pid!);
    const runs: Array<{ seconds: number; eventsPerSecond: number }> = [];
    for (let run = 0; run < REBUILDS; run++) {
      const elapsed = await rebuild(apiUrl, rebuildQueue, memory);
      runs.push({ seconds: elapsed, eventsPerSecond: Math.round(total / elapsed) });
      console.log(`rebuild ${run + 1} of ${REBUILDS}: ${elapsed.toFixed(1)} s, ${runs.at(-1)!.eventsPerSecond} events/s`);
    }
    const median = [...runs].sort((a, b) => a.eventsPerSecond - b.eventsPerSecond)[Math.floor(runs.length / 2)]!;
    console.log(`\n${machine()}`);
    console.table([
      {
        events: total,
        subjects: SUBJECTS,
        rebuilds: runs.length,
        'median rebuild s': Number(median.seconds.toFixed(1)),
        'median events/s': median.eventsPerSecond,
        'slowest events/s': Math.min(...runs.map((one) => one.eventsPerSecond)),
        'worker peak RSS during rebuilds (MiB)': memory.peakMiB(),
        'worker RSS high-water mark since start (MiB)': memory.highWaterMarkMiB(),
      },
    ]);
  } finally {
    await Promise.all([projectionQueue.close(), rebuildQueue.close()]);
    await stop();
  }
}

/** Round r appends event r of every subject, so each stream is spread over the whole log. */
async function append(apiUrl: string): Promise<void> {
  const batches: Array<() => unknown[]> = [];
  for (let round = 0; round < EVENTS_PER_SUBJECT; round++) {
    for (let start = 0; start < SUBJECTS; start += BATCH) {
      batches.push(() => Array.from({ length: Math.min(BATCH, SUBJECTS - start) }, (_, offset) => eventFor(round, start + offset)));
    }
  }
  let next = 0;
  const appender = async () => {
    while (next < batches.length) {
      await appendOverHttp(apiUrl, batches[next++]!());
    }
  };
  await Promise.all(Array.from({ length: PARALLEL_APPENDS }, appender));
}

function eventFor(round: number, index: number): object {
  const subject = `00u${index}`;
  if (round === 0) return { type: 'identity.registered', subject, data: { login: `patient.${index}@example.org`, aliases: [`MRN-${index}`] } };
  if (round === 1) return { type: 'patient.linked', subject, data: { patientId: String(100_000 + index) } };
  if (round % 2 === 0) return { type: 'claims.granted', subject, data: { claims: { [`c${round}`]: `value-${round}`, ward: `W${round}` } } };
  return { type: 'identity.profile_updated', subject, data: { profile: { [`a${round}`]: round, locale: 'en' } } };
}

/**
 * One rebuild, from the request to the switch of readers to the new generation, in seconds. It starts
 * once the generation an earlier rebuild replaced has been removed: readers leave it for a while
 * (409 until then), and its keys are then unlinked by a job of the rebuild queue, which would
 * otherwise share the machine with the rebuild measured.
 */
async function rebuild(apiUrl: string, rebuildQueue: Queue, memory: MemorySampler): Promise<number> {
  const before = (await getStatus(apiUrl)).live;
  let started = performance.now();
  for (;;) {
    await drained(rebuildQueue);
    started = performance.now();
    const response = await fetch(`${apiUrl}/admin/rebuild`, { method: 'POST', headers: INGEST_HEADERS, body: '{}' });
    if (response.status === 202) break;
    if (response.status !== 409) throw new Error(`rebuild not started: ${response.status} ${await response.text()}`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  for (;;) {
    memory.sample();
    const status = await getStatus(apiUrl);
    if (status.live !== before && status.rebuild === null) break;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  memory.sample();
  return (performance.now() - started) / 1000;
}

async function getStatus(apiUrl: string): Promise<RebuildStatus> {
  return (await (await fetch(`${apiUrl}/admin/rebuild`, { headers: INGEST_HEADERS })).json()) as RebuildStatus;
}

/** Resident memory of a process, from /proc, sampled by the caller. */
class MemorySampler {
  private peakKiB = 0;

  constructor(private readonly pid: number) {}

  sample(): void {
    this.peakKiB = Math.max(this.peakKiB, this.field('VmRSS'));
  }

  peakMiB(): number {
    return Math.round(this.peakKiB / 1024);
  }

  highWaterMarkMiB(): number {
    return Math.round(this.field('VmHWM') / 1024);
  }

  private field(name: string): number {
    const match = readFileSync(`/proc/${this.pid}/status`, 'utf8').match(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm'));
    return Number(match?.[1] ?? 0);
  }
}

await main();
