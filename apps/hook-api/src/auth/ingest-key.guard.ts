import { Injectable, UnauthorizedException, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { HookApiConfig } from '../config/hook-api.config.js';
import { AdminKey } from './admin-key.js';

/** `Authorization: Bearer <INGEST_API_KEY>`; without a configured key every request is refused. */
@Injectable()
export class IngestKeyGuard implements CanActivate {
  private readonly key: AdminKey;

  constructor(config: HookApiConfig) {
    this.key = new AdminKey(config.ingest.apiKey);
  }

  canActivate(context: ExecutionContext): boolean {
    const { authorization } = context.switchToHttp().getRequest<FastifyRequest>().headers;
    if (!this.key.inBearer(authorization)) throw new UnauthorizedException();
    return true;
  }
}
