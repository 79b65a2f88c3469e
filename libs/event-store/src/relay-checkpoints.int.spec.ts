import type pg from 'pg';
import { migratedPool } from '../../../test/support/database.js';
import { dropNamespace, newNamespace, type TestNamespace } from '../../../test/support/namespace.js';
import { createPostgresPool } from './postgres-pool.js';
import { LOG_START } from './log-position.js';
import { RelayCheckpoints } from './relay-checkpoints.js';

describe(RelayCheckpoints.name, () => {
  let namespace: TestNamespace;
  let pool: pg.Pool;

  beforeEach(async () => {
    namespace = newNamespace();
    await (await migratedPool(namespace)).end();
    pool = createPostgresPool({ databaseUrl: namespace.databaseUrl, schema: namespace.schema, applicationName: 'claims-tests' });
  });

  afterEach(async () => {
    await pool.end();
    await dropNamespace(namespace);
  });

  it('starts at the beginning of the log and only moves forward', async () => {
    const sut = new RelayCheckpoints(pool);
    const ahead = { transactionId: '900', position: '12' };

    expect(await sut.load('projection')).toEqual(LOG_START);
    await sut.save('projection', ahead);
    await sut.save('projection', { transactionId: '900', position: '11' });
    await sut.save('projection', { transactionId: '899', position: '40' });

    expect(await sut.load('projection')).toEqual(ahead);
    expect(await sut.load('projected')).toEqual(LOG_START);
  });
});
