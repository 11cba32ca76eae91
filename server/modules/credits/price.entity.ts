import { Check, Entity, PrimaryKey, Property } from '@mikro-orm/core';

/** The catalog price of generating with one model. */
@Entity({ tableName: 'prices' })
@Check({ name: 'prices_credits_check', expression: 'credits > 0 and credits_per_extra_minute >= 0' })
export class Price {
  /** Model id, e.g. `mv-lite`. */
  @PrimaryKey({ type: 'text' })
  model!: string;

  @Property({ type: 'text' })
  description!: string;

  /** Credits for a track of up to one minute. */
  @Property({ type: 'int' })
  credits!: number;

  /** Credits for each started minute beyond the first. */
  @Property({ type: 'int' })
  creditsPerExtraMinute!: number;

  @Property({ type: 'boolean', default: true })
  active: boolean = true;

  @Property({ type: 'timestamptz' })
  updatedAt: Date = new Date();
}
