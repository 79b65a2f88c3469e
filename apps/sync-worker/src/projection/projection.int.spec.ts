import { ClaimsKeys, ClaimsReader, ClaimsWriter, createPatientRedis, ProjectionStateStore, RedisDocuments } from '@app/claims-store';
import { projectSubject, type ClaimsDocument, type NewEvent } from '@app/domain';
import { EventStore, LOG_START, PROJECTED_CHECKPOINT, RelayCheckpoints, type LogPosition, type LogRange } from '@app/event-store';
import { queuePrefix, REBUILD_QUEUE } from '@app/jobs';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type pg from 'pg';
import { migratedPool } from '../../../../test/support/database.js';
import { dropNamespace, newNamespace, type TestNamespace } from '../../../../test/support/namespace.js';
import { ProjectionService } from './projection.service.js';

const GENERATION = 'g1';

describe(ProjectionService.name, () => {
  let namespace: TestNamespace;
  let pool: pg.Pool;
  let redis: Redis;
  let store: EventStore;
  let writer: ClaimsWriter;
  let reader: ClaimsReader;
  let rebuildQueue: Queue;
  let sut: ProjectionService;

  beforeEach(async () => {
    namespace = newNamespace();
    pool = await migratedPool(namespace);
    redis = createPatientRedis(namespace.redisUrl, 'test');
    store = new EventStore(pool);
    const keys = new ClaimsKeys(namespace.redisPrefix);
    writer = new ClaimsWriter(redis, keys);
    reader = new ClaimsReader(new RedisDocuments(redis), keys);
    const state = new ProjectionStateStore(redis, keys);
    await state.initialize(GENERATION);
    rebuildQueue = new Queue(REBUILD_QUEUE, { connection: { url: namespace.redisUrl }, prefix: queuePrefix(namespace.redisPrefix) });
    sut = new ProjectionService(store, new RelayCheckpoints(pool), writer, state, rebuildQueue);
  });

  afterEach(async () => {
    await rebuildQueue.close();
    redis.disconnect();
    await pool.end();
    await dropNamespace(namespace);
  });

  /** Appends each batch and returns the stretch of the log it occupies, as the relay would cut it. */
  async function appendBatches(batches: NewEvent[][]): Promise<LogRange[]> {
    const ranges: LogRange[] = [];
    let from: LogPosition = LOG_START;
    for (const batch of batches) {
      await store.append(batch);
      const read = await store.readAfter(from, 1000);
      ranges.push({ from, to: read.last! });
      from = read.last!;
    }
    return ranges;
  }

  /** The document a sequential fold of the subject's whole stream gives. */
  async function sequentialFold(subject: string): Promise<ClaimsDocument | null> {
    const events = (await store.readStreams(new Map([[subject, 0]]))).get(subject) ?? [];
    const { state } = projectSubject(null, events);
    return state === null || state.status === 'deleted' ? null : state;
  }

  const find = (subject: string) => reader.find(GENERATION, [{ by: 'subject', value: subject }]);

  it('ends in the state of a sequential fold whatever the order of jobs, and never moves back in time', async () => {
    const ranges = await appendBatches([
      [{ type: 'identity.registered', subject: 'kim', data: { login: 'kim@example.org' } }, { type: 'patient.linked', subject: 'kim', data: { patientId: '1' } }],
      [{ type: 'claims.granted', subject: 'kim', data: { claims: { ward: 'B2' } } }, { type: 'patient.linked', subject: 'lee', data: { patientId: '9' } }],
      [{ type: 'patient.linked', subject: 'kim', data: { patientId: '2' } }, { type: 'claims.revoked', subject: 'kim', data: { names: ['ward'] } }],
    ]);
    const versions: number[] = [];

    for (const range of [ranges[2]!, ranges[0]!, ranges[2]!, ranges[1]!, ranges[1]!, ranges[0]!]) {
      await sut.project(range);
      versions.push((await find('kim'))!.version);
    }

    expect(await find('kim')).toEqual(await sequentialFold('kim'));
    expect(await find('lee')).toEqual(await sequentialFold('lee'));
    expect(versions).toEqual([5, 5, 5, 5, 5, 5]);
  });

  it('records the end of each projected stretch, so the log past it is the lag, and never moves it back', async () => {
    const ranges = await appendBatches([
      [{ type: 'patient.linked', subject: 'kim', data: { patientId: '1' } }],
      [{ type: 'patient.linked', subject: 'lee', data: { patientId: '2' } }, { type: 'patient.linked', subject: 'ann', data: { patientId: '3' } }],
    ]);
    const checkpoints = new RelayCheckpoints(pool);
    const backlog = async () => store.backlogAfter(await checkpoints.load(PROJECTED_CHECKPOINT), 1_000);

    expect(await backlog()).toEqual({ events: 3, oldestRecordedAt: expect.any(Date) });
    await sut.project(ranges[0]!);
    expect(await backlog()).toEqual({ events: 2, oldestRecordedAt: expect.any(Date) });
    await sut.project(ranges[1]!);
    await sut.project(ranges[0]!);
    expect(await backlog()).toEqual({ events: 0, oldestRecordedAt: null });
    expect(await store.backlogAfter(LOG_START, 2)).toMatchObject({ events: 2 });
  });

  it('does nothing for a duplicate job', async () => {
    const [range] = await appendBatches([[{ type: 'patient.linked', subject: 'kim', data: { patientId: '1' } }]]);
    await sut.project(range!);
    const before = await redis.hgetall(new ClaimsKeys(namespace.redisPrefix).subject(GENERATION, 'kim'));

    const again = await sut.project(range!);

    expect(again).toEqual({ subjects: 1, events: 0 });
    expect(await redis.hgetall(new ClaimsKeys(namespace.redisPrefix).subject(GENERATION, 'kim'))).toEqual(before);
  });

  it('refuses to write a state older than the stored one', async () => {
    await appendBatches([[{ type: 'patient.linked', subject: 'kim', data: { patientId: '1' } }, { type: 'patient.linked', subject: 'kim', data: { patientId: '2' } }]]);
    const [first, second] = (await store.readStreams(new Map([['kim', 0]]))).get('kim')!;
    const newer = projectSubject(null, [first!, second!]);
    const older = projectSubject(null, [first!]);

    await writer.apply(GENERATION, newer);
    await writer.apply(GENERATION, older);

    expect(await find('kim')).toMatchObject({ version: 2, patientId: '2' });
  });

  it('finds a subject by its id, login, email and aliases, and moves names with the subject', async () => {
    const ranges = await appendBatches([
      [{ type: 'identity.registered', subject: 'kim', data: { login: 'Kim.Sato@Example.com', email: 'kim@example.org', aliases: ['MRN-0042'] } }],
      [{ type: 'identity.registered', subject: 'kim', data: { login: 'kim.sato@example.com', aliases: ['MRN-0043'] } }],
    ]);
    await sut.project(ranges[0]!);
    await sut.project(ranges[1]!);

    for (const name of ['KIM.SATO@example.com', 'mrn-0043']) {
      expect(await reader.find(GENERATION, [{ by: 'name', value: name }])).toMatchObject({ subject: 'kim', version: 2 });
    }
    for (const name of ['kim@example.org', 'MRN-0042']) expect(await reader.find(GENERATION, [{ by: 'name', value: name }])).toBeNull();
    expect(await find('kim')).toMatchObject({ aliases: ['MRN-0043'] });
  });

  it('gives a name two subjects claim to the later claim, whichever subject is projected first', async () => {
    const ranges = await appendBatches([
      [{ type: 'identity.registered', subject: 'old', data: { login: 'shared@example.org' } }],
      [{ type: 'identity.registered', subject: 'new', data: { login: 'shared@example.org' } }],
      [{ type: 'patient.linked', subject: 'old', data: { patientId: '1' } }],
    ]);

    await sut.project(ranges[1]!);
    await sut.project(ranges[0]!);
    await sut.project(ranges[2]!);

    expect(await reader.find(GENERATION, [{ by: 'name', value: 'shared@example.org' }])).toMatchObject({ subject: 'new' });
    expect(await find('old')).toMatchObject({ patientId: '1' });
  });

  it('does not bring back a name the subject gave up when a fold that still held it writes late', async () => {
    await appendBatches([
      [{ type: 'identity.registered', subject: 'kim', data: { login: 'kim@old.example.org' } }, { type: 'patient.linked', subject: 'kim', data: { patientId: '1' } }],
      [{ type: 'identity.registered', subject: 'kim', data: { login: 'kim@new.example.org' } }],
    ]);
    const events = (await store.readStreams(new Map([['kim', 0]]))).get('kim')!;
    // A rebuild's chunk or a second worker read the stream before the new login, and writes after the job that read it all.
    await writer.apply(GENERATION, projectSubject(null, events));
    await writer.apply(GENERATION, projectSubject(null, events.slice(0, 2)));

    expect(await reader.find(GENERATION, [{ by: 'name', value: 'kim@old.example.org' }])).toBeNull();
    expect(await reader.find(GENERATION, [{ by: 'name', value: 'kim@new.example.org' }])).toMatchObject({ subject: 'kim', version: 3 });
    expect(await find('kim')).toEqual(await sequentialFold('kim'));
  });

  it('gives a name back to the earlier claimant once the later one gives it up', async () => {
    const appendAndProject = async (event: NewEvent) => sut.project((await appendBatches([[event]]))[0]!);
    await appendAndProject({ type: 'identity.registered', subject: 'old', data: { login: 'shared@example.org' } });
    await appendAndProject({ type: 'identity.registered', subject: 'new', data: { login: 'shared@example.org' } });
    expect(await reader.find(GENERATION, [{ by: 'name', value: 'shared@example.org' }])).toMatchObject({ subject: 'new' });
    await appendAndProject({ type: 'identity.registered', subject: 'new', data: { login: 'new@example.org' } });
    expect(await reader.find(GENERATION, [{ by: 'name', value: 'shared@example.org' }])).toBeNull();

    await appendAndProject({ type: 'patient.linked', subject: 'old', data: { patientId: '1' } });

    expect(await reader.find(GENERATION, [{ by: 'name', value: 'shared@example.org' }])).toMatchObject({ subject: 'old', patientId: '1' });
  });

  it('does not bring back an erased subject under a name when a fold from before the erasure writes late', async () => {
    await appendBatches([
      [{ type: 'identity.registered', subject: 'kim', data: { login: 'kim@example.org' } }, { type: 'patient.linked', subject: 'kim', data: { patientId: '1' } }],
      [{ type: 'identity.deleted', subject: 'kim', data: {} }],
    ]);
    const events = (await store.readStreams(new Map([['kim', 0]]))).get('kim')!;
    await writer.apply(GENERATION, projectSubject(null, events));
    await writer.apply(GENERATION, projectSubject(null, events.slice(0, 2)));

    expect(await reader.find(GENERATION, [{ by: 'name', value: 'kim@example.org' }])).toBeNull();
    const keys = new ClaimsKeys(namespace.redisPrefix);
    const nameKey = keys.name(GENERATION, 'kim@example.org');
    expect(await redis.hgetall(nameKey)).toEqual({ [keys.releaseMark('kim')]: '3' });
    expect(JSON.stringify(await redis.hgetall(nameKey))).not.toContain('kim');
    expect(await redis.pttl(nameKey)).toBeGreaterThan(0);
  });

  it('leaves nothing of a deleted subject but a tombstone, and does not bring it back on a replay', async () => {
    const ranges = await appendBatches([
      [{ type: 'identity.registered', subject: 'kim', data: { login: 'kim@example.org', aliases: ['a1'] } }, { type: 'patient.linked', subject: 'kim', data: { patientId: '1' } }],
      [{ type: 'identity.deleted', subject: 'kim', data: {} }],
    ]);
    await sut.project(ranges[0]!);
    await sut.project(ranges[1]!);
    await sut.project(ranges[0]!);

    const keys = new ClaimsKeys(namespace.redisPrefix);
    const nameKeys = ['kim@example.org', 'a1'].map((name) => keys.name(GENERATION, name));
    expect((await redis.keys(`${namespace.redisPrefix}:${GENERATION}:*`)).sort()).toEqual([keys.subject(GENERATION, 'kim'), ...nameKeys].sort());
    // What is left of its names only stops late writes, and goes by itself.
    for (const key of nameKeys) {
      expect(await redis.hgetall(key)).toEqual({ [keys.releaseMark('kim')]: '3' });
      expect(await redis.pttl(key)).toBeGreaterThan(0);
    }
    expect(await redis.hgetall(keys.subject(GENERATION, 'kim'))).toEqual({ v: '3', d: '{"status":"deleted","version":3}' });
    expect(await find('kim')).toEqual({ subject: 'kim', version: 3, status: 'deleted' });
    expect(await reader.find(GENERATION, [{ by: 'name', value: 'kim@example.org' }])).toBeNull();
  });

  it('starts an erased subject that is registered again from its tombstone, with nothing of its past', async () => {
    const ranges = await appendBatches([
      [{ type: 'identity.registered', subject: 'kim', data: { login: 'kim@example.org' } }, { type: 'patient.linked', subject: 'kim', data: { patientId: '1' } }],
      [{ type: 'identity.deleted', subject: 'kim', data: {} }],
      [{ type: 'identity.registered', subject: 'kim', data: { login: 'kim.new@example.org' } }],
    ]);
    for (const range of ranges) await sut.project(range);

    expect(await find('kim')).toEqual(await sequentialFold('kim'));
    expect(await find('kim')).toMatchObject({ version: 4, status: 'active', login: 'kim.new@example.org' });
    expect(await find('kim')).not.toHaveProperty('patientId');
    expect(await reader.find(GENERATION, [{ by: 'name', value: 'kim@example.org' }])).toBeNull();
  });
});
