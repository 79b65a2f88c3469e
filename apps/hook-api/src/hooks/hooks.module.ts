import { Module } from '@nestjs/common';
import { ProjectionModule } from '../projection/projection.module.js';
import { HookRoutes } from './hook-routes.js';

@Module({ imports: [ProjectionModule], providers: [HookRoutes], exports: [HookRoutes] })
export class HooksModule {}
