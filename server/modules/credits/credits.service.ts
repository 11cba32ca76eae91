import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { BadUserInputError } from '../../core/errors.js';
import type { Clock } from '../../core/clock.js';
import { CreditAccount } from './credit-account.entity.js';
import {
  ChargeExceedsHoldError,
  HoldAlreadyResolvedError,
  HoldExpiredError,
  HoldNotFoundError,
  IdempotencyKeyReusedError,
  InsufficientCreditsError,
} from './credits.errors.js';
import { Hold, HoldStatus } from './hold.entity.js';
import { CreditTransaction, TransactionType } from './credit-transaction.entity.js';
import {
  COMMIT_HOLD,
  CREDIT_ACCOUNT,
  DAILY_GRANT,
  DUE_HOLDS,
  ENSURE_ACCOUNT,
  PLACE_HOLD,
  RETURN_HOLD,
} from './ledger.sql.js';
import { holdFromRow, type HoldRow } from './hold.row.js';
import { runStatement, type SqlTransaction } from '../../infra/database/sql-statement.js';
import type { HoldBatcher, HoldParams } from './hold-batcher.js';

/** Holds live at most a day; the default suits a generation job. */
export const MAX_HOLD_TTL_SECONDS = 86_400;
export const DEFAULT_HOLD_TTL_SECONDS = 900;
/** Larger amounts are refused as input mistakes, and keep sums far from int4 overflow. */
export const MAX_AMOUNT = 1_000_000;

export interface PlaceHoldRequest {
  amount: number;
  reason: string;
  idempotencyKey: string;
  ttlSeconds?: number | null;
  reference?: string | null;
}

/** A movement of available credits that is not a hold: grants, purchases, refunds, adjustments. */
export interface CreditRequest {
  userId: string;
  /** Positive, except ADJUST which may be negative. */
  amount: number;
  type: TransactionType.GRANT | TransactionType.PURCHASE | TransactionType.REFUND | TransactionType.ADJUST;
  reason: string;
  /** Unique per account; a repeat with the same key changes nothing and returns the first entry. */
  idempotencyKey: string;
  reference?: string | null;
  /** The admin behind a manual grant or adjustment. */
  actorId?: string | null;
}

export interface AccountBalance {
  available: number;
  held: number;
}

function requireAmount(value: number, field: string, allowZero = false): void {
  if (!Number.isSafeInteger(value) || value < (allowZero ? 0 : 1) || value > MAX_AMOUNT) {
    throw new BadUserInputError(`${field} must be a whole number from ${allowZero ? 0 : 1} to ${MAX_AMOUNT}`, field);
  }
}

function requireText(value: string, field: string, max: number): string {
  const text = value.trim();
  if (text.length < 1 || text.length > max) throw new BadUserInputError(`${field} must be 1 to ${max} characters`, field);
  return text;
}

export function utcDay(date: Date): string {
  return date.toISOString().slice(0, 10);
}

/**
 * The credits ledger: holds and their resolution, grants and adjustments. Every movement is a
 * single atomic statement (see ledger.sql.ts); nothing here reads a balance and writes it back.
 */
export class CreditsService {
  /** With a batcher, concurrent holds on one account share statements (group commit). */
  constructor(
    private readonly clock: Clock,
    private readonly batcher?: HoldBatcher,
  ) {}

  /** Reserves credits; the same idempotency key with the same request returns the first hold. */
  async placeHold(em: EntityManager, userId: string, request: PlaceHoldRequest): Promise<Hold> {
    const params = this.holdParams(userId, request);
    const { reason, reference, idempotencyKey, ttlSeconds } = params;
    // A hold inside the caller's transaction (e.g. with a job row) cannot join a shared statement.
    const placed = this.batcher && !em.isInTransaction() ? await this.batcher.place(params) : await this.tryPlace(em, params);
    if (placed) return placed;

    const previous = await em.findOne(Hold, { user: userId, idempotencyKey });
    if (previous) return this.replay(previous, { amount: request.amount, reason, reference, ttlSeconds });

    // First use of the ledger, or a new day: make sure the account exists and has today's grant.
    await this.ensureAccount(em, userId);
    await this.grantDaily(em, userId);
    const retried = await this.tryPlace(em, params);
    if (retried) return retried;
    const again = await em.findOne(Hold, { user: userId, idempotencyKey });
    if (again) return this.replay(again, { amount: request.amount, reason, reference, ttlSeconds });
    const balance = await this.balance(em, userId);
    throw new InsufficientCreditsError(request.amount, balance.available);
  }

