/**
 * Every failure the SDK reports is a MusicVerseError. GraphQL errors become the subclass named
 * by their `extensions.code` (the server's documented list), so callers branch with
 * `instanceof` instead of comparing strings. Transport failures are APIConnectionError and
 * APITimeoutError.
 */

/** The codes the API puts in `extensions.code`. */
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

/** Codes of failures that never reached a GraphQL answer. */
export type ClientErrorCode = 'API_CONNECTION' | 'API_TIMEOUT' | 'API_USER_ABORT';

/** A GraphQL error as it arrives in a response's `errors` list. */
export interface GraphQLErrorLike {
  message: string;
  path?: ReadonlyArray<string | number>;
  extensions?: Record<string, unknown>;
}

export interface MusicVerseErrorOptions {
  code: ErrorCode | ClientErrorCode;
  /** The server's X-Request-Id for the HTTP response, when there was one. */
  requestId?: string;
  /** HTTP status of the response, when there was one. */
  status?: number;
  path?: ReadonlyArray<string | number>;
  extensions?: Record<string, unknown>;
  cause?: unknown;
}

export class MusicVerseError extends Error {
  readonly code: ErrorCode | ClientErrorCode;
  readonly requestId: string | undefined;
  readonly status: number | undefined;
  readonly path: ReadonlyArray<string | number> | undefined;
  readonly extensions: Record<string, unknown>;

  constructor(message: string, options: MusicVerseErrorOptions) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = options.code;
    this.requestId = options.requestId;
    this.status = options.status;
    this.path = options.path;
    this.extensions = options.extensions ?? {};
  }

  /** The subclass for `error.extensions.code`; unknown or missing codes count as INTERNAL. */
  static fromGraphQLError(error: GraphQLErrorLike, context: { requestId?: string; status?: number } = {}): MusicVerseError {
    const extensions = error.extensions ?? {};
    const given = String(extensions.code ?? 'INTERNAL');
    const code: ErrorCode = isErrorCode(given) ? given : 'INTERNAL';
    const options = { code, path: error.path, extensions, requestId: context.requestId, status: context.status };
    return new ERROR_CLASSES[code](error.message, options);
  }
}

/** Not signed in, or the API key or access token expired or was revoked. */
export class UnauthenticatedError extends MusicVerseError {}
/** Signed in but not allowed: an API key without the scope, or a session-only operation. */
export class ForbiddenError extends MusicVerseError {}
/** The object does not exist or is not yours (the API never tells which). */
export class NotFoundError extends MusicVerseError {}

/** An argument is malformed or out of range; `field` names it when the server did. */
export class BadUserInputError extends MusicVerseError {
  get field(): string | undefined {
    return stringOf(this.extensions.field);
  }
}

/** The balance cannot cover the price or hold. */
export class InsufficientCreditsError extends MusicVerseError {}
/** The object changed under you, or the operation was already done (e.g. a resolved hold). */
export class ConflictError extends MusicVerseError {}

/** Too many requests; retried automatically up to maxRetries before it reaches you. */
export class RateLimitedError extends MusicVerseError {
  /** Seconds until a retry may succeed, from extensions.retryAfter or the Retry-After header. */
  get retryAfter(): number | undefined {
    const value = this.extensions.retryAfter;
    return typeof value === 'number' ? value : undefined;
  }
}

/** The plan does not include this (model, concurrency, ...); `upgrade` names the tier that does. */
export class FeatureNotInTierError extends MusicVerseError {
  get upgrade(): string | undefined {
    return stringOf(this.extensions.upgrade);
  }
}

/** The idempotency key was used before with different input; `field` names what differs. */
export class IdempotencyKeyReusedError extends MusicVerseError {
  get field(): string | undefined {
    return stringOf(this.extensions.field);
  }
}

/** The server failed (INTERNAL, or an HTTP 5xx without a GraphQL answer). */
export class InternalServerError extends MusicVerseError {}

/** The request never got an answer: DNS, refused connection, reset socket, dropped WebSocket. */
export class APIConnectionError extends MusicVerseError {
  constructor(message = 'Connection error', options: Partial<MusicVerseErrorOptions> = {}) {
    super(message, { ...options, code: options.code ?? 'API_CONNECTION' });
  }
}

/** No answer within timeoutMs (after every retry). */
export class APITimeoutError extends APIConnectionError {
  constructor(message = 'Request timed out', options: Partial<MusicVerseErrorOptions> = {}) {
    super(message, { ...options, code: 'API_TIMEOUT' });
  }
}

/** The caller's AbortSignal fired; never retried. */
export class APIUserAbortError extends MusicVerseError {
  constructor(message = 'Request was aborted', options: Partial<MusicVerseErrorOptions> = {}) {
    super(message, { ...options, code: 'API_USER_ABORT' });
  }
}

type ErrorClass = new (message: string, options: MusicVerseErrorOptions) => MusicVerseError;

const ERROR_CLASSES = {
  UNAUTHENTICATED: UnauthenticatedError,
  FORBIDDEN: ForbiddenError,
  NOT_FOUND: NotFoundError,
  BAD_USER_INPUT: BadUserInputError,
  INSUFFICIENT_CREDITS: InsufficientCreditsError,
  CONFLICT: ConflictError,
  RATE_LIMITED: RateLimitedError,
  FEATURE_NOT_IN_TIER: FeatureNotInTierError,
  IDEMPOTENCY_KEY_REUSED: IdempotencyKeyReusedError,
  INTERNAL: InternalServerError,
} satisfies Record<ErrorCode, ErrorClass>;

function isErrorCode(value: string): value is ErrorCode {
  return (ERROR_CODES as readonly string[]).includes(value);
}

function stringOf(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}
