import type { Redis } from 'ioredis';
import type { ClaimsKeys } from './claims-keys.js';
import { withScripts } from './redis-scripts.js';

/**
 * Where the projection stands, in one Redis hash. Readers use `live`. A rebuild fills `building`;
 * when it is done, `building` becomes `live` and the old live generation `retiring` until it is
 * removed. Projection jobs write every generation named here, so none of them misses an event.
 */
export interface ProjectionState {
  live: string;
  /** Whether `live` holds every subject of the log: a miss then means the subject does not exist. */
  warm: boolean;
  building?: string;
  retiring?: string;
}

/** Every generation projection jobs must keep current. */
export function writtenGenerations(state: ProjectionState): string[] {
  return [...new Set([state.live, state.building, state.retiring].filter((generation): generation is string => generation !== undefined))];
}

const SCRIPTS = {
  // A projection that Redis does not have (first start, or Redis lost its data) starts cold: its
  // first generation is live and being built at once; until it is built, a miss is backfilled.
  projectionInitialize: {
    numberOfKeys: 1,
    lua: `
      if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
      redis.call('HSET', KEYS[1], 'live', ARGV[1], 'building', ARGV[1], 'warm', '0')
      return 1`,
  },
  projectionStartRebuild: {
    numberOfKeys: 1,
    lua: `
      local state = redis.call('HMGET', KEYS[1], 'live', 'building', 'retiring')
      if not state[1] then return {0, false} end
      if state[2] then return {0, state[2]} end
      if state[3] then return {-1, state[3]} end
      redis.call('HSET', KEYS[1], 'building', ARGV[1])
      return {1, ARGV[1]}`,
  },
  projectionCompleteRebuild: {
    numberOfKeys: 1,
    lua: `
      local state = redis.call('HMGET', KEYS[1], 'live', 'building')
      if state[2] ~= ARGV[1] then return 0 end
      if state[1] ~= ARGV[1] then redis.call('HSET', KEYS[1], 'retiring', state[1], 'live', ARGV[1]) end
      redis.call('HSET', KEYS[1], 'warm', '1')
      redis.call('HDEL', KEYS[1], 'building')
      return 1`,
  },
  projectionRetire: {
    numberOfKeys: 1,
    lua: `
      if redis.call('HGET', KEYS[1], 'retiring') ~= ARGV[1] then return 0 end
      return redis.call('HDEL', KEYS[1], 'retiring')`,
  },
} as const;

interface ProjectionScripts {
  projectionInitialize(key: string, generation: string): Promise<number>;
  projectionStartRebuild(key: string, generation: string): Promise<[number, string | null]>;
  projectionCompleteRebuild(key: string, generation: string): Promise<number>;
  projectionRetire(key: string, generation: string): Promise<number>;
}

export type RebuildStart =
  | { started: true; generation: string }
  /** A rebuild is under way already (that one is named), or the projection was never initialized. */
  | { started: false; generation?: string; reason: 'rebuilding' | 'retiring' | 'uninitialized' };

/** Reads and moves the projection's state; every move is one atomic script. */
export class ProjectionStateStore {
  private readonly redis: Redis & ProjectionScripts;
  private readonly key: string;

  constructor(redis: Redis, keys: ClaimsKeys) {
    this.redis = withScripts<ProjectionScripts>(redis, SCRIPTS);
    this.key = keys.projectionState();
  }

  /** `null` when Redis holds no projection at all. */
  async read(): Promise<ProjectionState | null> {
    const stored = await this.redis.hgetall(this.key);
    if (stored['live'] === undefined) return null;
    return {
      live: stored['live'],
      warm: stored['warm'] === '1',
      ...(stored['building'] && { building: stored['building'] }),
      ...(stored['retiring'] && { retiring: stored['retiring'] }),
    };
  }

  /** Creates a cold projection in `generation` unless one exists; tells whether it did. */
  async initialize(generation: string): Promise<boolean> {
    return (await this.redis.projectionInitialize(this.key, generation)) === 1;
  }

  async startRebuild(generation: string): Promise<RebuildStart> {
    const [started, named] = await this.redis.projectionStartRebuild(this.key, generation);
    if (started === 1) return { started: true, generation };
    if (started === -1) return { started: false, generation: named!, reason: 'retiring' };
    return named === null ? { started: false, reason: 'uninitialized' } : { started: false, generation: named, reason: 'rebuilding' };
  }

  /** Makes a fully built generation live (and warm); false when it is no longer the one being built. */
  async completeRebuild(generation: string): Promise<boolean> {
    return (await this.redis.projectionCompleteRebuild(this.key, generation)) === 1;
  }

  /** Stops naming a generation readers have left, so that no job writes it any more. */
  async retire(generation: string): Promise<void> {
    await this.redis.projectionRetire(this.key, generation);
  }
}
