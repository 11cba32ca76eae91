import { randomUUID } from 'node:crypto';
import { Entity, Index, PrimaryKey, Property } from '@mikro-orm/core';

/** Who did what, to whom and why: written for every admin action in the same transaction. */
@Entity({ tableName: 'audit_log' })
@Index({ name: 'audit_log_created_idx', properties: ['createdAt'] })
export class AuditEntry {
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Property({ type: 'uuid' })
  actorId!: string;

  /** e.g. `credits.grant`, `tier.set`, `price.update`, `provider.top_up`. */
  @Property({ type: 'text' })
  action!: string;

  @Property({ type: 'uuid', nullable: true })
  targetUserId?: string | null;

  @Property({ type: 'text' })
  reason!: string;

  @Property({ type: 'jsonb' })
  details!: Record<string, unknown>;

  @Property({ type: 'timestamptz' })
  createdAt: Date = new Date();
}
