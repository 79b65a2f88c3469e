/**
 * The Node flags the sync-worker runs with, wherever it is started (package.json, scripts/start.ts,
 * docker-compose.yml, the tests; the compose test checks they agree). A rebuild allocates short-lived
 * rows, events and documents at a high rate; V8's default 16 MiB young generation then promotes and
 * collects far too often. 64 MiB cut the worker's collection time enough to rebuild about a fifth
 * faster (`npm run bench:rebuild`), for about 100 MiB more resident memory.
 */
export const SYNC_WORKER_NODE_FLAGS = ['--max-semi-space-size=64'] as const;
