import { newGeneration, ProjectionStateStore } from '@app/claims-store';
import { PROJECTION_QUEUE, REBUILD_JOB_OPTIONS, REBUILD_QUEUE, rebuildJobId, type ProjectionJobData, type RebuildJobData } from '@app/jobs';
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
      const state = await this.state.read();
      if (state === null) return await this.startCold();
      if (state.building) await this.enqueueRebuild(state.building);
      if (state.retiring) await this.rebuilds.scheduleRetirement(state.retiring);
    } catch (error) {
      this.logger.warn(`cannot check the projection: ${(error as Error).message}`);
    }
  }

  private async startCold(): Promise<void> {
    const generation = newGeneration();
    if (!(await this.state.initialize(generation))) return;
    this.logger.warn(`Redis holds no projection: rebuilding it from the log into ${generation}; meanwhile hooks have what they miss backfilled`);
    // The queue's settings went with the rest of Redis.
    await this.projectionQueue.setGlobalConcurrency(1);
    await this.enqueueRebuild(generation);
  }

  private async enqueueRebuild(generation: string): Promise<void> {
    await this.rebuildQueue.add('rebuild', { generation }, { ...REBUILD_JOB_OPTIONS, jobId: rebuildJobId(generation) });
  }
}
