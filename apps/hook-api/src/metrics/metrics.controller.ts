import { Controller, Get, Header, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { IngestKeyGuard } from '../auth/ingest-key.guard.js';
import { INGEST_KEY_AUTH } from '../openapi/openapi.js';
import { HookMetrics } from './hook-metrics.js';

/** `GET /metrics` in Prometheus' text format, behind `INGEST_API_KEY` like the admin routes. */
@ApiTags('operations')
@ApiBearerAuth(INGEST_KEY_AUTH)
@Controller('metrics')
@UseGuards(IngestKeyGuard)
export class MetricsController {
  constructor(private readonly metrics: HookMetrics) {}

  @Get()
  @ApiOperation({ summary: "Prometheus' text format: hook latency, lookups, ingestion, lag, queues, rebuild progress" })
  @ApiProduces('text/plain')
  @Header('content-type', 'text/plain; version=0.0.4; charset=utf-8')
  scrape(): Promise<string> {
    return this.metrics.registry.metrics();
  }
}
