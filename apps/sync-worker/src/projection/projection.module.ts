import { BullModule } from '@nestjs/bullmq';
import { Module } from '@nestjs/common';
import { PROJECTION_JOB_OPTIONS, PROJECTION_QUEUE, REBUILD_QUEUE } from '@app/jobs';
import { ProjectionProcessor } from './projection.processor.js';
import { ProjectionService } from './projection.service.js';

@Module({
  imports: [BullModule.registerQueue({ name: PROJECTION_QUEUE, defaultJobOptions: PROJECTION_JOB_OPTIONS }, { name: REBUILD_QUEUE })],
  providers: [ProjectionService, ProjectionProcessor],
  exports: [BullModule],
})
export class ProjectionModule {}
