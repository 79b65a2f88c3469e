import type { LogRange } from '@app/event-store';
import type { JobsOptions } from 'bullmq';

/**
 * Jobs of the projection queue. None carries an identifier or a claim value: BullMQ keeps job data
 * in clear text in Redis, so a job names a stretch of the log or of the streams, never its content.
 */
export interface ProjectionJobs {
  /** A stretch of the log the relay read, in commit order. */
  project: LogRange;
  /** Streams `(afterOrdinal, throughOrdinal]` replayed into a generation a rebuild is filling. */
  'rebuild-chunk': { generation: string; afterOrdinal: number; throughOrdinal: number };
  /**
   * A subject a hook missed while the projection is cold, named by the hash of its id or of one of
   * its names (as in its Redis key): projected from the log into every generation being written.
   */
  backfill: { by: 'subject' | 'name'; hash: string };
  /**
   * Stops writing a generation readers have left. It runs in this queue so that no relayed job is
   * writing the generation while it is dropped from the state, and none does afterwards.
   */
  retire: { generation: string };
}

export type ProjectionJobName = keyof ProjectionJobs;
export type ProjectionJobData = ProjectionJobs[ProjectionJobName];

/** Re-relaying the same stretch after a crash adds no second job while the first is kept. */
export function projectionJobId(range: LogRange): string {
  return `log-${range.to.transactionId}-${range.to.position}`;
}

export function rebuildChunkJobId(chunk: ProjectionJobs['rebuild-chunk']): string {
  return `rebuild-${chunk.generation}-${chunk.throughOrdinal}`;
}

export const retireJobId = (generation: string): string => `retire-${generation}`;

/** However many hooks miss the same subject at once, one job backfills it. */
export const backfillJobId = (backfill: ProjectionJobs['backfill']): string => `backfill-${backfill.by}-${backfill.hash}`;

const MAX_RETRY_DELAY_MS = 30_000;

/**
 * Projection jobs are retried until they succeed: the relay's checkpoint is past them, so a job
 * given up on would leave its events unprojected until the subject's next event.
 */
export const PROJECTION_JOB_OPTIONS: JobsOptions = {
  attempts: Number.MAX_SAFE_INTEGER,
  backoff: { type: 'capped-exponential' },
  removeOnComplete: { age: 3600, count: 1000 },
  removeOnFail: { age: 7 * 24 * 3600 },
};

export function cappedExponentialBackoff(attemptsMade: number): number {
  const delay = Math.min(MAX_RETRY_DELAY_MS, 250 * 2 ** Math.max(0, attemptsMade - 1));
  return Math.round(delay * (0.75 + Math.random() * 0.25));
}

/**
 * A worker that dies (SIGKILL, lost host) holds its job until its lock runs out; with one job at a
 * time across the queue, that stops the whole projection, so the lock is short. Jobs are idempotent,
 * so a job taken over from a worker that was only slow does no harm.
 */
export const PROJECTION_WORKER_LOCK = { lockDuration: 10_000, stalledInterval: 5_000, maxStalledCount: 1_000 };
