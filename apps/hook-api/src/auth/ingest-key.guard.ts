import { Injectable, UnauthorizedException, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { HookApiConfig } from '../config/hook-api.config.js';
import { ExpectedSecret } from './credential.js';

/** `Authorization: Bearer <INGEST_API_KEY>`; without a configured key every request is refused. */
@Injectable()
export class IngestKeyGuard implements CanActivate {
  private readonly expected?: ExpectedSecret;

  constructor(config: HookApiConfig) {
    if (config.ingest.apiKey) this.expected = new ExpectedSecret(`Bearer ${config.ingest.apiKey}`);
  }

  canActivate(context: ExecutionContext): boolean {
    const { authorization } = context.switchToHttp().getRequest<FastifyRequest>().headers;
    if (!this.expected?.matches(authorization)) throw new UnauthorizedException();
    return true;
  }
}
