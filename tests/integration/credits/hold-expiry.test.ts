import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../server/core/clock.js';
import type { MikroORM } from '../../../server/infra/database/database.js';
import { TransactionType } from '../../../server/modules/credits/credit-transaction.entity.js';
import { HoldExpiredError } from '../../../server/modules/credits/credits.errors.js';
import { CreditsService } from '../../../server/modules/credits/credits.service.js';
import { HoldStatus } from '../../../server/modules/credits/hold.entity.js';
import { checkLedger } from '../../../server/modules/credits/ledger-check.js';
import { insertUser, openTestDatabase } from '../../support/database.js';

let orm: MikroORM;
beforeAll(async () => {
  orm = await openTestDatabase();
});
afterAll(async () => {
  await orm.close();
});

/** A user with `credits` available, served by a ledger whose clock the test moves. */
async function fundedUser(clock: ManualClock, credits: number): Promise<{ userId: string; ledger: CreditsService }> {
  const ledger = new CreditsService(clock);
  const userId = await insertUser(orm);
  await ledger.credit(orm.em.fork(), { userId, amount: credits, type: TransactionType.GRANT, reason: 'setup', idempotencyKey: randomUUID() });
  return { userId, ledger };
}

describe('expireDueHolds', () => {
  it('expires a hold once its time has passed and returns its credits', async () => {
    const clock = new ManualClock(new Date('2026-03-01T10:00:00Z'));
    const { userId, ledger } = await fundedUser(clock, 100);
    const hold = await ledger.placeHold(orm.em.fork(), userId, { amount: 30, reason: 'job', idempotencyKey: randomUUID(), ttlSeconds: 60 });

    clock.advance(59_000);
    await ledger.expireDueHolds(orm.em.fork());
    expect((await ledger.findHold(orm.em.fork(), userId, hold.id))?.status).toBe(HoldStatus.PENDING);

    clock.advance(1_000);
    await ledger.expireDueHolds(orm.em.fork());
    const expired = await ledger.findHold(orm.em.fork(), userId, hold.id);
    expect(expired?.status).toBe(HoldStatus.EXPIRED);
    expect(await ledger.balance(orm.em.fork(), userId)).toEqual({ available: 100, held: 0 });
  });

  it('never commits a hold whose expiry has passed, even before the sweeper ran', async () => {
    const clock = new ManualClock(new Date('2026-03-01T10:00:00Z'));
    const { userId, ledger } = await fundedUser(clock, 100);
    const hold = await ledger.placeHold(orm.em.fork(), userId, { amount: 30, reason: 'job', idempotencyKey: randomUUID(), ttlSeconds: 60 });
    clock.advance(60_000);
    await expect(ledger.commitHold(orm.em.fork(), userId, hold.id, 30)).rejects.toBeInstanceOf(HoldExpiredError);
    expect(await ledger.balance(orm.em.fork(), userId)).toEqual({ available: 70, held: 30 });
    await ledger.expireDueHolds(orm.em.fork());
    expect(await ledger.balance(orm.em.fork(), userId)).toEqual({ available: 100, held: 0 });
  });

  it('expires each hold exactly once when several sweepers run at once', async () => {
    const clock = new ManualClock(new Date('2026-03-01T10:00:00Z'));
    const { userId, ledger } = await fundedUser(clock, 1_000);
    for (let i = 0; i < 40; i += 1) {
      await ledger.placeHold(orm.em.fork(), userId, { amount: 5, reason: 'job', idempotencyKey: randomUUID(), ttlSeconds: 30 });
    }
    clock.advance(31_000);
    const counts = await Promise.all([1, 2, 3, 4].map(() => ledger.expireDueHolds(orm.em.fork())));
    expect(counts.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(40);
    expect(await ledger.balance(orm.em.fork(), userId)).toEqual({ available: 1_000, held: 0 });
    const expiries = await orm.em.fork().execute<{ n: string }[]>(`select count(*) as n from credit_transactions where user_id = ? and type = 'EXPIRE'`, [userId]);
    expect(Number(expiries[0]!.n)).toBe(40);
    expect((await checkLedger(orm.em.fork())).filter((d) => d.userId === userId)).toEqual([]);
  });
});

describe('grantDaily', () => {
  it('grants once per UTC day and again after midnight', async () => {
    const clock = new ManualClock(new Date('2026-03-01T23:59:00Z'));
    const ledger = new CreditsService(clock);
    const userId = await insertUser(orm);
    await ledger.ensureAccount(orm.em.fork(), userId);
    const results = await Promise.all([1, 2, 3, 4, 5].map(() => ledger.grantDaily(orm.em.fork(), userId)));
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(await ledger.balance(orm.em.fork(), userId)).toEqual({ available: 50, held: 0 });
    clock.advance(60_000);
    expect(await ledger.grantDaily(orm.em.fork(), userId)).toBe(true);
    expect(await ledger.grantDaily(orm.em.fork(), userId)).toBe(false);
    expect(await ledger.balance(orm.em.fork(), userId)).toEqual({ available: 100, held: 0 });
  });
});
