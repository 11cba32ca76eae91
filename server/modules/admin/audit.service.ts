import type { EntityManager } from '@mikro-orm/postgresql';
import { BadUserInputError } from '../../core/errors.js';
import { AuditEntry } from './audit-entry.entity.js';

export interface AuditRecord {
  actorId: string;
  action: string;
  targetUserId?: string | null;
  reason: string;
  details?: Record<string, unknown>;
}

/** Every admin action says who and why; the entry joins the action's own transaction. */
export class AuditService {
  record(em: EntityManager, record: AuditRecord, now: Date): AuditEntry {
    const reason = record.reason.trim();
    if (reason.length < 3 || reason.length > 500) throw new BadUserInputError('reason must be 3 to 500 characters: say why', 'reason');
    return em.create(AuditEntry, {
      actorId: record.actorId,
      action: record.action,
      targetUserId: record.targetUserId ?? null,
      reason,
      details: record.details ?? {},
      createdAt: now,
    });
  }

  async page(em: EntityManager, afterCreatedAt: Date | null, afterId: string | null, limit: number): Promise<AuditEntry[]> {
    const where = afterCreatedAt && afterId
      ? { $or: [{ createdAt: { $lt: afterCreatedAt } }, { createdAt: afterCreatedAt, id: { $lt: afterId } }] }
      : {};
    return em.find(AuditEntry, where, { orderBy: { createdAt: 'desc', id: 'desc' }, limit });
  }
}
