import { ProjectionStateStore, type ProjectionState } from '@app/claims-store';
import { Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';

/**
 * How often the hooks look at which generation is live. A switch reaches them within this time;
 * the generation they leave is kept current for far longer (see the rebuild), so none of them
 * ever reads a half-built or stale projection.
 */
export const STATE_REFRESH_MS = 250;

/**
 * The projection state as the hooks see it, read from Redis in the background so that a hook call
 * costs one read of the document and nothing else. While Redis is unreachable it keeps the last
 * state it read.
 */
@Injectable()
export class LiveProjection implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(LiveProjection.name);
  private state: ProjectionState | null = null;
  private timer?: NodeJS.Timeout;

  constructor(private readonly store: ProjectionStateStore) {}

  /** `null` until Redis holds a projection (the sync-worker creates it). */
  get current(): ProjectionState | null {
    return this.state;
  }

  async onModuleInit(): Promise<void> {
    await this.refreshInBackground();
    this.timer = setInterval(() => void this.refreshInBackground(), STATE_REFRESH_MS);
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  /** Reads the state now (a hook that is about to trust a miss does); throws when Redis cannot answer. */
  async refresh(): Promise<ProjectionState | null> {
    const state = await this.store.read();
    if (state?.live !== this.state?.live) this.logger.log(state ? `reading generation ${state.live}` : 'Redis holds no projection');
    this.state = state;
    return state;
  }

  private async refreshInBackground(): Promise<void> {
    try {
      await this.refresh();
    } catch {
      // Unreachable Redis is reported by its client; the hooks answer with the failure mode meanwhile.
    }
  }
}
