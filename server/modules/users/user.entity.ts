import { randomUUID } from 'node:crypto';
import { Entity, Enum, PrimaryKey, Property } from '@mikro-orm/core';

export enum Tier {
  FREE = 'free',
  PRO = 'pro',
  ENTERPRISE = 'enterprise',
}

export enum UserRole {
  USER = 'user',
  ADMIN = 'admin',
}

/** A person, known by their Telegram account. */
@Entity({ tableName: 'users' })
export class User {
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  /** Telegram user id (64-bit), kept as a decimal string. */
  @Property({ type: 'bigint', unique: true })
  telegramId!: string;

  @Property({ type: 'text' })
  firstName!: string;

  @Property({ type: 'text', nullable: true })
  lastName?: string | null;

  @Property({ type: 'text', nullable: true })
  username?: string | null;

  @Property({ type: 'text', nullable: true })
  languageCode?: string | null;

  @Property({ type: 'text', nullable: true })
  photoUrl?: string | null;

  @Property({ type: 'boolean', default: false })
  isPremium: boolean = false;

  @Enum({ items: () => Tier, nativeEnumName: 'tier', default: Tier.FREE })
  tier: Tier = Tier.FREE;

  /** Recomputed from ADMIN_TELEGRAM_IDS at every sign-in. */
  @Enum({ items: () => UserRole, nativeEnumName: 'user_role', default: UserRole.USER })
  role: UserRole = UserRole.USER;

  @Property({ type: 'timestamptz' })
  createdAt: Date = new Date();

  @Property({ type: 'timestamptz', onUpdate: () => new Date() })
  updatedAt: Date = new Date();

  @Property({ type: 'timestamptz', nullable: true })
  lastSignInAt?: Date | null;
}
