import { randomUUID } from 'node:crypto';
import type { Job } from 'bullmq';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock, systemClock } from '../../../server/core/clock.js';
import { openDatabase, type MikroORM } from '../../../server/infra/database/database.js';
import { createLogger } from '../../../server/infra/logger.js';
import { createRedis } from '../../../server/infra/redis/redis.js';
import { TransactionType } from '../../../server/modules/credits/credit-transaction.entity.js';
import { CreditsService, utcDay } from '../../../server/modules/credits/credits.service.js';
import { HoldStatus } from '../../../server/modules/credits/hold.entity.js';
import { checkLedger, LAST_CHECK_KEY } from '../../../server/modules/credits/ledger-check.js';
import { ProviderBalanceService } from '../../../server/modules/credits/provider-balance.service.js';
import { LedgerJob } from '../../../workers/ledger/ledger.jobs.js';
import { ledgerProcessor } from '../../../workers/ledger/ledger.processor.js';
import type { WorkerContext } from '../../../workers/worker.context.js';
import { testConfig } from '../../support/api.js';
import { insertUser } from '../../support/database.js';
import { createOwnDatabase } from '../worker/worker-process.harness.js';

/**
 * The worker's ledger jobs, run by the real processor against a database of their own: the
 * daily-grant job credits every account, which would disturb other suites' accounts.
 */
let database: { url: string; drop: () => Promise<void> };
let orm: MikroORM;
let ctx: WorkerContext;
const prefix = `ledger-jobs-${randomUUID().slice(0, 8)}:`;
beforeAll(async () => {
  database = await createOwnDatabase(`ledgerjobs${randomUUID().slice(0, 6)}`);
  orm = await openDatabase(database.url, 4);
  const config = testConfig({ DATABASE_URL: database.url });
  const redis = createRedis(config.redisUrl, `${config.redisPrefix}${prefix}`);
  ctx = { config, orm, pool: new pg.Pool({ connectionString: database.url, max: 2 }), redis, queues: undefined as never, log: createLogger('silent', 'ledger-jobs'), onClose: () => undefined };
});
afterAll(async () => {
  await ctx.redis.quit();
  await ctx.pool.end();
  await orm.close();
  await database.drop();
});

async function run(name: LedgerJob): Promise<Record<string, unknown>> {
  return (await ledgerProcessor(ctx)({ name, data: {} } as Job)) as Record<string, unknown>;
}

async function balance(userId: string) {
  return new CreditsService(systemClock).balance(orm.em.fork(), userId);
}

describe('expire-holds job', () => {
  it('expires holds whose time has passed and returns their credits', async () => {
    const userId = await insertUser(orm);
    const past = new CreditsService(new ManualClock(new Date(Date.now() - 3_600_000)));
    await past.credit(orm.em.fork(), { userId, amount: 100, type: TransactionType.GRANT, reason: 'setup', idempotencyKey: randomUUID() });
    const stale = await past.placeHold(orm.em.fork(), userId, { amount: 30, reason: 'old job', idempotencyKey: randomUUID(), ttlSeconds: 60 });
    const fresh = await new CreditsService(systemClock).placeHold(orm.em.fork(), userId, { amount: 10, reason: 'new job', idempotencyKey: randomUUID(), ttlSeconds: 600 });
    expect(await run(LedgerJob.ExpireHolds)).toMatchObject({ expired: 1 });
    const em = orm.em.fork();
    expect((await new CreditsService(systemClock).findHold(em, userId, stale.id))?.status).toBe(HoldStatus.EXPIRED);
    expect((await new CreditsService(systemClock).findHold(em, userId, fresh.id))?.status).toBe(HoldStatus.PENDING);
    expect(await balance(userId)).toEqual({ available: 90, held: 10 });
  });
});