  /**
   * A hold request checked and completed with its id, expiry and time: the parameters of
   * PLACE_HOLD, and of statements that place a hold as one of their steps (placeHoldSteps).
   */
  holdParams(userId: string, request: PlaceHoldRequest): HoldParams {
    requireAmount(request.amount, 'amount');
    const ttlSeconds = request.ttlSeconds ?? DEFAULT_HOLD_TTL_SECONDS;
    if (!Number.isSafeInteger(ttlSeconds) || ttlSeconds < 1 || ttlSeconds > MAX_HOLD_TTL_SECONDS) {
      throw new BadUserInputError(`ttlSeconds must be from 1 to ${MAX_HOLD_TTL_SECONDS}`, 'ttlSeconds');
    }
    const now = this.clock.now();
    return {
      userId,
      holdId: randomUUID(),
      amount: request.amount,
      reason: requireText(request.reason, 'reason', 200),
      reference: request.reference?.trim() || null,
      idempotencyKey: requireText(request.idempotencyKey, 'idempotencyKey', 200),
      ttlSeconds,
      expiresAt: new Date(now.getTime() + ttlSeconds * 1000),
      now,
      cause: 'HOLD',
    };
  }

  /** Charges up to the held amount (all of it by default) and returns the rest. */
  async commitHold(em: EntityManager, userId: string, holdId: string, amount?: number | null): Promise<Hold> {
    if (amount !== undefined && amount !== null) requireAmount(amount, 'amount', true);
    const now = this.clock.now();
    const charge = amount ?? null;
    const rows = await runStatement<HoldRow>(em, COMMIT_HOLD, { userId, holdId, charge, now, cause: 'COMMIT' });
    if (rows[0]) return holdFromRow(em, rows[0]);
    return this.explainUnresolvable(em, userId, holdId, now, true, charge);
  }

  /** Returns all of a pending hold to available. */
  async releaseHold(em: EntityManager, userId: string, holdId: string): Promise<Hold> {
    const now = this.clock.now();
    const rows = await runStatement<HoldRow>(em, RETURN_HOLD, { userId, holdId, status: HoldStatus.RELEASED, entryType: TransactionType.RELEASE, now, cause: 'RELEASE' });
    if (rows[0]) return holdFromRow(em, rows[0]);
    return this.explainUnresolvable(em, userId, holdId, now, false);
  }

  /**
   * Expires pending holds past their expiry, returning their credits; run by the worker every
   * few seconds. Returns how many it expired. Safe to run in several processes at once.
   */
  async expireDueHolds(em: EntityManager, limit = 500): Promise<number> {
    const now = this.clock.now();
    let expired = 0;
    while (expired < limit) {
      const done = await em.transactional(async (tx) => {
        const due = await runStatement<{ id: string; user_id: string }>(tx, DUE_HOLDS, { now, limit: 1 });
        const hold = due[0];
        if (!hold) return false;
        await runStatement(tx, RETURN_HOLD, {
          userId: hold.user_id,
          holdId: hold.id,
          status: HoldStatus.EXPIRED,
          entryType: TransactionType.EXPIRE,
          now,
          cause: 'EXPIRE',
        });
        return true;
      });
      if (!done) break;
      expired += 1;
    }
    return expired;
  }

