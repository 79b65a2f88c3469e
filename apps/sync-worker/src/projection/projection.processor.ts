import { cappedExponentialBackoff, PROJECTION_QUEUE, PROJECTION_WORKER_LOCK, type ProjectionJobData, type ProjectionJobs } from '@app/jobs';
import { OnWorkerEvent, Processor, WorkerHost } from '@nestjs/bullmq';
import { Logger } from '@nestjs/common';
import type { Job } from 'bullmq';
import { ProjectionService, type ProjectionResult } from './projection.service.js';

/** The projection queue's worker; its global concurrency of 1 is kept by the `ProjectionGuard`. */
@Processor(PROJECTION_QUEUE, { concurrency: 1, ...PROJECTION_WORKER_LOCK, settings: { backoffStrategy: cappedExponentialBackoff } })
export class ProjectionProcessor extends WorkerHost {
  private readonly logger = new Logger(ProjectionProcessor.name);

  constructor(private readonly projection: ProjectionService) {
    super();
  }

  process(job: Job<ProjectionJobData>): Promise<ProjectionResult | void> {
    switch (job.name) {
      case 'project':
        return this.projection.project(job.data as ProjectionJobs['project']);
      case 'rebuild-chunk':
        return this.projection.replayStreams(job.data as ProjectionJobs['rebuild-chunk']);
      case 'backfill':
        return this.projection.backfill(job.data as ProjectionJobs['backfill']);
      case 'retire':
        return this.projection.retire((job.data as ProjectionJobs['retire']).generation);
      default:
        throw new Error(`unknown projection job ${job.name}`);
    }
  }

  @OnWorkerEvent('failed')
  onFailed(job: Job<ProjectionJobData> | undefined, error: Error): void {
    this.logger.warn(`${job?.name} job ${job?.id} failed (attempt ${job?.attemptsMade} of ${job?.opts.attempts ?? 1}): ${error.message}`);
  }

  @OnWorkerEvent('error')
  onError(error: Error): void {
    this.logger.error(`worker error: ${error.message}`);
  }
}
