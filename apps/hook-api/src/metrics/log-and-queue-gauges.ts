import { CLAIMS_REDIS, ProjectionStateStore } from '@app/claims-store';
import { PROJECTION_QUEUE, queuePrefix, REBUILD_QUEUE, rebuildStatus, type RebuildProgress } from '@app/jobs';
import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { Gauge } from 'prom-client';
import { HookApiConfig } from '../config/hook-api.config.js';
import { Readiness, type ProjectionLag } from '../health/readiness.js';
import { HookMetrics } from './hook-metrics.js';

const JOB_STATES = ['waiting', 'prioritized', 'active', 'delayed', 'failed'] as const;
/** prom-client collects every gauge of a scrape at once; the gauges of one scrape share one read. */
const SCRAPE_READ_REUSE_MS = 500;

interface QueueFigures {
  jobs: Array<{ queue: string; counts: Record<string, number> }>;
  warm: boolean;
  rebuild?: RebuildProgress | { percent: 0 };
}

/**
 * Figures read when Prometheus scrapes, from where they live: the projection's lag from Postgres,
 * queue depths and rebuild progress from BullMQ. The sync-worker thus needs no HTTP server of its
 * own. A source that cannot answer leaves its gauges out of that scrape rather than failing it.
 */
@Injectable()
export class LogAndQueueGauges implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(LogAndQueueGauges.name);
  private queues?: Queue[];
  private readonly lag = new SharedRead(() => this.readiness.lag(), (error) => this.unavailable('the projection lag (Postgres)', error));
  private readonly queueFigures = new SharedRead(() => this.readQueues(), (error) => this.unavailable('queue depths and the rebuild (Redis)', error));

  constructor(
    private readonly metrics: HookMetrics,
    private readonly readiness: Readiness,
    private readonly projection: ProjectionStateStore,
    @Inject(CLAIMS_REDIS) private readonly redis: Redis,
    private readonly config: HookApiConfig,
  ) {}

  onModuleInit(): void {
    const registers = [this.metrics.registry];
    const fromLag = (read: (lag: ProjectionLag) => number) => this.collector(this.lag, (gauge, lag) => gauge.set(read(lag)));
    const fromQueues = (fill: (gauge: Gauge<string>, figures: QueueFigures) => void, labelled = false) => this.collector(this.queueFigures, fill, labelled);
    new Gauge({ name: 'claims_projection_lag_events', help: 'Events in the log that the projection has not applied yet', registers, collect: fromLag((lag) => lag.eventsBehind) });
    new Gauge({ name: 'claims_projection_lag_seconds', help: 'Age of the oldest event the projection has not applied yet', registers, collect: fromLag((lag) => lag.secondsBehind) });
    new Gauge({
      name: 'claims_queue_jobs',
      help: 'Jobs in each BullMQ queue, by state',
      labelNames: ['queue', 'state'],
      registers,
      collect: fromQueues((gauge, figures) => figures.jobs.forEach(({ queue, counts }) => JOB_STATES.forEach((state) => gauge.set({ queue, state }, counts[state] ?? 0))), true),
    });
    new Gauge({ name: 'claims_projection_warm', help: '1 when the live projection holds every subject of the log', registers, collect: fromQueues((gauge, figures) => gauge.set(figures.warm ? 1 : 0)) });
    new Gauge({
      name: 'claims_rebuild_progress_ratio',
      help: 'Share of the streams a running rebuild has replayed (absent without one)',
      registers,
      collect: fromQueues((gauge, figures) => figures.rebuild && gauge.set(figures.rebuild.percent / 100)),
    });
    new Gauge({
      name: 'claims_rebuild_events_per_second',
      help: 'Replay pace of a running rebuild (absent without one or before its pace is known)',
      registers,
      collect: fromQueues((gauge, figures) => figures.rebuild && 'eventsPerSecond' in figures.rebuild && gauge.set(figures.rebuild.eventsPerSecond)),
    });
  }

  async onApplicationShutdown(): Promise<void> {
    // The connection is the hooks' own; closing the queues leaves it open.
    await Promise.all((this.queues ?? []).map((queue) => queue.close()));
  }

  private async readQueues(): Promise<QueueFigures> {
    const queues = this.open();
    const counts = await Promise.all(queues.map((queue) => queue.getJobCounts(...JOB_STATES)));
    const state = await this.projection.read();
    const figures: QueueFigures = { jobs: queues.map((queue, index) => ({ queue: queue.name, counts: counts[index]! })), warm: state?.warm ?? false };
    if (state?.building !== undefined) figures.rebuild = (await rebuildStatus(queues[1]!, state.building)).progress ?? { percent: 0 };
    return figures;
  }

  /** Opened at the first scrape, on the hooks' fail-fast client: a scrape never waits on a Redis that does not answer. */
  private open(): Queue[] {
    this.queues ??= [PROJECTION_QUEUE, REBUILD_QUEUE].map((name) => {
      const queue = new Queue(name, { connection: this.redis, prefix: queuePrefix(this.config.redis.prefix) });
      // The client reports an unreachable Redis; the scrape that fails leaves the gauges out.
      queue.on('error', () => undefined);
      return queue;
    });
    return this.queues;
  }

  /**
   * A gauge's `collect`: emptied, then filled from the scrape's shared read unless that failed. An
   * unlabelled gauge is also removed after its reset, which sets it to 0: a lag of 0 during a Postgres
   * outage, or a rebuild at 0 % when none runs, would read as figures.
   */
  private collector<T>(shared: SharedRead<T>, fill: (gauge: Gauge<string>, figures: T) => void, labelled = false): (this: Gauge<string>) => Promise<void> {
    return async function (this: Gauge<string>) {
      this.reset();
      if (!labelled) this.remove();
      const figures = await shared.read();
      if (figures !== null) fill(this, figures);
    };
  }

  private unavailable(what: string, error: unknown): void {
    this.logger.warn(`${what} could not be read for this scrape: ${(error as Error).message}`);
  }
}

/** One read shared by every gauge collected within a short while of it; `null` when it failed. */
class SharedRead<T> {
  private last?: { at: number; value: Promise<T | null> };

  constructor(
    private readonly readNow: () => Promise<T>,
    private readonly onFailure: (error: unknown) => void,
  ) {}

  read(): Promise<T | null> {
    if (this.last === undefined || Date.now() - this.last.at > SCRAPE_READ_REUSE_MS) {
      this.last = { at: Date.now(), value: this.readNow().catch((error: unknown) => (this.onFailure(error), null)) };
    }
    return this.last.value;
  }
}
