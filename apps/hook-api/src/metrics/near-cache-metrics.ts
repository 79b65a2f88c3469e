import { CLAIMS_DOCUMENTS, NearCache, type ClaimsDocuments, type NearCacheCounts } from '@app/claims-store';
import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { Counter, Gauge } from 'prom-client';
import { HookMetrics } from './hook-metrics.js';

/** The near cache's figures, read when Prometheus scrapes; none when the cache is turned off. */
@Injectable()
export class NearCacheMetrics implements OnModuleInit {
  constructor(
    @Inject(CLAIMS_DOCUMENTS) private readonly documents: ClaimsDocuments,
    private readonly metrics: HookMetrics,
  ) {}

  onModuleInit(): void {
    const cache = this.documents;
    if (!(cache instanceof NearCache)) return;
    const registers = [this.metrics.registry];
    const counted = (read: (counts: NearCacheCounts) => number) => {
      let reported = 0;
      return function (this: Counter) {
        const total = read(cache.counts);
        this.inc(total - reported);
        reported = total;
      };
    };
    new Counter({ name: 'claims_near_cache_hits_total', help: 'Documents a hook found in the near cache', registers, collect: counted((counts) => counts.hits) });
    new Counter({ name: 'claims_near_cache_misses_total', help: 'Documents a hook read from Redis', registers, collect: counted((counts) => counts.misses) });
    new Counter({
      name: 'claims_near_cache_invalidations_total',
      help: 'Kept documents dropped because Redis said they changed',
      registers,
      collect: counted((counts) => counts.invalidations),
    });
    new Gauge({ name: 'claims_near_cache_entries', help: 'Documents kept in the near cache', registers, collect() { this.set(cache.size); } });
    new Gauge({
      name: 'claims_near_cache_active',
      help: '1 while Redis tracks the near cache (it keeps documents), 0 while it reads every document from Redis',
      registers,
      collect() {
        this.set(cache.active ? 1 : 0);
      },
    });
    new Gauge({
      name: 'claims_near_cache_confirmation_age_seconds',
      help: 'Since Redis last confirmed that the near cache heard every change: kept documents are served only while it is below NEAR_CACHE_MAX_STALENESS_MS',
      registers,
      collect() {
        this.set(cache.confirmationAgeMs / 1000);
      },
    });
  }
}
