import { answerOktaTokenHook, mappingFor, oktaFailureAnswer, parseOktaTokenHookRequest, type OktaTokenHookRequest } from '@app/domain';
import { Module, type OnModuleInit } from '@nestjs/common';
import { HookApiConfig } from '../../config/hook-api.config.js';
import { HookRoutes } from '../hook-routes.js';
import { HooksModule } from '../hooks.module.js';

/** `POST /hooks/okta/token`: the Okta token inline hook (`com.okta.oauth2.tokens.transform`). */
@Module({ imports: [HooksModule] })
export class OktaTokenHookModule implements OnModuleInit {
  constructor(
    private readonly routes: HookRoutes,
    private readonly config: HookApiConfig,
  ) {}

  onModuleInit(): void {
    const mapping = mappingFor(this.config.hooks.claims, 'okta');
    this.routes.register<OktaTokenHookRequest>({
      path: '/hooks/okta/token',
      credential: this.config.hooks.credentials.okta,
      parse: parseOktaTokenHookRequest,
      lookups: (request) => request.lookups,
      answer: (request, state) => answerOktaTokenHook(request, state, mapping),
      failure: oktaFailureAnswer(this.config.hooks.failureMode),
    });
  }
}
