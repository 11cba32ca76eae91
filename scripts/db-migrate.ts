import 'reflect-metadata';
import { loadConfig } from '../server/config.js';
import { ensureDatabase, migrate, openDatabase } from '../server/infra/database/database.js';

/** Creates the database if it is missing and applies every pending migration. */
const config = loadConfig();
const created = await ensureDatabase(config.databaseUrl);
const orm = await openDatabase(config.databaseUrl, 2);
try {
  const applied = await migrate(orm);
  const name = new URL(config.databaseUrl).pathname.slice(1);
  process.stdout.write(`database ${name}: ${created ? 'created, ' : ''}${applied.length ? `applied ${applied.join(', ')}` : 'up to date'}\n`);
} finally {
  await orm.close();
}
