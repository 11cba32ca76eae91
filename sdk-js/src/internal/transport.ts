import { APIConnectionError, APITimeoutError, APIUserAbortError, MusicVerseError, type ErrorCode, type GraphQLErrorLike } from '../core/error.js';
import type { Fetch, FetchResponse, RequestOptions } from '../core/options.js';
import { parseRetryAfter, retryDelayMs, shouldRetry, type AttemptFailure } from '../core/retry.js';
import { carriesIdempotencyKey, type PreparedOperation } from './operation.js';
import { sleep } from './sleep.js';

export interface TransportConfig {
  endpoint: string;
  headers: Record<string, string>;
  timeoutMs: number;
  maxRetries: number;
  fetch: Fetch;
}

type Attempt = { data: unknown } | { error: MusicVerseError; failure: AttemptFailure; retryAfterMs?: number };

interface GraphQLBody {
  data?: unknown;
  errors?: GraphQLErrorLike[];
}

/**
 * Sends one GraphQL operation over HTTP, retrying what core/retry.ts allows, and answers its
 * data or throws the MusicVerseError of the first GraphQL error.
 */
export async function sendOperation(config: TransportConfig, operation: PreparedOperation, variables: Record<string, unknown> | undefined, options: RequestOptions = {}): Promise<unknown> {
  const repeatable = operation.type === 'query' || carriesIdempotencyKey(variables);
  const maxRetries = options.maxRetries ?? config.maxRetries;
  const body = JSON.stringify({ query: operation.query, variables, operationName: operation.operationName });
  const headers = { ...config.headers, ...options.headers };
  for (let retry = 0; ; retry++) {
    const outcome = await attempt(config, headers, body, options);
    if ('data' in outcome) return outcome.data;
    if (retry >= maxRetries || !shouldRetry(outcome.failure, repeatable)) throw outcome.error;
    try {
      await sleep(retryDelayMs(retry, outcome.retryAfterMs), options.signal);
    } catch (reason) {
      throw new APIUserAbortError(undefined, { cause: reason });
    }
  }
}

async function attempt(config: TransportConfig, headers: Record<string, string>, body: string, options: RequestOptions): Promise<Attempt> {
  const { signal } = options;
  if (signal?.aborted) throw new APIUserAbortError(undefined, { cause: signal.reason });
  const timeoutMs = options.timeoutMs ?? config.timeoutMs;
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, timeoutMs);
  const onAbort = () => controller.abort(signal?.reason);
  signal?.addEventListener('abort', onAbort, { once: true });
  let response: FetchResponse;
  let text: string;
  try {
    response = await config.fetch(config.endpoint, { method: 'POST', headers, body, signal: controller.signal });
    // The timeout covers reading the answer too: a server that stalls mid-body times out.
    text = await response.text();
  } catch (cause) {
    if (signal?.aborted) throw new APIUserAbortError(undefined, { cause });
    if (timedOut) return { failure: { kind: 'timeout' }, error: new APITimeoutError(`Request timed out after ${timeoutMs} ms`, { cause }) };
    return { failure: { kind: 'network' }, error: new APIConnectionError(`Connection error: ${messageOf(cause)}`, { cause }) };
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener('abort', onAbort);
  }
  return interpret(response, text);
}

/** Turns an HTTP answer into data, or into the error and what the retry decision needs. */
function interpret(response: FetchResponse, text: string): Attempt {
  const { status } = response;
  const requestId = response.headers.get('x-request-id') ?? undefined;
  const headerRetryAfterMs = parseRetryAfter(response.headers.get('retry-after'));
  const parsed = parseBody(text);
  const transient = status === 429 || status >= 500;
  const first = parsed?.errors?.[0];
  if (first) {
    const extensions = { ...first.extensions };
    // The header fills in RateLimitedError.retryAfter when the body did not say.
    if (extensions.retryAfter === undefined && headerRetryAfterMs !== undefined) extensions.retryAfter = headerRetryAfterMs / 1000;
    const error = MusicVerseError.fromGraphQLError({ ...first, extensions }, { requestId, status });
    const retryAfterMs = typeof extensions.retryAfter === 'number' ? extensions.retryAfter * 1000 : undefined;
    const failure: AttemptFailure = transient ? { kind: 'http', status } : { kind: 'graphql', code: error.code };
    return { error, failure, retryAfterMs };
  }
  if (status >= 300 || !parsed || parsed.data === undefined || parsed.data === null) {
    const extensions: Record<string, unknown> = { code: codeOfStatus(status) };
    if (headerRetryAfterMs !== undefined) extensions.retryAfter = headerRetryAfterMs / 1000;
    const message = `HTTP ${status}${text ? `: ${text.slice(0, 200)}` : ''}`;
    const error = MusicVerseError.fromGraphQLError({ message, extensions }, { requestId, status });
    return { error, failure: { kind: 'http', status }, retryAfterMs: headerRetryAfterMs };
  }
  return { data: parsed.data };
}

function parseBody(text: string): GraphQLBody | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return value && typeof value === 'object' ? (value as GraphQLBody) : undefined;
  } catch {
    return undefined;
  }
}

/** The code an HTTP status means when the body carries no GraphQL error. */
function codeOfStatus(status: number): ErrorCode {
  if (status === 401) return 'UNAUTHENTICATED';
  if (status === 403) return 'FORBIDDEN';
  if (status === 404) return 'NOT_FOUND';
  if (status === 409) return 'CONFLICT';
  if (status === 429) return 'RATE_LIMITED';
  if (status >= 400 && status < 500) return 'BAD_USER_INPUT';
  return 'INTERNAL';
}

function messageOf(error: unknown): string {
  if (error instanceof Error) {
    const cause = error.cause instanceof Error ? ` (${error.cause.message})` : '';
    return `${error.message}${cause}`;
  }
  return String(error);
}
