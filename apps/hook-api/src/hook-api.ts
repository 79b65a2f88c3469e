import { requestIdOf } from '@app/config';
import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Logger } from 'nestjs-pino';
import { HookApiConfig } from './config/hook-api.config.js';
import { HookApiModule } from './hook-api.module.js';
import { serveOpenApi } from './openapi/openapi.js';

/** Starts the HTTP app on `config.port` (0 picks a free port) and returns it once it listens. */
export async function startHookApi(config: HookApiConfig, host = '0.0.0.0'): Promise<INestApplication> {
  const app = await NestFactory.create<NestFastifyApplication>(
    HookApiModule.forRoot(config),
    // On close, idle keep-alive connections are dropped at once; in-flight requests still finish.
    new FastifyAdapter({ bodyLimit: config.ingest.bodyLimitBytes, forceCloseConnections: 'idle', genReqId: requestIdOf }),
    { bufferLogs: true },
  );
  app.useLogger(app.get(Logger));
  serveOpenApi(app);
  // The caller can quote the id when it reports a problem.
  app.getHttpAdapter().getInstance().addHook('onSend', async (request, reply) => void reply.header('x-request-id', request.id));
  await app.listen(config.port, host);
  return app;
}
