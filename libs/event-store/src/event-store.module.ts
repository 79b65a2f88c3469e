import { Inject, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import type { Pool } from 'pg';
import { EventIngestion } from './event-ingestion.js';
import { EventStore } from './event-store.js';
import { createPostgresPool, type PostgresOptions } from './postgres-pool.js';
import { RelayCheckpoints } from './relay-checkpoints.js';

export const POSTGRES_POOL = Symbol('POSTGRES_POOL');

/** The Postgres event log of one deployment (one schema), and the pool it is reached through. */
@Module({})
export class EventStoreModule implements OnApplicationShutdown {
  constructor(@Inject(POSTGRES_POOL) private readonly pool: Pool) {}

  static forRoot(options: PostgresOptions): DynamicModule {
    return {
      module: EventStoreModule,
      global: true,
      providers: [
        { provide: POSTGRES_POOL, useFactory: () => createPostgresPool(options) },
        { provide: EventStore, inject: [POSTGRES_POOL], useFactory: (pool: Pool) => new EventStore(pool) },
        { provide: RelayCheckpoints, inject: [POSTGRES_POOL], useFactory: (pool: Pool) => new RelayCheckpoints(pool) },
        { provide: EventIngestion, inject: [EventStore], useFactory: (store: EventStore) => new EventIngestion(store) },
      ],
      exports: [POSTGRES_POOL, EventStore, RelayCheckpoints, EventIngestion],
    };
  }

  async onApplicationShutdown(): Promise<void> {
    await this.pool.end();
  }
}
