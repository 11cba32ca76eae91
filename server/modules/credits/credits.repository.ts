import type { EntityManager, FilterQuery } from '@mikro-orm/postgresql';
import { CreditTransaction, type TransactionType } from './credit-transaction.entity.js';
import { Hold, type HoldStatus } from './hold.entity.js';
import { Price } from './price.entity.js';
import { TierPlan } from './tier-plan.entity.js';
import type { Tier } from '../users/user.entity.js';

export interface HoldFilter {
  status?: HoldStatus | null;
}

export interface TransactionFilter {
  type?: TransactionType | null;
  since?: Date | null;
  until?: Date | null;
}

/** Where a hold sits in newest-first order. */
export interface HoldPosition {
  createdAt: Date;
  id: string;
}

/** Holds strictly after `position` in newest-first order. */
function holdsBefore(position: HoldPosition | null): object {
  if (!position) return {};
  return { $or: [{ createdAt: { $lt: position.createdAt } }, { createdAt: position.createdAt, id: { $lt: position.id } }] };
}

/** The ledger's read side: pages of holds and journal entries, the catalog, tier plans. */
export class CreditsRepository {
  async holdsPage(em: EntityManager, userId: string, filter: HoldFilter, after: HoldPosition | null, limit: number): Promise<Hold[]> {
    return em.find(Hold, { $and: [this.holdWhere(userId, filter), holdsBefore(after)] } as FilterQuery<Hold>, {
      orderBy: { createdAt: 'desc', id: 'desc' },
      limit,
    });
  }

  async countHolds(em: EntityManager, userId: string, filter: HoldFilter): Promise<number> {
    return em.count(Hold, this.holdWhere(userId, filter));
  }

  /** Journal entries in journal order, newest first; `afterSeq` continues a page. */
  async transactionsPage(em: EntityManager, userId: string, filter: TransactionFilter, afterSeq: string | null, limit: number): Promise<CreditTransaction[]> {
    const where = this.transactionWhere(userId, filter);
    return em.find(CreditTransaction, (afterSeq ? { $and: [where, { seq: { $lt: afterSeq } }] } : where) as FilterQuery<CreditTransaction>, {
      orderBy: { seq: 'desc' },
      limit,
    });
  }

  async countTransactions(em: EntityManager, userId: string, filter: TransactionFilter): Promise<number> {
    return em.count(CreditTransaction, this.transactionWhere(userId, filter));
  }

  async findTransaction(em: EntityManager, userId: string, id: string): Promise<CreditTransaction | null> {
    return em.findOne(CreditTransaction, { id, user: userId });
  }

  async catalog(em: EntityManager): Promise<Price[]> {
    return em.find(Price, { active: true }, { orderBy: { credits: 'asc', model: 'asc' } });
  }

  async tierPlan(em: EntityManager, tier: Tier): Promise<TierPlan> {
    return em.findOneOrFail(TierPlan, { tier });
  }

  private holdWhere(userId: string, filter: HoldFilter): FilterQuery<Hold> {
    return filter.status ? { user: userId, status: filter.status } : { user: userId };
  }

  private transactionWhere(userId: string, filter: TransactionFilter): FilterQuery<CreditTransaction> {
    const createdAt: Record<string, Date> = {};
    if (filter.since) createdAt.$gte = filter.since;
    if (filter.until) createdAt.$lt = filter.until;
    return {
      user: userId,
      ...(filter.type ? { type: filter.type } : {}),
      ...(Object.keys(createdAt).length ? { createdAt } : {}),
    };
  }
}
