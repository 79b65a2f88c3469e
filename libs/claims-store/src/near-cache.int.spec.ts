import { Redis } from 'ioredis';
import { eventually } from '../../../test/support/eventually.js';
import { startPrivateRedis } from '../../../test/support/private-redis.js';
import type { Service } from '../../../test/support/processes.js';
import { NearCache } from './near-cache.js';
import { createFailFastRedis, createPatientRedis } from './redis-clients.js';

const MAX_AGE_MS = 1_000;

// A Redis of the test's own: the test counts its HGET calls, kills connections and flushes it.
describe('NearCache', () => {
  let server: { url: string; service: Service };
  let redis: Redis;
  let cache: NearCache;
  let clock: number;

  const hgetCalls = async () => Number(/cmdstat_hget:calls=(\d+)/.exec(await redis.info('commandstats'))?.[1] ?? 0);
  const openCache = (maxEntries = 100) =>
    new NearCache(
      createFailFastRedis(server.url, 'hooks-near-cache', 500),
      createPatientRedis(server.url, 'near-cache-invalidations', { autoResubscribe: false }),
      { maxAgeMs: MAX_AGE_MS, maxEntries },
      () => clock,
    );

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
    expect(await cache.document('doc:kim')).toBe('{"v":1}');
    const before = await hgetCalls();

    expect(await cache.document('doc:kim')).toBe('{"v":1}');
    expect(await cache.document('doc:kim')).toBe('{"v":1}');
    expect(await hgetCalls()).toBe(before);
    expect(cache.counts).toMatchObject({ hits: 2, misses: 1 });
  });

  it('drops a document as soon as Redis says it changed, or was erased', async () => {
    await cache.document('doc:kim');
    await redis.hset('doc:kim', 'd', '{"v":2}');

    await eventually(async () => expect(await cache.document('doc:kim')).toBe('{"v":2}'), 200, 1);
    expect(cache.counts.invalidations).toBe(1);

    await redis.del('doc:kim');
    await eventually(async () => expect(await cache.document('doc:kim')).toBeNull(), 200, 1);
  });

  it('never answers a document older than its bound, though Redis said nothing', async () => {
    await cache.document('doc:kim');
    const before = await hgetCalls();

    clock = MAX_AGE_MS - 1;
    await cache.document('doc:kim');
    expect(await hgetCalls()).toBe(before);

    clock = MAX_AGE_MS;
    await cache.document('doc:kim');
    expect(await hgetCalls()).toBe(before + 1);
  });

  it('keeps no miss: a subject that appears is found at once', async () => {
    expect(await cache.document('doc:new')).toBeNull();
    await redis.hset('doc:new', 'd', '{"v":1}');

    expect(await cache.document('doc:new')).toBe('{"v":1}');
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
    expect(await cache.document('doc:kim')).toBe('{"v":2}');

    await eventually(() => expect(cache.active).toBe(true), 5_000);
    expect(await cache.document('doc:kim')).toBe('{"v":2}');
    await redis.hset('doc:kim', 'd', '{"v":3}');
    await eventually(async () => expect(await cache.document('doc:kim')).toBe('{"v":3}'), 200, 1);
  });

  it('keeps at most its number of entries, the oldest going first', async () => {
    await cache.onApplicationShutdown();
    cache = openCache(2);
    await eventually(() => expect(cache.active).toBe(true));
    for (const name of ['a', 'b', 'c']) await redis.hset(`doc:${name}`, 'd', name);
    for (const name of ['a', 'b', 'c']) await cache.document(`doc:${name}`);
    const before = await hgetCalls();

    await cache.document('doc:c');
    await cache.document('doc:b');
    expect(await hgetCalls()).toBe(before);
    await cache.document('doc:a');
    expect(await hgetCalls()).toBe(before + 1);
  });
});
