import { requestIdOf } from '@app/config';
import { HttpException, Injectable, Logger } from '@nestjs/common';
import Fastify, { type FastifyError, type FastifyInstance, type RouteOptions } from 'fastify';
import { STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import { HookApiConfig } from '../config/hook-api.config.js';
import { depthLimitedJsonParser } from '../json-body.js';

/**
 * The hook routes' own Fastify instance, with the hooks' body limit. It has no server:
 * `startHookApi` hands it the calls to its routes that reach the app's server, so the hooks answer
 * on the same port as every other route. Its routes' paths are static, so `request.routeOptions.url`
 * is the path a call came to, without its query string (which could carry what logs must not).
 *
 * The hooks are the hot path, and on Nest's instance every call went through what Nest adds to each
 * request (its middleware engine, and request hooks for CORS, security headers and versioning that
 * this app does not use), which cost more than answering the hook. Here a call meets only its
 * credential check, the JSON parser and its handler.
 */
@Injectable()
export class HookServer {
  private readonly logger = new Logger(HookServer.name);
  readonly fastify: FastifyInstance;
  private readonly paths = new Set<string>();

  constructor(config: HookApiConfig) {
    this.fastify = Fastify({ bodyLimit: config.hooks.bodyLimitBytes, genReqId: requestIdOf });
    this.fastify.removeContentTypeParser('application/json');
    this.fastify.addContentTypeParser('application/json', { parseAs: 'string' }, depthLimitedJsonParser(this.fastify));
    // The shape of every other route's errors (Nest's).
    this.fastify.setErrorHandler((error: FastifyError | HttpException, request, reply) => {
      const statusCode = error instanceof HttpException ? error.getStatus() : (error.statusCode ?? 500);
      if (statusCode >= 500) this.logger.error({ requestId: request.id, msg: `${request.routeOptions.url} failed: ${error.message}` });
      void reply.code(statusCode).send({ statusCode, error: STATUS_CODES[statusCode], message: statusCode >= 500 ? STATUS_CODES[statusCode] : error.message });
    });
  }

  /** A `POST` route; its path is then this instance's to answer. */
  post(route: Omit<RouteOptions, 'method'>): void {
    this.paths.add(route.url);
    this.fastify.route({ ...route, method: 'POST' });
  }

  /** Whether the call is to one of this instance's routes; Nest's instance answers any other, its 404s included. */
  handles(request: IncomingMessage): boolean {
    if (request.method !== 'POST') return false;
    const url = request.url!;
    const query = url.indexOf('?');
    return this.paths.has(query === -1 ? url : url.slice(0, query));
  }

  answer(request: IncomingMessage, response: ServerResponse): void {
    this.fastify.routing(request, response);
  }
}
