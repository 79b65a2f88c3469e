import { Module } from '@nestjs/common';
import { ProjectionModule } from '../projection/projection.module.js';
import { HookRoutes } from './hook-routes.js';
import { HookServer } from './hook-server.js';

@Module({ imports: [ProjectionModule], providers: [HookServer, HookRoutes], exports: [HookServer, HookRoutes] })
export class HooksModule {}
