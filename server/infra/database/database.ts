import { MikroORM } from '@mikro-orm/postgresql';
import pg from 'pg';
import { ormOptions } from './orm.config.js';
import { attachStatementPool } from './statement-pool.js';

export { MikroORM };

/**
 * The ORM, with at most `poolMax` connections for its own queries and as many again, opened when
 * first needed, for the hot-path prepared statements (statement-pool.ts).
 */
export async function openDatabase(databaseUrl: string, poolMax = 10): Promise<MikroORM> {
  const orm = await MikroORM.init(ormOptions(databaseUrl, { pool: { min: 0, max: poolMax } }));
  attachStatementPool(orm, poolMax);
  return orm;
}

/** Creates the database named in the URL when it does not exist yet (connects to `postgres`). */
export async function ensureDatabase(databaseUrl: string): Promise<boolean> {
  const target = new URL(databaseUrl);
  const name = decodeURIComponent(target.pathname.slice(1));
  const admin = new URL(databaseUrl);
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    const found = await client.query('select 1 from pg_database where datname = $1', [name]);
    if (found.rowCount) return false;
    await client.query(`create database "${name.replace(/"/g, '""')}"`);
    return true;
  } finally {
    await client.end();
  }
}

export async function migrate(orm: MikroORM): Promise<string[]> {
  const applied = await orm.getMigrator().up();
  return applied.map((m) => m.name);
}

export async function pendingMigrations(orm: MikroORM): Promise<string[]> {
  return (await orm.getMigrator().getPendingMigrations()).map((m) => m.name);
}
