import { describe, expect, it } from 'vitest';
import { createFormatError } from '../../../server/graphql/format-error.js';
import { createLogger } from '../../../server/infra/logger.js';
import { rateLimitedError } from '../../../server/modules/rate-limits/rate-limits.errors.js';
import { pointsFor, secondsUntil, windowOf } from '../../../server/modules/rate-limits/rate-limit.window.js';
import type { RateLimitState } from '../../../server/modules/rate-limits/rate-limits.service.js';
import { Tier } from '../../../server/modules/users/user.entity.js';

describe('pointsFor', () => {
  it('charges one point per started hundred of cost, at least one', () => {
    expect([0, 1, 3, 100, 101, 200, 5_000].map(pointsFor)).toEqual([1, 1, 1, 1, 2, 2, 50]);
  });
});

describe('windowOf', () => {
  it('aligns windows to whole minutes and resets at the next one', () => {
    const at = Date.UTC(2026, 10, 25, 12, 34, 56, 789);
    expect(windowOf(at)).toEqual({ start: Date.UTC(2026, 10, 25, 12, 34), resetAt: Date.UTC(2026, 10, 25, 12, 35) });
    expect(windowOf(Date.UTC(2026, 10, 25, 12, 35)).start).toBe(Date.UTC(2026, 10, 25, 12, 35));
  });
});

describe('secondsUntil', () => {
  it('rounds up to whole seconds within 1..60', () => {
    expect(secondsUntil(10_000, 8_500)).toBe(2);
    expect(secondsUntil(10_000, 9_999)).toBe(1);
    expect(secondsUntil(10_000, 10_000)).toBe(1);
    expect(secondsUntil(70_000, 0)).toBe(60);
  });
});

describe('rateLimitedError', () => {
  const state: RateLimitState = { tier: Tier.FREE, limit: 60, cost: 2, used: 59, remaining: 1, resetAt: new Date(60_000) };

  it('formats as RATE_LIMITED with retryAfter and the limit, never the HTTP details', () => {
    const error = rateLimitedError(state, 17, { status: 429, headers: new Map([['retry-after', '17']]) });
    expect(error.extensions.http).toMatchObject({ status: 429 });
    const formatted = createFormatError(createLogger('silent', 'unit'))(error.toJSON(), error);
    expect(formatted.extensions).toEqual({ code: 'RATE_LIMITED', retryAfter: 17, limit: 60 });
    expect(formatted.message).toMatch(/60 points per minute.*retry in 17 s/);
  });

  it('says so when one operation costs more than the whole budget', () => {
    expect(rateLimitedError({ ...state, cost: 80, used: 0, remaining: 60 }, 5).message).toMatch(/costs 80 points, more than the 60/);
  });
});
