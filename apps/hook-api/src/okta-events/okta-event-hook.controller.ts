import { parseOktaEventDelivery, type FieldError } from '@app/domain';
import { EventIngestion } from '@app/event-store';
import { BadRequestException, Body, Controller, Get, Headers, HttpCode, Logger, Post, UseFilters, UseGuards } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBody,
  ApiHeader,
  ApiOkResponse,
  ApiOperation,
  ApiSecurity,
  ApiServiceUnavailableResponse,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { BodilessUnauthorizedFilter } from '../auth/bodiless-unauthorized.filter.js';
import { appendFailure } from '../ingest/append-failure.js';
import { OKTA_AUTH } from '../openapi/openapi.js';
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
@ApiTags('ingest')
@ApiSecurity(OKTA_AUTH)
@ApiUnauthorizedResponse({ description: 'No or a wrong Okta credential (no body)' })
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
  @ApiOperation({ summary: "Answer Okta's one-time event hook verification" })
  @ApiHeader({ name: CHALLENGE_HEADER, required: true })
  @ApiOkResponse({ schema: { type: 'object', properties: { verification: { type: 'string' } } } })
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
  @ApiOperation({ summary: "Store an Okta event hook delivery's events (user lifecycle mapped, others kept with ids only)" })
  @ApiBody({ schema: { type: 'object', required: ['data'], properties: { data: { type: 'object', properties: { events: { type: 'array', items: { type: 'object' } } } } } } })
  @ApiOkResponse({ description: 'Stored (empty body); events that cannot be read are left out and logged' })
  @ApiBadRequestResponse({ description: 'Not an Okta event hook delivery' })
  @ApiServiceUnavailableResponse({ description: 'Postgres is unreachable; nothing was stored (Okta retries once)' })
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
