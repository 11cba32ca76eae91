/**
 * How a provider failed decides what the worker does: a transient failure (timeout, 5xx,
 * connection refused, rate limit) is retried with backoff; a permanent one (bad request, content
 * refused, garbage answer) fails the job at once. `userMessage` is shown to the user as is.
 */
export abstract class ProviderError extends Error {
  abstract readonly transient: boolean;

  constructor(
    readonly code: string,
    readonly userMessage: string,
    detail?: string,
  ) {
    super(detail ?? userMessage);
    this.name = new.target.name;
  }
}

/** Worth retrying: the provider timed out, answered 5xx or 429, or could not be reached. */
export class ProviderTransientError extends ProviderError {
  readonly transient = true;
}

/** Not worth retrying: the request was refused or the answer cannot be used. */
export class ProviderPermanentError extends ProviderError {
  readonly transient = false;
}

/** The job was cancelled (its AbortSignal fired) while the provider worked. */
export class ProviderCancelledError extends ProviderError {
  readonly transient = false;

  constructor() {
    super('CANCELLED', 'The generation was cancelled');
  }
}
