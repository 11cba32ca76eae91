import { Kind, type DocumentNode, type GraphQLResolveInfo } from 'graphql';
import { Authorized, Ctx, Info, Query, Resolver } from 'type-graphql';
import { CurrentViewer } from '../../graphql/auth-checker.js';
import type { RequestContext } from '../../graphql/context.js';
import { measureOperation } from '../../graphql/operation-limits.js';
import type { Viewer } from '../auth/viewer.js';
import { RateLimitType, toRateLimitType } from './rate-limits.types.js';

/** The running operation's measured cost, for when it was not counted on the way in. */
function costOf(info: GraphQLResolveInfo): number {
  const document: DocumentNode = { kind: Kind.DOCUMENT, definitions: [info.operation, ...Object.values(info.fragments)] };
  return measureOperation(info.schema, document, info.operation.name?.value, info.variableValues).cost;
}

@Resolver()
export class RateLimitsResolver {
  @Authorized()
  @Query(() => RateLimitType, { description: "Your API rate limit: the tier's points per minute, what this query costs, what is left and when it resets. Needs credentials." })
  async rateLimit(@CurrentViewer() viewer: Viewer, @Ctx() ctx: RequestContext, @Info() info: GraphQLResolveInfo): Promise<RateLimitType> {
    const service = ctx.services.rateLimits;
    // Counted already on the way in; otherwise (RATE_LIMITS=off, Redis away) read without spending.
    const state = service.stateFor(ctx) ?? (await service.peek(viewer.userId, costOf(info)));
    return toRateLimitType(state);
  }
}
