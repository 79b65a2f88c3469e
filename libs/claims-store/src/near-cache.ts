import { Logger, type OnApplicationShutdown } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { parseSharedState, parseStoredState, type StoredState } from './stored-state.js';

/** Where a claims document is read from: Redis itself, or the near cache in front of it. */
export interface ClaimsDocuments {
  /** The state in the `d` field of the entry at `key`, `null` when there is none. */
  document(key: string): Promise<StoredState | null>;
  /** The state in the entry at `key` when this process keeps it and may serve it now, without a read. */
  kept(key: string): StoredState | undefined;
}

function readDocument(redis: Redis, key: string, parse: (stored: string) => StoredState): Promise<StoredState | null> {
  return redis.hget(key, 'd').then((stored) => (stored === null ? null : parse(stored)));
}

/** Every read goes to Redis. */
export class RedisDocuments implements ClaimsDocuments {
  constructor(private readonly redis: Redis) {}

  document(key: string): Promise<StoredState | null> {
    return readDocument(this.redis, key, parseStoredState);
  }

  kept(): undefined {
    return undefined;
  }
}

export interface NearCacheOptions {
  /**
   * No document is served that may be further behind Redis than this: kept documents are served only
   * while Redis has confirmed, at most this long ago, that every change it announced has arrived.
   */
  maxStalenessMs: number;
  /** Entries not used lately go first beyond this many (an approximate LRU). */
  maxEntries: number;
}

export interface NearCacheCounts {
  hits: number;
  misses: number;
  invalidations: number;
}

interface KeptDocument {
  document: StoredState;
  /** The count of insertions when it was (re)inserted: how far from the end of the order it is. */
  insertedAt: number;
}

interface InFlightRead {
  document: Promise<StoredState | null>;
  /** Redis announced a change of the key, or may have, after the read was sent: it is not kept. */
  invalidated: boolean;
}

/** The channel Redis sends a tracking client's invalidations to (RESP2 redirect mode). */
const INVALIDATIONS = '__redis__:invalidate';

/** How many confirmations are asked for within `maxStalenessMs`: one lost or slow one does not stop the serving. */
const CONFIRMATIONS_PER_BOUND = 4;

/**
 * The documents hooks read lately, kept in this process: a hook then costs no Redis round trip. Redis
 * tells when a kept document changes (client-side caching: `CLIENT TRACKING ... REDIRECT` on the
 * reading connection sends the key of every change to what it read to a subscribed connection), and
 * the entry goes at once. An entry lives until it changes or is pushed out by newer ones.
 *
 * Those messages could be late (a Redis or network stall), so a PING on the subscribed connection
 * goes out every `maxStalenessMs / 4`: Redis answers it after every invalidation it queued before,
 * so its PONG proves that every change made before the PING was sent has been heard. Kept documents
 * are served only while the last such proof is younger than `maxStalenessMs`; otherwise every read
 * goes to Redis.
 *
 * Whenever either connection drops, Redis may have sent invalidations nobody heard: the cache empties
 * and serves nothing until both are back and tracking is on again. A read that an invalidation
 * overtakes (the change is announced before the read's answer comes back) is not kept. Misses of
 * a key while it is being read wait for that read: a burst of sign-ins of one subject costs one.
 * Only documents are kept, not misses: a subject that appears is found at its first hook.
 */
export class NearCache implements ClaimsDocuments, OnApplicationShutdown {
  private readonly logger = new Logger(NearCache.name);
  /**
   * In order of (re)insertion, the first out first; kept parsed, so that a hit costs no parsing. A hit
   * moves its entry to the end only once it is in the older half of the order: an approximate LRU
   * whose hits on recent entries cost one lookup instead of a delete and an insertion (which also made
   * the map rebuild its table every so often).
   */
  private readonly entries = new Map<string, KeptDocument>();
  private insertions = 0;
  /**
   * The read in flight of each key that a miss joins: the misses of a key during one round trip cost
   * one read. An invalidation of the key marks its read not to be kept, and the misses after it start
   * a new one.
   */
  private readonly reads = new Map<string, InFlightRead>();
  private tracking = false;
  /** Changes whenever tracking starts or stops: a read begun under another epoch is not kept. */
  private epoch = 0;
  private enabling?: Promise<void>;
  /** The invalidations connection's id once it is subscribed; a reconnection of the reader alone reuses it. */
  private subscriberId?: number;
  private closing = false;
  /** When the PING whose PONG last came back was sent: every change made before it has been heard. */
  private confirmedAt = Number.NEGATIVE_INFINITY;
  private confirming = false;
  private readonly confirmations: NodeJS.Timeout;
  readonly counts: NearCacheCounts = { hits: 0, misses: 0, invalidations: 0 };

