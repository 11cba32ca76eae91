import { createSecretKey, randomUUID, type KeyObject } from 'node:crypto';
import { SignJWT, errors as joseErrors, jwtVerify } from 'jose';
import { UserRole } from '../users/user.entity.js';
import { InvalidAccessTokenError } from './auth.errors.js';

/** Access tokens live one hour; refresh tokens renew them. */
export const ACCESS_TOKEN_TTL_SECONDS = 3600;
const ISSUER = 'musicverse';
const AUDIENCE = 'musicverse-api';

export interface AccessClaims {
  userId: string;
  sessionId: string;
  role: UserRole;
}

/** Verified tokens remembered per process; a verification is an HMAC, but a hot path. */
const VERIFIED_CACHE_SIZE = 10_000;

/** Signs and checks session access tokens (JWT, HS256). */
export class AccessTokens {
  /** Imported once: handing jose raw bytes would import the key again on every verify. */
  private readonly key: KeyObject;
  private readonly verified = new Map<string, { claims: AccessClaims; expiresAtMs: number }>();

  constructor(secret: string) {
    this.key = createSecretKey(Buffer.from(secret, 'utf8'));
  }

  async issue(claims: AccessClaims, now = new Date()): Promise<{ token: string; expiresAt: Date }> {
    const issuedAt = Math.floor(now.getTime() / 1000);
    const expiresAt = new Date((issuedAt + ACCESS_TOKEN_TTL_SECONDS) * 1000);
    const token = await new SignJWT({ sid: claims.sessionId, role: claims.role })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(claims.userId)
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      // A unique id: two tokens issued in the same second for one session still differ.
      .setJti(randomUUID())
      .setIssuedAt(issuedAt)
      .setExpirationTime(Math.floor(expiresAt.getTime() / 1000))
      .sign(this.key);
    return { token, expiresAt };
  }

  /**
   * Checks signature, issuer, audience and expiry. A token already verified by this process is
   * answered from memory until its own expiry (revocation is checked by the caller every time).
   */
  async verify(token: string, nowMs = Date.now()): Promise<AccessClaims & { expiresAt: Date }> {
    const known = this.verified.get(token);
    if (known) {
      if (known.expiresAtMs > nowMs) return { ...known.claims, expiresAt: new Date(known.expiresAtMs) };
      this.verified.delete(token);
      throw new InvalidAccessTokenError('expired');
    }
    const { claims, expiresAtMs } = await this.verifySignature(token);
    if (this.verified.size >= VERIFIED_CACHE_SIZE) this.verified.delete(this.verified.keys().next().value!);
    this.verified.set(token, { claims, expiresAtMs });
    return { ...claims, expiresAt: new Date(expiresAtMs) };
  }

  private async verifySignature(token: string): Promise<{ claims: AccessClaims; expiresAtMs: number }> {
    try {
      const { payload } = await jwtVerify(token, this.key, {
        issuer: ISSUER,
        audience: AUDIENCE,
        algorithms: ['HS256'],
        // A token without an expiry would be good forever; none of ours lacks one.
        requiredClaims: ['exp', 'sub'],
      });
      const role = payload.role === UserRole.ADMIN ? UserRole.ADMIN : UserRole.USER;
      if (typeof payload.sub !== 'string' || typeof payload.sid !== 'string') throw new InvalidAccessTokenError('invalid');
      return { claims: { userId: payload.sub, sessionId: payload.sid, role }, expiresAtMs: (payload.exp ?? 0) * 1000 };
    } catch (error) {
      if (error instanceof joseErrors.JWTExpired) throw new InvalidAccessTokenError('expired');
      if (error instanceof InvalidAccessTokenError) throw error;
      throw new InvalidAccessTokenError('invalid');
    }
  }
}
