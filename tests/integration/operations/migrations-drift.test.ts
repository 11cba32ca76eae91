import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { openDatabase, pendingMigrations, type MikroORM } from '../../../server/infra/database/database.js';

/**
 * Entities and committed migrations must never disagree: on the run's database, migrated from
 * the committed migrations only, MikroORM's schema diff against the entities must be empty.
 * When this fails, the printed SQL is what a new migration has to contain.
 */
let orm: MikroORM;
beforeAll(async () => {
  orm = await openDatabase(inject('databaseUrl'), 2);
});
afterAll(async () => {
  await orm.close();
});

describe('committed migrations', () => {
  it('are all applied to the test database', async () => {
    expect(await pendingMigrations(orm)).toEqual([]);
  });

  it('produce exactly the schema the entities describe (no update SQL to run)', async () => {
    const sql = await orm.getSchemaGenerator().getUpdateSchemaSQL({ wrap: false });
    expect(sql.trim()).toBe('');
  });
});
