import type { RequestOptions } from '../core/options.js';
import { PagePromise, type Connection } from '../core/pagination.js';
import {
  CreateWebhookDocument,
  DeleteWebhookDocument,
  RedeliverWebhookDeliveryDocument,
  RotateWebhookSecretDocument,
  TestWebhookDocument,
  UpdateWebhookDocument,
  WebhookDeliveriesDocument,
  WebhookDeliveryDocument,
  WebhookDocument,
  WebhookEventTypesDocument,
  WebhooksDocument,
  type CreateWebhookInput,
  type CreateWebhookMutation,
  type UpdateWebhookInput,
  type WebhookDeliveryFieldsFragment,
  type WebhookEventTypesQuery,
  type WebhookFieldsFragment,
} from '../generated/graphql.js';
import { NotFoundError } from '../core/error.js';
import { APIResource, nodeOrNotFound, type PageParams } from './resource.js';

export type Webhook = WebhookFieldsFragment;
export type WebhookDelivery = WebhookDeliveryFieldsFragment;
export type WebhookEventType = WebhookEventTypesQuery['webhookEventTypes'][number];
/** The webhook and its signing secret (`secret`, shown only here and by rotateSecret). */
export type CreatedWebhook = CreateWebhookMutation['createWebhook'];

/**
 * Your webhooks and their deliveries. Reading needs `webhooks:read`, changing `webhooks:write`.
 * Check each delivery you receive with `verifyWebhook(rawBody, headers, secret)`.
 */
export class Webhooks extends APIResource {
  async list(options?: RequestOptions): Promise<Webhook[]> {
    return (await this.client.request(WebhooksDocument, {}, options)).viewer.webhooks;
  }

  /** Throws NotFoundError when the webhook does not exist or is not yours. */
  async get(id: string, options?: RequestOptions): Promise<Webhook> {
    const { node } = await this.client.request(WebhookDocument, { id }, options);
    return nodeOrNotFound(node as Webhook | Record<PropertyKey, never> | null, 'Webhook');
  }

  async create(input: CreateWebhookInput, options?: RequestOptions): Promise<CreatedWebhook> {
    return (await this.client.request(CreateWebhookDocument, { input }, options)).createWebhook;
  }

  /** Changes what is given; `enabled: true` turns a disabled webhook back on. */
  async update(id: string, input: UpdateWebhookInput, options?: RequestOptions): Promise<Webhook> {
    return (await this.client.request(UpdateWebhookDocument, { id, input }, options)).updateWebhook;
  }

  /** Deletes the webhook and answers its id. */
  async delete(id: string, options?: RequestOptions): Promise<string> {
    return (await this.client.request(DeleteWebhookDocument, { id }, options)).deleteWebhook;
  }

  /** A new signing secret, effective at once; the answer holds it in clear this once. */
  async rotateSecret(id: string, options?: RequestOptions): Promise<CreatedWebhook> {
    return (await this.client.request(RotateWebhookSecretDocument, { id }, options)).rotateWebhookSecret;
  }

  /** Sends a `webhook.test` event now; answers the delivery, PENDING until the receiver answers. */
  async test(id: string, options?: RequestOptions): Promise<WebhookDelivery> {
    return (await this.client.request(TestWebhookDocument, { id }, options)).testWebhook;
  }

  /** Sends a delivery's event again as a new delivery. */
  async redeliver(deliveryId: string, options?: RequestOptions): Promise<WebhookDelivery> {
    return (await this.client.request(RedeliverWebhookDeliveryDocument, { id: deliveryId }, options)).redeliverWebhookDelivery;
  }

  /** One delivery with its attempt log; NotFoundError when it is not yours. */
  async delivery(deliveryId: string, options?: RequestOptions): Promise<WebhookDelivery> {
    const { node } = await this.client.request(WebhookDeliveryDocument, { id: deliveryId }, options);
    return nodeOrNotFound(node as WebhookDelivery | Record<PropertyKey, never> | null, 'Webhook delivery');
  }

  /** A webhook's deliveries, newest first: await for a Page, `for await` for all of them. */
  deliveries(webhookId: string, params: PageParams = {}, options?: RequestOptions): PagePromise<WebhookDelivery> {
    return new PagePromise(async (after): Promise<Connection<WebhookDelivery>> => {
      const { node } = await this.client.request(WebhookDeliveriesDocument, { id: webhookId, first: params.pageSize, after }, options);
      if (!node || !('deliveries' in node)) throw new NotFoundError('Webhook not found', { code: 'NOT_FOUND' });
      return node.deliveries;
    }, params.after ?? null);
  }

  /** The event types a webhook can subscribe to. */
  async eventTypes(options?: RequestOptions): Promise<WebhookEventType[]> {
    return (await this.client.request(WebhookEventTypesDocument, {}, options)).webhookEventTypes;
  }
}
