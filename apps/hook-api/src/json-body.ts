import { BadRequestException } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { RawServerDefault } from 'fastify';

/** The deepest JSON body any route takes: providers and producers nest a few levels, never this many. */
export const MAX_JSON_BODY_DEPTH = 64;

/**
 * Parses the JSON bodies of Nest's routes as Fastify does (a `__proto__` or `constructor.prototype`
 * key is refused) and refuses, with 400, one nested deeper than {@link MAX_JSON_BODY_DEPTH}.
 * JSON.parse takes any depth but JSON.stringify recurses: a hook whose answer carries members of the
 * request over (Hydra's session claims, Kratos' metadata) answered 500 to a body nested some
 * thousands of levels deep. The hook routes, outside Nest, apply the same limit (`HookServer`).
 */
export function useJsonBodyParser(app: NestFastifyApplication, bodyLimit: number): void {
  const parse = app.getHttpAdapter().getInstance().getDefaultJsonParser('error', 'error');
  app.useBodyParser<RawServerDefault>('application/json', { bodyLimit }, (request, body, done) =>
    parse(request, body.toString('utf8'), (error, value) => {
      if (error) return done(error, undefined);
      if (nestedDeeperThan(value, MAX_JSON_BODY_DEPTH)) return done(new BadRequestException(`the JSON body is nested deeper than ${MAX_JSON_BODY_DEPTH} levels`), undefined);
      return done(null, value);
    }),
  );
}

/**
 * Recursive, but never deeper than `limit` calls: the walk stops at the depth it looks for, far
 * short of the depth that exhausts the stack.
 */
export function nestedDeeperThan(value: unknown, limit: number): boolean {
  if (value === null || typeof value !== 'object') return false;
  if (limit === 0) return true;
  if (Array.isArray(value)) return value.some((member) => nestedDeeperThan(member, limit - 1));
  for (const key in value) if (nestedDeeperThan((value as Record<string, unknown>)[key], limit - 1)) return true;
  return false;
}
