import { Module } from '@nestjs/common';
import { RebuildQueue } from './rebuild-queue.js';
import { RebuildController } from './rebuild.controller.js';

/** Operator routes, behind `INGEST_API_KEY`. */
@Module({ providers: [RebuildQueue], controllers: [RebuildController] })
export class AdminModule {}
