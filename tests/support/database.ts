import { randomUUID } from 'node:crypto';
import { inject } from 'vitest';
import { openDatabase, type MikroORM } from '../../server/infra/database/database.js';

/** The run's own migrated database (see global-setup.ts). */
export async function openTestDatabase(poolMax = 10): Promise<MikroORM> {
  return openDatabase(inject('databaseUrl'), poolMax);
}

let nextTelegramId = 800_000_000 + Math.floor(Math.random() * 100_000_000);

/** A user row made directly, for service-level tests that need an owner but no sign-in. */
export async function insertUser(orm: MikroORM, tier: 'free' | 'pro' | 'enterprise' = 'free'): Promise<string> {
  const id = randomUUID();
  nextTelegramId += 1;
  await orm.em.fork().execute(
    `insert into users (id, telegram_id, first_name, tier, role, created_at, updated_at) values (?, ?, 'Service', ?, 'user', now(), now())`,
    [id, nextTelegramId, tier],
  );
  return id;
}
