import { randomUUID } from 'node:crypto';
import { Entity, ManyToOne, PrimaryKey, Property, type Ref } from '@mikro-orm/core';
import { User } from '../users/user.entity.js';

/**
 * A developer's key. The key is shown once; stored are its public lookup id and a bcrypt hash.
 */
@Entity({ tableName: 'api_keys' })
export class ApiKey {
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @ManyToOne(() => User, { ref: true, deleteRule: 'cascade', index: true })
  user!: Ref<User>;

  @Property({ type: 'text' })
  name!: string;

  /** The key's public part (after `amv_live_`), used to find the row before bcrypt. */
  @Property({ type: 'text', unique: true })
  lookupId!: string;

  @Property({ type: 'text', hidden: true })
  keyHash!: string;

  @Property({ type: 'text[]' })
  scopes!: string[];

  @Property({ type: 'timestamptz', nullable: true })
  expiresAt?: Date | null;

  @Property({ type: 'timestamptz', nullable: true })
  revokedAt?: Date | null;

  @Property({ type: 'timestamptz', nullable: true })
  lastUsedAt?: Date | null;

  @Property({ type: 'timestamptz' })
  createdAt: Date = new Date();
}
