import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { BadUserInputError, NotFoundError } from '../../core/errors.js';
import type { Clock } from '../../core/clock.js';
import type { AuditService } from '../admin/audit.service.js';
import { User, type Tier } from '../users/user.entity.js';
import { TransactionType, type CreditTransaction } from './credit-transaction.entity.js';
import type { CreditsService } from './credits.service.js';
import { Price } from './price.entity.js';
import type { ProviderAccount } from './provider-account.entity.js';
import type { ProviderBalanceService } from './provider-balance.service.js';

export interface PriceChange {
  model: string;
  description?: string | null;
  credits?: number | null;
  creditsPerExtraMinute?: number | null;
  active?: boolean | null;
}

/**
 * What admins do to the ledger and the catalog. Each action and its audit entry commit in one
 * transaction; balances move only through the journal.
 */
export class CreditsAdminService {
  constructor(
    private readonly clock: Clock,
    private readonly credits: CreditsService,
    private readonly providers: ProviderBalanceService,
    private readonly audit: AuditService,
  ) {}

  async grant(em: EntityManager, actorId: string, userId: string, amount: number, reason: string, idempotencyKey?: string | null): Promise<CreditTransaction> {
    return this.move(em, actorId, userId, amount, TransactionType.GRANT, 'credits.grant', reason, idempotencyKey);
  }

  /** A signed correction; a debit below zero is INSUFFICIENT_CREDITS. */
  async adjust(em: EntityManager, actorId: string, userId: string, amount: number, reason: string, idempotencyKey?: string | null): Promise<CreditTransaction> {
    if (amount === 0) throw new BadUserInputError('amount must not be zero', 'amount');
    return this.move(em, actorId, userId, amount, TransactionType.ADJUST, 'credits.adjust', reason, idempotencyKey);
  }

  async setTier(em: EntityManager, actorId: string, userId: string, tier: Tier, reason: string): Promise<User> {
    return em.transactional(async (tx) => {
      const user = await tx.findOne(User, { id: userId });
      if (!user) throw new NotFoundError('User');
      const before = user.tier;
      user.tier = tier;
      this.audit.record(tx, { actorId, action: 'tier.set', targetUserId: userId, reason, details: { from: before, to: tier } }, this.clock.now());
      await tx.flush();
      return user;
    });
  }

  async updatePrice(em: EntityManager, actorId: string, change: PriceChange, reason: string): Promise<Price> {
    for (const [field, value] of [['credits', change.credits], ['creditsPerExtraMinute', change.creditsPerExtraMinute]] as const) {
      if (value !== null && value !== undefined && (!Number.isSafeInteger(value) || value < (field === 'credits' ? 1 : 0) || value > 100_000)) {
        throw new BadUserInputError(`${field} must be a whole number from ${field === 'credits' ? 1 : 0} to 100000`, field);
      }
    }
    return em.transactional(async (tx) => {
      const now = this.clock.now();
      let price = await tx.findOne(Price, { model: change.model });
      const before = price ? { credits: price.credits, creditsPerExtraMinute: price.creditsPerExtraMinute, active: price.active } : null;
      if (!price) {
        if (!/^[a-z0-9][a-z0-9-]{1,40}$/.test(change.model)) throw new BadUserInputError('model must be lowercase letters, digits and dashes', 'model');
        if (!change.credits || !change.description) throw new BadUserInputError('a new model needs credits and a description', change.credits ? 'description' : 'credits');
        price = tx.create(Price, { model: change.model, description: change.description, credits: change.credits, creditsPerExtraMinute: change.creditsPerExtraMinute ?? 0, active: change.active ?? true, updatedAt: now });
      } else {
        if (change.description) price.description = change.description;
        if (change.credits) price.credits = change.credits;
        if (change.creditsPerExtraMinute !== null && change.creditsPerExtraMinute !== undefined) price.creditsPerExtraMinute = change.creditsPerExtraMinute;
        if (change.active !== null && change.active !== undefined) price.active = change.active;
        price.updatedAt = now;
      }
      this.audit.record(tx, { actorId, action: 'price.update', reason, details: { model: change.model, before, after: { credits: price.credits, creditsPerExtraMinute: price.creditsPerExtraMinute, active: price.active } } }, now);
      await tx.flush();
      return price;
    });
  }

  async topUpProvider(em: EntityManager, actorId: string, provider: string, amount: number, reason: string): Promise<ProviderAccount> {
    return em.transactional(async (tx) => {
      this.audit.record(tx, { actorId, action: 'provider.top_up', reason, details: { provider, amount } }, this.clock.now());
      await tx.flush();
      return this.providers.topUp(tx, provider, amount, actorId);
    });
  }

  private async move(
    em: EntityManager,
    actorId: string,
    userId: string,
    amount: number,
    type: TransactionType.GRANT | TransactionType.ADJUST,
    action: string,
    reason: string,
    idempotencyKey?: string | null,
  ): Promise<CreditTransaction> {
    return em.transactional(async (tx) => {
      const user = await tx.findOne(User, { id: userId });
      if (!user) throw new NotFoundError('User');
      this.audit.record(tx, { actorId, action, targetUserId: userId, reason, details: { amount } }, this.clock.now());
      await tx.flush();
      return this.credits.credit(tx, { userId, amount, type, reason, actorId, idempotencyKey: idempotencyKey ?? `admin:${randomUUID()}` });
    });
  }
}
