import { RequestMethod, type DynamicModule } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** A caller's `X-Request-Id` is kept when it looks like an id, so one id follows a call across services. */
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * The id of an HTTP request: the caller's `X-Request-Id` when it is a plausible id, else a new UUID.
 * Given to Fastify as its `genReqId`, it reaches every log line of the request through pino-http.
 */
export function requestIdOf(request: { headers: IncomingHttpHeaders }): string {
  const incoming = request.headers['x-request-id'];
  return typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
}

export interface LoggingOptions {
  level: LogLevel;
}

/**
 * JSON logs through pino (`nestjs-pino`): Nest's `Logger` calls land there, and every line written
 * while a request is handled carries its `requestId`. A request is logged by method, path and
 * status only. Headers (credentials, cookies), bodies and query strings are never logged: that keeps
 * secrets and claim values (patient ids are health data) out of the logs by construction rather
 * than by a list of fields to hide.
 */
export function loggingModule(options: LoggingOptions): DynamicModule {
  return LoggerModule.forRoot({
    // Every path, those registered on Fastify directly included.
    forRoutes: [{ path: '{*path}', method: RequestMethod.ALL }],
    pinoHttp: {
      level: options.level,
      quietReqLogger: true,
      customAttributeKeys: { reqId: 'requestId' },
      serializers: {
        req: (request: { id: unknown; method: string; url: string }) => ({ id: request.id, method: request.method, path: request.url.split('?')[0] }),
        res: (response: { statusCode: number }) => ({ statusCode: response.statusCode }),
      },
      // Defence in depth: were a header ever logged, these would not be.
      redact: { paths: ['req.headers', 'res.headers', '*.authorization', '*.cookie'], censor: '[redacted]' },
      customLogLevel: (_request, response, error) => {
        if (error || response.statusCode >= 500) return 'error';
        return 'info';
      },
    },
  });
}
