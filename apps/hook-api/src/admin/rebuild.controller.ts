import { ProjectionStateStore } from '@app/claims-store';
import { rebuildStatus, requestRebuild, type RebuildStatus } from '@app/jobs';
import { ConflictException, Controller, Get, Post, Res, ServiceUnavailableException, UseGuards } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBearerAuth,
  ApiConflictResponse,
  ApiOkResponse,
  ApiOperation,
  ApiServiceUnavailableResponse,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { IngestKeyGuard } from '../auth/ingest-key.guard.js';
import { INGEST_KEY_AUTH } from '../openapi/openapi.js';
import { PROJECTION_STATUS, REBUILD_STARTED } from '../openapi/schemas.js';
import { RebuildQueue } from './rebuild-queue.js';

/**
 * `POST /admin/rebuild` starts a rebuild of the projection from the log (202), or answers the one
 * under way (200); `GET /admin/rebuild` tells where the projection and its rebuild stand.
 */
@ApiTags('admin')
@ApiBearerAuth(INGEST_KEY_AUTH)
@ApiUnauthorizedResponse({ description: 'No or a wrong INGEST_API_KEY' })
@Controller('admin/rebuild')
@UseGuards(IngestKeyGuard)
export class RebuildController {
  constructor(
    private readonly state: ProjectionStateStore,
    private readonly queue: RebuildQueue,
  ) {}

  @Post()
  @ApiOperation({ summary: 'Rebuild the projection from the log into a new generation, then switch readers to it' })
  @ApiAcceptedResponse({ schema: REBUILD_STARTED, description: 'Started' })
  @ApiOkResponse({ schema: REBUILD_STARTED, description: 'A rebuild is under way already: this is it' })
  @ApiConflictResponse({ description: 'The generation the last rebuild replaced is still being removed' })
  @ApiServiceUnavailableResponse({ description: 'No projection yet: a starting sync-worker creates one' })
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
  @ApiOperation({ summary: 'Where the projection and its rebuild stand' })
  @ApiOkResponse({ schema: PROJECTION_STATUS })
  async status(): Promise<{ live: string | null; warm: boolean; rebuild: RebuildStatus | null }> {
    const state = await this.state.read();
    if (state === null) return { live: null, warm: false, rebuild: null };
    const building = state.building;
    return { live: state.live, warm: state.warm, rebuild: building ? await this.queue.use((queue) => rebuildStatus(queue, building)) : null };
  }
}
