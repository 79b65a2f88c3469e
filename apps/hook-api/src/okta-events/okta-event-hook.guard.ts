import { Injectable, UnauthorizedException, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { IncomingHttpHeaders } from 'node:http';
import { credentialCheck } from '../auth/credential.js';
import { HookApiConfig } from '../config/hook-api.config.js';

/** Okta's credential (`OKTA_HOOK_AUTH_*`, the token inline hook's too), compared in constant time; without one every call is refused. */
@Injectable()
export class OktaEventHookGuard implements CanActivate {
  private readonly isAuthorized: (headers: IncomingHttpHeaders) => boolean;

  constructor(config: HookApiConfig) {
    this.isAuthorized = credentialCheck(config.hooks.credentials.okta);
  }

  canActivate(context: ExecutionContext): boolean {
    if (!this.isAuthorized(context.switchToHttp().getRequest<FastifyRequest>().headers)) throw new UnauthorizedException();
    return true;
  }
}
