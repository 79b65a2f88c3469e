import { ClaimsStoreModule } from '@app/claims-store';
import { ConfigModule, loggingModule } from '@app/config';
import { EventStoreModule } from '@app/event-store';
import { queuePrefix } from '@app/jobs';
import { BullModule } from '@nestjs/bullmq';
import { Module, type DynamicModule } from '@nestjs/common';
import { SyncWorkerConfig } from './config/sync-worker.config.js';
import { IngestModule } from './ingest/ingest.module.js';
import { ProjectionModule } from './projection/projection.module.js';
import { RebuildModule } from './rebuild/rebuild.module.js';
import { RelayModule } from './relay/relay.module.js';

@Module({})
export class SyncWorkerModule {
  static forRoot(config: SyncWorkerConfig): DynamicModule {
    return {
      module: SyncWorkerModule,
      imports: [
        ConfigModule.provide(config),
        loggingModule({ level: config.logLevel }),
        EventStoreModule.forRoot({ ...config.postgres, applicationName: 'claims-sync-worker' }),
        ClaimsStoreModule.forProjection({ redisUrl: config.redis.url, prefix: config.redis.prefix }),
        BullModule.forRoot({ connection: { url: config.redis.url }, prefix: queuePrefix(config.redis.prefix) }),
        IngestModule,
        RelayModule,
        ProjectionModule,
        RebuildModule,
      ],
    };
  }
}
