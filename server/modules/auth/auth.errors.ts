import { BadUserInputError, UnauthenticatedError } from '../../core/errors.js';

/** initData is not a query string Telegram could have produced (no hash, no user, bad JSON). */
export class MalformedInitDataError extends BadUserInputError {
  constructor(reason: string) {
    super(`initData is malformed: ${reason}. Pass Telegram.WebApp.initData exactly as received`, 'initData');
  }
}

/** initData's hash does not match: not signed for this bot, or altered. */
export class InitDataSignatureError extends UnauthenticatedError {
  constructor() {
    super('initData signature is not valid for this bot; open the Mini App from the bot again');
  }
}

/** "24 h", "30 min" or "90 s": the largest unit that states the age exactly. */
function duration(seconds: number): string {
  if (seconds % 3600 === 0) return `${seconds / 3600} h`;
  if (seconds % 60 === 0) return `${seconds / 60} min`;
  return `${seconds} s`;
}

/** initData's auth_date is older than the allowed age (24 h by default). */
export class StaleInitDataError extends UnauthenticatedError {
  constructor(maxAgeSeconds: number) {
    super(`initData is older than ${duration(maxAgeSeconds)}; reopen the Mini App to sign in again`);
  }
}

/** initData's auth_date is further in the future than clock skew explains. */
export class FutureInitDataError extends UnauthenticatedError {
  constructor() {
    super("initData's auth_date is in the future; check the clock of the device and reopen the Mini App");
  }
}

/** The access token is missing its signature, was altered, or has expired. */
export class InvalidAccessTokenError extends UnauthenticatedError {
  constructor(reason: 'expired' | 'invalid' | 'revoked') {
    const hint = {
      expired: 'Access token expired; call refreshSession with your refresh token',
      invalid: 'Access token is not valid; sign in again',
      revoked: 'This session was ended; sign in again',
    }[reason];
    super(hint);
  }
}

/** The refresh token is unknown, expired, or was already used (which ends its session). */
export class InvalidRefreshTokenError extends UnauthenticatedError {
  constructor(reason: 'unknown' | 'expired' | 'reused' | 'revoked') {
    const hint = {
      unknown: 'Refresh token is not valid; sign in again',
      expired: 'Refresh token expired; sign in again',
      reused: 'Refresh token was already used; the session has been ended for safety. Sign in again',
      revoked: 'This session was ended; sign in again',
    }[reason];
    super(hint);
  }
}
