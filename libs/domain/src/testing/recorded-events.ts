import type { ClaimsEvent, RecordedEvent } from '../events/event-types.js';

/**
 * Builds a subject's stream for tests: versions 1, 2, 3… and positions that grow with them, as
 * the event store assigns them.
 */
export function streamOf(subject: string, events: ClaimsEvent[], firstPosition = 1): RecordedEvent[] {
  return events.map((event, index) => ({
    ...event,
    id: `00000000-0000-4000-8000-${String(firstPosition + index).padStart(12, '0')}`,
    subject,
    version: index + 1,
    position: String(firstPosition + index),
  })) as RecordedEvent[];
}
