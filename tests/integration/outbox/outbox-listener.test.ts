import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { OutboxListener } from '../../../server/infra/outbox/outbox-listener.js';
import { log, uniqueNames, waitFor } from './outbox.harness.js';

const name = `test-listener-${uniqueNames().suffix}`;
let admin: pg.Client;
let listener: OutboxListener;
let wakeups = 0;

beforeAll(async () => {
  admin = new pg.Client({ connectionString: inject('databaseUrl') });
  await admin.connect();
  listener = new OutboxListener(inject('databaseUrl'), () => (wakeups += 1), log, 50, name);
  await listener.open();
});
afterAll(async () => {
  await listener?.close();
  await admin?.end();
});

async function backendPids(): Promise<number[]> {
  const { rows } = await admin.query<{ pid: number }>('select pid from pg_stat_activity where application_name = $1', [name]);
  return rows.map((row) => row.pid);
}

describe('LISTEN connection', () => {
  it('is opened again after the database drops it, and wakes the relay on the next notification', async () => {
    const before = wakeups;
    await admin.query(`notify outbox, ''`);
    await waitFor('a wake-up', () => wakeups > before);
    const [first] = await backendPids();

    await admin.query('select pg_terminate_backend($1)', [first]);
    await waitFor('a new connection', async () => {
      const pids = await backendPids();
      return pids.length === 1 && pids[0] !== first;
    });
    // Notify until one lands: the new connection may still be between connect and LISTEN.
    const after = wakeups;
    await waitFor('a wake-up on the new connection', async () => {
      await admin.query(`notify outbox, ''`);
      return wakeups > after;
    });

    expect(await backendPids()).toHaveLength(1);

    await listener.close();
    await waitFor('the connection closed', async () => (await backendPids()).length === 0);
  });
});
