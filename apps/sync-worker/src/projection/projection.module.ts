import { PROJECTION_JOB_OPTIONS, PROJECTION_QUEUE, REBUILD_QUEUE, reportQueueErrors } from '@app/jobs';
import { BullModule, InjectQueue } from '@nestjs/bullmq';
import { Module } from '@nestjs/common';
import type { Queue } from 'bullmq';
import { ProjectionProcessor } from './projection.processor.js';
import { ProjectionService } from './projection.service.js';

@Module({
  imports: [BullModule.registerQueue({ name: PROJECTION_QUEUE, defaultJobOptions: PROJECTION_JOB_OPTIONS }, { name: REBUILD_QUEUE })],
  providers: [ProjectionService, ProjectionProcessor],
  exports: [BullModule],
})
export class ProjectionModule {
  constructor(@InjectQueue(PROJECTION_QUEUE) projectionQueue: Queue, @InjectQueue(REBUILD_QUEUE) rebuildQueue: Queue) {
    reportQueueErrors(projectionQueue, PROJECTION_QUEUE);
    reportQueueErrors(rebuildQueue, REBUILD_QUEUE);
  }
}
