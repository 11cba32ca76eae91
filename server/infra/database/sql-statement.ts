import type { EntityManager } from '@mikro-orm/postgresql';

/**
 * A hot-path SQL statement written with `:name` parameters and a type for each. Outside a
 * transaction it runs as a named prepared statement on a pooled connection (PostgreSQL plans it
 * once per connection, values travel as parameters); inside the caller's transaction it runs
 * through that transaction's EntityManager.
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

export async function runStatement<T extends object = Row>(em: EntityManager, statement: SqlStatement, params: Record<string, unknown>): Promise<T[]> {
  for (const param of statement.order) {
    if (!(param in params)) throw new Error(`statement ${statement.name}: missing :${param}`);
  }
  if (em.isInTransaction()) {
    return (await em.execute(em.getKnex().raw(statement.knexText, params))) as T[];
  }
  const knex = em.getKnex() as unknown as KnexPool;
  const connection = await knex.client.acquireConnection();
  try {
    const result = await connection.query({ name: statement.name, text: statement.pgText, values: statement.order.map((p) => params[p] ?? null) });
    return result.rows as T[];
  } finally {
    await knex.client.releaseConnection(connection);
  }
}
