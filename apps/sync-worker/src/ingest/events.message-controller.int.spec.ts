import { ClientProxyFactory, Transport, type ClientProxy } from '@nestjs/microservices';
import type pg from 'pg';
import { firstValueFrom } from 'rxjs';
import { migratedPool } from '../../../../test/support/database.js';
import { dropNamespace, newNamespace, type TestNamespace } from '../../../../test/support/namespace.js';
import { runSyncWorker, stackEnv, type RunningSyncWorker } from '../../../../test/support/stack.js';

describe('the events.append pattern', () => {
  let namespace: TestNamespace;
  let pool: pg.Pool;
  let worker: RunningSyncWorker;
  let client: ClientProxy;

  beforeAll(async () => {
    namespace = newNamespace();
    pool = await migratedPool(namespace);
    worker = await runSyncWorker(stackEnv(namespace));
    client = ClientProxyFactory.create({ transport: Transport.TCP, options: { host: '127.0.0.1', port: worker.ingestPort } });
  });

  afterAll(async () => {
    await client.close();
    await worker.app.close();
    await pool.end();
    await dropNamespace(namespace);
  });

  it('answers once the batch is committed', async () => {
    const answer = await firstValueFrom(
      client.send('events.append', [
        { type: 'identity.registered', subject: '00u1', data: { login: 'kim.sato@example.com' } },
        { type: 'patient.linked', subject: '00u1', data: { patientId: '6789' } },
      ]),
    );
    const { rows } = await pool.query('SELECT type, subject_version FROM events WHERE subject = $1 ORDER BY position', ['00u1']);

    expect(answer).toMatchObject({ appended: 2, duplicates: 0 });
    expect(rows).toEqual([
      { type: 'identity.registered', subject_version: 1 },
      { type: 'patient.linked', subject_version: 2 },
    ]);
  });

  it('refuses an invalid batch whole, naming each bad field', async () => {
    const before = (await pool.query('SELECT count(*) FROM events')).rows[0].count;

    const answer = firstValueFrom(client.send('events.append', { events: [{ type: 'patient.linked', subject: '00u2', data: {} }] }));

    await expect(answer).rejects.toMatchObject({ status: 400, errors: [{ index: 0, field: 'data.patientId', reason: 'must be a string' }] });
    expect((await pool.query('SELECT count(*) FROM events')).rows[0].count).toBe(before);
  });
});
