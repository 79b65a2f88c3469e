import type { LoggedEvent, RecordedEvent } from '../events/event-types.js';

/**
 * Builds a subject's stream for tests: versions 1, 2, 3… and positions that grow with them, as
 * the event store assigns them. An event keeps the `occurredAt` it is given.
 */
export function streamOf(subject: string, events: Array<LoggedEvent & { occurredAt?: string }>, firstPosition = 1): RecordedEvent[] {
  return events.map((event, index) => ({
    ...event,
    id: `00000000-0000-4000-8000-${String(firstPosition + index).padStart(12, '0')}`,
    subject,
    version: index + 1,
    position: String(firstPosition + index),
  })) as RecordedEvent[];
}
