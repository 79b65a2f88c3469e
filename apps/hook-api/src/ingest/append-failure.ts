import { InternalServerErrorException, ServiceUnavailableException, type HttpException, type Logger } from '@nestjs/common';

/**
 * The answer to an append that failed: 503 when Postgres cannot be reached (worth retrying later),
 * 500 otherwise. Nothing was stored either way: a batch is appended in one transaction.
 */
export function appendFailure(error: unknown, logger: Logger): HttpException {
  if (isUnreachable(error)) {
    logger.warn(`event store unreachable: ${(error as Error).message}`);
    return new ServiceUnavailableException('the event store is unavailable; nothing was stored, retry later');
  }
  logger.error(`append failed: ${(error as Error).message}`);
  return new InternalServerErrorException('the batch could not be stored; nothing was stored');
}

/** Connection failures (as opposed to a refused statement): worth retrying later. */
function isUnreachable(error: unknown): boolean {
  const { code, message = '' } = error as { code?: string; message?: string };
  return (
    (typeof code === 'string' && /^(08|57P0|53300|ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENOTFOUND|EHOSTUNREACH)/.test(code)) ||
    /timeout exceeded when trying to connect|Connection terminated/i.test(message)
  );
}
