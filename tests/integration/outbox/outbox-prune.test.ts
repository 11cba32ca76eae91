import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { pruneOutbox } from '../../../server/infra/outbox/outbox-prune.js';
import { uniqueNames } from './outbox.harness.js';

const names = uniqueNames();
let pool: pg.Pool;

beforeAll(() => {
  pool = new pg.Pool({ connectionString: inject('databaseUrl'), max: 1 });
});
afterAll(async () => {
  await pool?.end();
});

async function insert(createdDaysAgo: number, publishedDaysAgo: number | null): Promise<string> {
  const id = randomUUID();
  await pool.query(
    `insert into outbox (id, topic, payload, created_at, available_at, published_at)
     values ($1, $2, '{}', now() - make_interval(days => $3), now() - make_interval(days => $3),
             case when $4::int is null then null else now() - make_interval(days => $4::int) end)`,
    [id, names.pubsubTopic, createdDaysAgo, publishedDaysAgo],
  );
  return id;
}

describe('pruneOutbox', () => {
  it('deletes events published before the retention window and keeps recent and unpublished ones', async () => {
    const old = await insert(10, 9);
    const recent = await insert(2, 1);
    const owed = await insert(30, null);
    const deleted = await pruneOutbox(pool, 7);
    expect(deleted).toBeGreaterThanOrEqual(1);
    const { rows } = await pool.query<{ id: string }>('select id from outbox where id = any($1::uuid[])', [[old, recent, owed]]);
    expect(new Set(rows.map((r) => r.id))).toEqual(new Set([recent, owed]));
  });
});
