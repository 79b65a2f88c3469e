import { answerHydraTokenHook, hydraFailureAnswer, mappingFor, parseHydraTokenHookRequest, type HydraTokenHookRequest } from '@app/domain';
import { Module, type OnModuleInit } from '@nestjs/common';
import { HookApiConfig } from '../../config/hook-api.config.js';
import { HookRoutes } from '../hook-routes.js';
import { HooksModule } from '../hooks.module.js';

/**
 * `POST /hooks/hydra/token` (Hydra's `oauth2.token_hook`, every grant) and `POST /hooks/hydra/refresh`
 * (the legacy `oauth2.refresh_token_hook`). Both bodies carry the session, and Hydra reads both
 * answers the same way, so one parser and one answer serve both routes.
 */
@Module({ imports: [HooksModule] })
export class HydraTokenHookModule implements OnModuleInit {
  constructor(
    private readonly routes: HookRoutes,
    private readonly config: HookApiConfig,
  ) {}

  onModuleInit(): void {
    const mapping = mappingFor(this.config.hooks.claims, 'hydra');
    for (const path of ['/hooks/hydra/token', '/hooks/hydra/refresh']) {
      this.routes.register<HydraTokenHookRequest>({
        path,
        credential: this.config.hooks.credentials.hydra,
        parse: parseHydraTokenHookRequest,
        lookups: (request) => [{ by: 'subject', value: request.subject }],
        answer: (request, state) => answerHydraTokenHook(request, state, mapping),
        failure: hydraFailureAnswer(this.config.hooks.failureMode),
      });
    }
  }
}
