import { newGeneration, type ProjectionStateStore, type RebuildStart } from '@app/claims-store';
import type { JobsOptions, JobState, Queue } from 'bullmq';

export interface RebuildJobs {
  /** Replays every stream into `generation`, then makes it live. */
  rebuild: { generation: string };
  /** Removes the keys of a generation nothing reads or writes any more. */
  'remove-generation': { generation: string };
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
export const removeGenerationJobId = (generation: string): string => `remove-${generation}`;

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
  if (start.started || start.reason === 'rebuilding') await enqueueRebuild(queue, start.generation!);
  return start;
}

/** Adds the job of the rebuild into `generation`; a no-op when it is there already. */
export async function enqueueRebuild(queue: Queue, generation: string): Promise<void> {
  await queue.add('rebuild', { generation }, { ...REBUILD_JOB_OPTIONS, jobId: rebuildJobId(generation) });
}

export interface RebuildStatus {
  generation: string;
  /** The job's state: `waiting` until a sync-worker takes it, `active`, then `completed`. */
  state: JobState | 'unknown';
  progress?: RebuildProgress;
}

/** Where the rebuild into `generation` is, as its job reports it. */
export async function rebuildStatus(queue: Queue, generation: string): Promise<RebuildStatus> {
  const job = await queue.getJob(rebuildJobId(generation));
  if (!job) return { generation, state: 'unknown' };
  const state = await job.getState();
  return typeof job.progress === 'object' ? { generation, state, progress: job.progress as RebuildProgress } : { generation, state };
}
