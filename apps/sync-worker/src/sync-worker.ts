import { createPostgresPool, migrate } from '@app/event-store';
import { Logger, type INestMicroservice } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Transport, type MicroserviceOptions } from '@nestjs/microservices';
import { Logger as PinoLogger } from 'nestjs-pino';
import { SyncWorkerConfig } from './config/sync-worker.config.js';
import { SyncWorkerModule } from './sync-worker.module.js';

export async function runMigrations(config: SyncWorkerConfig): Promise<string[]> {
  const pool = createPostgresPool({ ...config.postgres, applicationName: 'claims-migrate', maxConnections: 1 });
  try {
    return await migrate(pool, config.postgres.schema);
  } finally {
    await pool.end();
  }
}

/** Starts the relay, the projection worker and the `events.append` listener. */
export async function startSyncWorker(config: SyncWorkerConfig): Promise<INestMicroservice> {
  const app = await NestFactory.createMicroservice<MicroserviceOptions>(SyncWorkerModule.forRoot(config), {
    transport: Transport.TCP,
    options: { host: config.ingest.host, port: config.ingest.port },
    bufferLogs: true,
  });
  app.useLogger(app.get(PinoLogger));
  // Before `listen` starts the modules: the relay and the workers need the schema.
  if (config.migrateOnBoot) {
    const applied = await runMigrations(config);
    if (applied.length > 0) new Logger('Migrations').log(`applied ${applied.join(', ')}`);
  }
  await app.listen();
  return app;
}
