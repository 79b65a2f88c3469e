import { CLAIMS_REDIS, lookupHash } from '@app/claims-store';
import type { SubjectLookup } from '@app/domain';
import { backfillJobId, PROJECTION_QUEUE, queuePrefix, reportQueueErrors, type ProjectionJobs } from '@app/jobs';
import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { Queue, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { HookApiConfig } from '../config/hook-api.config.js';
import { HookMetrics } from '../metrics/hook-metrics.js';

/** Backfills finished long ago tell a later miss nothing new; kept briefly, they absorb a burst. */
const KEEP_FINISHED_SECONDS = 10;

/**
 * Asks the sync-worker to project, from the log, a subject a hook missed while the projection is
 * cold. One job per lookup however many hooks ask at once (its id is the lookup's hash), put at the
 * head of the projection queue. It rides on the hooks' fail-fast Redis client, so it never holds a
 * hook past its deadline nor the process's shutdown.
 */
@Injectable()
export class Backfills implements OnApplicationShutdown {
  private queue?: Queue;

  constructor(
    @Inject(CLAIMS_REDIS) private readonly redis: Redis,
    private readonly config: HookApiConfig,
    private readonly metrics: HookMetrics,
  ) {}

  async request(lookups: readonly SubjectLookup[]): Promise<Array<Job<ProjectionJobs['backfill']>>> {
    const queue = this.open();
    this.metrics.backfillJobs.inc(lookups.length);
    return Promise.all(
      lookups.map((lookup) => {
        const backfill = { by: lookup.by, hash: lookupHash(lookup) };
        return queue.add('backfill', backfill, { jobId: backfillJobId(backfill), lifo: true, attempts: 1, removeOnComplete: { age: KEEP_FINISHED_SECONDS }, removeOnFail: { age: KEEP_FINISHED_SECONDS } });
      }),
    );
  }

  /** `done` when every job ran, `failed` when one failed (its answer is unknown), else `pending`. */
  async outcome(jobs: ReadonlyArray<Job>): Promise<'done' | 'failed' | 'pending'> {
    const states = await Promise.all(jobs.map((job) => this.open().getJobState(job.id!)));
    if (states.includes('failed')) return 'failed';
    return states.every((state) => state === 'completed' || state === 'unknown') ? 'done' : 'pending';
  }

  async onApplicationShutdown(): Promise<void> {
    // The connection is the hooks' own; closing the queue leaves it open.
    await this.queue?.close();
  }

  private open(): Queue {
    if (this.queue === undefined) {
      this.queue = new Queue(PROJECTION_QUEUE, { connection: this.redis, prefix: queuePrefix(this.config.redis.prefix) });
      reportQueueErrors(this.queue, PROJECTION_QUEUE);
    }
    return this.queue;
  }
}
