import { Redis } from 'ioredis';
import { eventually } from '../../../test/support/eventually.js';
import { startPrivateRedis } from '../../../test/support/private-redis.js';
import type { Service } from '../../../test/support/processes.js';
import { NearCache } from './near-cache.js';
import { createFailFastRedis, createPatientRedis } from './redis-clients.js';

const MAX_STALENESS_MS = 400;

// A Redis of the test's own: the test counts its HGET calls, kills connections and flushes it.
describe('NearCache', () => {
  let server: { url: string; service: Service };
  let redis: Redis;
  let cache: NearCache;
  let reader: Redis;
  let subscriber: Redis;
  let clock: number;

  const hgetCalls = async () => Number(/cmdstat_hget:calls=(\d+)/.exec(await redis.info('commandstats'))?.[1] ?? 0);
  const openCache = (maxEntries = 100) => {
    reader = createFailFastRedis(server.url, 'hooks-near-cache', 500);
    subscriber = createPatientRedis(server.url, 'near-cache-invalidations', { autoResubscribe: false });
    return new NearCache(reader, subscriber, { maxStalenessMs: MAX_STALENESS_MS, maxEntries }, () => clock);
  };

  /**
   * Holds the answers of the reader's next HGET on their way to the cache, as a slow network would:
   * `answered` once Redis has answered it, and the cache gets the answer at `release()`.
   */
  function holdNextRead() {
    const hget = reader.hget.bind(reader) as (key: string, field: string) => Promise<string | null>;
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let answeredByRedis!: () => void;
    const answered = new Promise<void>((resolve) => (answeredByRedis = resolve));
    reader.hget = ((key: string, field: string) => {
      reader.hget = hget as Redis['hget'];
      return hget(key, field).then(async (document) => {
        answeredByRedis();
        await released;
        return document;
      });
    }) as Redis['hget'];
    return { answered, release };
  }

  const invalidationOf = (key: string) =>
    new Promise<void>((resolve) => subscriber.on('messageBuffer', (_channel: Buffer, keys: Buffer[] | null) => keys?.some((invalidated) => String(invalidated) === key) && resolve()));

  beforeAll(async () => {
    server = await startPrivateRedis();
    redis = new Redis(server.url);
  });
  afterAll(async () => {
    redis.disconnect();
    await server.service.stop();
  });
  beforeEach(async () => {
    clock = 0;
    await redis.flushall();
    await redis.hset('doc:kim', 'd', '{"v":1}');
    cache = openCache();
    await eventually(() => expect(cache.active).toBe(true));
  });
  afterEach(() => cache.onApplicationShutdown());

  it('answers a document it read before without asking Redis', async () => {
    expect(await cache.document('doc:kim')).toEqual({ v: 1 });
    const before = await hgetCalls();

    expect(await cache.document('doc:kim')).toEqual({ v: 1 });
    expect(await cache.document('doc:kim')).toEqual({ v: 1 });
    expect(await hgetCalls()).toBe(before);
    expect(cache.counts).toMatchObject({ hits: 2, misses: 1 });
  });

  it('drops a document as soon as Redis says it changed, or was erased', async () => {
    await cache.document('doc:kim');
    await redis.hset('doc:kim', 'd', '{"v":2}');

    await eventually(async () => expect(await cache.document('doc:kim')).toEqual({ v: 2 }), 200, 1);
    expect(cache.counts.invalidations).toBe(1);

    await redis.del('doc:kim');
    await eventually(async () => expect(await cache.document('doc:kim')).toBeNull(), 200, 1);
  });

  it('serves a kept document for as long as Redis keeps confirming that nothing it announced is missing', async () => {
    await cache.document('doc:kim');
    const before = await hgetCalls();

    for (let bound = 1; bound <= 5; bound += 1) {
      clock += MAX_STALENESS_MS;
      // The clock jumped past the last confirmation: the next one comes within a quarter of the bound.
      await eventually(() => expect(cache.confirmationAgeMs).toBeLessThan(MAX_STALENESS_MS), 1_000, 10);
      await cache.document('doc:kim');
    }
    expect(await hgetCalls()).toBe(before);
    expect(cache.counts).toMatchObject({ hits: 5, misses: 1 });
  });

  it('reads from Redis once its last confirmation is as old as its bound', async () => {
    await cache.document('doc:kim');
    const before = await hgetCalls();

    clock += MAX_STALENESS_MS;
    expect(await cache.document('doc:kim')).toEqual({ v: 1 });
    expect(await hgetCalls()).toBe(before + 1);
    expect(cache.counts).toMatchObject({ hits: 0, misses: 2 });
  });

  it('reads a key once for the misses that come while it is being read, and keeps it', async () => {
    const before = await hgetCalls();

    const answers = await Promise.all(Array.from({ length: 50 }, () => cache.document('doc:kim')));

    expect(answers).toEqual(Array(50).fill({ v: 1 }));
    expect(await hgetCalls()).toBe(before + 1);
    expect(await cache.document('doc:kim')).toEqual({ v: 1 });
    expect(cache.counts).toMatchObject({ hits: 1, misses: 50 });
  });

  it('does not keep a read that a change of its key overtook, nor give it to the misses after the change', async () => {
    const held = holdNextRead();
    const reading = cache.document('doc:kim');
    await held.answered;
    const invalidated = invalidationOf('doc:kim');
    await redis.hset('doc:kim', 'd', '{"v":2}');
    await invalidated;

    const afterTheChange = cache.document('doc:kim');
    held.release();
    expect(await reading).toEqual({ v: 1 });
    expect(await afterTheChange).toEqual({ v: 2 });
    expect(await cache.document('doc:kim')).toEqual({ v: 2 });
    expect(cache.counts).toMatchObject({ hits: 1, misses: 2 });
  });

  it('keeps no miss: a subject that appears is found at once', async () => {
    expect(await cache.document('doc:new')).toBeNull();
    await redis.hset('doc:new', 'd', '{"v":1}');

    expect(await cache.document('doc:new')).toEqual({ v: 1 });
  });

  it('empties itself when Redis drops everything (FLUSHALL)', async () => {
    await cache.document('doc:kim');
    await redis.flushall();

    await eventually(() => expect(cache.size).toBe(0), 200, 1);
    expect(await cache.document('doc:kim')).toBeNull();
  });

  it('serves nothing kept while the invalidations connection is down, and tracks again once it is back', async () => {
    await cache.document('doc:kim');
    expect(cache.size).toBe(1);

    // Whatever Redis announces meanwhile is lost with the connection.
    await redis.client('KILL', 'TYPE', 'pubsub');
    await eventually(() => expect(cache.size).toBe(0), 1_000, 1);
    await redis.hset('doc:kim', 'd', '{"v":2}');
    expect(await cache.document('doc:kim')).toEqual({ v: 2 });

    await eventually(() => expect(cache.active).toBe(true), 5_000);
    expect(await cache.document('doc:kim')).toEqual({ v: 2 });
    await redis.hset('doc:kim', 'd', '{"v":3}');
    await eventually(async () => expect(await cache.document('doc:kim')).toEqual({ v: 3 }), 200, 1);
  });

  it('tracks again once the reading connection is back, the invalidations connection having stayed subscribed', async () => {
    await cache.document('doc:kim');
    const readerId = String(await reader.client('ID'));

    await redis.client('KILL', 'ID', readerId);
    await eventually(() => expect(cache.size).toBe(0), 1_000, 1);
    await eventually(() => expect(cache.active).toBe(true), 5_000);

    expect(await cache.document('doc:kim')).toEqual({ v: 1 });
    expect(cache.size).toBe(1);
    await redis.hset('doc:kim', 'd', '{"v":2}');
    await eventually(async () => expect(await cache.document('doc:kim')).toEqual({ v: 2 }), 200, 1);
  });

  it('keeps at most its number of entries, those not used lately going first', async () => {
    await cache.onApplicationShutdown();
    cache = openCache(2);
    await eventually(() => expect(cache.active).toBe(true));
    for (const name of ['a', 'b', 'c']) await redis.hset(`doc:${name}`, 'd', JSON.stringify({ name }));
    await cache.document('doc:a');
    await cache.document('doc:b');
    await cache.document('doc:a');
    await cache.document('doc:c');
    const before = await hgetCalls();

    await cache.document('doc:a');
    await cache.document('doc:c');
    expect(await hgetCalls()).toBe(before);
    await cache.document('doc:b');
    expect(await hgetCalls()).toBe(before + 1);
  });
});
