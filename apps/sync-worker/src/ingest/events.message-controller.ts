import { EVENT_STORE_UNAVAILABLE, EventIngestion, InvalidBatchError, isEventStoreUnreachable, type IngestionResult } from '@app/event-store';
import { Controller } from '@nestjs/common';
import { MessagePattern, Payload, RpcException } from '@nestjs/microservices';

/**
 * `events.append` for producers on @nestjs/microservices: the answer comes after the commit; a refused
 * batch gets an error with `status` 400 and the field errors, or 503 when Postgres is unreachable.
 */
@Controller()
export class EventsMessageController {
  constructor(private readonly ingestion: EventIngestion) {}

  @MessagePattern('events.append')
  async append(@Payload() batch: unknown): Promise<IngestionResult> {
    try {
      return await this.ingestion.ingest(batch);
    } catch (error) {
      if (error instanceof InvalidBatchError) throw new RpcException({ status: 400, message: error.message, errors: error.errors });
      // As `POST /events` answers 503: the producer can tell "retry later" from a bug.
      if (isEventStoreUnreachable(error)) throw new RpcException({ status: 503, message: EVENT_STORE_UNAVAILABLE });
      throw error;
    }
  }
}
