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

/** What a producer is told when an append failed because Postgres could not be reached. */
export const EVENT_STORE_UNAVAILABLE = 'the event store is unavailable; nothing was stored, retry later';

/**
 * Whether an append failed for want of Postgres (as opposed to a refused statement): unreachable,
 * shutting down, out of connections, or the connection lost during the append, including before a
 * statement could be sent (node-postgres' "not queryable"). Nothing was stored; a retry later may do.
 */
export function isEventStoreUnreachable(error: unknown): boolean {
  const { code, message = '' } = error as { code?: string; message?: string };
  return (
    (typeof code === 'string' && /^(08|57P0|53300|ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENOTFOUND|EHOSTUNREACH)/.test(code)) ||
    /timeout exceeded when trying to connect|Connection terminated|not queryable/i.test(message)
  );
}
