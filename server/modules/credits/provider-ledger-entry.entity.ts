import { randomUUID } from 'node:crypto';
import { Entity, Index, PrimaryKey, Property } from '@mikro-orm/core';

/** A movement of the provider balance: a top-up by an admin or the spend of one job. */
@Entity({ tableName: 'provider_ledger' })
@Index({ name: 'provider_ledger_provider_created_idx', properties: ['provider', 'createdAt'] })
export class ProviderLedgerEntry {
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Property({ type: 'text' })
  provider!: string;

  /** TOP_UP or SPEND. */
  @Property({ type: 'text' })
  kind!: string;

  /** Signed change to the balance. */
  @Property({ type: 'int' })
  amount!: number;

  @Property({ type: 'int' })
  balanceAfter!: number;

  @Property({ type: 'text', nullable: true })
  reference?: string | null;

  @Property({ type: 'uuid', nullable: true })
  actorId?: string | null;

  @Property({ type: 'timestamptz' })
  createdAt: Date = new Date();
}
