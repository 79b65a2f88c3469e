import { ClaimsStoreModule } from '@app/claims-store';
import { ConfigModule, loggingModule } from '@app/config';
import { EventStoreModule } from '@app/event-store';
import { Module, type DynamicModule } from '@nestjs/common';
import { AdminModule } from './admin/admin.module.js';
import { HookApiConfig } from './config/hook-api.config.js';
import { HealthModule } from './health/health.module.js';
import { Auth0HooksModule } from './hooks/auth0/auth0-hooks.module.js';
import { HydraTokenHookModule } from './hooks/hydra/hydra-token-hook.module.js';
import { KratosWebHooksModule } from './hooks/kratos/kratos-web-hooks.module.js';
import { OktaTokenHookModule } from './hooks/okta/okta-token-hook.module.js';
import { IngestModule } from './ingest/ingest.module.js';
import { MetricsModule } from './metrics/metrics.module.js';
import { OktaEventHookModule } from './okta-events/okta-event-hook.module.js';
import { QueueDashboardModule } from './queue-dashboard/queue-dashboard.module.js';

@Module({})
export class HookApiModule {
  static forRoot(config: HookApiConfig): DynamicModule {
    return {
      module: HookApiModule,
      imports: [
        ConfigModule.provide(config),
        loggingModule({ level: config.logLevel }),
        // Postgres is reached for ingestion only: the pool connects lazily, so the hooks start
        // and keep answering from Redis while Postgres is down.
        EventStoreModule.forRoot({ ...config.postgres, applicationName: 'claims-hook-api' }),
        ClaimsStoreModule.forHooks({
          redisUrl: config.redis.url,
          prefix: config.redis.prefix,
          commandTimeoutMs: config.hooks.deadlineMs,
          ...(config.hooks.nearCache && { nearCache: config.hooks.nearCache }),
        }),
        MetricsModule,
        IngestModule,
        OktaEventHookModule,
        AdminModule,
        QueueDashboardModule,
        HealthModule,
        OktaTokenHookModule,
        HydraTokenHookModule,
        Auth0HooksModule,
        KratosWebHooksModule,
      ],
    };
  }
}
