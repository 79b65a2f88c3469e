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
  app.useBodyParser<RawServerDefault>('application/json', { bodyLimit }, (request, body, done) => {
    const text = body.toString('utf8');
    parse(request, text, (error, value) => {
      if (error) return done(error, undefined);
      if (nestedDeeperThan(text, value, MAX_JSON_BODY_DEPTH)) return done(new BadRequestException(`the JSON body is nested deeper than ${MAX_JSON_BODY_DEPTH} levels`), undefined);
      return done(null, value);
    });
  });
}

/**
 * Whether `value`, parsed from `text`, nests deeper than `limit`. Every level opens with a `{` or a
 * `[`, so a text that holds no more than `limit` of them, inside strings or not, cannot: counting
 * them is a native scan, and spares a provider's body (a dozen or two) the walk of all its values.
 */
export function nestedDeeperThan(text: string, value: unknown, limit: number): boolean {
  return opensMoreThan(text, limit) && valueNestedDeeperThan(value, limit);
}

function opensMoreThan(text: string, limit: number): boolean {
  let opened = 0;
  for (const bracket of ['{', '[']) {
    for (let at = text.indexOf(bracket); at !== -1; at = text.indexOf(bracket, at + 1)) if (++opened > limit) return true;
  }
  return false;
}

/**
 * Recursive, but never deeper than `limit` calls: the walk stops at the depth it looks for, far
 * short of the depth that exhausts the stack.
 */
function valueNestedDeeperThan(value: unknown, limit: number): boolean {
  if (value === null || typeof value !== 'object') return false;
  if (limit === 0) return true;
  if (Array.isArray(value)) return value.some((member) => valueNestedDeeperThan(member, limit - 1));
  for (const key in value) if (valueNestedDeeperThan((value as Record<string, unknown>)[key], limit - 1)) return true;
  return false;
}
