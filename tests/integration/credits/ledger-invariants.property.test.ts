import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../server/core/clock.js';
import { DomainError } from '../../../server/core/errors.js';
import type { MikroORM } from '../../../server/infra/database/database.js';
import { TransactionType } from '../../../server/modules/credits/credit-transaction.entity.js';
import { CreditsService } from '../../../server/modules/credits/credits.service.js';
import { checkLedger } from '../../../server/modules/credits/ledger-check.js';
import { insertUser, openTestDatabase } from '../../support/database.js';

/** What the test believes the account holds; the ledger must agree after every step. */
interface Model {
  available: number;
  holds: Array<{ id: string; amount: number; expiresAt: number; status: 'PENDING' | 'COMMITTED' | 'RELEASED' | 'EXPIRED' }>;
}

type Step =
  | { kind: 'place'; amount: number; ttl: number }
  | { kind: 'commit'; pick: number; fraction: number }
  | { kind: 'release'; pick: number }
  | { kind: 'advance'; seconds: number }
  | { kind: 'grant'; amount: number }
  | { kind: 'debit'; amount: number };

const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ kind: fc.constant('place' as const), amount: fc.integer({ min: 1, max: 80 }), ttl: fc.integer({ min: 1, max: 120 }) }),
  fc.record({ kind: fc.constant('commit' as const), pick: fc.nat(), fraction: fc.double({ min: 0, max: 1, noNaN: true }) }),
  fc.record({ kind: fc.constant('release' as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant('advance' as const), seconds: fc.integer({ min: 1, max: 90 }) }),
  fc.record({ kind: fc.constant('grant' as const), amount: fc.integer({ min: 1, max: 100 }) }),
  fc.record({ kind: fc.constant('debit' as const), amount: fc.integer({ min: 1, max: 100 }) }),
);

let orm: MikroORM;
beforeAll(async () => {
  orm = await openTestDatabase();
});
afterAll(async () => {
  await orm.close();
});

async function apply(ledger: CreditsService, clock: ManualClock, userId: string, model: Model, s: Step): Promise<void> {
  const em = orm.em.fork();
  const now = clock.now().getTime();
  const pending = model.holds.filter((h) => h.status === 'PENDING');
  switch (s.kind) {
    case 'place': {
      if (s.amount > model.available) {
        await expect(ledger.placeHold(em, userId, { amount: s.amount, reason: 'p', idempotencyKey: randomUUID(), ttlSeconds: s.ttl })).rejects.toMatchObject({ code: 'INSUFFICIENT_CREDITS' });
        return;
      }
      const hold = await ledger.placeHold(em, userId, { amount: s.amount, reason: 'p', idempotencyKey: randomUUID(), ttlSeconds: s.ttl });
      model.available -= s.amount;
      model.holds.push({ id: hold.id, amount: s.amount, expiresAt: now + s.ttl * 1000, status: 'PENDING' });
      return;
    }
    case 'commit':
    case 'release': {
      const target = model.holds[s.pick % Math.max(model.holds.length, 1)];
      if (!target) return;
      const charge = s.kind === 'commit' ? Math.floor(target.amount * s.fraction) : 0;
      const attempt = s.kind === 'commit' ? ledger.commitHold(em, userId, target.id, charge) : ledger.releaseHold(em, userId, target.id);
      const resolvable = target.status === 'PENDING' && (s.kind === 'release' || target.expiresAt > now);
      if (!resolvable) {
        await expect(attempt).rejects.toMatchObject({ code: 'CONFLICT' });
        return;
      }
      await attempt;
      target.status = s.kind === 'commit' ? 'COMMITTED' : 'RELEASED';
      model.available += target.amount - charge;
      return;
    }
    case 'advance': {
      clock.advance(s.seconds * 1000);
      await ledger.expireDueHolds(em);
      for (const h of pending) {
        if (h.expiresAt <= clock.now().getTime()) {
          h.status = 'EXPIRED';
          model.available += h.amount;
        }
      }
      return;
    }
    case 'grant':
      await ledger.credit(em, { userId, amount: s.amount, type: TransactionType.GRANT, reason: 'g', idempotencyKey: randomUUID() });
      model.available += s.amount;
      return;
    case 'debit': {
      const request = { userId, amount: -s.amount, type: TransactionType.ADJUST, reason: 'd', idempotencyKey: randomUUID() } as const;
      if (s.amount > model.available) {
        await expect(ledger.credit(em, request)).rejects.toBeInstanceOf(DomainError);
        return;
      }
      await ledger.credit(em, request);
      model.available -= s.amount;
      return;
    }
  }
}

describe('ledger invariants', () => {
  it('keeps balances equal to the model and the journal under random place/commit/release/expire/grant/debit', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 25 }), async (steps) => {
        const clock = new ManualClock(new Date('2026-05-01T12:00:00Z'));
        const ledger = new CreditsService(clock);
        const userId = await insertUser(orm);
        // The first activity of the day grants the free tier's 50 credits; take it up front.
        await ledger.ensureAccount(orm.em.fork(), userId);
        await ledger.grantDaily(orm.em.fork(), userId);
        const model: Model = { available: 50, holds: [] };
        for (const s of steps) {
          await apply(ledger, clock, userId, model, s);
          const balance = await ledger.balance(orm.em.fork(), userId);
          const held = model.holds.filter((h) => h.status === 'PENDING').reduce((sum, h) => sum + h.amount, 0);
          expect(balance).toEqual({ available: model.available, held });
          expect(balance.available).toBeGreaterThanOrEqual(0);
        }
        expect((await checkLedger(orm.em.fork())).filter((d) => d.userId === userId)).toEqual([]);
      }),
      { numRuns: 40 },
    );
  });
});
