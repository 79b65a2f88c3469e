import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';

/**
 * How a hook call ended: the subject was found (and active), not found (unknown or erased) or
 * denied (deactivated); Redis could not answer in time (the failure mode); the body was malformed;
 * or the call repeated a delivery already answered.
 */
export type HookOutcome = 'found' | 'not_found' | 'denied' | 'fail_open' | 'fail_closed' | 'malformed' | 'replayed';

/**
 * The instruments the request path updates. Each app has a registry of its own rather than
 * prom-client's global one, so several apps in one process (the tests) do not share figures.
 * No label ever holds an identifier or a claim value.
 */
@Injectable()
export class HookMetrics {
  readonly registry = new Registry();

  readonly hookDuration = new Histogram({
    name: 'claims_hook_duration_seconds',
    help: 'Time from a hook request to its answer, by provider route and outcome',
    labelNames: ['route', 'outcome'] as const,
    buckets: [0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });

  readonly projectionLookups = new Counter({
    name: 'claims_projection_lookups_total',
    help: 'Subject lookups of the hooks in the live projection: hit, miss in a warm projection (the subject does not exist), or miss in a cold one (backfilled)',
    labelNames: ['result'] as const,
    registers: [this.registry],
  });

  readonly backfillJobs = new Counter({
    name: 'claims_backfill_jobs_requested_total',
    help: 'Backfill jobs the hooks asked for on a miss in a cold projection (one per lookup; concurrent asks share the job)',
    registers: [this.registry],
  });

  readonly eventsIngested = new Counter({
    name: 'claims_events_ingested_total',
    help: 'Events accepted over HTTP, by route, stored or found already stored',
    labelNames: ['route', 'result'] as const,
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'claims_hook_api_' });
  }

  /** A hook call that began at `startedAt` (`performance.now()`) ended with `outcome`. */
  observeHook(route: string, outcome: HookOutcome, startedAt: number): void {
    // `observe` rather than `startTimer`: no closure and no label copies on every call of the hot path.
    this.hookDuration.observe({ route, outcome }, (performance.now() - startedAt) / 1000);
  }

  countIngested(route: string, result: { appended: number; duplicates: number }): void {
    this.eventsIngested.inc({ route, result: 'stored' }, result.appended);
    this.eventsIngested.inc({ route, result: 'duplicate' }, result.duplicates);
  }
}
