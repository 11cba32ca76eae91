import { Arg, Authorized, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { localIdOf } from '../../core/global-id.js';
import { CurrentViewer } from '../../graphql/auth-checker.js';
import { createdAtCursor, createdAtPosition, pageSize, toConnection } from '../../graphql/connection.js';
import type { RequestContext } from '../../graphql/context.js';
import type { Viewer } from '../auth/viewer.js';
import { ViewerType } from '../viewer/viewer.types.js';
import { WEBHOOK_EVENT_TYPES } from './webhook-event-types.js';
import { WebhookDeliveryNotFoundError, WebhookNotFoundError } from './webhooks.errors.js';
import { CreateWebhookInput, UpdateWebhookInput } from './webhooks.inputs.js';
import {
  CreateWebhookPayloadType,
  RotateWebhookSecretPayloadType,
  WebhookDeliveryConnection,
  WebhookDeliveryType,
  WebhookEventTypeType,
  WebhookType,
  toWebhookDeliveryType,
  toWebhookType,
} from './webhooks.types.js';

function webhookIdOf(id: string): string {
  const local = localIdOf(id, 'Webhook');
  if (!local) throw new WebhookNotFoundError();
  return local;
}

@Resolver(() => WebhookType)
export class WebhooksResolver {
  @Query(() => [WebhookEventTypeType], { description: 'Every event type a webhook can subscribe to.' })
  webhookEventTypes(): WebhookEventTypeType[] {
    return Object.entries(WEBHOOK_EVENT_TYPES).map(([name, description]) => Object.assign(new WebhookEventTypeType(), { name, description }));
  }

  @Authorized('webhooks:write')
  @Mutation(() => CreateWebhookPayloadType, { description: 'Registers a webhook; its signing secret is in this answer only.' })
  async createWebhook(@Arg('input', () => CreateWebhookInput) input: CreateWebhookInput, @CurrentViewer() viewer: Viewer, @Ctx() ctx: RequestContext): Promise<CreateWebhookPayloadType> {
    const { endpoint, secret } = await ctx.services.webhooks.create(ctx.em, viewer.userId, input);
    return Object.assign(new CreateWebhookPayloadType(), { webhook: toWebhookType(endpoint), secret });
  }

  @Authorized('webhooks:write')
  @Mutation(() => WebhookType, { description: 'Changes a webhook; enabled: true turns a disabled one back on.' })
  async updateWebhook(
    @Arg('id', () => ID) id: string,
    @Arg('input', () => UpdateWebhookInput) input: UpdateWebhookInput,
    @CurrentViewer() viewer: Viewer,
    @Ctx() ctx: RequestContext,
  ): Promise<WebhookType> {
    return toWebhookType(await ctx.services.webhooks.update(ctx.em, viewer.userId, webhookIdOf(id), input));
  }

  @Authorized('webhooks:write')
  @Mutation(() => ID, { description: 'Deletes a webhook and its delivery log; answers its id.' })
  async deleteWebhook(@Arg('id', () => ID) id: string, @CurrentViewer() viewer: Viewer, @Ctx() ctx: RequestContext): Promise<string> {
    await ctx.services.webhooks.delete(ctx.em, viewer.userId, webhookIdOf(id));
    return id;
  }

  @Authorized('webhooks:write')
  @Mutation(() => RotateWebhookSecretPayloadType, { description: 'Replaces the signing secret at once; the new one is in this answer only.' })
  async rotateWebhookSecret(@Arg('id', () => ID) id: string, @CurrentViewer() viewer: Viewer, @Ctx() ctx: RequestContext): Promise<RotateWebhookSecretPayloadType> {
    const { endpoint, secret } = await ctx.services.webhooks.rotateSecret(ctx.em, viewer.userId, webhookIdOf(id));
    return Object.assign(new RotateWebhookSecretPayloadType(), { webhook: toWebhookType(endpoint), secret });
  }

  @Authorized('webhooks:write')
  @Mutation(() => WebhookDeliveryType, { description: 'Sends a "webhook.test" event to the webhook now; answers the delivery (PENDING) to follow.' })
  async testWebhook(@Arg('id', () => ID) id: string, @CurrentViewer() viewer: Viewer, @Ctx() ctx: RequestContext): Promise<WebhookDeliveryType> {
    return toWebhookDeliveryType(await ctx.services.webhooks.test(ctx.em, viewer.userId, webhookIdOf(id)));
  }

  @Authorized('webhooks:write')
  @Mutation(() => WebhookDeliveryType, { description: 'Sends a delivery\'s event again, as a new delivery with the same body.' })
  async redeliverWebhookDelivery(@Arg('id', () => ID) id: string, @CurrentViewer() viewer: Viewer, @Ctx() ctx: RequestContext): Promise<WebhookDeliveryType> {
    const local = localIdOf(id, 'WebhookDelivery');
    if (!local) throw new WebhookDeliveryNotFoundError();
    return toWebhookDeliveryType(await ctx.services.webhooks.redeliver(ctx.em, viewer.userId, local));
  }

  @Authorized('webhooks:read')
  @FieldResolver(() => WebhookDeliveryConnection, { description: 'Deliveries to this webhook, newest first.' })
  async deliveries(
    @Root() webhook: WebhookType,
    @Ctx() ctx: RequestContext,
    @Arg('first', () => Int, { nullable: true }) first: number | null,
    @Arg('after', () => String, { nullable: true }) after: string | null,
  ): Promise<WebhookDeliveryConnection> {
    const size = pageSize(first);
    const service = ctx.services.webhooks;
    const rows = await service.deliveriesPage(ctx.em, webhook.endpointId, createdAtPosition(after), size + 1);
    return Object.assign(new WebhookDeliveryConnection(), toConnection(rows, size, after, toWebhookDeliveryType, createdAtCursor, () => service.countDeliveries(ctx.em, webhook.endpointId)));
  }
}

@Resolver(() => ViewerType)
export class ViewerWebhooksResolver {
  @Authorized('webhooks:read')
  @FieldResolver(() => [WebhookType], { description: 'Your webhooks, newest first.' })
  async webhooks(@Root() root: ViewerType, @Ctx() ctx: RequestContext): Promise<WebhookType[]> {
    return (await ctx.services.webhooks.list(ctx.em, root.userId)).map(toWebhookType);
  }
}
