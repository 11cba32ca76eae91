import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import pg from 'pg';

/**
 * The connections the hot-path prepared statements run on (runStatement, inSqlTransaction), apart
 * from the ORM's, with one setting of their own: plan_cache_mode=force_generic_plan, so that each
 * statement is planned once per connection and never again.
 *
 * Why: by default PostgreSQL plans a prepared statement afresh for its first five calls, then
 * keeps a generic plan only while it judges that plan no costlier than the fresh ones. Under load
 * that judgement went the other way on some connections, and there every call of the big
 * one-statement CTEs (placing a generation, finishing one) was planned again: a millisecond or
 * more of planning for a statement that runs in less. Every statement sent here finds its rows by
 * primary or unique keys and writes statuses as literals, so the generic plan is the right one.
 * The ORM's own queries keep the default: some filter on a status parameter, and a partial index
 * on status serves them only when the plan sees the value.
 */
export const STATEMENT_SESSION_OPTIONS = '-c plan_cache_mode=force_generic_plan';

/** Keyed by the ORM's knex instance, which every EntityManager forked from that ORM shares. */
const pools = new WeakMap<object, pg.Pool>();

/**
 * Opens the statement pool of `orm` (at most `max` connections, opened when first needed) and
 * closes it with the ORM. Rows come back typed as the ORM's connections type them (timestamps as
 * text), so a statement reads the same whichever pool ran it.
 */
export function attachStatementPool(orm: MikroORM, max: number): void {
  const connectionOptions = orm.em.getConnection().getConnectionOptions() as pg.PoolConfig;
  const pool = new pg.Pool({ ...connectionOptions, max, idleTimeoutMillis: 30_000, options: STATEMENT_SESSION_OPTIONS });
  // An idle connection that breaks (the server restarted) leaves the pool; the next query opens another.
  pool.on('error', () => undefined);
  pools.set(orm.em.getKnex(), pool);
  const closeOrm = orm.close.bind(orm);
  let ended: Promise<void> | undefined;
  orm.close = async (force?: boolean): Promise<void> => {
    ended ??= pool.end();
    await ended;
    await closeOrm(force);
  };
}

/** The statement pool of the ORM `em` was forked from; none for an ORM opened without one. */
export function statementPoolOf(em: EntityManager): pg.Pool | undefined {
  return pools.get(em.getKnex());
}
