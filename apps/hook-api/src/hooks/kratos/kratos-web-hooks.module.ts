import {
  answerKratosLoginHook,
  answerKratosPrePersistHook,
  kratosFailureAnswer,
  mappingFor,
  parseKratosWebHookRequest,
  type KratosWebHookRequest,
} from '@app/domain';
import { Module, type OnModuleInit } from '@nestjs/common';
import type { IncomingHttpHeaders } from 'node:http';
import { HookApiConfig } from '../../config/hook-api.config.js';
import { HookRoutes } from '../hook-routes.js';
import { HooksModule } from '../hooks.module.js';

/** One id per logical delivery, the same on each of Kratos' retries (Go sends it as `Ory-Webhook-Trigger-Id`). */
function triggerId(headers: IncomingHttpHeaders): string | undefined {
  const value = headers['ory-webhook-trigger-id'];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/**
 * Ory Kratos `web_hook` actions whose body is `KRATOS_BODY_TEMPLATE` (see `examples/kratos`):
 * `POST /hooks/kratos/registration` and `/hooks/kratos/settings` for after-hooks with
 * `response.parse: true`, which get the identity's public metadata with our claims, and
 * `POST /hooks/kratos/login` for an after-login hook with `can_interrupt: true`.
 */
@Module({ imports: [HooksModule] })
export class KratosWebHooksModule implements OnModuleInit {
  constructor(
    private readonly routes: HookRoutes,
    private readonly config: HookApiConfig,
  ) {}

  onModuleInit(): void {
    const mapping = mappingFor(this.config.hooks.claims, 'kratos');
    const route = {
      credential: this.config.hooks.credentials.kratos,
      parse: parseKratosWebHookRequest,
      lookups: (request: KratosWebHookRequest) => request.lookups,
      deliveryId: triggerId,
      failure: kratosFailureAnswer(this.config.hooks.failureMode),
    };
    for (const flow of ['registration', 'settings']) {
      this.routes.register<KratosWebHookRequest>({
        ...route,
        path: `/hooks/kratos/${flow}`,
        answer: (request, state) => answerKratosPrePersistHook(request, state, mapping),
      });
    }
    this.routes.register<KratosWebHookRequest>({ ...route, path: '/hooks/kratos/login', answer: (_request, state) => answerKratosLoginHook(state) });
  }
}
