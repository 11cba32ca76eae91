import type { EntityManager } from '@mikro-orm/postgresql';
import { TierPlan } from '../credits/tier-plan.entity.js';
import { Tier, User } from '../users/user.entity.js';

/** How long the tier plans are kept in memory before they are read again. */
const PLANS_TTL_MS = 60_000;
/** How long a user's tier is trusted; a tier change reaches the limiter within this time. */
const USER_TIER_TTL_MS = 30_000;
/** Users whose tier is kept at once; past it the cache starts over (a burst of new users). */
const MAX_CACHED_USERS = 50_000;
/** Used when tier_plans has no row for a tier (never with the committed migrations). */
const FALLBACK_LIMIT = 60;

interface Cached<T> {
  value: T;
  expiresAt: number;
}

/**
 * Per-minute limits by user, from tier_plans and users.tier. Both are read rarely and kept in
 * this process, so the hot path reads no database; concurrent misses share one query.
 */
export class TierLimits {
  private plans: Cached<ReadonlyMap<Tier, number>> | null = null;
  private plansLoading: Promise<ReadonlyMap<Tier, number>> | null = null;
  private readonly tiers = new Map<string, Cached<Tier>>();
  private readonly tiersLoading = new Map<string, Promise<Tier>>();

  constructor(
    private readonly fork: () => EntityManager,
    private readonly now: () => number,
  ) {}

  /** The user's tier and its requests-per-minute budget. */
  async limitFor(userId: string): Promise<{ tier: Tier; limit: number }> {
    const tier = await this.tierOf(userId);
    const plans = await this.planLimits();
    return { tier, limit: plans.get(tier) ?? FALLBACK_LIMIT };
  }

  private async tierOf(userId: string): Promise<Tier> {
    const cached = this.tiers.get(userId);
    if (cached && cached.expiresAt > this.now()) return cached.value;
    let loading = this.tiersLoading.get(userId);
    if (!loading) {
      loading = this.readTier(userId).finally(() => this.tiersLoading.delete(userId));
      this.tiersLoading.set(userId, loading);
    }
    return loading;
  }

  private async readTier(userId: string): Promise<Tier> {
    const user = await this.fork().findOne(User, { id: userId }, { fields: ['tier'] });
    // A user deleted while their token is still valid spends the free budget.
    const tier = user?.tier ?? Tier.FREE;
    if (this.tiers.size >= MAX_CACHED_USERS) this.tiers.clear();
    this.tiers.set(userId, { value: tier, expiresAt: this.now() + USER_TIER_TTL_MS });
    return tier;
  }

  private async planLimits(): Promise<ReadonlyMap<Tier, number>> {
    if (this.plans && this.plans.expiresAt > this.now()) return this.plans.value;
    this.plansLoading ??= this.readPlans().finally(() => {
      this.plansLoading = null;
    });
    return this.plansLoading;
  }

  private async readPlans(): Promise<ReadonlyMap<Tier, number>> {
    const rows = await this.fork().find(TierPlan, {}, { fields: ['tier', 'rateLimitPerMinute'] });
    const value = new Map(rows.map((plan) => [plan.tier, plan.rateLimitPerMinute]));
    this.plans = { value, expiresAt: this.now() + PLANS_TTL_MS };
    return value;
  }
}