  /**
   * Adds (or, for a negative ADJUST, removes) available credits with one journal entry. The
   * same idempotency key returns the first entry; a debit below zero is INSUFFICIENT_CREDITS.
   */
  async credit(em: EntityManager, request: CreditRequest): Promise<CreditTransaction> {
    const debit = request.type === TransactionType.ADJUST && request.amount < 0;
    requireAmount(Math.abs(request.amount), 'amount');
    if (request.amount < 0 && !debit) throw new BadUserInputError('amount must be positive', 'amount');
    const reason = requireText(request.reason, 'reason', 500);
    const idempotencyKey = requireText(request.idempotencyKey, 'idempotencyKey', 200);
    await this.ensureAccount(em, request.userId);
    const params = {
      userId: request.userId,
      entryId: randomUUID(),
      amount: request.amount,
      type: request.type,
      reason,
      reference: request.reference ?? null,
      idempotencyKey,
      actorId: request.actorId ?? null,
      now: this.clock.now(),
      cause: request.type,
    };
    const rows = await runStatement<Record<string, unknown>>(em, CREDIT_ACCOUNT, params);
    const existing = await em.findOne(CreditTransaction, { user: request.userId, idempotencyKey }, { refresh: true });
    if (rows[0] && existing) return existing;
    if (existing) {
      if (existing.availableDelta !== request.amount) throw new IdempotencyKeyReusedError('amount');
      if (existing.type !== request.type) throw new IdempotencyKeyReusedError('type');
      return existing;
    }
    const balance = await this.balance(em, request.userId);
    throw new InsufficientCreditsError(-request.amount, balance.available);
  }

  /** Creates the user's account if it does not exist yet. */
  async ensureAccount(em: EntityManager | SqlTransaction, userId: string): Promise<void> {
    await runStatement(em, ENSURE_ACCOUNT, { userId, now: this.clock.now() });
  }

  /** Credits the tier's daily grant once per UTC day; returns whether it did now. */
  async grantDaily(em: EntityManager | SqlTransaction, userId: string): Promise<boolean> {
    const now = this.clock.now();
    const rows = await runStatement(em, DAILY_GRANT, { userId, day: utcDay(now), now, cause: 'GRANT' });
    return rows.length > 0;
  }

  /** The account as the viewer sees it: made on first look, with today's grant applied. */
  async accountFor(em: EntityManager, userId: string): Promise<CreditAccount> {
    await this.ensureAccount(em, userId);
    await this.grantDaily(em, userId);
    return em.findOneOrFail(CreditAccount, { user: userId }, { refresh: true });
  }

  async balance(em: EntityManager, userId: string): Promise<AccountBalance> {
    const account = await em.findOne(CreditAccount, { user: userId }, { refresh: true });
    return { available: account?.available ?? 0, held: account?.held ?? 0 };
  }

  async findHold(em: EntityManager, userId: string, holdId: string): Promise<Hold | null> {
    return em.findOne(Hold, { id: holdId, user: userId });
  }

  private async tryPlace(em: EntityManager, params: HoldParams): Promise<Hold | null> {
    try {
      const rows = await runStatement<HoldRow>(em, PLACE_HOLD, { ...params });
      return rows[0] ? holdFromRow(em, rows[0]) : null;
    } catch (error) {
      // A concurrent request with the same key won the unique index; ours changed nothing.
      if (isUniqueViolation(error)) return null;
      throw error;
    }
  }

  /** A replayed request must match the first in every field that shaped it. */
  private replay(previous: Hold, request: { amount: number; reason: string; reference: string | null; ttlSeconds: number }): Hold {
    if (previous.amount !== request.amount) throw new IdempotencyKeyReusedError('amount');
    if (previous.reason !== request.reason) throw new IdempotencyKeyReusedError('reason');
    if ((previous.reference ?? null) !== request.reference) throw new IdempotencyKeyReusedError('reference');
    if (previous.ttlSeconds !== request.ttlSeconds) throw new IdempotencyKeyReusedError('ttlSeconds');
    return previous;
  }

  /** Why a hold could not be resolved: not found, already resolved, or expired. */
  private async explainUnresolvable(em: EntityManager, userId: string, holdId: string, now: Date, isCommit = false, charge: number | null = null): Promise<never> {
    const hold = await em.findOne(Hold, { id: holdId, user: userId }, { refresh: true });
    if (!hold) throw new HoldNotFoundError();
    if (hold.status !== HoldStatus.PENDING) throw new HoldAlreadyResolvedError(hold.status);
    if (isCommit && charge !== null && charge > hold.amount) throw new ChargeExceedsHoldError(charge, hold.amount);
    const expiryBlocks = isCommit;
    if (expiryBlocks && hold.expiresAt.getTime() <= now.getTime()) throw new HoldExpiredError(hold.expiresAt);
    throw new HoldAlreadyResolvedError(hold.status);
  }
}

function isUniqueViolation(error: unknown): boolean {
  return typeof error === 'object' && error !== null && 'code' in error && (error as { code?: string }).code === '23505';
}
