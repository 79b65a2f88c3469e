/**
 * The Node flags the sync-worker runs with, wherever it is started (package.json, scripts/start.ts,
 * docker-compose.yml, the tests; the compose test checks they agree). The young generation is kept
 * at 16 MiB on purpose: each of its collections stops the worker, and a hook waits for the worker.
 * With 64 MiB a collection took 8–50 ms (median 18) and the freshness p99 came out 41–68 ms in five
 * runs; with 16 MiB, 4 ms at the median, at most 10, and p99 39–54 ms, for a rebuild 6 % slower
 * (62,600 against 66,900 events/s) and 120 MiB less resident memory. Written out, so that the
 * choice does not depend on a Node version's default.
 */
export const SYNC_WORKER_NODE_FLAGS = ['--max-semi-space-size=16'] as const;
