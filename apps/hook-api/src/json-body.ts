import { BadRequestException } from '@nestjs/common';
import type { FastifyInstance, FastifyRequest } from 'fastify';

/** The deepest JSON body any route takes: providers and producers nest a few levels, never this many. */
export const MAX_JSON_BODY_DEPTH = 64;

type Done = (error: Error | null, body?: unknown) => void;

/**
 * A JSON body parser for `fastify` that parses as Fastify does (a `__proto__` or
 * `constructor.prototype` key is refused) and refuses, with 400, a body nested deeper than
 * {@link MAX_JSON_BODY_DEPTH}. JSON.parse takes any depth but JSON.stringify recurses: a hook whose
 * answer carries members of the request over (Hydra's session claims, Kratos' metadata) answered
 * 500 to a body nested some thousands of levels deep.
 */
export function depthLimitedJsonParser(fastify: FastifyInstance): (request: FastifyRequest, body: string | Buffer, done: Done) => void {
  const parse = fastify.getDefaultJsonParser('error', 'error');
  return (request, body, done) =>
    parse(request, body.toString(), (error, value) => {
      if (error) return done(error, undefined);
      if (nestedDeeperThan(value, MAX_JSON_BODY_DEPTH)) return done(new BadRequestException(`the JSON body is nested deeper than ${MAX_JSON_BODY_DEPTH} levels`), undefined);
      return done(null, value);
    });
}

/** Walks the value without recursion: the depth it looks for is the one that exhausts the stack. */
function nestedDeeperThan(value: unknown, limit: number): boolean {
  const pending: Array<{ value: unknown; depth: number }> = [{ value, depth: 0 }];
  for (let next = pending.pop(); next; next = pending.pop()) {
    if (next.value === null || typeof next.value !== 'object') continue;
    if (next.depth === limit) return true;
    for (const member of Object.values(next.value)) pending.push({ value: member, depth: next.depth + 1 });
  }
  return false;
}