  constructor(
    private readonly reader: Redis,
    private readonly subscriber: Redis,
    private readonly options: NearCacheOptions,
    // Monotonic: a wall clock set back would make an old confirmation look young.
    private readonly now: () => number = () => performance.now(),
  ) {
    subscriber.on('messageBuffer', (channel: Buffer, keys: Buffer[] | null) => {
      if (channel.toString() === INVALIDATIONS) this.invalidate(keys);
    });
    for (const connection of [reader, subscriber]) {
      connection.on('ready', () => void this.enable());
      connection.on('close', () => this.stopTracking());
    }
    subscriber.on('close', () => (this.subscriberId = undefined));
    void this.enable();
    this.confirmations = setInterval(() => this.confirm(), options.maxStalenessMs / CONFIRMATIONS_PER_BOUND).unref();
  }

  /** Whether documents are being kept: Redis is tracking them for this cache. */
  get active(): boolean {
    return this.tracking;
  }

  get size(): number {
    return this.entries.size;
  }

  /** How far behind Redis a kept document may be now; it is served only below `maxStalenessMs`. */
  get confirmationAgeMs(): number {
    return this.now() - this.confirmedAt;
  }

  /** Not `async`: a hit is the hot path, and the wrapper would cost it a promise more. */
  document(key: string): Promise<StoredState | null> {
    const kept = this.kept(key);
    if (kept !== undefined) return Promise.resolve(kept);
    this.counts.misses += 1;
    return (this.reads.get(key) ?? this.read(key)).document;
  }

  kept(key: string): StoredState | undefined {
    const kept = this.servesKept() ? this.entries.get(key) : undefined;
    if (kept === undefined) return undefined;
    this.counts.hits += 1;
    if (this.insertions - kept.insertedAt >= this.options.maxEntries / 2) this.keep(key, kept.document);
    return kept.document;
  }

  private read(key: string): InFlightRead {
    const { epoch } = this;
    const read: InFlightRead = { invalidated: false, document: readDocument(this.reader, key, parseSharedState) };
    this.reads.set(key, read);
    const forget = () => {
      if (this.reads.get(key) === read) this.reads.delete(key);
    };
    read.document.then((document) => {
      forget();
      if (!read.invalidated && this.tracking && this.epoch === epoch && document !== null) this.keep(key, document);
    }, forget);
    return read;
  }

  private servesKept(): boolean {
    return this.tracking && this.confirmationAgeMs < this.options.maxStalenessMs;
  }

  /** (Re)inserts the entry as the most recently used. */
  private keep(key: string, document: StoredState): void {
    this.entries.delete(key);
    this.entries.set(key, { document, insertedAt: ++this.insertions });
    if (this.entries.size > this.options.maxEntries) this.entries.delete(this.entries.keys().next().value!);
  }

  /** One PING at a time: while one is unanswered, the proof only ages. */
  private confirm(): void {
    if (!this.tracking || this.confirming) return;
    const { epoch } = this;
    const sentAt = this.now();
    this.confirming = true;
    this.subscriber
      .ping()
      .then(() => {
        if (this.epoch === epoch) this.confirmedAt = Math.max(this.confirmedAt, sentAt);
      })
      // A failed PING proves nothing; the connection's own events deal with the failure.
      .catch(() => undefined)
      .finally(() => (this.confirming = false));
  }

  /** `null`: Redis dropped everything it tracked (FLUSHALL, or it ran out of tracking memory). */
  private invalidate(keys: Buffer[] | null): void {
    if (keys === null) {
      this.counts.invalidations += this.entries.size;
      this.entries.clear();
      this.dropReads();
      return;
    }
    for (const key of keys.map(String)) {
      if (this.entries.delete(key)) this.counts.invalidations += 1;
      const read = this.reads.get(key);
      if (read === undefined) continue;
      read.invalidated = true;
      this.reads.delete(key);
    }
  }

  private stopTracking(): void {
    if (this.tracking && !this.closing) this.logger.warn('a Redis connection dropped: documents are read from Redis until it is back');
    this.tracking = false;
    this.epoch += 1;
    this.entries.clear();
    this.dropReads();
  }

  private dropReads(): void {
    for (const read of this.reads.values()) read.invalidated = true;
    this.reads.clear();
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
      // subscriber must not resubscribe by itself on reconnection). When only the reader dropped,
      // the subscriber is still subscribed and would refuse both.
      if (this.subscriberId === undefined) {
        const id = (await this.subscriber.client('ID')) as number;
        await this.subscriber.subscribe(INVALIDATIONS);
        this.subscriberId = id;
      }
      await this.reader.call('CLIENT', 'TRACKING', 'ON', 'REDIRECT', String(this.subscriberId));
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
    // Nothing is kept yet, and everything read from now on is tracked.
    this.confirmedAt = this.now();
  }

  /** Closes both connections. */
  onApplicationShutdown(): void {
    this.closing = true;
    clearInterval(this.confirmations);
    this.stopTracking();
    // Nothing is in flight worth waiting for, and a QUIT to a Redis that stopped answering would wait forever.
    for (const connection of [this.reader, this.subscriber]) connection.disconnect();
  }
}
