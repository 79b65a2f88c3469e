import { Module } from '@nestjs/common';
import { HookRoutes } from './hook-routes.js';

@Module({ providers: [HookRoutes], exports: [HookRoutes] })
export class HooksModule {}
