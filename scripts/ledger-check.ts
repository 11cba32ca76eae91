import 'reflect-metadata';
import { loadConfig } from '../server/config.js';
import { openDatabase } from '../server/infra/database/database.js';
import { checkLedger } from '../server/modules/credits/ledger-check.js';

/**
 * `npm run ledger:check`: replays every account's journal against its balances and every hold
 * against its resolution; prints each discrepancy and exits 1 if there is any. Read-only.
 */
const config = loadConfig();
const orm = await openDatabase(config.databaseUrl, 1);
try {
  const found = await checkLedger(orm.em.fork());
  for (const d of found) process.stdout.write(`${d.kind}\tuser ${d.userId}${d.holdId ? `\thold ${d.holdId}` : ''}\t${d.detail}\n`);
  process.stdout.write(found.length === 0 ? 'ledger is consistent\n' : `${found.length} discrepancies\n`);
  process.exitCode = found.length === 0 ? 0 : 1;
} finally {
  await orm.close();
}
