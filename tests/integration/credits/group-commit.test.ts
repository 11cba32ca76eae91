import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../../server/core/clock.js';
import type { MikroORM } from '../../../server/infra/database/database.js';
import { TransactionType } from '../../../server/modules/credits/credit-transaction.entity.js';
import { CreditsService } from '../../../server/modules/credits/credits.service.js';
import { HoldBatcher } from '../../../server/modules/credits/hold-batcher.js';
import { checkLedger } from '../../../server/modules/credits/ledger-check.js';
import { insertUser, openTestDatabase } from '../../support/database.js';

let orm: MikroORM;
beforeAll(async () => {
  orm = await openTestDatabase(10);
});
afterAll(async () => {
  await orm.close();
});

async function fundedAccount(ledger: CreditsService, credits: number): Promise<string> {
  const userId = await insertUser(orm);
  await ledger.ensureAccount(orm.em.fork(), userId);
  await ledger.grantDaily(orm.em.fork(), userId);
  await ledger.credit(orm.em.fork(), { userId, amount: credits - 50, type: TransactionType.GRANT, reason: 'setup', idempotencyKey: randomUUID() });
  return userId;
}

describe('group commit', () => {
  it('places concurrent holds on one account in shared statements, each caller with its own hold', async () => {
    const batcher = new HoldBatcher(() => orm.em.fork());
    const ledger = new CreditsService(systemClock, batcher);
    const userId = await fundedAccount(ledger, 10_000);
    const holds = await Promise.all(
      Array.from({ length: 200 }, (_, i) => ledger.placeHold(orm.em.fork(), userId, { amount: 1 + (i % 5), reason: `job ${i}`, idempotencyKey: `k-${i}` })),
    );
    expect(new Set(holds.map((h) => h.id)).size).toBe(200);
    holds.forEach((hold, i) => expect(hold).toMatchObject({ amount: 1 + (i % 5), reason: `job ${i}`, idempotencyKey: `k-${i}` }));
    expect(batcher.statements).toBeLessThan(200);
    const total = holds.reduce((sum, h) => sum + h.amount, 0);
    expect(await ledger.balance(orm.em.fork(), userId)).toEqual({ available: 10_000 - total, held: total });
    expect((await checkLedger(orm.em.fork())).filter((d) => d.userId === userId)).toEqual([]);
  });

  it('places exactly as many as the balance covers and refuses the rest with INSUFFICIENT_CREDITS', async () => {
    const ledger = new CreditsService(systemClock, new HoldBatcher(() => orm.em.fork()));
    const userId = await fundedAccount(ledger, 300);
    const results = await Promise.allSettled(
      Array.from({ length: 150 }, () => ledger.placeHold(orm.em.fork(), userId, { amount: 7, reason: 'race', idempotencyKey: randomUUID() })),
    );
    const placed = results.filter((r) => r.status === 'fulfilled');
    const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(placed).toHaveLength(Math.floor(300 / 7));
    expect(new Set(refused.map((r) => (r.reason as { code: string }).code))).toEqual(new Set(['INSUFFICIENT_CREDITS']));
    expect(await ledger.balance(orm.em.fork(), userId)).toEqual({ available: 300 % 7, held: 300 - (300 % 7) });
    expect((await checkLedger(orm.em.fork())).filter((d) => d.userId === userId)).toEqual([]);
  });

  it('answers replays of one key inside a batch with the one hold', async () => {
    const ledger = new CreditsService(systemClock, new HoldBatcher(() => orm.em.fork()));
    const userId = await fundedAccount(ledger, 1_000);
    const key = randomUUID();
    const holds = await Promise.all(Array.from({ length: 30 }, () => ledger.placeHold(orm.em.fork(), userId, { amount: 9, reason: 'same', idempotencyKey: key })));
    expect(new Set(holds.map((h) => h.id)).size).toBe(1);
    expect(await ledger.balance(orm.em.fork(), userId)).toEqual({ available: 991, held: 9 });
  });
});
