import { requestIdOf } from '@app/config';
import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Logger } from 'nestjs-pino';
import { HookApiConfig } from './config/hook-api.config.js';
import { HookApiModule } from './hook-api.module.js';
import { useJsonBodyParser } from './json-body.js';
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
  useJsonBodyParser(app, config.ingest.bodyLimitBytes);
  serveOpenApi(app);
  const fastify = app.getHttpAdapter().getInstance();
  // On close, connections idle at that moment are dropped (above); one whose request is still being
  // answered would stay open after its answer until the client hangs up, and hold the exit.
  let closing = false;
  fastify.addHook('preClose', async () => void (closing = true));
  fastify.addHook('onSend', async (request, reply) => {
    // The caller can quote the id when it reports a problem.
    reply.header('x-request-id', request.id);
    if (closing) reply.header('connection', 'close');
  });
  await app.listen(config.port, host);
  return app;
}
