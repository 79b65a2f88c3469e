import { DeliveryAnswers } from '@app/claims-store';
import { isDeleted, type HookAnswer, type Parsed, type SubjectLookup, type SubjectState } from '@app/domain';
import { Injectable, Logger } from '@nestjs/common';
import type { IncomingHttpHeaders } from 'node:http';
import { credentialCheck, type ProviderCredential } from '../auth/credential.js';
import { HookApiConfig } from '../config/hook-api.config.js';
import { HookMetrics, type HookOutcome } from '../metrics/hook-metrics.js';
import { SubjectFinder } from '../projection/subject-finder.js';
import { within } from '../within.js';
import { HookServer, type HookReply } from './hook-server.js';

/** What a provider's hook route needs to know; the request path around it is the same for all. */
export interface HookEndpoint<Request> {
  path: string;
  /** Absent when the provider is not configured: the route then refuses every call. */
  credential: ProviderCredential | undefined;
  parse(body: unknown): Parsed<Request>;
  /** No lookup at all (an identity not created yet) means an unknown subject, with no Redis read. */
  lookups(request: Request): readonly SubjectLookup[];
  /**
   * The provider's id of the delivery, the same on each retry of it, when it sends one: a retry then
   * gets the answer the first attempt got.
   */
  deliveryId?(headers: IncomingHttpHeaders): string | undefined;
  /** `state` is the subject's document, its tombstone when it was erased, or `null` when unknown. */
  answer(request: Request, state: SubjectState | null): HookAnswer;
  /** The configured fail-open or fail-closed answer, when Redis cannot answer within the deadline. */
  failure: HookAnswer;
}

const WARNING_INTERVAL_MS = 10_000;

type OutcomeOf<T> = { answer: T; outcome: HookOutcome };

/** An erased subject counts as not found: nothing of it is left to answer with. */
function outcomeOf(state: SubjectState | null): HookOutcome {
  if (state === null || isDeleted(state)) return 'not_found';
  return state.status === 'deactivated' ? 'denied' : 'found';
}

/**
 * Registers hook routes on the hooks' own server rather than as Nest controllers: these are the hot
 * path (see `HookServer`). Each call is authenticated before its body is read, answered
 * from one Redis read per lookup (or the near cache), and always answered within the deadline.
 */
@Injectable()
export class HookRoutes {
  private readonly logger = new Logger(HookRoutes.name);
  private lastWarningAt = 0;

  constructor(
    private readonly server: HookServer,
    private readonly subjects: SubjectFinder,
    private readonly deliveries: DeliveryAnswers,
    private readonly metrics: HookMetrics,
    private readonly config: HookApiConfig,
  ) {}

  register<Request>(endpoint: HookEndpoint<Request>): void {
    this.server.post({
      path: endpoint.path,
      isAuthorized: credentialCheck(endpoint.credential),
      // Not `async`: a call the near cache can answer is answered without a promise or a timer.
      handle: (body, headers, requestId) => {
        const startedAt = performance.now();
        const parsed = endpoint.parse(body);
        if (!parsed.ok) {
          this.metrics.observeHook(endpoint.path, 'malformed', startedAt);
          return { status: 400, body: { statusCode: 400, error: 'Bad Request', message: 'the hook request is malformed', errors: parsed.errors } };
        }
        const reply = ({ answer, outcome }: OutcomeOf<HookAnswer>): HookReply => {
          this.metrics.observeHook(endpoint.path, outcome, startedAt);
          return answer;
        };
        const lookups = endpoint.lookups(parsed.value);
        const deliveryId = endpoint.deliveryId?.(headers);
        const kept = deliveryId === undefined ? this.answerFromKept(endpoint, parsed.value, lookups, requestId) : undefined;
        return kept === undefined ? this.answer(endpoint, parsed.value, lookups, deliveryId, requestId).then(reply) : reply(kept);
      },
    });
  }

  private async answer<Request>(
    endpoint: HookEndpoint<Request>,
    request: Request,
    lookups: readonly SubjectLookup[],
    deliveryId: string | undefined,
    requestId: string,
  ): Promise<OutcomeOf<HookAnswer>> {
    const { deadlineMs } = this.config.hooks;
    const deadlineAt = Date.now() + deadlineMs;
    // Without a lookup the answer needs no Redis: nothing to remember for a retry either.
    const answering =
      deliveryId === undefined || lookups.length === 0
        ? this.answerFromProjection(endpoint, request, lookups, deadlineAt)
        : this.answerDelivery(endpoint, request, lookups, deliveryId, deadlineAt);
    try {
      return await within(deadlineMs, 'Redis', answering);
    } catch (error) {
      return this.failure(endpoint, error, requestId);
    }
  }

  private failure<Request>(endpoint: HookEndpoint<Request>, error: unknown, requestId: string): OutcomeOf<HookAnswer> {
    this.warnAtMostEvery(WARNING_INTERVAL_MS, { requestId, msg: `${endpoint.path} answered with the failure mode: ${(error as Error).message}` });
    return { answer: endpoint.failure, outcome: `fail_${this.config.hooks.failureMode}` };
  }

  /**
   * The answer, when the near cache holds the subject's document: neither Redis nor the deadline is
   * involved. What fails here fails as on the way through Redis: with the configured failure mode.
   */
  private answerFromKept<Request>(
    endpoint: HookEndpoint<Request>,
    request: Request,
    lookups: readonly SubjectLookup[],
    requestId: string,
  ): OutcomeOf<HookAnswer> | undefined {
    try {
      const state = this.subjects.findKept(lookups);
      return state === undefined ? undefined : { answer: endpoint.answer(request, state), outcome: outcomeOf(state) };
    } catch (error) {
      return this.failure(endpoint, error, requestId);
    }
  }

  private async answerFromProjection<Request>(
    endpoint: HookEndpoint<Request>,
    request: Request,
    lookups: readonly SubjectLookup[],
    deadlineAt: number,
  ): Promise<OutcomeOf<HookAnswer>> {
    const state = lookups.length === 0 ? null : await this.subjects.find(lookups, deadlineAt);
    return { answer: endpoint.answer(request, state), outcome: outcomeOf(state) };
  }

  /**
   * A retry is the same delivery asking about the same subject: the answer is kept under both, so a
   * reused or forged delivery id never replays another subject's answer. A failure answer is not
   * remembered: a retry may find Redis answering again.
   */
  private async answerDelivery<Request>(
    endpoint: HookEndpoint<Request>,
    request: Request,
    lookups: readonly SubjectLookup[],
    deliveryId: string,
    deadlineAt: number,
  ): Promise<OutcomeOf<HookAnswer>> {
    const delivery = { route: endpoint.path, id: deliveryId, lookups };
    const given = await this.deliveries.given(delivery);
    if (given !== null) return { answer: given, outcome: 'replayed' };
    const answered = await this.answerFromProjection(endpoint, request, lookups, deadlineAt);
    await this.deliveries.remember(delivery, answered.answer);
    return answered;
  }

  /** During an outage every call fails the same way; one line per interval says so. */
  private warnAtMostEvery(intervalMs: number, message: { requestId: string; msg: string }): void {
    const now = Date.now();
    if (now - this.lastWarningAt < intervalMs) return;
    this.lastWarningAt = now;
    this.logger.warn(message);
  }
}
