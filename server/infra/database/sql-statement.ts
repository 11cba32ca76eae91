import type { EntityManager } from '@mikro-orm/postgresql';
import { statementPoolOf } from './statement-pool.js';

/**
 * A hot-path SQL statement written with `:name` parameters and a type for each. Outside a
 * transaction it runs as a named prepared statement on a connection of the statement pool
 * (PostgreSQL plans it once per connection, values travel as parameters); inside the caller's
 * transaction it runs through that transaction's EntityManager.
 */
export interface SqlStatement {
  name: string;
  /** `:name` form with casts, for knex inside a transaction. */
  knexText: string;
  /** `$n` form, for pg. */
  pgText: string;
  order: string[];
}

type Row = Record<string, unknown>;

interface PgConnection {
  query(config: { name: string; text: string; values: unknown[] }): Promise<{ rows: Row[] }>;
}

interface KnexPool {
  client: { acquireConnection(): Promise<PgConnection>; releaseConnection(connection: PgConnection): Promise<void> };
}

const PARAMETER = /(?<![:\w]):([A-Za-z]\w*)/g;

export function sqlStatement(name: string, source: string, types: Record<string, string>): SqlStatement {
  const order: string[] = [];
  const typeOf = (param: string): string => {
    const type = types[param];
    if (!type) throw new Error(`statement ${name}: no type declared for :${param}`);
    return type;
  };
  const pgText = source.replace(PARAMETER, (_match, param: string) => {
    let index = order.indexOf(param);
    if (index < 0) index = order.push(param) - 1;
    return `cast($${index + 1} as ${typeOf(param)})`;
  });
  const knexText = source.replace(PARAMETER, (_match, param: string) => `cast(:${param} as ${typeOf(param)})`);
  return { name, knexText, pgText, order };
}

/**
 * A transaction on one pooled connection that runs only prepared statements: no unit of work,
 * no query builder. For the hottest write paths (a worker finishing a job), where the ORM's
 * per-statement work cost more than the database's.
 */
export class SqlTransaction {
  constructor(private readonly connection: PgConnection) {}

  async run<T extends object = Row>(statement: SqlStatement, params: Record<string, unknown>): Promise<T[]> {
    return (await this.connection.query({ name: statement.name, text: statement.pgText, values: valuesOf(statement, params) })).rows as T[];
  }
}

/** Runs `work` in a transaction of prepared statements; commits when it resolves, rolls back when it throws. */
export async function inSqlTransaction<T>(em: EntityManager, work: (tx: SqlTransaction) => Promise<T>): Promise<T> {
  const { connection, release } = await acquire(em);
  try {
    await connection.query({ name: 'begin', text: 'begin', values: [] });
    try {
      const result = await work(new SqlTransaction(connection));
      await connection.query({ name: 'commit', text: 'commit', values: [] });
      return result;
    } catch (error) {
      await connection.query({ name: 'rollback', text: 'rollback', values: [] });
      throw error;
    }
  } finally {
    await release();
  }
}

/**
 * A connection for prepared statements: from the ORM's statement pool (see statement-pool.ts),
 * or from the ORM's own pool when it was opened without one.
 */
async function acquire(em: EntityManager): Promise<{ connection: PgConnection; release: () => Promise<void> }> {
  const statements = statementPoolOf(em);
  if (statements) {
    const client = await statements.connect();
    return { connection: client, release: async () => client.release() };
  }
  const knex = em.getKnex() as unknown as KnexPool;
  const connection = await knex.client.acquireConnection();
  return { connection, release: () => knex.client.releaseConnection(connection) };
}

function valuesOf(statement: SqlStatement, params: Record<string, unknown>): unknown[] {
  for (const param of statement.order) {
    if (!(param in params)) throw new Error(`statement ${statement.name}: missing :${param}`);
  }
  return statement.order.map((p) => params[p] ?? null);
}

/**
 * Runs `statement` in the caller's transaction: an ORM one (`em` inside `transactional`), a
 * SqlTransaction, or none (a pooled connection, as a named prepared statement).
 */
export async function runStatement<T extends object = Row>(target: EntityManager | SqlTransaction, statement: SqlStatement, params: Record<string, unknown>): Promise<T[]> {
  if (target instanceof SqlTransaction) return target.run<T>(statement, params);
  const values = valuesOf(statement, params);
  if (target.isInTransaction()) {
    return (await target.execute(target.getKnex().raw(statement.knexText, params))) as T[];
  }
  const { connection, release } = await acquire(target);
  try {
    const result = await connection.query({ name: statement.name, text: statement.pgText, values });
    return result.rows as T[];
  } finally {
    await release();
  }
}
