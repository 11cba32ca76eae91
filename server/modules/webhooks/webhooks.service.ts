import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { BadUserInputError } from '../../core/errors.js';
import { toGlobalId } from '../../core/global-id.js';
import type { Clock } from '../../core/clock.js';
import { User } from '../users/user.entity.js';
import { TEST_EVENT_TYPE, isWebhookEventType } from './webhook-event-types.js';
import { WebhookDelivery, WebhookDeliveryStatus } from './webhook-delivery.entity.js';
import { WebhookEndpoint } from './webhook-endpoint.entity.js';
import { sealSecret } from './webhook-secret-box.js';
import { newWebhookSecret } from './webhook-signature.js';
import { checkWebhookUrl, type Resolver } from './webhook-target.js';
import type { WebhookSettings } from './webhook.settings.js';
import { TooManyWebhooksError, UnknownWebhookEventTypeError, WebhookDeliveryNotFoundError, WebhookNotFoundError } from './webhooks.errors.js';

const MAX_WEBHOOKS_PER_USER = 20;
const MAX_DESCRIPTION_LENGTH = 200;

export interface WebhookChange {
  url?: string | null;
  description?: string | null;
  eventTypes?: string[] | null;
  enabled?: boolean | null;
}

export interface NewWebhook {
  url: string;
  description?: string | null;
  eventTypes?: string[] | null;
}

/** The pub/sub channel (before the deployment prefix) on which the API says "send this delivery now". */
export const WEBHOOK_DUE_CHANNEL = 'webhooks:due';

/** Tells the worker a delivery wants sending now (best effort: the sweep finds it otherwise). */
export type DeliveryNudge = (deliveryId: string) => Promise<void>;

/**
 * Webhook endpoints of a user and their deliveries, as the API manages them. Sending is the
 * worker's (webhook-dispatcher.ts); test and redelivery only write a PENDING row and nudge.
 */
export class WebhooksService {
  constructor(
    private readonly settings: WebhookSettings,
    private readonly clock: Clock,
    private readonly nudge: DeliveryNudge,
    private readonly resolver?: Resolver,
  ) {}

  /** The user's endpoints, newest first. */
  list(em: EntityManager, userId: string): Promise<WebhookEndpoint[]> {
    return em.find(WebhookEndpoint, { user: userId }, { orderBy: { createdAt: 'desc', id: 'desc' } });
  }

  /** The user's endpoint with this id; null when there is none or it is another user's. */
  find(em: EntityManager, userId: string, id: string): Promise<WebhookEndpoint | null> {
    return em.findOne(WebhookEndpoint, { id, user: userId });
  }

  async findOwned(em: EntityManager, userId: string, id: string): Promise<WebhookEndpoint> {
    const endpoint = await this.find(em, userId, id);
    if (!endpoint) throw new WebhookNotFoundError();
    return endpoint;
  }

  /** Registers an endpoint; the secret in clear is in this answer only. */
  async create(em: EntityManager, userId: string, input: NewWebhook): Promise<{ endpoint: WebhookEndpoint; secret: string }> {
    const url = await checkWebhookUrl(input.url, this.settings, this.resolver);
    const count = await em.count(WebhookEndpoint, { user: userId });
    if (count >= MAX_WEBHOOKS_PER_USER) throw new TooManyWebhooksError(MAX_WEBHOOKS_PER_USER);
    const now = this.clock.now();
    const endpoint = em.create(WebhookEndpoint, {
      user: em.getReference(User, userId),
      url,
      description: checkDescription(input.description),
      eventTypes: checkEventTypes(input.eventTypes ?? []),
      secretCiphertext: '',
      enabled: true,
      consecutiveFailures: 0,
      createdAt: now,
      updatedAt: now,
    });
    const secret = newWebhookSecret();
    endpoint.secretCiphertext = sealSecret(this.settings.encryptionKey, endpoint.id, secret);
    await em.flush();
    return { endpoint, secret };
  }

  /** Changes what was given; enabling a disabled endpoint starts its failure count afresh. */
  async update(em: EntityManager, userId: string, id: string, change: WebhookChange): Promise<WebhookEndpoint> {
    const endpoint = await this.findOwned(em, userId, id);
    if (change.url !== undefined && change.url !== null) endpoint.url = await checkWebhookUrl(change.url, this.settings, this.resolver);
    if (change.description !== undefined) endpoint.description = checkDescription(change.description);
    if (change.eventTypes !== undefined && change.eventTypes !== null) endpoint.eventTypes = checkEventTypes(change.eventTypes);
    if (change.enabled === true && !endpoint.enabled) {
      endpoint.enabled = true;
      endpoint.consecutiveFailures = 0;
      endpoint.disabledReason = null;
      endpoint.disabledAt = null;
    } else if (change.enabled === false && endpoint.enabled) {
      endpoint.enabled = false;
      endpoint.disabledReason = 'Disabled by its owner';
      endpoint.disabledAt = this.clock.now();
    }
    endpoint.updatedAt = this.clock.now();
    await em.flush();
    return endpoint;
  }

