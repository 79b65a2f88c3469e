import { Module } from '@nestjs/common';
import { LiveProjection } from './live-projection.js';
import { SubjectFinder } from './subject-finder.js';

/** The hooks' view of the Redis projection. */
@Module({ providers: [LiveProjection, SubjectFinder], exports: [SubjectFinder] })
export class ProjectionModule {}