describe('daily-grants job', () => {
  it("credits today's tier grant once to every account still owed it", async () => {
    const free = await insertUser(orm, 'free');
    const pro = await insertUser(orm, 'pro');
    const ledger = new CreditsService(systemClock);
    for (const userId of [free, pro]) await ledger.ensureAccount(orm.em.fork(), userId);
    const first = await run(LedgerJob.DailyGrants);
    expect(first.granted).toBeGreaterThanOrEqual(2);
    expect(await balance(free)).toEqual({ available: 50, held: 0 });
    expect(await balance(pro)).toEqual({ available: 500, held: 0 });
    expect(await run(LedgerJob.DailyGrants)).toMatchObject({ granted: 0 });
    const keys = await orm.em.fork().execute<{ idempotency_key: string }[]>(`select idempotency_key from credit_transactions where user_id = ?`, [pro]);
    expect(keys.map((k) => k.idempotency_key)).toEqual([`daily-grant:${utcDay(new Date())}`]);
  });
});

describe('ledger-check job', () => {
  it('records a clean check, then alerts through the outbox when a balance disagrees with its journal', async () => {
    expect(await run(LedgerJob.Check)).toMatchObject({ discrepancies: 0 });
    expect(JSON.parse((await ctx.redis.get(LAST_CHECK_KEY))!)).toMatchObject({ discrepancies: 0 });

    // A balance changed behind the journal's back: exactly what the check exists to catch.
    const userId = await insertUser(orm);
    await new CreditsService(systemClock).credit(orm.em.fork(), { userId, amount: 10, type: TransactionType.GRANT, reason: 'setup', idempotencyKey: randomUUID() });
    await orm.em.fork().execute(`update credit_accounts set available = available + 5 where user_id = ?`, [userId]);
    expect(await run(LedgerJob.Check)).toMatchObject({ discrepancies: 1 });
    const alerts = await orm.em.fork().execute<{ payload: { kind: string; message: string } }[]>(`select payload from outbox where topic = 'admin.alert' order by created_at desc limit 1`);
    expect(alerts[0]?.payload).toMatchObject({ kind: 'ledger_discrepancy', message: 'Ledger check found 1 discrepancies' });
    await orm.em.fork().execute(`update credit_accounts set available = available - 5 where user_id = ?`, [userId]);
  });

  it('reports an account whose count of jobs at once disagrees with its jobs', async () => {
    const userId = await insertUser(orm);
    await new CreditsService(systemClock).ensureAccount(orm.em.fork(), userId);
    const foundFor = async () => (await checkLedger(orm.em.fork())).filter((found) => found.userId === userId);
    expect(await foundFor()).toEqual([]);
    await orm.em.fork().execute(`update credit_accounts set active_jobs = 2 where user_id = ?`, [userId]);
    expect(await foundFor()).toEqual([{ kind: 'active_jobs', userId, detail: 'active_jobs=2, queued and running jobs: 0' }]);
    await orm.em.fork().execute(`update credit_accounts set active_jobs = 0 where user_id = ?`, [userId]);
  });
});

describe('provider balance', () => {
  it('alerts once when a spend crosses below the threshold: callback and admin event', async () => {
    await orm.em.fork().execute(`insert into provider_accounts (provider, balance, low_balance_threshold, updated_at) values ('suno-test', 1000, 500, now())`);
    const alerts: Array<{ provider: string; balance: number }> = [];
    const providers = new ProviderBalanceService(systemClock, (alert) => alerts.push(alert));
    expect(await providers.spend(orm.em.fork(), 'suno-test', 400, 'job-1')).toBe(600);
    expect(alerts).toEqual([]);
    expect(await providers.spend(orm.em.fork(), 'suno-test', 200, 'job-2')).toBe(400);
    expect(await providers.spend(orm.em.fork(), 'suno-test', 50, 'job-3')).toBe(350);
    expect(alerts).toEqual([{ provider: 'suno-test', balance: 400, threshold: 500 }]);
    const events = await orm.em.fork().execute<{ payload: { kind: string; details: { provider: string } } }[]>(`select payload from outbox where topic = 'admin.alert' and payload->>'kind' = 'provider_balance_low'`);
    expect(events.map((e) => e.payload.details.provider)).toEqual(['suno-test']);
    const ledger = await orm.em.fork().execute<{ kind: string; amount: number; balance_after: number }[]>(`select kind, amount, balance_after from provider_ledger where provider = 'suno-test' order by created_at, balance_after desc`);
    expect(ledger).toEqual([
      { kind: 'SPEND', amount: -400, balance_after: 600 },
      { kind: 'SPEND', amount: -200, balance_after: 400 },
      { kind: 'SPEND', amount: -50, balance_after: 350 },
    ]);
  });
});
