import { HeaderMap, type HTTPGraphQLHead } from '@apollo/server';
import type { RequestContext } from '../../graphql/context.js';
import { rateLimitedError } from './rate-limits.errors.js';
import type { RateLimitsService, RateLimitState } from './rate-limits.service.js';

/** Spends an HTTP operation's cost before it runs; throws RATE_LIMITED (429) when it does not fit. */
export type OperationAdmission = (context: RequestContext, operationCost: number, http: HTTPGraphQLHead) => Promise<void>;

/** GitHub's headers: the budget, what is left, what is spent, and when it resets (unix seconds). */
function setRateLimitHeaders(headers: HeaderMap, state: RateLimitState): void {
  headers.set('x-ratelimit-limit', String(state.limit));
  headers.set('x-ratelimit-remaining', String(state.remaining));
  headers.set('x-ratelimit-used', String(state.used));
  headers.set('x-ratelimit-reset', String(Math.floor(state.resetAt.getTime() / 1000)));
}

/**
 * Rate limits for GraphQL over HTTP: every signed-in operation spends its user's budget; one
 * without credentials (signing in, refreshing a session) spends its client address's.
 */
export function httpRateLimits(service: RateLimitsService): OperationAdmission {
  return async (context, operationCost, http) => {
    const admission = await service.admitCaller(context, operationCost);
    if (!admission || admission.outcome === 'unchecked') return;
    setRateLimitHeaders(http.headers, admission.state);
    if (admission.outcome === 'admitted') {
      service.remember(context, admission.state);
      return;
    }
    throw rateLimitedError(admission.state, admission.retryAfter, {
      status: 429,
      headers: new HeaderMap([['retry-after', String(admission.retryAfter)]]),
    });
  };
}
