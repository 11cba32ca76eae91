import { inject } from 'vitest';
import type { ApiServer } from '../../../server/app.js';
import { startTestApi } from '../../support/api.js';
import { gql, type GraphQLResponse } from '../../support/graphql-client.js';

/** An API with rate limits on, under a Redis prefix of the suite's own. */
export function startLimitedApi(suite: string, env: Record<string, string> = {}): Promise<ApiServer> {
  return startTestApi({ RATE_LIMITS: 'on', REDIS_PREFIX: `${inject('redisPrefix')}rate-limits-${suite}:`, ...env });
}

/** One point: `{ viewer { user { id } } }` measures 3, well under 100. */
export const CHEAP = '{ viewer { user { id } } }';

export const RATE_LIMIT = '{ rateLimit { limit cost remaining used resetAt } }';

export interface RateLimitHeaders {
  limit: number;
  remaining: number;
  used: number;
  reset: number;
}

/** The X-RateLimit-* headers of an answer, or null when it carries none. */
export function rateLimitHeaders(response: GraphQLResponse<unknown>): RateLimitHeaders | null {
  const limit = response.headers.get('x-ratelimit-limit');
  if (limit === null) return null;
  const read = (name: string) => Number(response.headers.get(`x-ratelimit-${name}`));
  return { limit: Number(limit), remaining: read('remaining'), used: read('used'), reset: read('reset') };
}

/**
 * Waits until the current one-minute window has at least `marginMs` left, so that a burst a test
 * counts lands in one window (budgets reset on whole minutes). Polls the clock; at most `marginMs`.
 */
export async function awayFromWindowEnd(marginMs = 10_000): Promise<void> {
  while (60_000 - (Date.now() % 60_000) < marginMs) await new Promise((resolve) => setTimeout(resolve, 50));
}

/** Sends `count` copies of `query` at once with `options`; answers them in order. */
export function burst(baseUrl: string, count: number, query: string, options: Parameters<typeof gql>[2]): Promise<Array<GraphQLResponse<Record<string, unknown>>>> {
  return Promise.all(Array.from({ length: count }, () => gql(baseUrl, query, options)));
}
