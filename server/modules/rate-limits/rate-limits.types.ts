import { Field, Int, ObjectType } from 'type-graphql';
import type { RateLimitState } from './rate-limits.service.js';

@ObjectType('RateLimit', { description: "The signed-in user's API budget in the current one-minute window (shared by all their sessions and API keys)." })
export class RateLimitType {
  @Field(() => Int, { description: 'Points per minute your tier allows.' })
  limit!: number;

  @Field(() => Int, { description: 'Points this query costs: one per started 100 of its estimated cost, at least 1.' })
  cost!: number;

  @Field(() => Int, { description: 'Points left in this window.' })
  remaining!: number;

  @Field(() => Int, { description: 'Points spent in this window, this query included.' })
  used!: number;

  @Field(() => Date, { description: 'When the window ends and the budget is full again.' })
  resetAt!: Date;
}

export function toRateLimitType(state: RateLimitState): RateLimitType {
  return Object.assign(new RateLimitType(), { limit: state.limit, cost: state.cost, remaining: state.remaining, used: state.used, resetAt: state.resetAt });
}
