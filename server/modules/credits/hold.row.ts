import type { EntityManager } from '@mikro-orm/postgresql';
import { Hold, type HoldStatus } from './hold.entity.js';

/** A `holds` row as the ledger statements return it. */
export interface HoldRow {
  id: string;
  user_id: string;
  amount: number;
  charged: number | null;
  status: HoldStatus;
  reason: string;
  reference: string | null;
  idempotency_key: string;
  ttl_seconds: number;
  expires_at: Date;
  created_at: Date;
  resolved_at: Date | null;
}

/** Turns a returned row into a managed Hold, replacing any stale copy in the identity map. */
export function holdFromRow(em: EntityManager, row: HoldRow): Hold {
  return em.merge(
    Hold,
    {
      id: row.id,
      user: row.user_id,
      amount: row.amount,
      charged: row.charged,
      status: row.status,
      reason: row.reason,
      reference: row.reference,
      idempotencyKey: row.idempotency_key,
      ttlSeconds: row.ttl_seconds,
      expiresAt: row.expires_at,
      createdAt: row.created_at,
      resolvedAt: row.resolved_at,
    },
    { refresh: true },
  );
}
