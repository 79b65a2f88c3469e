import { Module } from '@nestjs/common';
import { Backfills } from './backfills.js';
import { LiveProjection } from './live-projection.js';
import { SubjectFinder } from './subject-finder.js';

/** The hooks' view of the Redis projection. */
@Module({ providers: [LiveProjection, Backfills, SubjectFinder], exports: [SubjectFinder] })
export class ProjectionModule {}
