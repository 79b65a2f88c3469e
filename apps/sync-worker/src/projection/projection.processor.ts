import { InjectQueue, OnWorkerEvent, Processor, WorkerHost } from '@nestjs/bullmq';
import { Logger, type OnModuleInit } from '@nestjs/common';
import type { Job, Queue } from 'bullmq';
import { cappedExponentialBackoff, PROJECTION_QUEUE, type ProjectionJobData } from './projection-queue.js';
import { ProjectionService, type ProjectionResult } from './projection.service.js';

@Processor(PROJECTION_QUEUE, { concurrency: 1, settings: { backoffStrategy: cappedExponentialBackoff } })
export class ProjectionProcessor extends WorkerHost implements OnModuleInit {
  private readonly logger = new Logger(ProjectionProcessor.name);

  constructor(
    private readonly projection: ProjectionService,
    @InjectQueue(PROJECTION_QUEUE) private readonly queue: Queue<ProjectionJobData>,
  ) {
    super();
  }

  /**
   * One job at a time across every worker process: a subject is then never folded by two jobs at
   * once, so a job cannot write a state computed before a concurrent erasure of the subject.
   */
  async onModuleInit(): Promise<void> {
    await this.queue.setGlobalConcurrency(1);
  }

  process(job: Job<ProjectionJobData>): Promise<ProjectionResult> {
    return this.projection.project(job.data);
  }

  @OnWorkerEvent('failed')
  onFailed(job: Job<ProjectionJobData> | undefined, error: Error): void {
    this.logger.warn(`job ${job?.id} failed (attempt ${job?.attemptsMade}), will retry: ${error.message}`);
  }

  @OnWorkerEvent('error')
  onError(error: Error): void {
    this.logger.error(`worker error: ${error.message}`);
  }
}
