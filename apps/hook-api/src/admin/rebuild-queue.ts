import { queuePrefix, REBUILD_QUEUE, reportQueueErrors } from '@app/jobs';
import { Injectable } from '@nestjs/common';
import { Queue } from 'bullmq';
import { HookApiConfig } from '../config/hook-api.config.js';

/** Admin calls are rare and must never hold anything open when Redis hangs. */
export const ADMIN_COMMAND_TIMEOUT_MS = 5_000;

/**
 * The rebuild queue, opened for one admin call and closed after it. A queue held open for the
 * life of the process would make the hook-api's shutdown wait on a Redis that does not answer.
 */
@Injectable()
export class RebuildQueue {
  constructor(private readonly config: HookApiConfig) {}

  async use<T>(work: (queue: Queue) => Promise<T>): Promise<T> {
    const queue = new Queue(REBUILD_QUEUE, {
      connection: { url: this.config.redis.url, enableOfflineQueue: false, maxRetriesPerRequest: 1, commandTimeout: ADMIN_COMMAND_TIMEOUT_MS },
      prefix: queuePrefix(this.config.redis.prefix),
    });
    reportQueueErrors(queue, REBUILD_QUEUE);
    try {
      await queue.waitUntilReady();
      return await work(queue);
    } finally {
      await queue.close().catch(() => queue.disconnect());
    }
  }
}
