import { GraphQLJSONObject } from 'graphql-scalars';
import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { toGlobalId } from '../../core/global-id.js';
import { Connection } from '../../graphql/connection.js';
import { Node } from '../../graphql/node.type.js';
import { WebhookDeliveryStatus, type WebhookAttemptRecord, type WebhookDelivery } from './webhook-delivery.entity.js';
import type { WebhookEndpoint } from './webhook-endpoint.entity.js';

registerEnumType(WebhookDeliveryStatus, {
  name: 'WebhookDeliveryStatus',
  description: 'PENDING until the receiver answers 2xx (SUCCEEDED) or every try failed (FAILED).',
});

@ObjectType('Webhook', { implements: Node, description: 'A URL that receives signed event deliveries (POST, JSON). Its secret is only shown by createWebhook and rotateWebhookSecret.' })
export class WebhookType extends Node {
  readonly __typename = 'Webhook';
  endpointId!: string;

  @Field(() => String)
  url!: string;

  @Field(() => String, { nullable: true })
  description!: string | null;

  @Field(() => [String], { description: 'Event types delivered (see webhookEventTypes); empty means all.' })
  eventTypes!: string[];

  @Field(() => Boolean, { description: 'False after 10 deliveries in a row failed, or when turned off; updateWebhook(enabled: true) turns it back on.' })
  enabled!: boolean;

  @Field(() => String, { nullable: true })
  disabledReason!: string | null;

  @Field(() => Date, { nullable: true })
  disabledAt!: Date | null;

  @Field(() => Int, { description: 'Deliveries that failed in a row; the webhook is disabled at 10.' })
  consecutiveFailures!: number;

  @Field(() => Date)
  createdAt!: Date;

  @Field(() => Date)
  updatedAt!: Date;
}

@ObjectType('WebhookDeliveryAttempt', { description: 'One try at sending a delivery.', simpleResolvers: true })
export class WebhookDeliveryAttemptType {
  @Field(() => Int)
  number!: number;

  @Field(() => Date)
  at!: Date;

  @Field(() => Int, { nullable: true, description: "The receiver's HTTP status; null when it did not answer." })
  responseStatus!: number | null;

  @Field(() => String, { nullable: true })
  error!: string | null;

  @Field(() => Int)
  durationMs!: number;
}

@ObjectType('WebhookDelivery', { implements: Node, description: 'One event sent to one webhook, with every try.', simpleResolvers: true })
export class WebhookDeliveryType extends Node {
  readonly __typename = 'WebhookDelivery';

  @Field(() => ID, { description: 'The webhook it went to.' })
  webhookId!: string;

  @Field(() => String, { description: "The event's id: the body's `id`, the same on a redelivery." })
  eventId!: string;

  @Field(() => String)
  eventType!: string;

  @Field(() => GraphQLJSONObject, { description: "The event's data, as sent in the body." })
  payload!: Record<string, unknown>;

  @Field(() => WebhookDeliveryStatus)
  status!: WebhookDeliveryStatus;

  @Field(() => Int)
  attempts!: number;

  @Field(() => Date, { nullable: true, description: 'When the next try is due, while PENDING.' })
  nextAttemptAt!: Date | null;

  @Field(() => Int, { nullable: true })
  lastResponseStatus!: number | null;

  @Field(() => String, { nullable: true })
  lastError!: string | null;

  @Field(() => Int, { nullable: true, description: 'How long the last try took, in milliseconds.' })
  durationMs!: number | null;

  @Field(() => [WebhookDeliveryAttemptType])
  attemptLog!: WebhookDeliveryAttemptType[];

  @Field(() => ID, { nullable: true, description: 'The delivery this one resent, for redeliveries.' })
  redeliveryOf!: string | null;

  @Field(() => Date)
  createdAt!: Date;

  @Field(() => Date, { nullable: true })
  completedAt!: Date | null;
}

export const WebhookDeliveryConnection = Connection(WebhookDeliveryType, 'WebhookDelivery');
export type WebhookDeliveryConnection = InstanceType<typeof WebhookDeliveryConnection>;

@ObjectType('CreateWebhookPayload')
export class CreateWebhookPayloadType {
  @Field(() => WebhookType)
  webhook!: WebhookType;

  @Field(() => String, { description: 'The signing secret (whsec_...), shown this once: store it now and verify deliveries with it.' })
  secret!: string;
}

@ObjectType('RotateWebhookSecretPayload')
export class RotateWebhookSecretPayloadType {
  @Field(() => WebhookType)
  webhook!: WebhookType;

  @Field(() => String, { description: 'The new signing secret, shown this once; the old one stops signing at once.' })
  secret!: string;
}

@ObjectType('WebhookEventType', { description: 'An event a webhook can subscribe to.' })
export class WebhookEventTypeType {
  @Field(() => String, { description: 'e.g. "generation.completed".' })
  name!: string;

  @Field(() => String)
  description!: string;
}

export function toWebhookType(endpoint: WebhookEndpoint): WebhookType {
  return Object.assign(new WebhookType(), {
    id: toGlobalId('Webhook', endpoint.id),
    endpointId: endpoint.id,
    url: endpoint.url,
    description: endpoint.description ?? null,
    eventTypes: endpoint.eventTypes,
    enabled: endpoint.enabled,
    disabledReason: endpoint.disabledReason ?? null,
    disabledAt: endpoint.disabledAt ?? null,
    consecutiveFailures: endpoint.consecutiveFailures,
    createdAt: endpoint.createdAt,
    updatedAt: endpoint.updatedAt,
  });
}

function toAttemptType(record: WebhookAttemptRecord): WebhookDeliveryAttemptType {
  return Object.assign(new WebhookDeliveryAttemptType(), { ...record, at: new Date(record.at) });
}

export function toWebhookDeliveryType(delivery: WebhookDelivery): WebhookDeliveryType {
  return Object.assign(new WebhookDeliveryType(), {
    id: toGlobalId('WebhookDelivery', delivery.id),
    webhookId: toGlobalId('Webhook', delivery.endpoint.id),
    eventId: delivery.eventId,
    eventType: delivery.eventType,
    payload: delivery.payload,
    status: delivery.status,
    attempts: delivery.attempts,
    nextAttemptAt: delivery.status === WebhookDeliveryStatus.PENDING ? (delivery.nextAttemptAt ?? null) : null,
    lastResponseStatus: delivery.lastResponseStatus ?? null,
    lastError: delivery.lastError ?? null,
    durationMs: delivery.durationMs ?? null,
    attemptLog: delivery.attemptLog.map(toAttemptType),
    redeliveryOf: delivery.redeliveryOf ? toGlobalId('WebhookDelivery', delivery.redeliveryOf) : null,
    createdAt: delivery.createdAt,
    completedAt: delivery.completedAt ?? null,
  });
}
