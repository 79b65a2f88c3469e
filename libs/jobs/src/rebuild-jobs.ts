import { newGeneration, type ProjectionStateStore, type RebuildStart } from '@app/claims-store';
import type { JobsOptions, Queue } from 'bullmq';

export interface RebuildJobs {
  /** Replays every stream into `generation`, then makes it live. */
  rebuild: { generation: string };
  /** Removes a generation readers have left. */
  retire: { generation: string };
}

export type RebuildJobName = keyof RebuildJobs;
export type RebuildJobData = RebuildJobs[RebuildJobName];

/** What a rebuild job reports as its progress, and where a resumed one starts again. */
export interface RebuildProgress {
  percent: number;
  /** The last stream ordinal replayed, of `lastOrdinal`. */
  position: number;
  lastOrdinal: number;
  events: number;
  eventsPerSecond: number;
  /** Seconds left at the current pace; `null` before the pace is known. */
  etaSeconds: number | null;
}

export const rebuildJobId = (generation: string): string => `rebuild-${generation}`;
export const retireJobId = (generation: string): string => `retire-${generation}`;

/**
 * How long a generation readers left stays and keeps being written: far longer than readers take
 * to notice a switch, so none of them reads a generation that is no longer kept current.
 */
export const RETIRE_DELAY_MS = 30_000;

export const REBUILD_JOB_OPTIONS: JobsOptions = {
  attempts: Number.MAX_SAFE_INTEGER,
  backoff: { type: 'fixed', delay: 5_000 },
  removeOnComplete: { age: 7 * 24 * 3600 },
  removeOnFail: { age: 7 * 24 * 3600 },
};

/**
 * Starts a rebuild into a new generation, unless one is under way (that one is answered). The
 * admin route and `npm run rebuild` both come here, and the projection's guard enqueues the job
 * again after a restart, so a rebuild that was asked for always runs.
 */
export async function requestRebuild(state: ProjectionStateStore, queue: Queue): Promise<RebuildStart> {
  const start = await state.startRebuild(newGeneration());
  if (start.started || start.reason === 'rebuilding') {
    await queue.add('rebuild', { generation: start.generation! }, { ...REBUILD_JOB_OPTIONS, jobId: rebuildJobId(start.generation!) });
  }
  return start;
}
