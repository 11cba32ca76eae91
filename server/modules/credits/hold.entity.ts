import { randomUUID } from 'node:crypto';
import { Check, Entity, Enum, Index, ManyToOne, PrimaryKey, Property, Unique, type Ref } from '@mikro-orm/core';
import { User } from '../users/user.entity.js';

/** A PENDING hold resolves exactly once, to COMMITTED, RELEASED or EXPIRED. */
export enum HoldStatus {
  PENDING = 'PENDING',
  COMMITTED = 'COMMITTED',
  RELEASED = 'RELEASED',
  EXPIRED = 'EXPIRED',
}

/** Credits reserved for a purpose (a generation job, an API client's own use) until resolved. */
@Entity({ tableName: 'holds' })
@Unique({ name: 'holds_user_idempotency_key_unique', properties: ['user', 'idempotencyKey'] })
@Index({ name: 'holds_pending_expiry_idx', expression: `create index "holds_pending_expiry_idx" on "holds" ("expires_at") where "status" = 'PENDING'` })
@Index({ name: 'holds_user_created_idx', properties: ['user', 'createdAt', 'id'] })
@Check({ name: 'holds_amount_check', expression: 'amount > 0' })
@Check({ name: 'holds_charged_check', expression: 'charged is null or (charged >= 0 and charged <= amount)' })
export class Hold {
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @ManyToOne(() => User, { ref: true, deleteRule: 'cascade' })
  user!: Ref<User>;

  @Property({ type: 'int' })
  amount!: number;

  /** What a commit charged; the rest went back to available. Null until committed. */
  @Property({ type: 'int', nullable: true })
  charged?: number | null;

  @Enum({ items: () => HoldStatus, nativeEnumName: 'hold_status', default: HoldStatus.PENDING })
  status: HoldStatus = HoldStatus.PENDING;

  @Property({ type: 'text' })
  reason!: string;

  /** What the hold pays for, e.g. a job's global id. */
  @Property({ type: 'text', nullable: true })
  reference?: string | null;

  @Property({ type: 'text' })
  idempotencyKey!: string;

  @Property({ type: 'int' })
  ttlSeconds!: number;

  @Property({ type: 'timestamptz' })
  expiresAt!: Date;

  @Property({ type: 'timestamptz' })
  createdAt: Date = new Date();

  @Property({ type: 'timestamptz', nullable: true })
  resolvedAt?: Date | null;
}
