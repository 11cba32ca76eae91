export { RateLimitsService, type Admission, type RateLimitState } from './rate-limits.service.js';
export { rateLimitMetrics, type RateLimitMetrics } from './rate-limits.metrics.js';
export { httpRateLimits, type OperationAdmission } from './rate-limits.http.js';
export { rateLimitedError } from './rate-limits.errors.js';
export { RateLimitsResolver } from './rate-limits.resolver.js';
export { pointsFor, windowOf, secondsUntil } from './rate-limit.window.js';
