import 'reflect-metadata';
import { randomBytes, randomUUID } from 'node:crypto';
import pg from 'pg';
import { systemClock } from '../../server/core/clock.js';
import { ensureDatabase, migrate, openDatabase } from '../../server/infra/database/database.js';
import { TransactionType } from '../../server/modules/credits/credit-transaction.entity.js';
import { CreditsService } from '../../server/modules/credits/credits.service.js';
import { HoldBatcher } from '../../server/modules/credits/hold-batcher.js';
import { checkLedger } from '../../server/modules/credits/ledger-check.js';
import { formatRow, measure, spawnApi, stopProcess, type RunResult } from './harness.js';
import { deleteKeysUnder } from '../support/redis-keys.js';

/**
 * `npm run bench:ledger`: hold+commit pairs per second on one hot account and spread over 1,000
 * accounts, through the service layer (with and without group commit) and through GraphQL over
 * HTTP, each beside the raw-SQL ceiling measured on the same database at the same concurrency.
 * Uses its own database, dropped at the end. BENCH_SECONDS and BENCH_CONCURRENCY tune it.
 */
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 32);
const SPREAD = 1_000;
const POOL = 10;
const BASE_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const JWT_SECRET = 'bench-secret-that-is-long-enough-0123456789';

const dbName = `mv_bench_${randomBytes(4).toString('hex')}`;
const databaseUrl = Object.assign(new URL(BASE_URL), { pathname: `/${dbName}` }).toString();

async function createUsers(pool: pg.Pool, count: number, credits: number): Promise<string[]> {
  const ids = Array.from({ length: count }, () => randomUUID());
  const base = 700_000_000 + Math.floor(Math.random() * 100_000_000);
  await pool.query(
    `insert into users (id, telegram_id, first_name, tier, role, created_at, updated_at)
     select id, $2::bigint + ord, 'Bench', 'free', 'user', now(), now() from unnest($1::uuid[]) with ordinality as u(id, ord)`,
    [ids, base],
  );
  // Opened with the day's grant already taken, so no grant lands in the middle of a run.
  await pool.query(
    `insert into credit_accounts (user_id, available, held, last_grant_day, updated_at) select id, $2, 0, current_date + 1, now() from unnest($1::uuid[]) as u(id)`,
    [ids, credits],
  );
  await pool.query(
    `insert into credit_transactions (id, user_id, type, available_delta, held_delta, available_after, held_after, idempotency_key, reason, created_at)
     select gen_random_uuid(), id, 'GRANT', $2, 0, $2, 0, 'bench-setup', 'bench setup', now() from unnest($1::uuid[]) as u(id)`,
    [ids, credits],
  );
  return ids;
}

/** The ceiling: what pg alone does for a hold and its commit, each a conditional UPDATE plus a journal INSERT in one transaction. */
async function rawPair(pool: pg.Pool, userId: string): Promise<void> {
  for (const [available, held, type] of [[-1, 1, 'HOLD'], [0, -1, 'COMMIT']] as const) {
    const client = await pool.connect();
    try {
      await client.query('begin');
      const moved = await client.query<{ available: number; held: number }>(
        'update credit_accounts set available = available + $2, held = held + $3, updated_at = now() where user_id = $1 and available + $2 >= 0 returning available, held',
        [userId, available, held],
      );
      const row = moved.rows[0];
      if (!row) throw new Error('insufficient');
      await client.query(
        `insert into credit_transactions (id, user_id, type, available_delta, held_delta, available_after, held_after, idempotency_key, reason, created_at)
         values (gen_random_uuid(), $1, $2, $3, $4, $5, $6, gen_random_uuid()::text, 'raw', now())`,
        [userId, type, available, held, row.available, row.held],
      );
      await client.query('commit');
    } catch (error) {
      await client.query('rollback');
      throw error;
    } finally {
      client.release();
    }
  }
}

