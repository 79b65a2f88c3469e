import { EventIngestion, InvalidBatchError, type IngestionResult } from '@app/event-store';
import { BadRequestException, Body, Controller, Logger, Post, Res, UseGuards } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiBody,
  ApiCreatedResponse,
  ApiOkResponse,
  ApiOperation,
  ApiServiceUnavailableResponse,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { IngestKeyGuard } from '../auth/ingest-key.guard.js';
import { HookMetrics } from '../metrics/hook-metrics.js';
import { INGEST_KEY_AUTH } from '../openapi/openapi.js';
import { EVENT_BATCH, FIELD_ERRORS, INGESTION_RESULT } from '../openapi/schemas.js';
import { appendFailure } from './append-failure.js';

/**
 * `POST /events`: a batch is validated whole and appended in one transaction. 201 when something
 * was stored, 200 when every event was a duplicate of one stored earlier.
 */
@ApiTags('ingest')
@ApiBearerAuth(INGEST_KEY_AUTH)
@Controller('events')
@UseGuards(IngestKeyGuard)
export class EventsController {
  private readonly logger = new Logger(EventsController.name);

  constructor(
    private readonly ingestion: EventIngestion,
    private readonly metrics: HookMetrics,
  ) {}

  @Post()
  @ApiOperation({ summary: 'Append a batch of events, whole or not at all' })
  @ApiBody({ schema: EVENT_BATCH })
  @ApiCreatedResponse({ schema: INGESTION_RESULT, description: 'Stored, once committed' })
  @ApiOkResponse({ schema: INGESTION_RESULT, description: 'Every event was stored before (same ids)' })
  @ApiBadRequestResponse({ schema: FIELD_ERRORS, description: 'Refused whole: each bad event (index), field and reason' })
  @ApiUnauthorizedResponse({ description: 'No or a wrong INGEST_API_KEY' })
  @ApiServiceUnavailableResponse({ description: 'Postgres is unreachable; nothing was stored' })
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
