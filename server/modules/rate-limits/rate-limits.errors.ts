import { GraphQLError } from 'graphql';
import { RateLimitedError } from '../../core/errors.js';
import type { RateLimitState } from './rate-limits.service.js';

/**
 * Thrown before any resolver runs when an operation does not fit the caller's remaining budget.
 * A GraphQLError (with the DomainError as its cause) so that Apollo can read `http` (429 and
 * Retry-After) from it, and so that graphql-ws can answer it on the one operation.
 */
export function rateLimitedError(state: RateLimitState, retryAfter: number, http?: { status: number; headers: Map<string, string> }): GraphQLError {
  const budget = state.tier ? `the ${state.tier} tier` : 'requests without credentials from one address';
  const reason =
    state.cost > state.limit
      ? `This operation costs ${state.cost} points, more than the ${state.limit} points per minute of ${budget}; ask for fewer items`
      : `Rate limit of ${state.limit} points per minute reached (${budget}; this operation costs ${state.cost}, ${state.remaining} left)`;
  const cause = new RateLimitedError(retryAfter, `${reason}; retry in ${retryAfter} s`);
  const error = new GraphQLError(cause.message, { originalError: cause, extensions: { code: cause.code, retryAfter, limit: state.limit } });
  // Apollo wants a Map of headers here; the extensions type (augmented by graphql-yoga) says a record.
  if (http) (error.extensions as Record<string, unknown>).http = http;
  return error;
}
