/**
 * When and how long to wait before trying a request again. The transport
 * (internal/transport.ts) asks `shouldRetry` after each failed attempt and sleeps
 * `retryDelayMs` before the next one.
 */

/** Retries after the first attempt, unless the client or the request says otherwise. */
export const DEFAULT_MAX_RETRIES = 2;
/** The first wait; each further one doubles it. */
export const INITIAL_RETRY_DELAY_MS = 500;
/** The longest computed wait. */
export const MAX_RETRY_DELAY_MS = 8_000;
/** A wait is shortened by up to this share, so clients that failed together spread out. */
export const RETRY_JITTER = 0.25;
/** A server's retry-after above this is not waited for: the computed backoff is used instead. */
export const MAX_SERVER_RETRY_AFTER_MS = 60_000;

/** What went wrong on one attempt, as far as the retry decision needs to know. */
export type AttemptFailure =
  | { kind: 'network' }
  | { kind: 'timeout' }
  | { kind: 'http'; status: number }
  | { kind: 'graphql'; code: string };

/**
 * Network errors, timeouts, HTTP 5xx and 429, and RATE_LIMITED are worth another try.
 * A query may always be repeated; a mutation only when it carries an idempotency key, so a
 * retry can never do the work (or spend the credits) twice.
 */
export function shouldRetry(failure: AttemptFailure, repeatable: boolean): boolean {
  if (!repeatable) return false;
  switch (failure.kind) {
    case 'network':
    case 'timeout':
      return true;
    case 'http':
      return failure.status === 429 || failure.status >= 500;
    case 'graphql':
      return failure.code === 'RATE_LIMITED';
  }
}

/**
 * Milliseconds to wait before retry number `retry` (0 for the first retry): the server's
 * retry-after when it gave a usable one, else 0.5 s doubling to 8 s, minus up to 25 % jitter.
 */
export function retryDelayMs(retry: number, serverRetryAfterMs?: number, random: () => number = Math.random): number {
  if (serverRetryAfterMs !== undefined && serverRetryAfterMs >= 0 && serverRetryAfterMs <= MAX_SERVER_RETRY_AFTER_MS) {
    return serverRetryAfterMs;
  }
  const base = Math.min(INITIAL_RETRY_DELAY_MS * 2 ** retry, MAX_RETRY_DELAY_MS);
  return base * (1 - random() * RETRY_JITTER);
}

/** A Retry-After header (seconds or an HTTP date) in milliseconds; undefined when absent or unreadable. */
export function parseRetryAfter(header: string | null | undefined, now: number = Date.now()): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return seconds >= 0 ? seconds * 1000 : undefined;
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(at - now, 0);
}
