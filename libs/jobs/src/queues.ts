/** Relayed stretches of the log, rebuild chunks and backfills: everything that writes the projection. */
export const PROJECTION_QUEUE = 'projection';

/** Rebuilds of the projection and the removal of the generations they replace. */
export const REBUILD_QUEUE = 'rebuild';

/** BullMQ needs a queue's keys in one hash slot on a Cluster; the braces put them there. */
export function queuePrefix(redisPrefix: string): string {
  return `${redisPrefix}:{queues}`;
}
