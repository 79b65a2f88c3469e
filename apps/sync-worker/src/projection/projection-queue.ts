import type { LogRange } from '@app/event-store';
import type { JobsOptions } from 'bullmq';

/** The queue the relay feeds and the projection worker drains: one job per relayed stretch of the log. */
export const PROJECTION_QUEUE = 'projection';

/** A job names a stretch of the log, never its content: no identifiers or claim values sit in Redis job data. */
export type ProjectionJobData = LogRange;

/** Re-relaying the same stretch after a crash adds no second job while the first is kept. */
export function projectionJobId(range: LogRange): string {
  return `log-${range.to.transactionId}-${range.to.position}`;
}

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
