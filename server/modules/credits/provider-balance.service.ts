import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { BadUserInputError, NotFoundError } from '../../core/errors.js';
import type { Clock } from '../../core/clock.js';
import { runStatement, sqlStatement, type SqlTransaction } from '../../infra/database/sql-statement.js';
import { ProviderAccount } from './provider-account.entity.js';

/** Tells operators when the platform's balance with a provider runs low. */
export type LowBalanceAlert = (alert: { provider: string; balance: number; threshold: number }) => void;

/** Moves the provider balance by `amount` and reports the balance before and after. */
const MOVE_BALANCE = sqlStatement(
  'move_provider_balance',
  `
  with moved as (
    update provider_accounts set balance = balance + :amount, updated_at = :now
    where provider = :provider
    returning balance, low_balance_threshold
  ), entry as (
    insert into provider_ledger (id, provider, kind, amount, balance_after, reference, actor_id, created_at)
    select cast(:entryId as uuid), :provider, :kind, :amount, moved.balance, :reference, cast(:actorId as uuid), :now from moved
  ), alert as (
    insert into outbox (id, topic, user_id, payload, created_at, available_at, attempts)
    select gen_random_uuid(), 'admin.alert', null,
           json_build_object('kind', 'provider_balance_low',
             'message', 'Provider balance of ' || cast(:provider as text) || ' fell below its threshold',
             'details', json_build_object('provider', cast(:provider as text), 'balance', moved.balance, 'threshold', moved.low_balance_threshold)),
           :now, :now, 0
    from moved where moved.balance - :amount >= moved.low_balance_threshold and moved.balance < moved.low_balance_threshold
  )
  select balance, low_balance_threshold from moved`,
  { provider: 'text', amount: 'int', kind: 'text', reference: 'text', actorId: 'uuid', entryId: 'uuid', now: 'timestamptz' },
);

/**
 * The platform's own balance with each upstream provider: admins top it up, every job's provider
 * cost is spent from it. Crossing below the threshold raises an alert once per crossing: a log
 * line and metric (through `onLow`) and an admin notification event in the outbox.
 */
export class ProviderBalanceService {
  constructor(
    private readonly clock: Clock,
    private readonly onLow: LowBalanceAlert,
  ) {}

  async topUp(em: EntityManager, provider: string, amount: number, actorId: string | null): Promise<ProviderAccount> {
    if (!Number.isSafeInteger(amount) || amount < 1 || amount > 1_000_000_000) throw new BadUserInputError('amount must be a positive whole number', 'amount');
    await this.move(em, provider, amount, 'TOP_UP', null, actorId);
    return em.findOneOrFail(ProviderAccount, { provider }, { refresh: true });
  }

  /** Records what one job cost upstream; the balance may go negative (the provider bills us). */
  async spend(em: EntityManager | SqlTransaction, provider: string, amount: number, reference: string): Promise<number> {
    if (!Number.isSafeInteger(amount) || amount < 0) throw new BadUserInputError('provider cost must be a whole number of at least 0', 'amount');
    return this.move(em, provider, -amount, 'SPEND', reference, null);
  }

  async list(em: EntityManager): Promise<ProviderAccount[]> {
    return em.find(ProviderAccount, {}, { orderBy: { provider: 'asc' } });
  }

  private async move(em: EntityManager | SqlTransaction, provider: string, amount: number, kind: string, reference: string | null, actorId: string | null): Promise<number> {
    const rows = await runStatement<{ balance: number; low_balance_threshold: number }>(em, MOVE_BALANCE, {
      provider,
      amount,
      kind,
      reference,
      actorId,
      entryId: randomUUID(),
      now: this.clock.now(),
    });
    const row = rows[0];
    if (!row) throw new NotFoundError(`Provider account "${provider}"`);
    if (row.balance - amount >= row.low_balance_threshold && row.balance < row.low_balance_threshold) {
      this.onLow({ provider, balance: row.balance, threshold: row.low_balance_threshold });
    }
    return row.balance;
  }
}
