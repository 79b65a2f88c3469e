import 'reflect-metadata';
import { ConfigError } from '@app/config';
import { Logger } from '@nestjs/common';
import { SyncWorkerConfig } from './config/sync-worker.config.js';
import { runRebuildCli } from './rebuild/rebuild-cli.js';
import { runMigrations, startSyncWorker } from './sync-worker.js';

const USAGE = 'usage: node dist/apps/sync-worker/main.js [migrate | rebuild]';

try {
  const config = SyncWorkerConfig.fromEnv(process.env);
  const command = process.argv[2];
  if (command === 'migrate') {
    const applied = await runMigrations(config);
    console.log(applied.length > 0 ? `applied ${applied.join(', ')} to schema "${config.postgres.schema}"` : `schema "${config.postgres.schema}" is up to date`);
  } else if (command === 'rebuild') {
    process.exitCode = await runRebuildCli(config);
  } else if (command === undefined) {
    const app = await startSyncWorker(config);
    app.enableShutdownHooks();
    new Logger('SyncWorker').log(`events.append listening on ${config.ingest.host}:${config.ingest.port}`);
  } else {
    console.error(USAGE);
    process.exitCode = 2;
  }
} catch (error) {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
}
