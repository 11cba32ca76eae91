import { ConflictError, UnauthenticatedError } from '../../core/errors.js';

/** The X-API-Key value is not a key this platform issued (wrong shape, unknown, or wrong secret). */
export class InvalidApiKeyError extends UnauthenticatedError {
  constructor() {
    super('API key is not valid; create a new one in Developer settings');
  }
}

/** The key was revoked by its owner. */
export class RevokedApiKeyError extends UnauthenticatedError {
  constructor() {
    super('API key was revoked; create a new one in Developer settings');
  }
}

/** The key's expiry date has passed. */
export class ExpiredApiKeyError extends UnauthenticatedError {
  constructor(expiredAt: Date) {
    super(`API key expired at ${expiredAt.toISOString()}; create a new one in Developer settings`);
  }
}

/** The user already holds the maximum number of active keys. */
export class TooManyApiKeysError extends ConflictError {
  constructor(limit: number) {
    super(`You already have ${limit} active API keys; revoke one before creating another`);
  }
}
