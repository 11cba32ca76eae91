import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MikroORM } from '../../../server/infra/database/database.js';
import { recordOutboxEvent } from '../../../server/infra/outbox/outbox.js';
import { log, openTestOrm, outboxRows, startRelay, uniqueNames, type RelayRig } from './outbox.harness.js';

const names = uniqueNames();
let orm: MikroORM;
let rig: RelayRig;

beforeAll(async () => {
  orm = await openTestOrm();
  // One connection, so that the session the relay prepared its statements in is the one asked below.
  rig = await startRelay({ redisPrefix: names.redisPrefix, routes: { [names.pubsubTopic]: { pubsub: true } }, start: false, poolSize: 1 });
});
afterAll(async () => {
  await rig?.close();
  await orm?.close();
  log.flush();
});

describe('Relay batch', () => {
  it('claims and marks with statements prepared and planned once per connection', async () => {
    const ids: string[] = [];
    for (let batch = 0; batch < 3; batch++) {
      ids.push(await orm.em.fork().transactional(async (em) => recordOutboxEvent(em, { topic: names.pubsubTopic, userId: null, payload: { batch } })));
      expect(await rig.relay.relayOnce()).toBe(1);
    }
    expect((await outboxRows(rig.pool, ids)).every((row) => row.published_at !== null)).toBe(true);
    const { rows } = await rig.pool.query<{ name: string; generic_plans: string; custom_plans: string }>(
      `select name, generic_plans, custom_plans from pg_prepared_statements where name like 'outbox_%' order by name`,
    );
    expect(rows.map((row) => ({ ...row, generic_plans: Number(row.generic_plans), custom_plans: Number(row.custom_plans) }))).toEqual([
      { name: 'outbox_claim', generic_plans: 3, custom_plans: 0 },
      { name: 'outbox_mark_published', generic_plans: 3, custom_plans: 0 },
    ]);
  });
});
