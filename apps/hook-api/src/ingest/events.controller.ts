import { EventIngestion, InvalidBatchError, type IngestionResult } from '@app/event-store';
import {
  BadRequestException,
  Body,
  Controller,
  InternalServerErrorException,
  Logger,
  Post,
  Res,
  ServiceUnavailableException,
  UseGuards,
} from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { IngestKeyGuard } from '../auth/ingest-key.guard.js';

/**
 * `POST /events`: a batch is validated whole and appended in one transaction. 201 when something
 * was stored, 200 when every event was a duplicate of one stored earlier.
 */
@Controller('events')
@UseGuards(IngestKeyGuard)
export class EventsController {
  private readonly logger = new Logger(EventsController.name);

  constructor(private readonly ingestion: EventIngestion) {}

  @Post()
  async append(@Body() body: unknown, @Res({ passthrough: true }) reply: FastifyReply): Promise<IngestionResult> {
    try {
      const result = await this.ingestion.ingest(body);
      reply.status(result.appended > 0 ? 201 : 200);
      return result;
    } catch (error) {
      if (error instanceof InvalidBatchError) throw new BadRequestException({ statusCode: 400, error: 'Bad Request', message: error.message, errors: error.errors });
      if (isUnreachable(error)) {
        this.logger.warn(`event store unreachable: ${(error as Error).message}`);
        throw new ServiceUnavailableException('the event store is unavailable; nothing was stored, retry later');
      }
      this.logger.error(`append failed: ${(error as Error).message}`);
      throw new InternalServerErrorException('the batch could not be stored; nothing was stored');
    }
  }
}

/** Connection failures (as opposed to a refused statement): worth retrying later. */
function isUnreachable(error: unknown): boolean {
  const { code, message = '' } = error as { code?: string; message?: string };
  return (
    (typeof code === 'string' && /^(08|57P0|53300|ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENOTFOUND|EHOSTUNREACH)/.test(code)) ||
    /timeout exceeded when trying to connect|Connection terminated/i.test(message)
  );
}
