import { Arg, Authorized, Ctx, ID, Query, Resolver } from 'type-graphql';
import { fromGlobalId } from '../core/global-id.js';
import { toApiKeyType } from '../modules/api-keys/api-keys.types.js';
import type { Viewer } from '../modules/auth/viewer.js';
import { toUserType } from '../modules/users/users.types.js';
import { toCreditTransactionType, toHoldType } from '../modules/credits/credits.types.js';
import { toJobType } from '../modules/jobs/jobs.types.js';
import { toProjectType } from '../modules/projects/projects.types.js';
import { TrackVersion } from '../modules/tracks/track-version.entity.js';
import { toTrackType, toTrackVersionType } from '../modules/tracks/tracks.types.js';
import { toWebhookDeliveryType, toWebhookType } from '../modules/webhooks/webhooks.types.js';
import { NotFoundError } from '../core/errors.js';
import { CurrentViewer, requireAccess } from './auth-checker.js';
import type { RequestContext } from './context.js';
import { Node } from './node.type.js';

type NodeFetcher = (ctx: RequestContext, viewer: Viewer, id: string) => Promise<Node | null>;

/**
 * How each type is fetched by id. Every fetcher checks ownership: a foreign id answers null,
 * the same as an id that does not exist.
 */
const FETCHERS: Record<string, NodeFetcher> = {
  User: async (ctx, viewer, id) => {
    if (id !== viewer.userId) return null;
    const user = await ctx.loaders.userById.load(id);
    return user ? toUserType(user) : null;
  },
  ApiKey: async (ctx, viewer, id) => {
    if (viewer.credential.kind !== 'session') return null;
    // Only "not yours or not there" becomes null; a database failure stays an error.
    const apiKey = await ctx.services.apiKeys.findOwned(ctx.em, viewer.userId, id).catch((error: unknown) => {
      if (error instanceof NotFoundError) return null;
      throw error;
    });
    return apiKey ? toApiKeyType(apiKey) : null;
  },
  Hold: async (ctx, viewer, id) => {
    requireAccess(viewer, 'credits:read');
    const hold = await ctx.services.credits.findHold(ctx.em, viewer.userId, id);
    return hold ? toHoldType(hold) : null;
  },
  Job: async (ctx, viewer, id) => {
    requireAccess(viewer, 'jobs:read');
    const job = await ctx.services.jobs.find(ctx.em, viewer.userId, id);
    return job ? toJobType(job) : null;
  },
  Track: async (ctx, viewer, id) => {
    requireAccess(viewer, 'tracks:read');
    const track = await ctx.loaders.trackById.load(id);
    return track && track.user.id === viewer.userId && !track.deletedAt ? toTrackType(track) : null;
  },
  Project: async (ctx, viewer, id) => {
    requireAccess(viewer, 'tracks:read');
    const project = await ctx.loaders.projectById.load(id);
    return project && project.user.id === viewer.userId ? toProjectType(project) : null;
  },
  TrackVersion: async (ctx, viewer, id) => {
    requireAccess(viewer, 'tracks:read');
    const version = await ctx.em.findOne(TrackVersion, { id }, { populate: ['track'] });
    const track = version?.track.getEntity();
    return version && track && track.user.id === viewer.userId && !track.deletedAt ? toTrackVersionType({ ...version, trackId: track.id }) : null;
  },
  CreditTransaction: async (ctx, viewer, id) => {
    requireAccess(viewer, 'credits:read');
    const entry = await ctx.services.creditsRepository.findTransaction(ctx.em, viewer.userId, id);
    return entry ? toCreditTransactionType(entry) : null;
  },
  Webhook: async (ctx, viewer, id) => {
    requireAccess(viewer, 'webhooks:read');
    const endpoint = await ctx.services.webhooks.find(ctx.em, viewer.userId, id);
    return endpoint ? toWebhookType(endpoint) : null;
  },
  WebhookDelivery: async (ctx, viewer, id) => {
    requireAccess(viewer, 'webhooks:read');
    const delivery = await ctx.services.webhooks.findDelivery(ctx.em, viewer.userId, id);
    return delivery ? toWebhookDeliveryType(delivery) : null;
  },
};


@Resolver()
export class NodeResolver {
  @Authorized()
  @Query(() => Node, { nullable: true, description: 'Fetches any object of yours by its global ID; null when not found or not yours.' })
  async node(@Arg('id', () => ID) id: string, @CurrentViewer() viewer: Viewer, @Ctx() ctx: RequestContext): Promise<Node | null> {
    const { type, id: localId } = fromGlobalId(id);
    const fetch = FETCHERS[type];
    return fetch ? fetch(ctx, viewer, localId) : null;
  }
}
