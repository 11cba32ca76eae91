import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { User, UserRole } from './user.entity.js';

/** The profile Telegram tells us at each sign-in. */
export interface TelegramProfile {
  telegramId: string;
  firstName: string;
  lastName?: string | null;
  username?: string | null;
  languageCode?: string | null;
  photoUrl?: string | null;
  isPremium?: boolean;
}

export class UsersService {
  constructor(private readonly adminTelegramIds: ReadonlySet<string>) {}

  /**
   * Creates the user on first sign-in and refreshes the profile on later ones, in one
   * statement, so two first sign-ins at once still make one user.
   */
  async upsertFromTelegram(em: EntityManager, profile: TelegramProfile, now = new Date()): Promise<User> {
    const role = this.adminTelegramIds.has(profile.telegramId) ? UserRole.ADMIN : UserRole.USER;
    const user = await em.upsert(
      User,
      {
        // Only used when the row is new; an existing user keeps id and createdAt.
        id: randomUUID(),
        createdAt: now,
        telegramId: profile.telegramId,
        firstName: profile.firstName,
        lastName: profile.lastName ?? null,
        username: profile.username ?? null,
        languageCode: profile.languageCode ?? null,
        photoUrl: profile.photoUrl ?? null,
        isPremium: profile.isPremium ?? false,
        role,
        lastSignInAt: now,
        updatedAt: now,
      },
      {
        onConflictFields: ['telegramId'],
        onConflictMergeFields: ['firstName', 'lastName', 'username', 'languageCode', 'photoUrl', 'isPremium', 'role', 'lastSignInAt', 'updatedAt'],
      },
    );
    return user;
  }

  async findById(em: EntityManager, id: string): Promise<User | null> {
    return em.findOne(User, { id });
  }
}
