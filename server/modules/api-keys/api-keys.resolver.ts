import { Arg, Authorized, Ctx, ID, Mutation, Query, Resolver } from 'type-graphql';
import { NotFoundError } from '../../core/errors.js';
import { localIdOf } from '../../core/global-id.js';
import { CurrentViewer } from '../../graphql/auth-checker.js';
import type { RequestContext } from '../../graphql/context.js';
import { SCOPES } from '../auth/scopes.js';
import type { Viewer } from '../auth/viewer.js';
import { ApiKeyScopeType, ApiKeyType, CreateApiKeyInput, CreateApiKeyPayloadType, toApiKeyType } from './api-keys.types.js';

@Resolver()
export class ApiKeysResolver {
  @Query(() => [ApiKeyScopeType], { description: 'Every scope an API key can be given.' })
  apiKeyScopes(): ApiKeyScopeType[] {
    return Object.entries(SCOPES).map(([name, description]) => Object.assign(new ApiKeyScopeType(), { name, description }));
  }

  @Authorized('session')
  @Mutation(() => CreateApiKeyPayloadType, { description: 'Creates an API key; the key is in this answer only.' })
  async createApiKey(
    @Arg('input', () => CreateApiKeyInput) input: CreateApiKeyInput,
    @CurrentViewer() viewer: Viewer,
    @Ctx() ctx: RequestContext,
  ): Promise<CreateApiKeyPayloadType> {
    const { apiKey, key } = await ctx.services.apiKeys.create(ctx.em, viewer.userId, input);
    return Object.assign(new CreateApiKeyPayloadType(), { apiKey: toApiKeyType(apiKey), key });
  }

  @Authorized('session')
  @Mutation(() => ApiKeyType, { description: 'Revokes a key at once, on every server.' })
  async revokeApiKey(@Arg('id', () => ID) id: string, @CurrentViewer() viewer: Viewer, @Ctx() ctx: RequestContext): Promise<ApiKeyType> {
    const localId = localIdOf(id, 'ApiKey');
    if (!localId) throw new NotFoundError('API key');
    return toApiKeyType(await ctx.services.apiKeys.revoke(ctx.em, viewer.userId, localId));
  }
}
