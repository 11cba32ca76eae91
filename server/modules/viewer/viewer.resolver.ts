import { Authorized, Ctx, FieldResolver, Query, Resolver, Root } from 'type-graphql';
import { NotFoundError } from '../../core/errors.js';
import { CurrentViewer } from '../../graphql/auth-checker.js';
import type { RequestContext } from '../../graphql/context.js';
import { ApiKeyType, toApiKeyType } from '../api-keys/api-keys.types.js';
import type { Viewer } from '../auth/viewer.js';
import { UserType, toUserType } from '../users/users.types.js';
import { ViewerType } from './viewer.types.js';

@Resolver(() => ViewerType)
export class ViewerResolver {
  @Authorized()
  @Query(() => ViewerType, { description: 'The signed-in caller. Needs credentials.' })
  viewer(@CurrentViewer() viewer: Viewer): ViewerType {
    return new ViewerType(viewer.userId);
  }

  @FieldResolver(() => UserType)
  async user(@Root() root: ViewerType, @Ctx() ctx: RequestContext): Promise<UserType> {
    const user = await ctx.loaders.userById.load(root.userId);
    // A deleted user's token may still be in flight until it expires.
    if (!user) throw new NotFoundError('User');
    return toUserType(user);
  }

  @Authorized('session')
  @FieldResolver(() => [ApiKeyType], { description: 'Your API keys, newest first. Sessions only.' })
  async apiKeys(@Root() root: ViewerType, @Ctx() ctx: RequestContext): Promise<ApiKeyType[]> {
    const now = new Date();
    return (await ctx.services.apiKeys.list(ctx.em, root.userId)).map((k) => toApiKeyType(k, now));
  }
}
