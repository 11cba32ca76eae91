import type { EntityManager } from '@mikro-orm/postgresql';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Tier } from '../users/user.entity.js';
import { BudgetStore } from './rate-limit.script.js';
import { pointsFor, secondsUntil, WINDOW_MS, windowOf } from './rate-limit.window.js';
import type { RateLimitMetrics } from './rate-limits.metrics.js';
import { TierLimits } from './tier-limits.js';

/** A user's budget in the current window, after (or without) this operation's spend. */
export interface RateLimitState {
  /** The signed-in user's tier; null for operations without credentials (budgeted per address). */
  tier: Tier | null;
  /** Points per minute the tier (or the anonymous budget) allows. */
  limit: number;
  /** Points this operation costs. */
  cost: number;
  /** Points spent in this window, this operation included when it was admitted. */
  used: number;
  remaining: number;
  resetAt: Date;
}

export type Admission =
  | { outcome: 'admitted'; state: RateLimitState }
  /** Over the budget: nothing was spent; retry after `retryAfter` whole seconds. */
  | { outcome: 'refused'; state: RateLimitState; retryAfter: number }
  /** The budget could not be checked (Redis away): served, uncounted. */
  | { outcome: 'unchecked' };

export interface RateLimitsOptions {
  /** RATE_LIMITS=on: operations spend budget. Off: nothing is counted or refused. */
  enabled: boolean;
  redis: Redis;
  fork: () => EntityManager;
  log: Logger;
  metrics?: RateLimitMetrics;
  now?: () => number;
  /** Points per minute for operations without credentials, per client address. */
  anonymousPerMinute: number;
}

/**
 * Per-user rate limits, GitHub-style: each signed-in user (all their sessions and API keys
 * together) has a budget of points per one-minute window, set by their tier (operations without
 * credentials: a budget per client address); each operation
 * spends points by its measured cost. One Redis round trip per operation, or per batch when one
 * user's operations arrive together (BudgetStore); when Redis is away the
 * API serves everyone uncounted (fail open) rather than failing.
 */
export class RateLimitsService {
  readonly enabled: boolean;
  private readonly store: BudgetStore;
  private readonly limits: TierLimits;
  private readonly now: () => number;
  /** What each operation's context was admitted with, for the `rateLimit` query. */
  private readonly admitted = new WeakMap<object, RateLimitState>();
  private outage = false;

  constructor(private readonly options: RateLimitsOptions) {
    this.enabled = options.enabled;
    this.now = options.now ?? Date.now;
    this.store = new BudgetStore(options.redis);
    this.limits = new TierLimits(options.fork, this.now);
  }

  /** Spends the operation's points from the user's budget, or refuses it when they do not fit. */
  async admit(userId: string, operationCost: number): Promise<Admission> {
    if (!this.store.available) return this.failOpen(null);
    try {
      const { tier, limit } = await this.limits.limitFor(userId);
      return await this.spend(keyOf(userId), tier, limit, operationCost);
    } catch (error) {
      return this.failOpen(error);
    }
  }

  /**
   * Operations without credentials (signing in, refreshing a session, public queries) spend
   * from a budget per client address, so that nobody can hammer sign-in (each one writes a
   * session) or the public fields without limit.
   */
  async admitAnonymous(address: string, operationCost: number): Promise<Admission> {
    if (!this.store.available) return this.failOpen(null);
    try {
      return await this.spend(keyOf(`address:${address}`), null, this.options.anonymousPerMinute, operationCost);
    } catch (error) {
      return this.failOpen(error);
    }
  }

  /**
   * The budget an operation spends, over HTTP or WebSocket: its user's when signed in, else its
   * client address's; undefined when there is neither (nothing to count against).
   */
  admitCaller(caller: { viewer: { userId: string } | null; clientAddress: string | null }, operationCost: number): Promise<Admission> | undefined {
    if (caller.viewer) return this.admit(caller.viewer.userId, operationCost);
    return caller.clientAddress ? this.admitAnonymous(caller.clientAddress, operationCost) : undefined;
  }

  private async spend(key: (windowStart: number) => string, tier: Tier | null, limit: number, operationCost: number): Promise<Admission> {
    const cost = pointsFor(operationCost);
    const { start, resetAt } = windowOf(this.now());
    // Kept a little past the window so a late spend on a slow clock still finds its key.
    const spent = await this.store.spend(key(start), cost, limit, resetAt - this.now() + WINDOW_MS);
    this.recovered();
    const state: RateLimitState = { tier, limit, cost, used: spent.used, remaining: Math.max(0, limit - spent.used), resetAt: new Date(resetAt) };
    if (spent.admitted) return { outcome: 'admitted', state };
    this.options.metrics?.refused.inc({ tier: tier ?? 'anonymous' });
    return { outcome: 'refused', state, retryAfter: secondsUntil(resetAt, this.now()) };
  }

  /** The budget without spending: for `rateLimit` when the operation was not counted. */
  async peek(userId: string, operationCost: number): Promise<RateLimitState> {
    const { tier, limit } = await this.limits.limitFor(userId);
    const { start, resetAt } = windowOf(this.now());
    const used = this.enabled && this.store.available ? await this.store.used(keyOf(userId)(start)).catch(() => 0) : 0;
    return { tier, limit, cost: pointsFor(operationCost), used, remaining: Math.max(0, limit - used), resetAt: new Date(resetAt) };
  }

  /** Remembers what an operation's context was admitted with (weakly: it goes with the context). */
  remember(context: object, state: RateLimitState): void {
    this.admitted.set(context, state);
  }

  stateFor(context: object): RateLimitState | undefined {
    return this.admitted.get(context);
  }

  private failOpen(error: unknown): Admission {
    this.options.metrics?.unchecked.inc();
    if (!this.outage) {
      this.outage = true;
      this.options.log.warn({ err: error ?? undefined }, 'rate limits cannot be checked (Redis unavailable or the tier lookup failed); serving operations uncounted until they can');
    }
    return { outcome: 'unchecked' };
  }

  private recovered(): void {
    if (!this.outage) return;
    this.outage = false;
    this.options.log.info('rate limits are checked again');
  }
}

/** The window keys of one budget (a user id, or `address:<ip>`), under the deployment's key prefix (added by the connection). */
function keyOf(owner: string): (windowStart: number) => string {
  return (windowStart) => `ratelimit:${owner}:${windowStart / 1000}`;
}
