import { ClaimsKeys, createPatientRedis, ProjectionStateStore } from '@app/claims-store';
import { queuePrefix, REBUILD_QUEUE, rebuildStatus, requestRebuild, type RebuildStatus } from '@app/jobs';
import { Queue } from 'bullmq';
import { SingleBar, Presets } from 'cli-progress';
import { SyncWorkerConfig } from '../config/sync-worker.config.js';

const POLL_MS = 500;
/** Without progress for this long, nobody is likely to be working on the job. */
const IDLE_HINT_MS = 15_000;

/**
 * `npm run rebuild`: asks the running sync-workers to rebuild the projection from the log (or joins
 * the rebuild under way) and shows its progress until the new generation is live.
 */
export async function runRebuildCli(config: SyncWorkerConfig): Promise<number> {
  const redis = createPatientRedis(config.redis.url, 'rebuild-cli');
  const queue = new Queue(REBUILD_QUEUE, { connection: { url: config.redis.url }, prefix: queuePrefix(config.redis.prefix) });
  try {
    const start = await requestRebuild(new ProjectionStateStore(redis, new ClaimsKeys(config.redis.prefix)), queue);
    if (!start.started && start.reason === 'uninitialized') {
      console.error('Redis holds no projection yet: start a sync-worker, it creates one and builds it from the log.');
      return 1;
    }
    if (!start.started && start.reason === 'retiring') {
      console.error(`The generation the last rebuild replaced (${start.generation}) is still being removed; try again in a minute.`);
      return 1;
    }
    console.log(start.started ? `Rebuilding the projection into ${start.generation}.` : `A rebuild into ${start.generation} is under way; following it.`);
    const finished = await follow(queue, start.generation!);
    console.log(`Generation ${start.generation} is live: ${finished.progress?.events ?? 0} events replayed.`);
    return 0;
  } finally {
    await queue.close();
    redis.disconnect();
  }
}

async function follow(queue: Queue, generation: string): Promise<RebuildStatus> {
  const bar = new SingleBar(
    { format: '{bar} {percentage}% | streams {value}/{total} | {eventsPerSecond} events/s | ETA {eta_formatted}', hideCursor: true },
    Presets.shades_classic,
  );
  bar.start(1, 0, { eventsPerSecond: 0 });
  let lastChange = Date.now();
  let lastPosition = -1;
  let hinted = false;
  try {
    for (;;) {
      const status = await rebuildStatus(queue, generation);
      if (status.progress) {
        bar.setTotal(Math.max(status.progress.lastOrdinal, 1));
        bar.update(status.progress.position, { eventsPerSecond: status.progress.eventsPerSecond });
      }
      if (status.state === 'completed') {
        bar.update(bar.getTotal());
        return status;
      }
      if (status.progress?.position !== lastPosition) {
        lastPosition = status.progress?.position ?? -1;
        lastChange = Date.now();
      } else if (!hinted && Date.now() - lastChange > IDLE_HINT_MS) {
        hinted = true;
        bar.stop();
        console.log(`No progress for ${IDLE_HINT_MS / 1000} s (job ${status.state}): is a sync-worker running against this Redis?`);
        bar.start(bar.getTotal(), lastPosition < 0 ? 0 : lastPosition, { eventsPerSecond: 0 });
      }
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  } finally {
    bar.stop();
  }
}
