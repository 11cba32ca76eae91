/** @musicverse/sdk: the MusicVerse API client. */
export { MusicVerse, type Credentials, type OperationArgs } from './client.js';
export type { ClientOptions, RequestOptions, Fetch, FetchResponse, WebSocketConstructor } from './core/options.js';
export {
  ERROR_CODES,
  MusicVerseError,
  UnauthenticatedError,
  ForbiddenError,
  NotFoundError,
  BadUserInputError,
  InsufficientCreditsError,
  ConflictError,
  RateLimitedError,
  FeatureNotInTierError,
  IdempotencyKeyReusedError,
  InternalServerError,
  APIConnectionError,
  APITimeoutError,
  APIUserAbortError,
  type ErrorCode,
  type ClientErrorCode,
  type GraphQLErrorLike,
  type MusicVerseErrorOptions,
} from './core/error.js';
export { DEFAULT_MAX_RETRIES, INITIAL_RETRY_DELAY_MS, MAX_RETRY_DELAY_MS, RETRY_JITTER } from './core/retry.js';
export { Page, PagePromise, type Connection } from './core/pagination.js';
export type { SubscribeOptions } from './core/subscriptions.js';
export {
  verifyWebhook,
  signWebhookForTesting,
  WebhookVerificationError,
  DEFAULT_WEBHOOK_TOLERANCE_SECONDS,
  type WebhookHeaders,
  type VerifyWebhookOptions,
  type SignedWebhookHeaders,
} from './core/webhooks.js';
export type { Track, TrackDetails, ListTracksParams, UpdateTrackParams } from './resources/tracks.js';
export type { Project, UpdateProjectParams } from './resources/projects.js';
export { TERMINAL_JOB_STATUSES, type Job, type JobProgress, type ListJobsParams } from './resources/jobs.js';
export type { GenerateParams } from './resources/generation.js';
export type { CreditBalance, Hold, CreditTransaction, Price, ListHoldsParams, ListTransactionsParams, PlaceHoldParams } from './resources/credits.js';
export type { ApiKey, ApiKeyScope, CreatedApiKey } from './resources/api-keys.js';
export type { AuthPayload } from './resources/auth.js';
export type { Webhook, WebhookDelivery, WebhookEventType, CreatedWebhook } from './resources/webhooks.js';
export type { User } from './resources/viewer.js';
export type { PageParams } from './resources/resource.js';
/** Every operation document and schema type, for `client.request` and your own typings. */
export * from './generated/graphql.js';
