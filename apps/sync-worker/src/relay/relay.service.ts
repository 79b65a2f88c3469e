import { EventStore, RELAYED_CHECKPOINT, RelayCheckpoints, type LogPosition } from '@app/event-store';
import { PROJECTION_QUEUE, projectionJobId, type ProjectionJobData } from '@app/jobs';
import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { Queue } from 'bullmq';
import { SyncWorkerConfig } from '../config/sync-worker.config.js';
import { LogListener } from './log-listener.js';
import { Wakeup } from './wakeup.js';

/** How soon to look again when an older transaction still holds newer events back. */
const HELD_BACK_RETRY_MS = 20;
const STANDBY_RETRY_MS = 5_000;
const ERROR_RETRY_MS = 1_000;

/**
 * Moves the log into the projection queue: reads new events in commit order from its checkpoint,
 * adds one job per batch, then stores the checkpoint. A crash between the two re-relays the batch
 * (at-least-once; the projection is idempotent), and a relay that was down resumes where it stopped.
 * Notifications make it prompt; polling makes it correct when one is lost.
 */
@Injectable()
export class RelayService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(RelayService.name);
  private readonly wakeup = new Wakeup();
  private readonly listener: LogListener;
  private running?: Promise<void>;
  private stopping = false;

  constructor(
    private readonly config: SyncWorkerConfig,
    private readonly store: EventStore,
    private readonly checkpoints: RelayCheckpoints,
    @InjectQueue(PROJECTION_QUEUE) private readonly queue: Queue<ProjectionJobData>,
  ) {
    this.listener = new LogListener(config.postgres, () => this.wakeup.signal());
  }

  onApplicationBootstrap(): void {
    this.running = this.run();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopping = true;
    this.wakeup.signal();
    await this.running;
    await this.listener.close();
  }

  private async run(): Promise<void> {
    const { batchSize, pollIntervalMs } = this.config.relay;
    await this.listener.start();
    let checkpoint: LogPosition | undefined;
    while (!this.stopping) {
      try {
        if (!(await this.listener.lead())) {
          checkpoint = undefined;
          await this.wakeup.wait(STANDBY_RETRY_MS);
          continue;
        }
        checkpoint ??= await this.checkpoints.load(RELAYED_CHECKPOINT);
        const batch = await this.store.readAfter(checkpoint, batchSize);
        if (batch.last) {
          const range = { from: checkpoint, to: batch.last };
          await this.queue.add('project', range, { jobId: projectionJobId(range) });
          await this.checkpoints.save(RELAYED_CHECKPOINT, batch.last);
          checkpoint = batch.last;
          if (batch.count === batchSize) continue;
        }
        await this.wakeup.wait(batch.heldBack ? Math.min(HELD_BACK_RETRY_MS, pollIntervalMs) : pollIntervalMs);
      } catch (error) {
        this.logger.warn(`relay paused: ${(error as Error).message}`);
        checkpoint = undefined;
        await this.wakeup.wait(ERROR_RETRY_MS);
      }
    }
  }
}
