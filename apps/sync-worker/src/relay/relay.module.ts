import { Module } from '@nestjs/common';
import { ProjectionModule } from '../projection/projection.module.js';
import { RelayService } from './relay.service.js';

@Module({
  imports: [ProjectionModule],
  providers: [RelayService],
})
export class RelayModule {}
