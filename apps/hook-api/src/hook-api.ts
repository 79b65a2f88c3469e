import { requestIdOf } from '@app/config';
import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyServerFactoryHandler } from 'fastify';
import { createServer, type ServerOptions } from 'node:http';
import { Logger } from 'nestjs-pino';
import { HookApiConfig } from './config/hook-api.config.js';
import { HookApiModule } from './hook-api.module.js';
import { HookServer } from './hooks/hook-server.js';
import { useJsonBodyParser } from './json-body.js';
import { serveOpenApi } from './openapi/openapi.js';

/** Starts the HTTP app on `config.port` (0 picks a free port) and returns it once it listens. */
export async function startHookApi(config: HookApiConfig, host = '0.0.0.0'): Promise<INestApplication> {
  // The hook calls go to the hooks' own server (see `HookServer`), known once the app is created,
  // before it listens: no call arrives earlier.
  let hookServer: HookServer | undefined;
  const app = await NestFactory.create<NestFastifyApplication>(
    HookApiModule.forRoot(config),
    new FastifyAdapter({
      bodyLimit: config.ingest.bodyLimitBytes,
      // On close, idle keep-alive connections are dropped at once; in-flight requests still finish.
      forceCloseConnections: 'idle',
      genReqId: requestIdOf,
      serverFactory: (handler: FastifyServerFactoryHandler) =>
        createServer(callerTimeouts(config.requestTimeoutMs), (request, response) => {
          const hook = hookServer?.routeOf(request);
          if (hook) hookServer!.answer(hook, request, response);
          else handler(request, response);
        }),
    }),
    { bufferLogs: true },
  );
  app.useLogger(app.get(Logger));
  useJsonBodyParser(app, config.ingest.bodyLimitBytes);
  serveOpenApi(app);
  const fastify = app.getHttpAdapter().getInstance();
  const hooks = app.get(HookServer);
  hookServer = hooks;
  // On close, connections idle at that moment are dropped (above); one whose request is still being
  // answered would stay open after its answer until the client hangs up, and hold the exit.
  fastify.addHook('preClose', async () => void (hooks.closing = true));
  fastify.addHook('onSend', (request, reply, payload, done) => {
    // The caller can quote the id when it reports a problem.
    reply.header('x-request-id', request.id);
    if (hooks.closing) reply.header('connection', 'close');
    done(null, payload);
  });
  await app.listen(config.port, host);
  return app;
}

/**
 * A caller that sends its request slowly, or never finishes it, gets 408 once `requestTimeoutMs`
 * has passed since it began (headers within the same bound, at most Node's 60 s), checked every
 * second rather than Node's 30 s: an identity provider gives up on a hook within seconds, and
 * connections held open by slow senders would otherwise pile up.
 */
function callerTimeouts(requestTimeoutMs: number): ServerOptions {
  return { requestTimeout: requestTimeoutMs, headersTimeout: Math.min(requestTimeoutMs, 60_000), connectionsCheckingInterval: Math.min(requestTimeoutMs, 1_000) };
}
