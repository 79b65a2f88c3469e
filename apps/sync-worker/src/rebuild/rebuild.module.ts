import { Module } from '@nestjs/common';
import { ProjectionModule } from '../projection/projection.module.js';
import { ProjectionGuard } from './projection-guard.js';
import { RebuildProcessor } from './rebuild.processor.js';
import { RebuildService } from './rebuild.service.js';

@Module({
  imports: [ProjectionModule],
  providers: [RebuildService, RebuildProcessor, ProjectionGuard],
})
export class RebuildModule {}
