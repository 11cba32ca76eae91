import { sleep } from '../abort.signals.js';
import { ProviderErrorCode } from '../provider.codes.js';
import { ProviderCancelledError, ProviderError, ProviderPermanentError, ProviderTransientError } from '../provider.errors.js';
import { SunoHeader, errorMessageOf } from './suno.wire.js';

/** The knobs of one generation's HTTP calls; see SunoProviderOptions for meanings and defaults. */
export interface SunoHttpSettings {
  apiKey: string;
  requestTimeoutMs: number;
  maxRetries: number;
  retryBaseMs: number;
  retryMaxMs: number;
  totalTimeoutMs: number;
  logger?: { warn(details: object, message: string): void };
}

export interface HttpStep {
  /** For errors and logs: `create`, `poll`, `download`. */
  name: string;
  method: 'GET' | 'POST';
  url: URL;
  headers: Record<string, string>;
  body?: string;
}

export interface HttpAnswer {
  status: number;
  contentType: string;
  body: Buffer;
}

/**
 * The HTTP calls of one generation. Each call gets its own timeout on top of the job's signal
 * and the generation's total deadline (AbortSignal.any), and transient failures (network error,
 * timeout, 408, 429, 5xx) are retried with exponential backoff and jitter, honouring
 * Retry-After. Callers only send steps that are safe to repeat: reads, and the create call
 * because it carries an Idempotency-Key.
 */
export class SunoHttp {
  private readonly run: AbortSignal;

  constructor(
    private readonly settings: SunoHttpSettings,
    /** The job's signal: fired means the user cancelled. */
    private readonly cancel: AbortSignal,
    /** Fires when the whole generation has run out of time. */
    private readonly deadline: AbortSignal,
  ) {
    this.run = AbortSignal.any([cancel, deadline]);
  }

  /** Waits between polls; a cancel or the deadline ends the wait with the matching error. */
  async pause(ms: number): Promise<void> {
    await sleep(ms, this.run).catch(() => {
      throw this.abortError();
    });
  }

  /** Sends `step` until it succeeds (2xx) or fails for good; the body is read under the same timeout. */
  async send(step: HttpStep): Promise<HttpAnswer> {
    let lastError: ProviderError = transient(ProviderErrorCode.Unavailable, `${step.name}: no attempt made`);
    for (let attempt = 0; attempt <= this.settings.maxRetries; attempt++) {
      if (this.run.aborted) throw this.abortError();
      const timeout = AbortSignal.timeout(this.settings.requestTimeoutMs);
      let waitMs = this.backoff(attempt);
      try {
        const response = await fetch(step.url, { method: step.method, headers: step.headers, body: step.body, signal: AbortSignal.any([this.run, timeout]) });
        const body = Buffer.from(await response.arrayBuffer());
        if (response.ok) return { status: response.status, contentType: response.headers.get('content-type') ?? '', body };
        const said = errorMessageOf(body.toString('utf8'));
        if (!isTransientStatus(response.status)) throw this.refusal(step, response.status, said);
        const retryAfterMs = parseRetryAfter(response.headers.get(SunoHeader.RetryAfter));
        if (retryAfterMs !== undefined) waitMs = retryAfterMs;
        lastError = response.status === 429
          ? transient(ProviderErrorCode.RateLimited, `${step.name}: answered 429 ${attempt + 1} times`)
          : transient(ProviderErrorCode.Unavailable, `${step.name}: answered ${response.status}${said ? ` (${this.scrub(said)})` : ''}`);
      } catch (error) {
        if (error instanceof ProviderError) throw error;
        if (this.run.aborted) throw this.abortError();
        lastError = timeout.aborted
          ? transient(ProviderErrorCode.Timeout, `${step.name}: no answer within ${this.settings.requestTimeoutMs} ms`)
          : transient(ProviderErrorCode.Unavailable, `${step.name}: could not reach the provider (${this.scrub(describe(error))})`);
      }
      if (attempt === this.settings.maxRetries) break;
      this.settings.logger?.warn({ step: step.name, attempt: attempt + 1, code: lastError.code, waitMs }, 'music provider call failed; retrying');
      await this.pause(waitMs);
    }
    throw lastError;
  }

  /** Removes the API key from any text that came from the provider or the network stack. */
  scrub(text: string): string {
    const clean = this.settings.apiKey ? text.split(this.settings.apiKey).join('[redacted]') : text;
    return clean.length > 300 ? `${clean.slice(0, 300)}…` : clean;
  }

  /** The error for a run that ended because of the job's signal or the total deadline. */
  abortError(): ProviderError {
    if (this.cancel.aborted) return new ProviderCancelledError();
    return new ProviderTransientError(
      ProviderErrorCode.Timeout,
      'The music provider took too long to generate the track; please try again',
      `generation exceeded ${this.settings.totalTimeoutMs} ms`,
    );
  }

  /** 0.5 s doubling up to the cap, minus up to 25 % jitter so retrying clients spread out. */
  private backoff(attempt: number): number {
    const base = Math.min(this.settings.retryMaxMs, this.settings.retryBaseMs * 2 ** attempt);
    return Math.round(base * (1 - Math.random() * 0.25));
  }

  private refusal(step: HttpStep, status: number, said: string | undefined): ProviderPermanentError {
    if (status === 401 || status === 403) {
      return new ProviderPermanentError(
        ProviderErrorCode.Unauthorized,
        'The music provider refused the request: our access to it is not set up correctly. Please try again later',
        `${step.name}: answered ${status}; check PROVIDER_API_KEY`,
      );
    }
    const reason = said ? this.scrub(said) : `HTTP ${status}`;
    return new ProviderPermanentError(ProviderErrorCode.Refused, `The music provider refused the request: ${reason}`, `${step.name}: answered ${status}: ${reason}`);
  }
}

function transient(code: string, detail: string): ProviderTransientError {
  const userMessage =
    code === ProviderErrorCode.RateLimited
      ? 'The music provider is busy right now; please try again in a few minutes'
      : code === ProviderErrorCode.Timeout
        ? 'The music provider did not answer in time; please try again'
        : 'The music provider is unavailable right now; please try again later';
  return new ProviderTransientError(code, userMessage, detail);
}

function isTransientStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

/** Retry-After as seconds or an HTTP date, in milliseconds; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** fetch wraps the socket error in `cause`; that is the part worth logging. */
function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? `: ${error.cause.message}` : '';
  return `${error.message}${cause}`;
}
