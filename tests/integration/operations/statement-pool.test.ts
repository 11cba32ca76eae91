import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MikroORM } from '../../../server/infra/database/database.js';
import { inSqlTransaction, runStatement, sqlStatement } from '../../../server/infra/database/sql-statement.js';
import { statementPoolOf } from '../../../server/infra/database/statement-pool.js';
import { openTestDatabase } from '../../support/database.js';

/**
 * The hot-path prepared statements run on connections of their own that plan each statement once
 * (a generic plan) and never again; the ORM's queries keep PostgreSQL's default. One connection
 * per pool here, so that the session a statement ran in can be asked what it planned.
 */
const JOB_BY_ID = sqlStatement('statement_pool_probe', 'select count(*)::int as found from jobs where id = :jobId', { jobId: 'uuid' });
const PLANS_OF_PROBE = sqlStatement(
  'statement_pool_plans',
  "select generic_plans::int as generic, custom_plans::int as custom from pg_prepared_statements where name = 'statement_pool_probe'",
  {},
);
const PLAN_MODE = sqlStatement('statement_pool_mode', "select current_setting('plan_cache_mode') as mode", {});

let orm: MikroORM;
beforeAll(async () => {
  orm = await openTestDatabase(1);
});
afterAll(async () => {
  await orm.close();
});

describe('the statement pool', () => {
  it('plans a prepared statement once, generically, however many times it runs with new values', async () => {
    const em = orm.em.fork();
    for (let call = 0; call < 8; call++) {
      expect(await runStatement(em, JOB_BY_ID, { jobId: randomUUID() })).toEqual([{ found: 0 }]);
    }
    // PostgreSQL's default would have planned the first five calls afresh (custom plans).
    expect(await runStatement(em, PLANS_OF_PROBE, {})).toEqual([{ generic: 8, custom: 0 }]);
  });

  it('runs transactions of prepared statements the same way', async () => {
    const mode = await inSqlTransaction(orm.em.fork(), async (tx) => tx.run<{ mode: string }>(PLAN_MODE, {}));
    expect(mode).toEqual([{ mode: 'force_generic_plan' }]);
  });

  it("leaves the ORM's own queries on the default, where partial indexes can see a status parameter", async () => {
    const [row] = await orm.em.fork().execute<{ mode: string }[]>("select current_setting('plan_cache_mode') as mode");
    expect(row?.mode).toBe('auto');
  });

  it('closes with the ORM', async () => {
    const other = await openTestDatabase(1);
    await runStatement(other.em.fork(), PLAN_MODE, {});
    const pool = statementPoolOf(other.em.fork());
    expect(pool?.totalCount).toBe(1);
    await other.close();
    expect(pool?.totalCount).toBe(0);
    await other.close(); // a second close is harmless
  });
});
