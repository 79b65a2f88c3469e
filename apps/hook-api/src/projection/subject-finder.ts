import { ClaimsReader } from '@app/claims-store';
import type { SubjectLookup, SubjectState } from '@app/domain';
import { Injectable } from '@nestjs/common';
import { LiveProjection } from './live-projection.js';

export class ProjectionUnavailableError extends Error {
  constructor() {
    super('Redis holds no projection yet');
  }
}

export class ProjectionColdError extends Error {
  constructor() {
    super('the projection is being built from the log and does not hold the subject yet');
  }
}

/**
 * Finds the subject a hook call is about in the live generation of the projection. A miss is an
 * answer only when the projection is warm (it holds every subject of the log); in a cold one it
 * may only mean "not built yet", so the hook gives its failure answer instead.
 */
@Injectable()
export class SubjectFinder {
  constructor(
    private readonly projection: LiveProjection,
    private readonly claims: ClaimsReader,
  ) {}

  async find(lookups: readonly SubjectLookup[]): Promise<SubjectState | null> {
    const state = this.projection.current;
    if (state === null) throw new ProjectionUnavailableError();
    const found = await this.claims.find(state.live, lookups);
    if (found === null && !state.warm) throw new ProjectionColdError();
    return found;
  }
}
