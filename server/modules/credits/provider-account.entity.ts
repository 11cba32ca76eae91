import { Entity, PrimaryKey, Property } from '@mikro-orm/core';

/** What the platform holds with an upstream music provider, in the provider's credits. */
@Entity({ tableName: 'provider_accounts' })
export class ProviderAccount {
  /** Provider id, e.g. `local` or `suno`. */
  @PrimaryKey({ type: 'text' })
  provider!: string;

  @Property({ type: 'int', default: 0 })
  balance: number = 0;

  /** Crossing below this raises an alert. */
  @Property({ type: 'int', default: 0 })
  lowBalanceThreshold: number = 0;

  @Property({ type: 'timestamptz' })
  updatedAt: Date = new Date();
}
