import { EventIngestion, InvalidBatchError, type IngestionResult } from '@app/event-store';
import { BadRequestException, Body, Controller, Logger, Post, Res, UseGuards } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { IngestKeyGuard } from '../auth/ingest-key.guard.js';
import { HookMetrics } from '../metrics/hook-metrics.js';
import { appendFailure } from './append-failure.js';

/**
 * `POST /events`: a batch is validated whole and appended in one transaction. 201 when something
 * was stored, 200 when every event was a duplicate of one stored earlier.
 */
@Controller('events')
@UseGuards(IngestKeyGuard)
export class EventsController {
  private readonly logger = new Logger(EventsController.name);

  constructor(
    private readonly ingestion: EventIngestion,
    private readonly metrics: HookMetrics,
  ) {}

  @Post()
  async append(@Body() body: unknown, @Res({ passthrough: true }) reply: FastifyReply): Promise<IngestionResult> {
    try {
      const result = await this.ingestion.ingest(body);
      this.metrics.countIngested('/events', result);
      reply.status(result.appended > 0 ? 201 : 200);
      return result;
    } catch (error) {
      if (error instanceof InvalidBatchError) throw new BadRequestException({ statusCode: 400, error: 'Bad Request', message: error.message, errors: error.errors });
      throw appendFailure(error, this.logger);
    }
  }
}
