import { Logger } from '@nestjs/common';

/** What a BullMQ queue, queue-events reader or worker reports its connection's errors through. */
interface ErrorSource {
  on(event: 'error', listener: (error: Error) => void): unknown;
}

const REPORT_INTERVAL_MS = 60_000;

/**
 * Reports the errors of a BullMQ queue or queue-events reader through the app's logger. Without a
 * listener, BullMQ writes each one to the console, outside the JSON logs, at every reconnection
 * attempt while Redis is down. One line a minute is enough: the service's own Redis clients say
 * when Redis is unreachable and when it is back.
 */
export function reportQueueErrors(source: ErrorSource, name: string): void {
  const logger = new Logger(`Queue:${name}`);
  let reportedAt = Number.NEGATIVE_INFINITY;
  source.on('error', (error) => {
    const now = Date.now();
    if (now - reportedAt < REPORT_INTERVAL_MS) return;
    reportedAt = now;
    logger.warn(`Redis error: ${error.message}`);
  });
}
