import { parseOktaEventDelivery, type FieldError } from '@app/domain';
import { EventIngestion } from '@app/event-store';
import { BadRequestException, Body, Controller, Get, Headers, HttpCode, Logger, Post, UseFilters, UseGuards } from '@nestjs/common';
import { BodilessUnauthorizedFilter } from '../auth/bodiless-unauthorized.filter.js';
import { appendFailure } from '../ingest/append-failure.js';
import { HookMetrics } from '../metrics/hook-metrics.js';
import { OktaEventHookGuard } from './okta-event-hook.guard.js';

const CHALLENGE_HEADER = 'x-okta-verification-challenge';

/**
 * Okta event hooks, as a producer. `GET` answers the one-time verification; `POST` stores a
 * delivery's events in one transaction and answers 200 with an empty body once they are committed,
 * so an acknowledged delivery is never lost. A redelivered event (same `uuid`) is stored once; an
 * event that cannot be read is left out with a warning naming its fields, and the others are stored.
 * 400 for a body that is not a delivery, 503 when Postgres is unreachable (Okta retries once).
 */
@Controller('events/okta')
@UseGuards(OktaEventHookGuard)
@UseFilters(BodilessUnauthorizedFilter)
export class OktaEventHookController {
  private readonly logger = new Logger(OktaEventHookController.name);

  constructor(
    private readonly ingestion: EventIngestion,
    private readonly metrics: HookMetrics,
  ) {}

  @Get()
  verify(@Headers(CHALLENGE_HEADER) challenge: string | undefined): { verification: string } {
    if (!challenge) {
      throw new BadRequestException({
        statusCode: 400,
        error: 'Bad Request',
        message: 'the verification request is malformed',
        errors: [{ field: 'X-Okta-Verification-Challenge', reason: 'header is required' }],
      });
    }
    return { verification: challenge };
  }

  @Post()
  @HttpCode(200)
  async deliver(@Body() body: unknown): Promise<void> {
    const delivery = parseOktaEventDelivery(body);
    if (!delivery.ok) {
      this.logger.warn(`refused an Okta event hook delivery (nothing stored): ${describe(delivery.errors)}`);
      throw new BadRequestException({ statusCode: 400, error: 'Bad Request', message: 'the Okta event hook delivery is malformed; nothing was stored', errors: delivery.errors });
    }
    const { events, skipped, refused } = delivery.value;
    // Okta does not redeliver what it was answered, so what cannot be read is said here, loudly.
    if (refused.length > 0) this.logger.warn(`left out the Okta events that cannot be read, and stored the others: ${describe(refused)}`);
    try {
      const result = await this.ingestion.ingestEvents(events);
      this.metrics.countIngested('/events/okta', result);
      this.logger.debug(`Okta delivery: ${result.appended} event(s) stored, ${result.duplicates} stored before, ${skipped} about no user skipped`);
    } catch (error) {
      throw appendFailure(error, this.logger);
    }
  }
}

/** Field paths and reasons only: they hold no value of the delivery. */
function describe(errors: readonly FieldError[]): string {
  return errors.map((error) => `${error.field || '(body)'} ${error.reason}`).join('; ');
}