  /** Removes the endpoint and its delivery log. */
  async delete(em: EntityManager, userId: string, id: string): Promise<void> {
    const endpoint = await this.findOwned(em, userId, id);
    await em.remove(endpoint).flush();
  }

  /** Replaces the signing secret at once; the new one is in this answer only. */
  async rotateSecret(em: EntityManager, userId: string, id: string): Promise<{ endpoint: WebhookEndpoint; secret: string }> {
    const endpoint = await this.findOwned(em, userId, id);
    const secret = newWebhookSecret();
    endpoint.secretCiphertext = sealSecret(this.settings.encryptionKey, endpoint.id, secret);
    endpoint.updatedAt = this.clock.now();
    await em.flush();
    return { endpoint, secret };
  }

  /** Queues a `webhook.test` delivery to this endpoint (enabled or not) and answers it. */
  async test(em: EntityManager, userId: string, id: string): Promise<WebhookDelivery> {
    const endpoint = await this.findOwned(em, userId, id);
    const now = this.clock.now();
    const data = { webhookId: toGlobalId('Webhook', endpoint.id), message: 'A test delivery from MusicVerse' };
    return this.queue(em, endpoint, { eventId: randomUUID(), eventType: TEST_EVENT_TYPE, eventCreatedAt: now, payload: data, redeliveryOf: null });
  }

  /** Sends a delivery's event again, as a new delivery with the same body. */
  async redeliver(em: EntityManager, userId: string, deliveryId: string): Promise<WebhookDelivery> {
    const original = await this.findDelivery(em, userId, deliveryId);
    if (!original) throw new WebhookDeliveryNotFoundError();
    const { eventId, eventType, eventCreatedAt, payload } = original;
    return this.queue(em, original.endpoint.getEntity(), { eventId, eventType, eventCreatedAt, payload, redeliveryOf: original.redeliveryOf ?? original.id });
  }

  /** A delivery of one of the user's endpoints, with its endpoint loaded; null otherwise. */
  findDelivery(em: EntityManager, userId: string, deliveryId: string): Promise<WebhookDelivery | null> {
    return em.findOne(WebhookDelivery, { id: deliveryId, endpoint: { user: userId } }, { populate: ['endpoint'] });
  }

  /** A page of an endpoint's deliveries, newest first, after `position`; ask `limit` + 1 to learn if more follow. */
  deliveriesPage(em: EntityManager, endpointId: string, position: { createdAt: Date; id: string } | null, limit: number): Promise<WebhookDelivery[]> {
    const where = position
      ? { endpoint: endpointId, $or: [{ createdAt: { $lt: position.createdAt } }, { createdAt: position.createdAt, id: { $lt: position.id } }] }
      : { endpoint: endpointId };
    return em.find(WebhookDelivery, where, { orderBy: { createdAt: 'desc', id: 'desc' }, limit });
  }

  countDeliveries(em: EntityManager, endpointId: string): Promise<number> {
    return em.count(WebhookDelivery, { endpoint: endpointId });
  }

  private async queue(em: EntityManager, endpoint: WebhookEndpoint, event: Pick<WebhookDelivery, 'eventId' | 'eventType' | 'eventCreatedAt' | 'payload' | 'redeliveryOf'>): Promise<WebhookDelivery> {
    const now = this.clock.now();
    const delivery = em.create(WebhookDelivery, { ...event, endpoint, status: WebhookDeliveryStatus.PENDING, attempts: 0, nextAttemptAt: now, attemptLog: [], createdAt: now, updatedAt: now });
    await em.flush();
    // The row is the truth: if the nudge is lost, the worker's sweep sends it a little later.
    await this.nudge(delivery.id).catch(() => undefined);
    return delivery;
  }
}

function checkDescription(description: string | null | undefined): string | null {
  const text = description?.trim() ?? '';
  if (text.length > MAX_DESCRIPTION_LENGTH) throw new BadUserInputError(`description must be at most ${MAX_DESCRIPTION_LENGTH} characters`, 'description');
  return text || null;
}

function checkEventTypes(types: readonly string[]): string[] {
  const unknown = types.filter((type) => !isWebhookEventType(type));
  if (unknown.length > 0) throw new UnknownWebhookEventTypeError(unknown);
  return [...new Set(types)].sort();
}
