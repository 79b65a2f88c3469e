import {
  answerAuth0Hook,
  auth0FailureAnswer,
  mappingFor,
  parseAuth0CredentialsExchangeRequest,
  parseAuth0PostLoginRequest,
  type Auth0HookRequest,
  type Auth0Trigger,
  type Parsed,
} from '@app/domain';
import { Module, type OnModuleInit } from '@nestjs/common';
import { HookApiConfig } from '../../config/hook-api.config.js';
import { HookRoutes } from '../hook-routes.js';
import { HooksModule } from '../hooks.module.js';

const PARSERS: Record<Auth0Trigger, (body: unknown) => Parsed<Auth0HookRequest>> = {
  'credentials-exchange': parseAuth0CredentialsExchangeRequest,
  'post-login': parseAuth0PostLoginRequest,
};

/**
 * `POST /hooks/auth0/credentials-exchange` and `POST /hooks/auth0/post-login`, called by the Actions
 * of `examples/auth0` on those triggers.
 */
@Module({ imports: [HooksModule] })
export class Auth0HooksModule implements OnModuleInit {
  constructor(
    private readonly routes: HookRoutes,
    private readonly config: HookApiConfig,
  ) {}

  onModuleInit(): void {
    const { credentials, claims, failureMode, auth0LookupVerifiedEmail } = this.config.hooks;
    const mapping = mappingFor(claims, 'auth0');
    // Boot refuses Auth0's credential without a namespace, and without the credential no call is answered.
    const namespace = this.config.hooks.auth0ClaimNamespace ?? '';
    for (const trigger of Object.keys(PARSERS) as Auth0Trigger[]) {
      this.routes.register<Auth0HookRequest>({
        path: `/hooks/auth0/${trigger}`,
        credential: credentials.auth0,
        parse: PARSERS[trigger],
        lookups: (request) => (auth0LookupVerifiedEmail ? request.lookups : request.lookups.filter((lookup) => lookup.by === 'subject')),
        answer: (request, state) => answerAuth0Hook(request, state, mapping, namespace),
        failure: auth0FailureAnswer(failureMode, trigger),
      });
    }
  }
}
