import { ClaimsReader } from '@app/claims-store';
import type { SubjectLookup, SubjectState } from '@app/domain';
import { Injectable } from '@nestjs/common';
import { LiveProjection } from './live-projection.js';

export class ProjectionUnavailableError extends Error {
  constructor() {
    super('Redis holds no projection yet');
  }
}

/** Finds the subject a hook call is about in the live generation of the projection. */
@Injectable()
export class SubjectFinder {
  constructor(
    private readonly projection: LiveProjection,
    private readonly claims: ClaimsReader,
  ) {}

  async find(lookups: readonly SubjectLookup[]): Promise<SubjectState | null> {
    const state = this.projection.current;
    if (state === null) throw new ProjectionUnavailableError();
    return this.claims.find(state.live, lookups);
  }
}
