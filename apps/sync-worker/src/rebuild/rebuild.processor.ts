import { PROJECTION_WORKER_LOCK, REBUILD_QUEUE, type RebuildJobData, type RebuildJobs, type RebuildProgress } from '@app/jobs';
import { OnWorkerEvent, Processor, WorkerHost } from '@nestjs/bullmq';
import { Logger } from '@nestjs/common';
import type { Job } from 'bullmq';
import { RebuildService } from './rebuild.service.js';

/** The rebuild queue: one rebuild or removal at a time; a rebuild's folding runs as chunks in the projection queue. */
@Processor(REBUILD_QUEUE, { concurrency: 1, ...PROJECTION_WORKER_LOCK })
export class RebuildProcessor extends WorkerHost {
  private readonly logger = new Logger(RebuildProcessor.name);

  constructor(private readonly rebuilds: RebuildService) {
    super();
  }

  async process(job: Job<RebuildJobData>): Promise<RebuildProgress | void> {
    switch (job.name) {
      case 'rebuild':
        return this.rebuilds.rebuild(job as Job<RebuildJobs['rebuild']>);
      case 'remove-generation':
        return this.rebuilds.removeGeneration(job.data.generation);
      default:
        throw new Error(`unknown rebuild job ${job.name}`);
    }
  }

  @OnWorkerEvent('failed')
  onFailed(job: Job<RebuildJobData> | undefined, error: Error): void {
    this.logger.warn(`${job?.name} of ${job?.data.generation} failed (attempt ${job?.attemptsMade}), will retry: ${error.message}`);
  }

  /**
   * A worker without an `error` listener throws BullMQ's errors at it as unhandled ones; a rebuild
   * job whose key Redis lost (FLUSHALL) raised them. The guard re-enqueues what Redis lost.
   */
  @OnWorkerEvent('error')
  onError(error: Error): void {
    this.logger.error(`worker error: ${error.message}`);
  }
}
