import { Global, Module } from '@nestjs/common';
import { HealthModule } from '../health/health.module.js';
import { HookMetrics } from './hook-metrics.js';
import { LogAndQueueGauges } from './log-and-queue-gauges.js';
import { MetricsController } from './metrics.controller.js';
import { NearCacheMetrics } from './near-cache-metrics.js';

/** Prometheus metrics (prom-client): the request path's instruments, available everywhere, and the scrape route. */
@Global()
@Module({ imports: [HealthModule], providers: [HookMetrics, LogAndQueueGauges, NearCacheMetrics], controllers: [MetricsController], exports: [HookMetrics] })
export class MetricsModule {}
