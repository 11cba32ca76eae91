import { Check, Entity, OneToOne, Property, type Ref } from '@mikro-orm/core';
import { User } from '../users/user.entity.js';

/**
 * A user's balance. `available` can be spent or held; `held` is reserved by pending holds.
 * Both equal the sums of the user's journal at every commit and never go below zero (the
 * database refuses it, whatever the code does).
 */
@Entity({ tableName: 'credit_accounts' })
@Check({ name: 'credit_accounts_available_check', expression: 'available >= 0' })
@Check({ name: 'credit_accounts_held_check', expression: 'held >= 0' })
@Check({ name: 'credit_accounts_active_jobs_check', expression: 'active_jobs >= 0' })
export class CreditAccount {
  @OneToOne(() => User, { primary: true, ref: true, deleteRule: 'cascade', fieldName: 'user_id' })
  user!: Ref<User>;

  @Property({ type: 'int', default: 0 })
  available: number = 0;

  @Property({ type: 'int', default: 0 })
  held: number = 0;

  /**
   * The user's generation jobs queued or running, kept by the database itself (triggers on jobs,
   * migration 20261128-active-jobs): generateTrack checks the tier's concurrent-job limit in the
   * same conditional update that places the job's hold, on this one row.
   */
  @Property({ type: 'int', default: 0 })
  activeJobs: number = 0;

  /** The last UTC day (YYYY-MM-DD) the tier's daily grant was credited. */
  @Property({ type: 'date', nullable: true })
  lastGrantDay?: string | null;

  @Property({ type: 'timestamptz' })
  updatedAt: Date = new Date();
}
