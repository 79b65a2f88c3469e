import { createPostgresPool, EventStore, RELAYED_CHECKPOINT, RelayCheckpoints } from '@app/event-store';
import { PROJECTION_QUEUE, queuePrefix } from '@app/jobs';
import { Queue } from 'bullmq';
import type { TestNamespace } from '../../test/support/namespace.js';

/**
 * Waits for the relay's checkpoint to reach the end of the log. The projection queue alone can be
 * empty for seconds while the relay still reads: a measure started then would share the machine with
 * the live projection's catch-up.
 */
export async function relayed(namespace: TestNamespace): Promise<void> {
  const pool = createPostgresPool({ databaseUrl: namespace.databaseUrl, schema: namespace.schema, applicationName: 'bench' });
  const [checkpoints, log] = [new RelayCheckpoints(pool), new EventStore(pool)];
  try {
    for (;;) {
      const unread = await log.readAfter(await checkpoints.load(RELAYED_CHECKPOINT), 1);
      if (unread.count === 0 && !unread.heldBack) return;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  } finally {
    await pool.end();
  }
}

/**
 * Waits until the queue has had nothing waiting, active or delayed for 2 s; resolves with the
 * `Date.now()` at which it went quiet.
 */
export async function drained(queue: Queue): Promise<number> {
  let quietSince = 0;
  for (;;) {
    const counts = await queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized');
    const busy = Object.values(counts).reduce((sum, count) => sum + count, 0);
    if (busy > 0) quietSince = 0;
    else if (quietSince === 0) quietSince = Date.now();
    else if (Date.now() - quietSince > 2_000) return quietSince;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/**
 * Waits until the live projection holds the whole log: relayed, and the projection queue drained.
 * Resolves with the `Date.now()` at which the queue went quiet after the relay had read everything.
 */
export async function caughtUp(namespace: TestNamespace): Promise<number> {
  const queue = new Queue(PROJECTION_QUEUE, { connection: { url: namespace.redisUrl }, prefix: queuePrefix(namespace.redisPrefix) });
  try {
    await relayed(namespace);
    return await drained(queue);
  } finally {
    await queue.close();
  }
}
