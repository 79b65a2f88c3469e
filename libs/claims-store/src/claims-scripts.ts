import type { Redis } from 'ioredis';
import { withScripts } from './redis-scripts.js';

/**
 * Every projection write is one Lua script on one key, so it is atomic and needs no hash tags.
 * Entries are hashes: `v` the subject version the entry reflects, `d` the document, and on name
 * entries `o` the owning subject and `c` the log position at which it claimed the name. A write
 * older than what is stored is a no-op: retried, duplicate or reordered jobs cannot move an entry
 * back in time.
 */
const SCRIPTS = {
  claimsPutSubject: {
    numberOfKeys: 1,
    lua: `
      local stored = tonumber(redis.call('HGET', KEYS[1], 'v') or '0')
      if tonumber(ARGV[1]) <= stored then return 0 end
      redis.call('HSET', KEYS[1], 'v', ARGV[1], 'd', ARGV[2])
      return 1`,
  },
  // The owner refreshes its entry with newer versions; another subject takes the name over only
  // with a later claim, so the outcome does not depend on which subject is projected first.
  claimsPutName: {
    numberOfKeys: 1,
    lua: `
      local stored = redis.call('HMGET', KEYS[1], 'o', 'c', 'v')
      if stored[1] then
        if stored[1] == ARGV[1] then
          if tonumber(ARGV[3]) <= tonumber(stored[3]) then return 0 end
        elseif tonumber(ARGV[2]) <= tonumber(stored[2]) then
          return 0
        end
      end
      redis.call('HSET', KEYS[1], 'o', ARGV[1], 'c', ARGV[2], 'v', ARGV[3], 'd', ARGV[4])
      return 1`,
  },
  claimsReleaseName: {
    numberOfKeys: 1,
    lua: `
      local stored = redis.call('HMGET', KEYS[1], 'o', 'v')
      if stored[1] == ARGV[1] and tonumber(stored[2]) < tonumber(ARGV[2]) then
        return redis.call('DEL', KEYS[1])
      end
      return 0`,
  },
} as const;

export interface ClaimsScripts {
  claimsPutSubject(key: string, version: number, document: string): Promise<number>;
  claimsPutName(key: string, owner: string, claimPosition: string, version: number, document: string): Promise<number>;
  claimsReleaseName(key: string, owner: string, version: number): Promise<number>;
}

export function withClaimsScripts(redis: Redis): Redis & ClaimsScripts {
  return withScripts<ClaimsScripts>(redis, SCRIPTS);
}
