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
