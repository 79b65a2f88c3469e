import 'reflect-metadata';
import { ConfigError } from '@app/config';
import { Logger } from '@nestjs/common';
import { HookApiConfig } from './config/hook-api.config.js';
import { startHookApi } from './hook-api.js';

try {
  const config = HookApiConfig.fromEnv(process.env);
  const app = await startHookApi(config);
  app.enableShutdownHooks();
  new Logger('HookApi').log(`listening on ${await app.getUrl()}`);
} catch (error) {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
}
