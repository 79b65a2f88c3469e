import { validateEventBatch, type EventError } from '@app/domain';
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
    const events = await this.store.append(batch.events);
    const duplicates = events.filter((event) => event.duplicate).length;
    return { appended: events.length - duplicates, duplicates, events };
  }
}
