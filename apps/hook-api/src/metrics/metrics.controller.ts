import { Controller, Get, Header, UseGuards } from '@nestjs/common';
import { IngestKeyGuard } from '../auth/ingest-key.guard.js';
import { HookMetrics } from './hook-metrics.js';

/** `GET /metrics` in Prometheus' text format, behind `INGEST_API_KEY` like the admin routes. */
@Controller('metrics')
@UseGuards(IngestKeyGuard)
export class MetricsController {
  constructor(private readonly metrics: HookMetrics) {}

  @Get()
  @Header('content-type', 'text/plain; version=0.0.4; charset=utf-8')
  scrape(): Promise<string> {
    return this.metrics.registry.metrics();
  }
}
