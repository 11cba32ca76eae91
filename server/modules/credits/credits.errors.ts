import { BadUserInputError, ConflictError, DomainError, NotFoundError } from '../../core/errors.js';

/** The account's available credits do not cover the amount; nothing was changed. */
export class InsufficientCreditsError extends DomainError {
  constructor(requested: number, available: number) {
    super('INSUFFICIENT_CREDITS', `Not enough credits: ${requested} needed, ${available} available. Buy a credit pack or wait for your daily grant`);
  }
}

/** The hold already resolved (committed, released or expired); a hold resolves exactly once. */
export class HoldAlreadyResolvedError extends ConflictError {
  constructor(status: string) {
    super(`Hold is already ${status}; a hold resolves exactly once`);
  }
}

/** The hold passed its expiry; it can no longer be committed and its credits return to available. */
export class HoldExpiredError extends ConflictError {
  constructor(expiresAt: Date) {
    super(`Hold expired at ${expiresAt.toISOString()} and can no longer be committed`);
  }
}

/** The hold does not exist or belongs to someone else. */
export class HoldNotFoundError extends NotFoundError {
  constructor() {
    super('Hold');
  }
}

/** A commit asked for more than the hold reserved. */
export class ChargeExceedsHoldError extends BadUserInputError {
  constructor(amount: number, held: number) {
    super(`amount ${amount} exceeds the ${held} credits this hold reserved`, 'amount');
  }
}

/** The idempotency key was used before with a different request; `field` names what differs. */
export class IdempotencyKeyReusedError extends DomainError {
  constructor(field: string) {
    super('IDEMPOTENCY_KEY_REUSED', `idempotencyKey was already used with a different ${field}; use a new key for a new request`, { field });
  }
}
