import { createPatientRedis } from '@app/claims-store';
import { EventStore, LOG_START, RelayCheckpoints } from '@app/event-store';
import type { Redis } from 'ioredis';
import pg from 'pg';
import { migratedPool } from '../../../../test/support/database.js';
import { eventually } from '../../../../test/support/eventually.js';
import { dropNamespace, newNamespace, type TestNamespace } from '../../../../test/support/namespace.js';
import { findLive } from '../../../../test/support/projection.js';
import { runSyncWorker, stackEnv } from '../../../../test/support/stack.js';

interface OpenAppend {
  commit(): Promise<void>;
  /** Rolls back unless committed; a test that failed half-way must not leave a transaction open. */
  end(): Promise<void>;
}

/**
 * Starts an append that takes its log position now and commits only when told to: the situation
 * in which a reader that trusts positions alone skips an event for good.
 */
async function openAppend(namespace: TestNamespace, subject: string): Promise<OpenAppend> {
  const client = new pg.Client({ connectionString: namespace.databaseUrl, options: `-c search_path=${namespace.schema}` });
  await client.connect();
  await client.query('BEGIN');
  await client.query('INSERT INTO streams (subject, version) VALUES ($1, 1)', [subject]);
  await client.query(
    `INSERT INTO events (id, subject, subject_version, type, data) VALUES (gen_random_uuid(), $1, 1, 'patient.linked', '{"patientId":"late"}')`,
    [subject],
  );
  let open = true;
  return {
    commit: async () => {
      await client.query('COMMIT');
      open = false;
    },
    end: async () => {
      if (open) await client.query('ROLLBACK');
      await client.end();
    },
  };
}

describe('relay', () => {
  let namespace: TestNamespace;
  let pool: pg.Pool;
  let store: EventStore;
  let redis: Redis;
  let late: OpenAppend | undefined;

  beforeEach(async () => {
    namespace = newNamespace();
    pool = await migratedPool(namespace);
    store = new EventStore(pool);
    redis = createPatientRedis(namespace.redisUrl, 'test');
  });

  afterEach(async () => {
    await late?.end();
    late = undefined;
    redis.disconnect();
    await pool.end();
    await dropNamespace(namespace);
  });

  const patientOf = async (subject: string) => {
    const state = await findLive(redis, namespace, [{ by: 'subject', value: subject }]);
    return state?.status === 'active' ? state.patientId : undefined;
  };

  it('reads nothing past a transaction that is still open, then reads both in commit order', async () => {
    late = await openAppend(namespace, 'late');
    await store.append([{ type: 'patient.linked', subject: 'prompt', data: { patientId: 'prompt' } }]);

    const whileOpen = await store.readAfter(LOG_START, 100);
    await late.commit();
    const afterCommit = await store.readAfter(LOG_START, 100);

    expect(whileOpen).toEqual({ count: 0, heldBack: true });
    expect(afterCommit).toEqual({ count: 2, heldBack: false, last: expect.objectContaining({ position: '2' }) });
  });

  it('never skips an event whose transaction commits after a later-numbered one', async () => {
    const worker = await runSyncWorker(stackEnv(namespace));
    try {
      late = await openAppend(namespace, 'late');
      await store.append([{ type: 'patient.linked', subject: 'prompt', data: { patientId: 'prompt' } }]);
      // The later-numbered event is committed, but the relay must not move past the open one.
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(await new RelayCheckpoints(pool).load('projection')).toEqual(LOG_START);

      await late.commit();

      await eventually(async () => {
        expect(await patientOf('late')).toBe('late');
        expect(await patientOf('prompt')).toBe('prompt');
      });
    } finally {
      await worker.app.close();
    }
  });

  it('resumes from its checkpoint after a restart, relaying what was appended while it was down', async () => {
    const first = await runSyncWorker(stackEnv(namespace));
    await store.append([{ type: 'patient.linked', subject: 's', data: { patientId: 'before' } }]);
    await eventually(async () => expect(await patientOf('s')).toBe('before'));
    await first.app.close();
    const checkpointAtStop = await new RelayCheckpoints(pool).load('projection');

    const [whileDown] = await store.append([{ type: 'patient.linked', subject: 's', data: { patientId: 'while-down' } }]);
    const second = await runSyncWorker(stackEnv(namespace));
    try {
      await eventually(async () => expect(await patientOf('s')).toBe('while-down'));
      expect(checkpointAtStop.position).toBe('1');
      await eventually(async () => expect((await new RelayCheckpoints(pool).load('projection')).position).toBe(whileDown!.position));
    } finally {
      await second.app.close();
    }
  });
});
