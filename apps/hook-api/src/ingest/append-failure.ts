import { EVENT_STORE_UNAVAILABLE, isEventStoreUnreachable } from '@app/event-store';
import { InternalServerErrorException, ServiceUnavailableException, type HttpException, type Logger } from '@nestjs/common';

/**
 * The answer to an append that failed: 503 when Postgres cannot be reached (worth retrying later),
 * 500 otherwise. Nothing was stored either way: a batch is appended in one transaction.
 */
export function appendFailure(error: unknown, logger: Logger): HttpException {
  if (isEventStoreUnreachable(error)) {
    logger.warn(`event store unreachable: ${(error as Error).message}`);
    return new ServiceUnavailableException(EVENT_STORE_UNAVAILABLE);
  }
  logger.error(`append failed: ${(error as Error).message}`);
  return new InternalServerErrorException('the batch could not be stored; nothing was stored');
}
