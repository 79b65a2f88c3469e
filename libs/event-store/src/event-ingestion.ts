import { validateEventBatch, type EventError, type NewEvent } from '@app/domain';
import type { AppendedEvent, EventStore } from './event-store.js';

/** The batch was refused whole: nothing of it is stored. */
export class InvalidBatchError extends Error {
  constructor(readonly errors: EventError[]) {
    const refused = new Set(errors.map((error) => error.index)).size;
    super(errors.some((error) => error.index === undefined) ? 'the batch is malformed; nothing was stored' : `${refused} event(s) are invalid; nothing was stored`);
    this.name = 'InvalidBatchError';
  }
}

export interface IngestionResult {
  appended: number;
  duplicates: number;
  events: AppendedEvent[];
}

/** What every producer entry point does: validate the whole batch, then append it atomically. */
export class EventIngestion {
  constructor(private readonly store: EventStore) {}

  async ingest(body: unknown): Promise<IngestionResult> {
    const batch = validateEventBatch(body);
    if (!batch.ok) throw new InvalidBatchError(batch.errors);
    return this.ingestEvents(batch.events);
  }

  /**
   * Appends events a provider's adapter has already parsed and mapped (the Okta event hook), in one
   * transaction, answering after the commit; events whose id is stored already count as duplicates.
   */
  async ingestEvents(events: readonly NewEvent[]): Promise<IngestionResult> {
    if (events.length === 0) return { appended: 0, duplicates: 0, events: [] };
    const appended = await this.store.append(events);
    const duplicates = appended.filter((event) => event.duplicate).length;
    return { appended: appended.length - duplicates, duplicates, events: appended };
  }
}
