import { randomUUID } from 'node:crypto';
import { Entity, Index, ManyToOne, PrimaryKey, Property, type Ref } from '@mikro-orm/core';
import { User } from '../users/user.entity.js';

/**
 * A sign-in: the family every rotated refresh token of one sign-in belongs to.
 * Revoking it ends the access tokens that name it and every refresh token in it.
 */
@Entity({ tableName: 'sessions' })
export class Session {
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @ManyToOne(() => User, { ref: true, deleteRule: 'cascade' })
  @Index()
  user!: Ref<User>;

  /** How the session began: `telegram` or `dev`. */
  @Property({ type: 'text' })
  method!: string;

  @Property({ type: 'timestamptz' })
  createdAt: Date = new Date();

  @Property({ type: 'timestamptz', nullable: true })
  revokedAt?: Date | null;

  /** Why it ended: `refresh_token_reuse`, `sign_out`. */
  @Property({ type: 'text', nullable: true })
  revokedReason?: string | null;
}
