import { newGeneration, ProjectionStateStore } from '@app/claims-store';
import { enqueueRebuild, PROJECTION_QUEUE, REBUILD_QUEUE, type ProjectionJobData, type RebuildJobData } from '@app/jobs';
import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { Queue } from 'bullmq';
import { RebuildService } from './rebuild.service.js';

/** How often the guard looks at Redis: how soon a Redis that lost its data starts healing. */
export const GUARD_INTERVAL_MS = 1_000;

/**
 * Keeps a projection in Redis whatever happens to Redis. When Redis holds none (first start, a
 * restart without persistence, FLUSHALL, failover to an empty replica) it creates a cold one and
 * rebuilds it from the log; when a rebuild or a retirement is recorded but its job is gone, it
 * enqueues the job again (its id makes that a no-op when the job is there).
 */
@Injectable()
export class ProjectionGuard implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(ProjectionGuard.name);
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly state: ProjectionStateStore,
    private readonly rebuilds: RebuildService,
    @InjectQueue(PROJECTION_QUEUE) private readonly projectionQueue: Queue<ProjectionJobData>,
    @InjectQueue(REBUILD_QUEUE) private readonly rebuildQueue: Queue<RebuildJobData>,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.check();
    this.timer = setInterval(() => void this.check(), GUARD_INTERVAL_MS);
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  async check(): Promise<void> {
    try {
      // One job at a time across every worker process: a subject is then never folded by two jobs
      // at once, so a job cannot write a state computed before a concurrent erasure of the subject.
      // Redis may have lost the queue's settings with the rest; setting it again is one cheap write.
      await this.projectionQueue.setGlobalConcurrency(1);
      const state = await this.state.read();
      if (state === null) return await this.startCold();
      if (state.building) await enqueueRebuild(this.rebuildQueue, state.building);
      if (state.retiring) await this.rebuilds.scheduleRetirement(state.retiring);
    } catch (error) {
      this.logger.warn(`cannot check the projection: ${(error as Error).message}`);
    }
  }

  private async startCold(): Promise<void> {
    const generation = newGeneration();
    if (!(await this.state.initialize(generation))) return;
    this.logger.warn(`Redis holds no projection: rebuilding it from the log into ${generation}; meanwhile hooks have what they miss backfilled`);
    await enqueueRebuild(this.rebuildQueue, generation);
  }
}
