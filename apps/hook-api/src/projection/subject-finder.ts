import { ClaimsReader } from '@app/claims-store';
import type { SubjectLookup, SubjectState } from '@app/domain';
import { Injectable } from '@nestjs/common';
import { HookMetrics } from '../metrics/hook-metrics.js';
import { Backfills } from './backfills.js';
import { LiveProjection } from './live-projection.js';

export class ProjectionUnavailableError extends Error {
  constructor() {
    super('Redis holds no projection yet');
  }
}

export class ProjectionColdError extends Error {
  constructor() {
    super('the projection is cold and the backfill of the subject did not finish within the deadline');
  }
}

/** The label of a found lookup, made once: every hook call that finds its subject counts one. */
const HIT = { result: 'hit' } as const;

/** How often a hook waiting for a backfill looks again. */
const BACKFILL_POLL_MS = 5;

/**
 * Finds the subject a hook call is about in the live generation of the projection. A miss in a warm
 * projection (it holds every subject of the log) is the answer once a fresh read of the state
 * confirms it is still warm: the subject does not exist, and neither Postgres nor a job is asked. A miss in a cold one (first start, a rebuild after Redis lost
 * its data) asks for a backfill from the log and waits for it until `deadlineAt`; the subject is
 * unknown only once the backfill ran without finding it.
 */
@Injectable()
export class SubjectFinder {
  constructor(
    private readonly projection: LiveProjection,
    private readonly claims: ClaimsReader,
    private readonly backfills: Backfills,
    private readonly metrics: HookMetrics,
  ) {}

  /** What `find` would answer, when the near cache can tell it at once; `undefined` otherwise. */
  findKept(lookups: readonly SubjectLookup[]): SubjectState | undefined {
    const state = this.projection.current;
    const found = state === null ? undefined : this.claims.findKept(state.live, lookups);
    if (found !== undefined) this.metrics.projectionLookups.inc(HIT);
    return found;
  }

  async find(lookups: readonly SubjectLookup[], deadlineAt: number): Promise<SubjectState | null> {
    const state = this.projection.current;
    if (state === null) throw new ProjectionUnavailableError();
    const found = await this.claims.find(state.live, lookups);
    if (found !== null) {
      this.metrics.projectionLookups.inc(HIT);
      return found;
    }
    // The state is read in the background: make sure a miss in a "warm" generation is not a miss in
    // one Redis has just lost.
    const current = state.warm ? await this.projection.refresh() : state;
    if (current === null) throw new ProjectionUnavailableError();
    if (current.warm) {
      this.metrics.projectionLookups.inc({ result: 'miss_warm' });
      return current.live === state.live ? null : this.claims.find(current.live, lookups);
    }
    this.metrics.projectionLookups.inc({ result: 'miss_cold' });
    const jobs = await this.backfills.request(lookups);
    while (Date.now() < deadlineAt) {
      await new Promise((resolve) => setTimeout(resolve, BACKFILL_POLL_MS));
      const outcome = await this.backfills.outcome(jobs);
      if (outcome === 'failed') break;
      const backfilled = await this.claims.find(current.live, lookups);
      if (backfilled !== null || outcome === 'done') return backfilled;
    }
    throw new ProjectionColdError();
  }
}
