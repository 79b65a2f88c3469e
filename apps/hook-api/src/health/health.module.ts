import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { HealthController } from './health.controller.js';
import { Readiness } from './readiness.js';

/** Liveness and readiness probes (`@nestjs/terminus`), open to the orchestrator without credentials. */
@Module({ imports: [TerminusModule.forRoot({ logger: false })], providers: [Readiness], controllers: [HealthController], exports: [Readiness] })
export class HealthModule {}
