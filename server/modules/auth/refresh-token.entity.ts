import { randomUUID } from 'node:crypto';
import { Entity, ManyToOne, PrimaryKey, Property, type Ref } from '@mikro-orm/core';
import { Session } from './session.entity.js';

/**
 * One refresh token of a session. Only its SHA-256 is stored. Using it marks it used and
 * issues the next; presenting a used one again is reuse, and revokes the whole session.
 */
@Entity({ tableName: 'refresh_tokens' })
export class RefreshToken {
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @ManyToOne(() => Session, { ref: true, deleteRule: 'cascade', index: true })
  session!: Ref<Session>;

  /** hex SHA-256 of the token; the token itself is 32 random bytes, so no salt is needed. */
  @Property({ type: 'text', unique: true })
  tokenHash!: string;

  @Property({ type: 'timestamptz' })
  expiresAt!: Date;

  @Property({ type: 'timestamptz' })
  createdAt: Date = new Date();

  @Property({ type: 'timestamptz', nullable: true })
  usedAt?: Date | null;
}
