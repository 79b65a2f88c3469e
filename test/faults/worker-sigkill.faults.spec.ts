import { createPatientRedis } from '@app/claims-store';
import { PROJECTION_QUEUE, queuePrefix } from '@app/jobs';
import { ClientProxyFactory, Transport, type ClientProxy } from '@nestjs/microservices';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type pg from 'pg';
import { firstValueFrom } from 'rxjs';
import { migratedPool } from '../support/database.js';
import { eventually } from '../support/eventually.js';
import { PrivateServers } from '../support/private-servers.js';
import { startBuiltSyncWorker, type Service } from '../support/processes.js';
import { findLive, projectionDrift } from '../support/projection.js';
import { runHookApi, type RunningHookApi } from '../support/stack.js';
import { SteadyIngest } from '../support/steady-ingest.js';

const SUBJECTS = 40;
const TCP_BATCH = 5;

/**
 * A producer on `events.append` of the worker about to be killed: each batch is a subject of its own,
 * so the log shows whether a batch in flight at the kill was stored whole or not at all.
 */
class TcpProducer {
  readonly acknowledged: string[] = [];
  readonly sent: string[] = [];
  private running?: Promise<void>;
  private stopping = false;

  constructor(private readonly client: ClientProxy) {}

  start(): void {
    this.running = (async () => {
      while (!this.stopping) {
        const subject = `tcp-${this.sent.length}`;
        this.sent.push(subject);
        const events = Array.from({ length: TCP_BATCH }, (_, index) => ({ type: 'claims.granted', subject, data: { claims: { index } } }));
        const stored = await firstValueFrom(this.client.send('events.append', events)).then(() => true, () => false);
        if (!stored) return;
        this.acknowledged.push(subject);
      }
    })();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await this.running;
  }
}

describe('sync-worker killed with SIGKILL during steady ingest', () => {
  let servers: PrivateServers;
  let pool: pg.Pool;
  let redis: Redis;
  let queue: Queue;
  let api: RunningHookApi;
  const workers: Service[] = [];

  beforeAll(async () => {
    servers = await PrivateServers.start();
    pool = await migratedPool(servers.namespace);
    redis = createPatientRedis(servers.namespace.redisUrl, 'test');
    queue = new Queue(PROJECTION_QUEUE, { connection: { url: servers.namespace.redisUrl }, prefix: queuePrefix(servers.namespace.redisPrefix) });
    api = await runHookApi(servers.stackEnv());
  }, 60_000);

  afterAll(async () => {
    await Promise.all(workers.map((worker) => worker.stop()));
    await api?.app.close();
    await queue?.close();
    await pool?.end();
    redis?.disconnect();
    await servers?.stop();
  });

  it('projects every acknowledged event after the restart, none twice, and stores a batch in flight at the kill whole or not at all', async () => {
    const killed = await startBuiltSyncWorker(servers.stackEnv());
    workers.push(killed);
    const client = ClientProxyFactory.create({ transport: Transport.TCP, options: { host: '127.0.0.1', port: killed.ingestPort } });
    const http = new SteadyIngest(api, SUBJECTS, 2);
    const tcp = new TcpProducer(client);
    http.start();
    tcp.start();
    try {
      await eventually(() => expect(tcp.acknowledged.length).toBeGreaterThan(10), 10_000);
      // Killed while it holds a relayed job: the job's lock has to run out before anyone resumes it.
      await eventually(async () => expect(await queue.getActiveCount()).toBeGreaterThan(0), 10_000, 1);
      killed.process.kill('SIGKILL');
      await tcp.stop();
      workers.push(await startBuiltSyncWorker(servers.stackEnv()));
      const acknowledgedAtRestart = http.acknowledged;
      await eventually(() => expect(http.acknowledged).toBeGreaterThan(acknowledgedAtRestart + 100), 10_000);
      await http.stop();

      expect(http.refused).toBe(0);
      const { rows } = await pool.query<{ subject: string; stored: number }>('SELECT subject, count(*)::integer AS stored FROM events GROUP BY subject');
      const stored = new Map(rows.map(({ subject, stored }) => [subject, stored]));
      // Through HTTP, nothing went missing and nothing was stored twice.
      expect(Object.fromEntries([...stored].filter(([subject]) => !subject.startsWith('tcp-')))).toEqual(Object.fromEntries(http.acknowledgedBySubject));
      // Through TCP, every acknowledged batch is stored whole; the one cut off by the kill, whole or not at all.
      const batches = tcp.sent.map((subject) => ({ subject, acknowledged: tcp.acknowledged.includes(subject), stored: stored.get(subject) ?? 0 }));
      expect(batches.filter(({ acknowledged, stored }) => stored !== TCP_BATCH && (acknowledged || stored !== 0))).toEqual([]);
      await eventually(async () => expect(await projectionDrift(redis, servers.namespace, pool)).toEqual({ subjects: stored.size, drifted: [] }), 40_000, 250);
      // Each subject's projected version is its number of stored events: each was folded in exactly once.
      const versions = await Promise.all([...stored.keys()].map(async (subject) => [subject, (await findLive(redis, servers.namespace, [{ by: 'subject', value: subject }]))?.version] as const));
      expect(Object.fromEntries(versions)).toEqual(Object.fromEntries(stored));
    } finally {
      await tcp.stop();
      await http.stop();
      await client.close();
    }
  }, 90_000);
});
