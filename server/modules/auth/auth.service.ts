import { createHash, randomBytes } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { User } from '../users/user.entity.js';
import type { TelegramProfile, UsersService } from '../users/users.service.js';
import { type AccessTokens } from './access-token.js';
import { InvalidAccessTokenError, InvalidRefreshTokenError } from './auth.errors.js';
import { RefreshToken } from './refresh-token.entity.js';
import { Session } from './session.entity.js';
import type { SessionRevocations } from './session-revocations.js';
import { verifyInitData } from './telegram-init-data.js';
import type { Viewer } from './viewer.js';

export const REFRESH_TOKEN_TTL_SECONDS = 30 * 86_400;

export interface SignedIn {
  user: User;
  accessToken: string;
  accessTokenExpiresAt: Date;
  refreshToken: string;
  refreshTokenExpiresAt: Date;
}

export interface AuthSettings {
  botToken: string;
  initDataMaxAgeSeconds: number;
}

function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** Sign-in through Telegram, session tokens and their rotation. */
export class AuthService {
  constructor(
    private readonly settings: AuthSettings,
    private readonly tokens: AccessTokens,
    private readonly revocations: SessionRevocations,
    private readonly users: UsersService,
  ) {}

  async signInWithTelegram(em: EntityManager, initData: string, now = new Date()): Promise<SignedIn> {
    const verified = verifyInitData(initData, this.settings.botToken, this.settings.initDataMaxAgeSeconds, now);
    const { user: tg } = verified;
    return this.signIn(em, 'telegram', {
      telegramId: String(tg.id),
      firstName: tg.first_name,
      lastName: tg.last_name,
      username: tg.username,
      languageCode: tg.language_code,
      photoUrl: tg.photo_url,
      isPremium: tg.is_premium,
    }, now);
  }

  /** Only reachable when DEV_LOGIN=1 (the resolver checks); never in production. */
  async devSignIn(em: EntityManager, profile: TelegramProfile, now = new Date()): Promise<SignedIn> {
    return this.signIn(em, 'dev', profile, now);
  }

  /**
   * Trades a refresh token for a new pair. The old token is marked used in the same statement
   * that checks it, so two refreshes with one token cannot both succeed; presenting a used
   * token again ends the whole session (it may have been stolen).
   */
  async refresh(em: EntityManager, refreshToken: string, now = new Date()): Promise<SignedIn> {
    const tokenHash = hashToken(refreshToken);
    return em.transactional(async (tx) => {
      // Expiry is compared in SQL: raw rows carry timestamps as text under MikroORM's driver.
      const claimed = await tx.getConnection().execute<{ id: string; session_id: string; expired: boolean }[]>(
        `update refresh_tokens set used_at = ? where token_hash = ? and used_at is null returning id, session_id, expires_at <= ? as expired`,
        [now, tokenHash, now],
        'all',
        // Without the context the statement would run on another connection and commit at once,
        // so a refusal below (expired, revoked) could not roll the claim back.
        tx.getTransactionContext(),
      );
      if (claimed.length === 0) {
        const known = await tx.findOne(RefreshToken, { tokenHash }, { populate: ['session'] });
        if (!known) throw new InvalidRefreshTokenError('unknown');
        await this.markRevoked(tx, known.session.id, 'refresh_token_reuse', now);
        return { reusedIn: known.session.id };
      }
      const row = claimed[0]!;
      if (row.expired) throw new InvalidRefreshTokenError('expired');
      const session = await tx.findOneOrFail(Session, { id: row.session_id }, { populate: ['user'] });
      if (session.revokedAt) throw new InvalidRefreshTokenError('revoked');
      return this.issuePair(tx, session, session.user.getEntity(), now);
    }).then(async (result) => {
      if (!('reusedIn' in result)) return result;
      // The revocation committed before the error is thrown, so it survives the failed request.
      await this.revocations.announce(result.reusedIn);
      throw new InvalidRefreshTokenError('reused');
    });
  }

  /** Resolves a Bearer access token to its viewer; refuses tokens of ended sessions. */
  async viewerFromAccessToken(token: string): Promise<Viewer> {
    const claims = await this.tokens.verify(token);
    if (this.revocations.isRevoked(claims.sessionId)) throw new InvalidAccessTokenError('revoked');
    return { userId: claims.userId, role: claims.role, credential: { kind: 'session', sessionId: claims.sessionId, expiresAt: claims.expiresAt } };
  }

  async signOut(em: EntityManager, sessionId: string, now = new Date()): Promise<void> {
    await em.transactional((tx) => this.markRevoked(tx, sessionId, 'sign_out', now));
    await this.revocations.announce(sessionId);
  }

  private async signIn(em: EntityManager, method: string, profile: TelegramProfile, now: Date): Promise<SignedIn> {
    return em.transactional(async (tx) => {
      const user = await this.users.upsertFromTelegram(tx, profile, now);
      const session = tx.create(Session, { user, method, createdAt: now });
      return this.issuePair(tx, session, user, now);
    });
  }

  private async issuePair(tx: EntityManager, session: Session, user: User, now: Date): Promise<SignedIn> {
    const refreshToken = randomBytes(32).toString('base64url');
    const refreshTokenExpiresAt = new Date(now.getTime() + REFRESH_TOKEN_TTL_SECONDS * 1000);
    tx.create(RefreshToken, { session, tokenHash: hashToken(refreshToken), expiresAt: refreshTokenExpiresAt, createdAt: now });
    await tx.flush();
    const access = await this.tokens.issue({ userId: user.id, sessionId: session.id, role: user.role }, now);
    return { user, accessToken: access.token, accessTokenExpiresAt: access.expiresAt, refreshToken, refreshTokenExpiresAt };
  }

  /**
   * Ends a session in the database. Callers announce it to every process after the commit:
   * announcing inside the transaction would let a Redis failure roll the revocation back.
   */
  private async markRevoked(tx: EntityManager, sessionId: string, reason: string, now: Date): Promise<void> {
    await tx.nativeUpdate(Session, { id: sessionId, revokedAt: null }, { revokedAt: now, revokedReason: reason });
  }
}
