/**
 * The error vocabulary of the API. Services throw a DomainError subclass; one formatter
 * (server/graphql/format-error.ts) maps it to `extensions.code` and its details.
 */
export const ERROR_CODES = [
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'NOT_FOUND',
  'BAD_USER_INPUT',
  'INSUFFICIENT_CREDITS',
  'CONFLICT',
  'RATE_LIMITED',
  'FEATURE_NOT_IN_TIER',
  'IDEMPOTENCY_KEY_REUSED',
  'INTERNAL',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

/** Typed details a client may act on; each appears as an `extensions` entry. */
export interface ErrorDetails {
  /** The input field at fault (BAD_USER_INPUT, IDEMPOTENCY_KEY_REUSED). */
  field?: string;
  /** Seconds until a retry may succeed (RATE_LIMITED). */
  retryAfter?: number;
  /** The tier that unlocks the feature (FEATURE_NOT_IN_TIER). */
  upgrade?: string;
  /** The limit that was crossed, where one applies. */
  limit?: number;
}

export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: ErrorDetails = {},
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** No valid credentials, or credentials that expired or were revoked. */
export class UnauthenticatedError extends DomainError {
  constructor(message = 'Sign in first: send Authorization: Bearer <token> or X-API-Key') {
    super('UNAUTHENTICATED', message);
  }
}

/** Signed in, but not allowed to do this (missing scope or role). */
export class ForbiddenError extends DomainError {
  constructor(message: string) {
    super('FORBIDDEN', message);
  }
}

/** The object does not exist or is not the viewer's; never tells which. */
export class NotFoundError extends DomainError {
  constructor(what: string) {
    super('NOT_FOUND', `${what} not found`);
  }
}

/** An argument is malformed or out of range; `field` names it. */
export class BadUserInputError extends DomainError {
  constructor(message: string, field?: string, details: Omit<ErrorDetails, 'field'> = {}) {
    super('BAD_USER_INPUT', message, { ...details, field });
  }
}

/** The object changed under the caller, or the operation was already done. */
export class ConflictError extends DomainError {
  constructor(message: string) {
    super('CONFLICT', message);
  }
}

/** An edit named a revision older than the object's (expectedRevision): someone changed it first. */
export class StaleRevisionError extends ConflictError {
  constructor(what: string, expected: number, actual: number) {
    super(`${what} changed since revision ${expected} (it is at ${actual}); reload it and apply your change again`);
  }
}

/** Too many requests; `retryAfter` says when to come back. */
export class RateLimitedError extends DomainError {
  constructor(retryAfter: number, message = `Rate limit reached; retry in ${retryAfter} s`) {
    super('RATE_LIMITED', message, { retryAfter });
  }
}
