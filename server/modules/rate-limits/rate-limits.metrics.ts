import { Counter, type Registry } from 'prom-client';

/** Counters of the rate limiter, registered on the process's registry (GET /metrics). */
export interface RateLimitMetrics {
  /** Operations refused with RATE_LIMITED, by the caller's tier. */
  refused: Counter<'tier'>;
  /** Operations served without checking the budget because Redis was unavailable (fail open). */
  unchecked: Counter;
}

export function rateLimitMetrics(registry: Registry): RateLimitMetrics {
  const existing = (name: string) => registry.getSingleMetric(name) as Counter<string> | undefined;
  return {
    refused:
      existing('graphql_rate_limited_total') ??
      new Counter({ name: 'graphql_rate_limited_total', help: 'Operations refused with RATE_LIMITED, by tier', labelNames: ['tier'], registers: [registry] }),
    unchecked:
      existing('graphql_rate_limit_unchecked_total') ??
      new Counter({ name: 'graphql_rate_limit_unchecked_total', help: 'Operations served without a rate-limit check because Redis was unavailable', registers: [registry] }),
  };
}
