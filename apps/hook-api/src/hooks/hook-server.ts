import { requestIdOf } from '@app/config';
import { Injectable, Logger } from '@nestjs/common';
import { STATUS_CODES, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import secureJson from 'secure-json-parse';
import { HookApiConfig } from '../config/hook-api.config.js';
import { MAX_JSON_BODY_DEPTH, nestedDeeperThan } from '../json-body.js';

/** What a hook route answers: a status and, but for 204, a JSON body. */
export interface HookReply {
  status: number;
  body?: unknown;
}

/** A `POST` route of the hooks: its credential check, run before the body is read, and its handler. */
export interface HookRoute {
  path: string;
  isAuthorized(headers: IncomingHttpHeaders): boolean;
  /** Called with the parsed JSON body; a call it can answer at once it answers without a promise. */
  handle(body: unknown, headers: IncomingHttpHeaders, requestId: string): HookReply | Promise<HookReply>;
}

const JSON_TYPE = 'application/json; charset=utf-8';

/**
 * Answers the hook routes straight on the app's Node HTTP server: `startHookApi` hands it the calls
 * to its paths, so the hooks answer on the same port as every other route, and Nest's instance
 * answers anything else (its 404s included). The hooks are the hot path: a framework's request
 * cycle (Nest's middleware, then Fastify's hooks, reply object and serializer) cost more CPU per
 * call than answering the hook itself, so this class does only what a hook call needs, each step
 * as the rest of the app does it:
 * - the credential is checked before the body is read (401, no body);
 * - the body must be declared JSON (415), stay within `HOOK_BODY_LIMIT_BYTES` (413), parse without a
 *   `__proto__` or `constructor.prototype` key, as Fastify parses it (400), and nest no deeper than
 *   the app's limit (400);
 * - errors have the shape of Nest's (`statusCode`, `error`, `message`); every answer carries the
 *   request id; while the app closes, answers close their connection;
 * - each call is logged by method, route path and status (successful ones at debug only), never
 *   with its query string, headers or body.
 */
@Injectable()
export class HookServer {
  private readonly logger = new Logger(HookServer.name);
  private readonly routes = new Map<string, HookRoute>();
  private readonly bodyLimitBytes: number;
  private readonly logsSuccessfulCalls: boolean;
  /** Set when the app starts to close: keep-alive connections are not kept past their answer. */
  closing = false;

  constructor(config: HookApiConfig) {
    this.bodyLimitBytes = config.hooks.bodyLimitBytes;
    this.logsSuccessfulCalls = config.logLevel === 'debug' || config.logLevel === 'trace';
  }

  post(route: HookRoute): void {
    this.routes.set(route.path, route);
  }

  /** The route a call is for, if it is a `POST` to one of the hooks' paths (a query string allowed). */
  routeOf(request: IncomingMessage): HookRoute | undefined {
    if (request.method !== 'POST') return undefined;
    const url = request.url!;
    const query = url.indexOf('?');
    return this.routes.get(query === -1 ? url : url.slice(0, query));
  }

  answer(route: HookRoute, request: IncomingMessage, response: ServerResponse): void {
    const call = { route, response, requestId: requestIdOf(request), startedAt: performance.now() };
    if (!route.isAuthorized(request.headers)) return this.reply(call, { status: 401 });
    const refusal = this.refusalOfHeaders(request.headers);
    if (refusal) return this.replyError(call, refusal.status, refusal.message);
    const chunks: Buffer[] = [];
    let received = 0;
    request.on('data', (chunk: Buffer) => {
      received += chunk.length;
      if (received <= this.bodyLimitBytes) chunks.push(chunk);
      else if (!response.headersSent) this.replyError(call, 413, 'Request body is too large');
    });
    request.on('end', () => {
      if (received <= this.bodyLimitBytes) this.handle(call, request.headers, chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks));
    });
    // The caller hung up or sent a broken body: there is no one left to answer.
    request.on('error', () => request.destroy());
  }

  private refusalOfHeaders(headers: IncomingHttpHeaders): { status: number; message: string } | undefined {
    const type = headers['content-type'];
    // As Fastify: without a declared type, only an empty body is taken.
    const hasBody = headers['transfer-encoding'] !== undefined || (headers['content-length'] !== undefined && headers['content-length'] !== '0');
    if (type === undefined ? hasBody : !isJson(type)) {
      return { status: 415, message: `Unsupported Media Type: ${type ?? 'none'}; the hooks take application/json` };
    }
    if (Number(headers['content-length']) > this.bodyLimitBytes) return { status: 413, message: 'Request body is too large' };
    return undefined;
  }

  private handle(call: Call, headers: IncomingHttpHeaders, raw: Buffer): void {
    let body: unknown;
    try {
      body = parseBody(raw.toString('utf8'));
    } catch (error) {
      return this.replyError(call, 400, (error as Error).message);
    }
    let answering: HookReply | Promise<HookReply>;
    try {
      answering = call.route.handle(body, headers, call.requestId);
    } catch (error) {
      return this.fail(call, error);
    }
    if (answering instanceof Promise) answering.then((reply) => this.reply(call, reply)).catch((error: unknown) => this.fail(call, error));
    else this.reply(call, answering);
  }

  private fail(call: Call, error: unknown): void {
    this.logger.error({ requestId: call.requestId, msg: `${call.route.path} failed: ${error instanceof Error ? error.message : String(error)}` });
    // The answer may have failed half-sent: then the connection cannot carry another.
    if (call.response.headersSent) call.response.destroy();
    else this.replyError(call, 500, STATUS_CODES[500]!);
  }

  private replyError(call: Call, status: number, message: string): void {
    this.reply(call, { status, body: { statusCode: status, error: STATUS_CODES[status], message } });
  }

  private reply({ route, response, requestId, startedAt }: Call, { status, body }: HookReply): void {
    // A refused body is not read to its end: the connection cannot carry another call.
    if (this.closing || status === 413 || status === 415) response.setHeader('connection', 'close');
    if (body === undefined || status === 204) {
      response.writeHead(status, { 'x-request-id': requestId, 'content-length': 0 }).end();
    } else {
      const payload = JSON.stringify(body);
      response.writeHead(status, { 'x-request-id': requestId, 'content-type': JSON_TYPE, 'content-length': Buffer.byteLength(payload) }).end(payload);
    }
    if (status >= 400 || this.logsSuccessfulCalls) this.logCall(route.path, requestId, status, performance.now() - startedAt);
  }

  /** The line the request-logging middleware writes for the other routes, in the same shape. */
  private logCall(path: string, requestId: string, statusCode: number, elapsedMs: number): void {
    const line = { msg: 'request completed', requestId, req: { id: requestId, method: 'POST', path }, res: { statusCode }, responseTime: Math.round(elapsedMs) };
    if (statusCode >= 500) this.logger.error(line);
    else if (statusCode >= 400) this.logger.log(line);
    else this.logger.debug(line);
  }
}

interface Call {
  route: HookRoute;
  response: ServerResponse;
  requestId: string;
  startedAt: number;
}

function isJson(contentType: string): boolean {
  const separator = contentType.indexOf(';');
  return (separator === -1 ? contentType : contentType.slice(0, separator)).trim().toLowerCase() === 'application/json';
}

const REFUSE_POLLUTING_KEYS = { protoAction: 'error', constructorAction: 'error' } as const;

/**
 * The messages are fixed, as Fastify's: a parser's own message quotes the body around the error, and
 * a body may hold a patient id.
 */
function parseBody(text: string): unknown {
  if (text.length === 0) throw new Error('the body is empty; the hooks take a JSON object');
  let value: unknown;
  try {
    value = secureJson.parse(text, undefined, REFUSE_POLLUTING_KEYS);
  } catch (error) {
    const polluting = (error as Error).message.includes('forbidden');
    throw new Error(polluting ? 'the body holds a forbidden __proto__ or constructor.prototype key' : "Body is not valid JSON but content-type is set to 'application/json'");
  }
  if (nestedDeeperThan(text, value, MAX_JSON_BODY_DEPTH)) throw new Error(`the JSON body is nested deeper than ${MAX_JSON_BODY_DEPTH} levels`);
  return value;
}
