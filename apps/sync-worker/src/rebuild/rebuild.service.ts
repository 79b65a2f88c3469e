import { ClaimsWriter, ProjectionStateStore } from '@app/claims-store';
import { EventStore } from '@app/event-store';
import {
  PROJECTION_QUEUE,
  queuePrefix,
  rebuildChunkJobId,
  reportQueueErrors,
  retireJobId,
  type ProjectionJobData,
  type ProjectionJobs,
  type RebuildJobs,
  type RebuildProgress,
} from '@app/jobs';
import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationShutdown } from '@nestjs/common';
import { QueueEvents, type Job, type Queue } from 'bullmq';
import { SyncWorkerConfig } from '../config/sync-worker.config.js';
import type { ProjectionResult } from '../projection/projection.service.js';

/** How often a rebuild waiting for a chunk checks that the chunk and the rebuild still exist. */
const CHUNK_CHECK_MS = 1_000;

/**
 * Replays every stream of the log into a new generation, chunk by chunk, then makes it live in one
 * atomic step. Chunks run in the projection queue, one job at a time with the relayed ones, so a
 * subject is never folded twice at once and relayed jobs wait for at most one chunk. Relayed jobs
 * write the new generation too from the moment it exists, so events appended meanwhile are in it
 * when it goes live. The job's progress is where a rebuild resumes after its worker died.
 */
@Injectable()
export class RebuildService implements BeforeApplicationShutdown, OnApplicationShutdown {
  private readonly logger = new Logger(RebuildService.name);
  private readonly projectionEvents: QueueEvents;
  private stopping = false;
  /** Settles when the worker starts to stop: a rebuild waiting for its chunk must not wait for it then. */
  private readonly stopped: Promise<undefined>;
  private signalStop!: () => void;

  constructor(
    private readonly config: SyncWorkerConfig,
    private readonly store: EventStore,
    private readonly state: ProjectionStateStore,
    private readonly claims: ClaimsWriter,
    @InjectQueue(PROJECTION_QUEUE) private readonly projectionQueue: Queue<ProjectionJobData>,
  ) {
    this.stopped = new Promise((resolve) => (this.signalStop = () => resolve(undefined)));
    this.projectionEvents = new QueueEvents(PROJECTION_QUEUE, { connection: { url: config.redis.url }, prefix: queuePrefix(config.redis.prefix) });
    reportQueueErrors(this.projectionEvents, `${PROJECTION_QUEUE} events`);
  }

  /** A worker that stops leaves its rebuild after the current chunk; the job is retried and resumes. */
  beforeApplicationShutdown(): void {
    this.stopping = true;
    this.signalStop();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.projectionEvents.close();
  }

  async rebuild(job: Job<RebuildJobs['rebuild']>): Promise<RebuildProgress> {
    const { generation } = job.data;
    const lastOrdinal = await this.store.lastStreamOrdinal();
    const resumed = typeof job.progress === 'object' ? (job.progress as RebuildProgress) : undefined;
    let progress: RebuildProgress = resumed ?? { percent: 0, position: 0, lastOrdinal, events: 0, eventsPerSecond: 0, etaSeconds: null };
    if (resumed) this.logger.log(`resuming the rebuild of ${generation} at stream ${resumed.position} of ${lastOrdinal}`);
    await this.projectionEvents.waitUntilReady();
    const started = performance.now();
    const startPosition = progress.position;
    let eventsThisRun = 0;
    while (progress.position < lastOrdinal) {
      if (this.stopping) throw this.interrupted(progress);
      const chunk = { generation, afterOrdinal: progress.position, throughOrdinal: Math.min(progress.position + this.config.rebuild.chunkStreams, lastOrdinal) };
      const result = await this.runChunk(chunk);
      if (result === 'abandoned') {
        this.logger.warn(`rebuild of ${generation} abandoned: it is no longer the generation being built`);
        return progress;
      }
      if (result === 'stopping') throw this.interrupted(progress);
      eventsThisRun += result.events;
      const seconds = (performance.now() - started) / 1000;
      const streamsPerSecond = (chunk.throughOrdinal - startPosition) / seconds;
      progress = {
        percent: Math.floor((chunk.throughOrdinal / lastOrdinal) * 1000) / 10,
        position: chunk.throughOrdinal,
        lastOrdinal,
        events: progress.events + result.events,
        eventsPerSecond: Math.round(eventsThisRun / seconds),
        etaSeconds: Math.ceil((lastOrdinal - chunk.throughOrdinal) / streamsPerSecond),
      };
      await job.updateProgress(progress);
    }
    await this.goLive(generation);
    progress = { ...progress, percent: 100, etaSeconds: 0 };
    await job.updateProgress(progress);
    return progress;
  }

  /**
   * Runs one chunk in the projection queue and waits for it. The wait looks around every second:
   * Redis may have lost the job (FLUSHALL: it is added again, or the rebuild was replaced by a new
   * one and is abandoned), and the worker may be stopping (its projection worker then takes no job).
   */
  private async runChunk(chunk: ProjectionJobs['rebuild-chunk']): Promise<ProjectionResult | 'abandoned' | 'stopping'> {
    const jobId = rebuildChunkJobId(chunk);
    for (;;) {
      if ((await this.state.read())?.building !== chunk.generation) return 'abandoned';
      const job = await this.projectionQueue.add('rebuild-chunk', chunk, { jobId });
      const outcome = await Promise.race([
        job.waitUntilFinished(this.projectionEvents) as Promise<ProjectionResult>,
        this.stopped.then(() => 'stopping' as const),
        new Promise<'look again'>((resolve) => setTimeout(() => resolve('look again'), CHUNK_CHECK_MS).unref()),
      ]);
      if (outcome !== 'look again') return outcome;
      if (this.stopping) return 'stopping';
    }
  }

  private interrupted(progress: RebuildProgress): Error {
    return new Error(`worker stopping; the rebuild resumes at stream ${progress.position}`);
  }

  async removeGeneration(generation: string): Promise<void> {
    const removed = await this.claims.removeGeneration(generation);
    this.logger.log(`generation ${generation} removed (${removed} keys)`);
  }

  private async goLive(generation: string): Promise<void> {
    if (!(await this.state.completeRebuild(generation))) return;
    this.logger.log(`generation ${generation} is live`);
    const retiring = (await this.state.read())?.retiring;
    if (retiring) await this.scheduleRetirement(retiring);
  }

  /** Readers switch within a fraction of a second; the generation they left is kept current far longer. */
  async scheduleRetirement(generation: string): Promise<void> {
    await this.projectionQueue.add('retire', { generation }, { jobId: retireJobId(generation), delay: this.config.rebuild.retireDelayMs });
  }
}
