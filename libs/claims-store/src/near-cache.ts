import { Logger, type OnApplicationShutdown } from '@nestjs/common';
import type { Redis } from 'ioredis';

/** Where a claims document is read from: Redis itself, or the near cache in front of it. */
export interface ClaimsDocuments {
  /** The `d` field of the entry at `key`, `null` when there is none. */
  document(key: string): Promise<string | null>;
}

/** Every read goes to Redis. */
export class RedisDocuments implements ClaimsDocuments {
  constructor(private readonly redis: Redis) {}

  document(key: string): Promise<string | null> {
    return this.redis.hget(key, 'd');
  }
}

export interface NearCacheOptions {
  /** No document older than this is served, even if Redis never said it changed. */
  maxAgeMs: number;
  /** The oldest entries go first beyond this many. */
  maxEntries: number;
}

export interface NearCacheCounts {
  hits: number;
  misses: number;
  invalidations: number;
}

/** The channel Redis sends a tracking client's invalidations to (RESP2 redirect mode). */
const INVALIDATIONS = '__redis__:invalidate';

/**
 * The documents hooks read lately, kept in this process: a hook then costs no Redis round trip. Redis
 * tells when a kept document changes (client-side caching: `CLIENT TRACKING ... REDIRECT` on the
 * reading connection sends the key of every change to what it read to a subscribed connection), and
 * the entry goes at once. Nothing is served older than `maxAgeMs`, whatever happens to those messages.
 *
 * Whenever either connection drops, Redis may have sent invalidations nobody heard: the cache empties
 * and serves nothing until both are back and tracking is on again. A read that an invalidation
 * overtakes (the change is announced before the read's answer comes back) is not kept.
 * Only documents are kept, not misses: a subject that appears is found at its first hook.
 */
export class NearCache implements ClaimsDocuments, OnApplicationShutdown {
  private readonly logger = new Logger(NearCache.name);
  private readonly entries = new Map<string, { document: string; readAt: number }>();
  /** The reads in flight that may still be kept, by key; an invalidation of the key drops its token. */
  private readonly pending = new Map<string, symbol>();
  private tracking = false;
  /** Changes whenever tracking starts or stops: a read begun under another epoch is not kept. */
  private epoch = 0;
  private enabling?: Promise<void>;
  private closing = false;
  readonly counts: NearCacheCounts = { hits: 0, misses: 0, invalidations: 0 };

  constructor(
    private readonly reader: Redis,
    private readonly subscriber: Redis,
    private readonly options: NearCacheOptions,
    private readonly now: () => number = Date.now,
  ) {
    subscriber.on('messageBuffer', (channel: Buffer, keys: Buffer[] | null) => {
      if (channel.toString() === INVALIDATIONS) this.invalidate(keys);
    });
    for (const connection of [reader, subscriber]) {
      connection.on('ready', () => void this.enable());
      connection.on('close', () => this.stopTracking());
    }
    void this.enable();
  }

  /** Whether documents are being kept: Redis is tracking them for this cache. */
  get active(): boolean {
    return this.tracking;
  }

  get size(): number {
    return this.entries.size;
  }

  async document(key: string): Promise<string | null> {
    const entry = this.tracking ? this.entries.get(key) : undefined;
    if (entry !== undefined && this.now() - entry.readAt < this.options.maxAgeMs) {
      this.counts.hits += 1;
      return entry.document;
    }
    this.counts.misses += 1;
    const { epoch } = this;
    const readAt = this.now();
    const token = Symbol(key);
    if (this.tracking) this.pending.set(key, token);
    try {
      const document = await this.reader.hget(key, 'd');
      if (this.pending.get(key) === token && this.epoch === epoch && document !== null) this.keep(key, document, readAt);
      return document;
    } finally {
      if (this.pending.get(key) === token) this.pending.delete(key);
    }
  }

  private keep(key: string, document: string, readAt: number): void {
    this.entries.delete(key);
    this.entries.set(key, { document, readAt });
    if (this.entries.size > this.options.maxEntries) this.entries.delete(this.entries.keys().next().value!);
  }

  /** `null`: Redis dropped everything it tracked (FLUSHALL, or it ran out of tracking memory). */
  private invalidate(keys: Buffer[] | null): void {
    if (keys === null) {
      this.counts.invalidations += this.entries.size;
      this.entries.clear();
      this.pending.clear();
      return;
    }
    for (const key of keys.map(String)) {
      if (this.entries.delete(key)) this.counts.invalidations += 1;
      this.pending.delete(key);
    }
  }

  private stopTracking(): void {
    if (this.tracking && !this.closing) this.logger.warn('a Redis connection dropped: documents are read from Redis until it is back');
    this.tracking = false;
    this.epoch += 1;
    this.entries.clear();
    this.pending.clear();
  }

  /** Turns tracking on once both connections are up; a call while it is being turned on waits for that. */
  private enable(): Promise<void> {
    this.enabling ??= this.turnTrackingOn().finally(() => (this.enabling = undefined));
    return this.enabling;
  }

  /** Subscribes, then asks Redis to track the reader's reads for that subscription. */
  private async turnTrackingOn(): Promise<void> {
    if (this.closing || this.tracking || this.reader.status !== 'ready' || this.subscriber.status !== 'ready') return;
    const { epoch } = this;
    try {
      // A subscribed connection takes no other command: its id first, then the subscription (the
      // subscriber must not resubscribe by itself on reconnection).
      const id = (await this.subscriber.client('ID')) as number;
      await this.subscriber.subscribe(INVALIDATIONS);
      await this.reader.call('CLIENT', 'TRACKING', 'ON', 'REDIRECT', String(id));
    } catch (error) {
      // The connection that failed reconnects, and its `ready` tries again.
      this.logger.warn(`cannot turn tracking on: ${(error as Error).message}`);
      return;
    }
    if (this.epoch !== epoch) {
      // A connection dropped meanwhile: what was just set up may be gone with it.
      setImmediate(() => void this.enable());
      return;
    }
    this.epoch += 1;
    this.tracking = true;
  }

  /** Closes both connections. */
  onApplicationShutdown(): void {
    this.closing = true;
    this.stopTracking();
    // Nothing is in flight worth waiting for, and a QUIT to a Redis that stopped answering would wait forever.
    for (const connection of [this.reader, this.subscriber]) connection.disconnect();
  }
}
