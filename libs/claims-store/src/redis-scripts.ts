import type { Redis } from 'ioredis';

export interface ScriptDefinition {
  numberOfKeys: number;
  lua: string;
}

/** Adds Lua scripts to a client as commands (ioredis runs them by SHA and loads them when missing). */
export function withScripts<Commands>(redis: Redis, scripts: Record<string, ScriptDefinition>): Redis & Commands {
  for (const [name, definition] of Object.entries(scripts)) redis.defineCommand(name, definition);
  return redis as Redis & Commands;
}
