import { REBUILD_QUEUE } from '@app/jobs';
import { BullModule } from '@nestjs/bullmq';
import { Module } from '@nestjs/common';
import { ProjectionModule } from '../projection/projection.module.js';
import { ProjectionGuard } from './projection-guard.js';
import { RebuildProcessor } from './rebuild.processor.js';
import { RebuildService } from './rebuild.service.js';

@Module({
  imports: [ProjectionModule, BullModule.registerQueue({ name: REBUILD_QUEUE })],
  providers: [RebuildService, RebuildProcessor, ProjectionGuard],
})
export class RebuildModule {}
