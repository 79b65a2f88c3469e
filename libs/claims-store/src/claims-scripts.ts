import type { Redis } from 'ioredis';
import { withScripts } from './redis-scripts.js';

/**
 * Every projection write is one Lua script on one key, so it is atomic and needs no hash tags.
 * Entries are hashes: `v` the subject version the entry reflects, `d` the document, and on name
 * entries `o` the owning subject and `c` the log position at which it claimed the name. A write
 * older than what is stored is a no-op: retried, duplicate or reordered jobs cannot move an entry
 * back in time.
 *
 * A name entry also keeps, for each subject that gave the name up, the version at which it did
 * (`x:<h(subject)>`, see `ClaimsKeys.releaseMark`). Deleting the entry would forget it: a fold that
 * read the subject before it gave the name up (a rebuild's chunk, a second worker) could then write
 * the name back, with the old document, after the release, and it would stay there. An entry that no
 * subject holds any more keeps only those marks, and expires after `RELEASED_NAME_TTL_MS`.
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
  // with a later claim, so the outcome does not depend on which subject is projected first. A name
  // nobody holds goes to any subject that did not give it up since.
  claimsPutName: {
    numberOfKeys: 1,
    lua: `
      local stored = redis.call('HMGET', KEYS[1], 'o', 'c', 'v', ARGV[2])
      local version = tonumber(ARGV[4])
      if stored[4] and version <= tonumber(stored[4]) then return 0 end
      if stored[1] then
        if stored[1] == ARGV[1] then
          if version <= tonumber(stored[3]) then return 0 end
        elseif tonumber(ARGV[3]) <= tonumber(stored[2]) then
          return 0
        end
      end
      redis.call('HSET', KEYS[1], 'o', ARGV[1], 'c', ARGV[3], 'v', ARGV[4], 'd', ARGV[5])
      redis.call('HDEL', KEYS[1], ARGV[2])
      redis.call('PERSIST', KEYS[1])
      return 1`,
  },
  claimsReleaseName: {
    numberOfKeys: 1,
    lua: `
      local stored = redis.call('HMGET', KEYS[1], 'o', 'v', ARGV[2])
      local version = tonumber(ARGV[3])
      if stored[3] and version <= tonumber(stored[3]) then return 0 end
      redis.call('HSET', KEYS[1], ARGV[2], ARGV[3])
      if stored[1] == ARGV[1] and tonumber(stored[2]) < version then
        redis.call('HDEL', KEYS[1], 'o', 'c', 'v', 'd')
      end
      if redis.call('HEXISTS', KEYS[1], 'o') == 0 then redis.call('PEXPIRE', KEYS[1], ARGV[4]) end
      return 1`,
  },
} as const;

/**
 * How long a name that no subject holds keeps the marks of those that gave it up: far longer than
 * a fold can take between reading a stream and writing what it folded (seconds; a job whose worker
 * stalls is taken over after BullMQ's 30 s lock), short enough that an erased subject's marks go soon.
 */
export const RELEASED_NAME_TTL_MS = 3_600_000;

export interface ClaimsScripts {
  claimsPutSubject(key: string, version: number, document: string): Promise<number>;
  claimsPutName(key: string, owner: string, releaseMark: string, claimPosition: string, version: number, document: string): Promise<number>;
  claimsReleaseName(key: string, owner: string, releaseMark: string, version: number, ttlMs: number): Promise<number>;
}

export function withClaimsScripts(redis: Redis): Redis & ClaimsScripts {
  return withScripts<ClaimsScripts>(redis, SCRIPTS);
}
