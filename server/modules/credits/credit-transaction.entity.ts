import { randomUUID } from 'node:crypto';
import { Entity, Enum, Index, ManyToOne, PrimaryKey, Property, Unique, type Ref } from '@mikro-orm/core';
import { User } from '../users/user.entity.js';

export enum TransactionType {
  GRANT = 'GRANT',
  PURCHASE = 'PURCHASE',
  HOLD = 'HOLD',
  COMMIT = 'COMMIT',
  RELEASE = 'RELEASE',
  EXPIRE = 'EXPIRE',
  ADJUST = 'ADJUST',
  REFUND = 'REFUND',
}

/**
 * One immutable journal entry. `availableDelta` and `heldDelta` are what it did to the account;
 * the `...After` columns are the balances right after it, so any prefix of the journal can be
 * checked against the balances it produced. Corrections are new entries, never edits.
 */
@Entity({ tableName: 'credit_transactions' })
@Unique({ name: 'credit_transactions_user_idempotency_key_unique', properties: ['user', 'idempotencyKey'] })
@Index({ name: 'credit_transactions_user_seq_idx', properties: ['user', 'seq'] })
export class CreditTransaction {
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  /** Journal order within an account: entries of one statement share createdAt. */
  @Property({ type: 'bigint', autoincrement: true, unique: true })
  seq!: string;

  @ManyToOne(() => User, { ref: true, deleteRule: 'cascade' })
  user!: Ref<User>;

  @Enum({ items: () => TransactionType, nativeEnumName: 'credit_transaction_type' })
  type!: TransactionType;

  /** Signed change to available credits. */
  @Property({ type: 'int' })
  availableDelta!: number;

  /** Signed change to held credits. */
  @Property({ type: 'int' })
  heldDelta!: number;

  @Property({ type: 'int' })
  availableAfter!: number;

  @Property({ type: 'int' })
  heldAfter!: number;

  @Property({ type: 'uuid', nullable: true })
  holdId?: string | null;

  @Property({ type: 'text', nullable: true })
  reference?: string | null;

  /** Unique per account: the same movement can never be journaled twice. */
  @Property({ type: 'text' })
  idempotencyKey!: string;

  @Property({ type: 'text' })
  reason!: string;

  /** The admin who made a GRANT or ADJUST by hand; null for the platform itself. */
  @Property({ type: 'uuid', nullable: true })
  actorId?: string | null;

  @Property({ type: 'timestamptz' })
  createdAt: Date = new Date();
}
