import { randomUUID } from 'node:crypto';
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

/** Signs and checks session access tokens (JWT, HS256). */
export class AccessTokens {
  private readonly key: Uint8Array;

  constructor(secret: string) {
    this.key = new TextEncoder().encode(secret);
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

  async verify(token: string): Promise<AccessClaims> {
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
      return { userId: payload.sub, sessionId: payload.sid, role };
    } catch (error) {
      if (error instanceof joseErrors.JWTExpired) throw new InvalidAccessTokenError('expired');
      if (error instanceof InvalidAccessTokenError) throw error;
      throw new InvalidAccessTokenError('invalid');
    }
  }
}