async function main(): Promise<void> {
  await ensureDatabase(databaseUrl);
  const orm = await openDatabase(databaseUrl, POOL);
  await migrate(orm);
  const pool = new pg.Pool({ connectionString: databaseUrl, max: POOL });
  // Each bench user sends far more than a tier's per-minute budget: lift the limits in this
  // database only, so the GraphQL runs measure the ledger, not 429s.
  await pool.query('update tier_plans set rate_limit_per_minute = 1000000000');
  const credits = 100_000_000;
  const results: Record<string, RunResult> = {};
  const lines: string[] = [];
  const api = await spawnApi({
    DATABASE_URL: databaseUrl,
    REDIS_URL,
    REDIS_PREFIX: `mvbench:${dbName}:`,
    JWT_SECRET,
    DEV_LOGIN: '1',
    NODE_ENV: 'development',
    LOG_LEVEL: 'error',
  });
  try {
    const [rawHot] = await createUsers(pool, 1, credits);
    const rawSpread = await createUsers(pool, SPREAD, credits);
    const [serviceHot] = await createUsers(pool, 1, credits);
    const [batchedHot] = await createUsers(pool, 1, credits);
    const serviceSpread = await createUsers(pool, SPREAD, credits);

    const plain = new CreditsService(systemClock);
    const batched = new CreditsService(systemClock, new HoldBatcher(() => orm.em.fork()));
    const servicePair = async (ledger: CreditsService, userId: string) => {
      const hold = await ledger.placeHold(orm.em.fork(), userId, { amount: 1, reason: 'bench', idempotencyKey: randomUUID() });
      await ledger.commitHold(orm.em.fork(), userId, hold.id);
    };

    // GraphQL: sessions for dev users, funded through the journal.
    const sessions: Array<{ token: string; userId: string }> = [];
    for (let i = 0; i < 33; i += 1) {
      const res = await fetch(`${api.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: `mutation($id: String!) { devSignIn(input: { telegramId: $id }) { accessToken user { id } } }`, variables: { id: String(600_000_000 + i + Math.floor(Math.random() * 1e6)) } }),
      });
      const body = (await res.json()) as { data: { devSignIn: { accessToken: string; user: { id: string } } } };
      const userId = Buffer.from(body.data.devSignIn.user.id, 'base64url').toString('utf8').split(':')[1]!;
      await plain.credit(orm.em.fork(), { userId, amount: 1_000_000, type: TransactionType.GRANT, reason: "bench", idempotencyKey: randomUUID() });
      await plain.grantDaily(orm.em.fork(), userId);
      sessions.push({ token: body.data.devSignIn.accessToken, userId });
    }
    const gqlCall = async (token: string, query: string, variables: Record<string, unknown>) => {
      const res = await fetch(`${api.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ query, variables }) });
      const body = (await res.json()) as { data?: Record<string, { id: string }>; errors?: unknown[] };
      if (body.errors) throw new Error(JSON.stringify(body.errors));
      return body.data!;
    };
    const graphqlPair = async (token: string) => {
      const placed = await gqlCall(token, `mutation($input: PlaceHoldInput!) { placeHold(input: $input) { id } }`, { input: { amount: 1, reason: 'bench', idempotencyKey: randomUUID() } });
      await gqlCall(token, `mutation($id: ID!) { commitHold(id: $id) { id } }`, { id: placed.placeHold!.id });
    };

    const run = async (name: string, op: (worker: number, i: number) => Promise<void>, ceiling?: string) => {
      results[name] = await measure(CONCURRENCY, SECONDS * 1000, op);
      const line = formatRow(name, results[name]!, ceiling ? results[ceiling] : undefined);
      lines.push(line);
      process.stdout.write(`${line}\n`);
    };

    process.stdout.write(`ledger benchmark: ${CONCURRENCY} concurrent clients, ${SECONDS} s per run, pool ${POOL}, ${SPREAD} spread accounts\n`);
    await run('raw SQL ceiling, hot account', () => rawPair(pool, rawHot!));
    await run('service layer, hot account', () => servicePair(plain, serviceHot!), 'raw SQL ceiling, hot account');
    await run('service layer + group commit, hot account', () => servicePair(batched, batchedHot!), 'raw SQL ceiling, hot account');
    await run('GraphQL over HTTP, hot account', () => graphqlPair(sessions[0]!.token), 'raw SQL ceiling, hot account');
    await run('raw SQL ceiling, 1,000 accounts', (w, i) => rawPair(pool, rawSpread[(w * 7919 + i * 31) % SPREAD]!));
    await run('service layer, 1,000 accounts', (w, i) => servicePair(plain, serviceSpread[(w * 7919 + i * 31) % SPREAD]!), 'raw SQL ceiling, 1,000 accounts');
    await run('GraphQL over HTTP, 32 accounts', (w) => graphqlPair(sessions[1 + (w % 32)]!.token), 'raw SQL ceiling, 1,000 accounts');

    const discrepancies = (await checkLedger(orm.em.fork())).filter((d) => !rawSpread.includes(d.userId) && d.userId !== rawHot);
    process.stdout.write(`invariant violations: ${discrepancies.length}\n`);
    for (const d of discrepancies.slice(0, 10)) process.stdout.write(`  ${d.kind} ${d.userId} ${d.detail}\n`);
    if (discrepancies.length > 0) process.exitCode = 1;
  } finally {
    await stopProcess(api.child);
    await pool.end();
    await orm.close();
    const admin = new pg.Client({ connectionString: BASE_URL });
    await admin.connect();
    await admin.query(`drop database if exists "${dbName}" with (force)`);
    await admin.end();
    await deleteKeysUnder(REDIS_URL, `mvbench:${dbName}:`);
  }
}

await main();
