import { EventIngestion, InvalidBatchError, type IngestionResult } from '@app/event-store';
import { Controller } from '@nestjs/common';
import { MessagePattern, Payload, RpcException } from '@nestjs/microservices';

/** `events.append` for producers on @nestjs/microservices: the answer comes after the commit. */
@Controller()
export class EventsMessageController {
  constructor(private readonly ingestion: EventIngestion) {}

  @MessagePattern('events.append')
  async append(@Payload() batch: unknown): Promise<IngestionResult> {
    try {
      return await this.ingestion.ingest(batch);
    } catch (error) {
      if (error instanceof InvalidBatchError) throw new RpcException({ status: 400, message: error.message, errors: error.errors });
      throw error;
    }
  }
}
