/** Budgets are counted in fixed one-minute windows aligned to the clock's minutes. */
export const WINDOW_MS = 60_000;

/** Operation cost (as measured by operation-limits.ts) that one rate-limit point buys. */
export const COST_PER_POINT = 100;

/**
 * Points an operation spends: one per started hundred of its measured cost, at least one, so a
 * 50-track page spends more of the budget than `{ viewer { user { id } } }`.
 */
export function pointsFor(cost: number): number {
  if (!Number.isFinite(cost) || cost <= 0) return 1;
  return Math.max(1, Math.ceil(cost / COST_PER_POINT));
}

/** The window `at` falls in: its start (the key) and the moment it resets. */
export function windowOf(at: number): { start: number; resetAt: number } {
  const start = at - (at % WINDOW_MS);
  return { start, resetAt: start + WINDOW_MS };
}

/** Whole seconds until `resetAt`, 1..60: what Retry-After and extensions.retryAfter say. */
export function secondsUntil(resetAt: number, now: number): number {
  return Math.min(WINDOW_MS / 1000, Math.max(1, Math.ceil((resetAt - now) / 1000)));
}
