import { CLAIMS_REDIS, ProjectionStateStore } from '@app/claims-store';
import { EventStore, PROJECTED_CHECKPOINT, RelayCheckpoints } from '@app/event-store';
import { Inject, Injectable } from '@nestjs/common';
import { HealthIndicatorService, type HealthIndicatorResult } from '@nestjs/terminus';
import type { Redis } from 'ioredis';
import { within } from '../within.js';

/** How long a readiness check waits for Postgres: a probe must not hang on a silent database. */
const POSTGRES_CHECK_MS = 1_000;
/** Lag is counted up to this many events; past it the figure reads "at least". */
export const LAG_COUNT_LIMIT = 1_000_000;

export interface ProjectionLag {
  /** Events in the log that relayed jobs have not applied yet (at most `LAG_COUNT_LIMIT`). */
  eventsBehind: number;
  /** How long the oldest of them has been in the log; 0 when none is behind. */
  secondsBehind: number;
}

/**
 * What readiness checks. Redis and the projection decide it: the hooks answer from them alone.
 * Postgres is reported beside them: without it the hooks still answer and ingestion answers 503
 * by itself, so taking the instance out of a load balancer would only make things worse.
 */
@Injectable()
export class Readiness {
  constructor(
    private readonly indicators: HealthIndicatorService,
    @Inject(CLAIMS_REDIS) private readonly redis: Redis,
    private readonly projection: ProjectionStateStore,
    private readonly store: EventStore,
    private readonly checkpoints: RelayCheckpoints,
  ) {}

  async redisReachable(): Promise<HealthIndicatorResult> {
    const indicator = this.indicators.check('redis');
    try {
      await this.redis.ping();
      return indicator.up();
    } catch (error) {
      return indicator.down({ message: (error as Error).message });
    }
  }

  /**
   * Up while Redis holds a live generation: hooks answer from it, or backfill into it while it is
   * cold. `lag` is the probe's one read of Postgres ({@link lagOrFailure}); `null` when it failed.
   */
  async projectionServing(lagRead: Promise<ProjectionLag | Error>): Promise<HealthIndicatorResult> {
    const indicator = this.indicators.check('projection');
    try {
      const [state, lag] = await Promise.all([this.projection.read(), lagRead]);
      if (state === null) return indicator.down({ message: 'Redis holds no projection yet: a starting sync-worker creates one' });
      return indicator.up({ live: state.live, warm: state.warm, rebuilding: state.building !== undefined, lag: lag instanceof Error ? null : lag });
    } catch (error) {
      return indicator.down({ message: (error as Error).message });
    }
  }

  /** Postgres answers when the probe's read of the lag did. */
  postgresReachable(lag: ProjectionLag | Error): HealthIndicatorResult {
    const indicator = this.indicators.check('postgres');
    return lag instanceof Error ? indicator.down({ message: lag.message }) : indicator.up();
  }

  /** The lag, or why Postgres could not give it; never rejects. */
  lagOrFailure(): Promise<ProjectionLag | Error> {
    return this.lag().catch((error: unknown) => (error instanceof Error ? error : new Error(String(error))));
  }

  /** How far the projection is behind the log; rejects when Postgres cannot tell in time. */
  async lag(): Promise<ProjectionLag> {
    const backlog = await within(
      POSTGRES_CHECK_MS,
      'Postgres',
      this.checkpoints.load(PROJECTED_CHECKPOINT).then((projected) => this.store.backlogAfter(projected, LAG_COUNT_LIMIT)),
    );
    const secondsBehind = backlog.oldestRecordedAt === null ? 0 : Math.max(0, (Date.now() - backlog.oldestRecordedAt.getTime()) / 1000);
    return { eventsBehind: backlog.events, secondsBehind: Math.round(secondsBehind * 1000) / 1000 };
  }
}
