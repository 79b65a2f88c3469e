import { Controller, Get, ServiceUnavailableException } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, type HealthCheckResult } from '@nestjs/terminus';
import { Readiness } from './readiness.js';

/**
 * `GET /healthz`: the process answers (liveness; restart it when this fails). `GET /readyz`: the
 * hooks can answer (Redis and a live projection), with the projection's lag and Postgres reported
 * beside them; 503 when the hooks cannot answer.
 */
@ApiTags('operations')
@Controller()
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly readiness: Readiness,
  ) {}

  @Get('healthz')
  @ApiOperation({ summary: 'Liveness: the process answers' })
  @HealthCheck()
  alive(): Promise<HealthCheckResult> {
    return this.health.check([]);
  }

  @Get('readyz')
  @ApiOperation({ summary: 'Readiness: the hooks can answer (Redis and a live projection); with the lag, and Postgres reported' })
  @HealthCheck()
  async ready(): Promise<HealthCheckResult> {
    // One read of Postgres per probe, beside the Redis checks rather than before them.
    const lag = this.readiness.lagOrFailure();
    const required = await this.health.check([() => this.readiness.redisReachable(), () => this.readiness.projectionServing(lag)]).catch((error: unknown) => error);
    const postgres = this.readiness.postgresReachable(await lag);
    if (required instanceof ServiceUnavailableException) {
      throw new ServiceUnavailableException(withReported(required.getResponse() as HealthCheckResult, postgres));
    }
    if (required instanceof Error) throw required;
    return withReported(required as HealthCheckResult, postgres);
  }
}

/** Adds a reported (not required) indicator to a result without changing its status. */
function withReported(result: HealthCheckResult, reported: Record<string, { status: string }>): HealthCheckResult {
  const [name, detail] = Object.entries(reported)[0]!;
  const bucket = detail.status === 'up' ? 'info' : 'error';
  return { ...result, [bucket]: { ...result[bucket], [name]: detail }, details: { ...result.details, [name]: detail } } as HealthCheckResult;
}
