import { createFailFastRedis } from '@app/claims-store';
import { PROJECTION_QUEUE, queuePrefix, REBUILD_QUEUE, type ProjectionJobName, type RebuildJobName } from '@app/jobs';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter as BullBoardAdapter } from '@bull-board/fastify';
import { Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { Queue } from 'bullmq';
import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import { ADMIN_COMMAND_TIMEOUT_MS } from '../admin/rebuild-queue.js';
import { AdminKey } from '../auth/admin-key.js';
import { HookApiConfig } from '../config/hook-api.config.js';

export const QUEUE_DASHBOARD_PATH = '/admin/queues';
/** Makes a browser show its login prompt, and names what the credential opens. */
const CHALLENGE = 'Basic realm="claims-enrichment admin"';

/** Each queue's jobs by name, shown with the queue: the relay's and the backfills' jobs are in the projection queue. */
const PROJECTION_JOBS: Record<ProjectionJobName, string> = {
  project: 'a stretch of the log the relay read',
  'rebuild-chunk': 'streams a rebuild replays',
  backfill: 'a subject a hook missed while the projection was cold',
  retire: 'stops writing a generation readers have left',
};
const REBUILD_JOBS: Record<RebuildJobName, string> = {
  rebuild: 'replays the whole log into a new generation, then makes it live',
  'remove-generation': 'removes the keys of a generation a rebuild replaced',
};

/**
 * Bull Board at `/admin/queues`: the projection and rebuild queues with their jobs, read-only, for
 * operators holding `INGEST_API_KEY`. Every route under the path (page, static files, the JSON API
 * the page polls) asks for the key, as Basic (the browser's login prompt) or Bearer.
 */
@Injectable()
export class QueueDashboard implements OnModuleInit, OnApplicationShutdown {
  private redis?: Redis;
  private queues: Queue[] = [];

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly config: HookApiConfig,
  ) {}

  onModuleInit(): void {
    // A connection of its own: a page of jobs must not queue up in front of the hooks' reads, nor
    // be cut off by their deadline.
    const redis = createFailFastRedis(this.config.redis.url, 'queue-dashboard', ADMIN_COMMAND_TIMEOUT_MS);
    this.redis = redis;
    const adapterOf = (name: string, jobs: Record<string, string>): BullMQAdapter => {
      const queue = new Queue(name, { connection: redis, prefix: queuePrefix(this.config.redis.prefix) });
      // The client reports an unreachable Redis once; the page shows the calls that failed.
      queue.on('error', () => undefined);
      this.queues.push(queue);
      const description = Object.entries(jobs).map(([job, what]) => `${job}: ${what}`).join('; ');
      return new BullMQAdapter(queue, { readOnlyMode: true, description });
    };
    const board = new BullBoardAdapter().setBasePath(QUEUE_DASHBOARD_PATH);
    createBullBoard({
      queues: [adapterOf(PROJECTION_QUEUE, PROJECTION_JOBS), adapterOf(REBUILD_QUEUE, REBUILD_JOBS)],
      serverAdapter: board,
      options: { uiConfig: { boardTitle: 'claims-enrichment' } },
    });

    const key = new AdminKey(this.config.ingest.apiKey);
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    void fastify.register(
      async (dashboard) => {
        dashboard.addHook('onRequest', async (request, reply) => {
          if (!key.inBearerOrBasic(request.headers.authorization)) return reply.code(401).header('www-authenticate', CHALLENGE).send();
        });
        await dashboard.register(board.registerPlugin());
      },
      { prefix: QUEUE_DASHBOARD_PATH },
    );
  }

  async onApplicationShutdown(): Promise<void> {
    // The queues leave the connection they share open. The HTTP server has closed by now, so no
    // call is in flight: the connection is dropped rather than made to wait on a silent Redis.
    await Promise.all(this.queues.map((queue) => queue.close()));
    this.redis?.disconnect();
  }
}
