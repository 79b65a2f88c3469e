import { ProjectionStateStore } from '@app/claims-store';
import { rebuildStatus, requestRebuild, type RebuildStatus } from '@app/jobs';
import { ConflictException, Controller, Get, Post, Res, ServiceUnavailableException, UseGuards } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { IngestKeyGuard } from '../auth/ingest-key.guard.js';
import { RebuildQueue } from './rebuild-queue.js';

/**
 * `POST /admin/rebuild` starts a rebuild of the projection from the log (202), or answers the one
 * under way (200); `GET /admin/rebuild` tells where the projection and its rebuild stand.
 */
@Controller('admin/rebuild')
@UseGuards(IngestKeyGuard)
export class RebuildController {
  constructor(
    private readonly state: ProjectionStateStore,
    private readonly queue: RebuildQueue,
  ) {}

  @Post()
  async start(@Res({ passthrough: true }) reply: FastifyReply): Promise<RebuildStatus & { started: boolean }> {
    const { start, status } = await this.queue.use(async (queue) => {
      const start = await requestRebuild(this.state, queue);
      return { start, status: start.generation === undefined ? undefined : await rebuildStatus(queue, start.generation) };
    });
    if (!start.started && start.reason === 'uninitialized') throw new ServiceUnavailableException('no projection yet: start a sync-worker, it creates one');
    if (!start.started && start.reason === 'retiring') {
      throw new ConflictException(`the generation the last rebuild replaced (${start.generation}) is still being removed; try again in a minute`);
    }
    reply.status(start.started ? 202 : 200);
    return { started: start.started, ...status! };
  }

  @Get()
  async status(): Promise<{ live: string | null; warm: boolean; rebuild: RebuildStatus | null }> {
    const state = await this.state.read();
    if (state === null) return { live: null, warm: false, rebuild: null };
    const building = state.building;
    return { live: state.live, warm: state.warm, rebuild: building ? await this.queue.use((queue) => rebuildStatus(queue, building)) : null };
  }
}
