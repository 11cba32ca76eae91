import type { EntityManager } from '@mikro-orm/postgresql';
import { holdFromRow, type HoldRow } from './hold.row.js';
import { runStatement } from '../../infra/database/sql-statement.js';
import type { Hold } from './hold.entity.js';
import { PLACE_HOLD, PLACE_HOLDS_BATCH } from './ledger.sql.js';

/** One validated placeHold request, ready for SQL. */
export interface HoldParams {
  userId: string;
  holdId: string;
  amount: number;
  reason: string;
  reference: string | null;
  idempotencyKey: string;
  ttlSeconds: number;
  expiresAt: Date;
  now: Date;
  cause: string;
}

interface Waiting {
  params: HoldParams;
  resolve: (hold: Hold | null) => void;
  reject: (error: unknown) => void;
}

/** The most holds one statement carries. */
const MAX_BATCH = 200;

/**
 * Group commit for hot accounts (TigerBeetle batches transfers the same way). Holds on one
 * account are applied by one statement at a time per process; requests that arrive while a
 * statement runs wait and go together in the next one. Under no load a request goes alone at
 * once, so nothing waits for a timer. Each caller gets its own answer: its hold, or null for
 * "not placed" (its caller then finds out why, alone).
 */
export class HoldBatcher {
  private readonly accounts = new Map<string, Waiting[]>();
  /** Statements issued so far; with load on one account, fewer than holds placed. */
  statements = 0;

  constructor(private readonly forkEm: () => EntityManager) {}

  place(params: HoldParams): Promise<Hold | null> {
    return new Promise((resolve, reject) => {
      const queue = this.accounts.get(params.userId);
      if (queue) {
        queue.push({ params, resolve, reject });
        return;
      }
      this.accounts.set(params.userId, []);
      void this.drain(params.userId, [{ params, resolve, reject }]);
    });
  }

  private async drain(userId: string, first: Waiting[]): Promise<void> {
    let batch = first;
    while (batch.length > 0) {
      await this.apply(batch);
      const queue = this.accounts.get(userId) ?? [];
      batch = queue.splice(0, MAX_BATCH);
    }
    this.accounts.delete(userId);
  }

  private async apply(batch: Waiting[]): Promise<void> {
    const em = this.forkEm();
    this.statements += 1;
    try {
      if (batch.length === 1) {
        const rows = await runStatement<HoldRow>(em, PLACE_HOLD, { ...batch[0]!.params });
        batch[0]!.resolve(rows[0] ? holdFromRow(em, rows[0]) : null);
        return;
      }
      const first = batch[0]!.params;
      const requests = batch.map(({ params }, ord) => ({
        ord,
        hold_id: params.holdId,
        amount: params.amount,
        reason: params.reason,
        reference: params.reference,
        idempotency_key: params.idempotencyKey,
        ttl_seconds: params.ttlSeconds,
        expires_at: params.expiresAt.toISOString(),
      }));
      const rows = await runStatement<HoldRow>(em, PLACE_HOLDS_BATCH, { userId: first.userId, batch: JSON.stringify(requests), now: first.now, cause: 'HOLD' });
      const placed = new Map(rows.map((row) => [row.id, row]));
      for (const waiting of batch) {
        const row = placed.get(waiting.params.holdId);
        waiting.resolve(row ? holdFromRow(em, row) : null);
      }
    } catch (error) {
      // A unique-key race inside the batch undoes the whole statement: everyone retries alone.
      if (isUniqueViolation(error)) for (const waiting of batch) waiting.resolve(null);
      else for (const waiting of batch) waiting.reject(error);
    }
  }
}

function isUniqueViolation(error: unknown): boolean {
  return typeof error === 'object' && error !== null && 'code' in error && (error as { code?: string }).code === '23505';
}
