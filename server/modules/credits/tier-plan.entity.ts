import { Entity, Enum, Property } from '@mikro-orm/core';
import { Tier } from '../users/user.entity.js';

/** What a tier gives: daily credits, models, concurrent jobs and the API rate limit. */
@Entity({ tableName: 'tier_plans' })
export class TierPlan {
  @Enum({ items: () => Tier, nativeEnumName: 'tier', primary: true })
  tier!: Tier;

  /** Credited once per UTC day. */
  @Property({ type: 'int' })
  dailyCredits!: number;

  @Property({ type: 'text[]' })
  allowedModels!: string[];

  @Property({ type: 'int' })
  concurrentJobs!: number;

  /** API requests per minute for the tier's users. */
  @Property({ type: 'int' })
  rateLimitPerMinute!: number;

  @Property({ type: 'timestamptz' })
  updatedAt: Date = new Date();
}
