/**
 * The `code` a ProviderError carries, recorded on a failed job next to its user message so that
 * operators can count failures by cause. One list for every adapter.
 */
export const ProviderErrorCode = {
  /** The job's AbortSignal fired (cancelJob or worker shutdown). */
  Cancelled: 'CANCELLED',
  /** A request or the whole generation took longer than allowed. */
  Timeout: 'PROVIDER_TIMEOUT',
  /** The provider could not be reached or answered 5xx. */
  Unavailable: 'PROVIDER_UNAVAILABLE',
  /** The provider answered 429 more often than the retry budget allows. */
  RateLimited: 'PROVIDER_RATE_LIMITED',
  /** The provider answered 4xx: bad request, content refused, no credit. */
  Refused: 'PROVIDER_REFUSED',
  /** The provider rejected our API key (401/403): an operator must fix the configuration. */
  Unauthorized: 'PROVIDER_UNAUTHORIZED',
  /** The answer was not JSON, lacked fields, or the audio was empty or not audio. */
  BadResponse: 'PROVIDER_BAD_RESPONSE',
  /** The provider accepted the task and then reported that generation failed. */
  GenerationFailed: 'PROVIDER_GENERATION_FAILED',
} as const;

export type ProviderErrorCode = (typeof ProviderErrorCode)[keyof typeof ProviderErrorCode];
