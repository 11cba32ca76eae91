import { randomUUID } from 'node:crypto';
import { Entity, Enum, Index, ManyToOne, PrimaryKey, Property, type Ref } from '@mikro-orm/core';
import { WebhookEndpoint } from './webhook-endpoint.entity.js';

export enum WebhookDeliveryStatus {
  PENDING = 'PENDING',
  SUCCEEDED = 'SUCCEEDED',
  FAILED = 'FAILED',
}

/** One try at sending a delivery, as the attempt log keeps it. */
export interface WebhookAttemptRecord {
  number: number;
  /** ISO 8601, when the request started. */
  at: string;
  /** The receiver's HTTP status; null when no answer came (refused, timed out, blocked). */
  responseStatus: number | null;
  error: string | null;
  durationMs: number;
}

/**
 * One event sent (or to be sent) to one endpoint. Retries update the same row and append to its
 * attempt log; a redelivery is a new row pointing at the original. The row is the truth: queue
 * jobs are only reminders to work on it.
 */
@Entity({ tableName: 'webhook_deliveries' })
@Index({ name: 'webhook_deliveries_endpoint_created_idx', properties: ['endpoint', 'createdAt', 'id'] })
// An event reaches an endpoint once however often it is relayed; redeliveries are extra rows.
@Index({
  name: 'webhook_deliveries_endpoint_event_unique',
  expression: 'create unique index "webhook_deliveries_endpoint_event_unique" on "webhook_deliveries" ("endpoint_id", "event_id") where "redelivery_of" is null',
})
@Index({ name: 'webhook_deliveries_due_idx', expression: `create index "webhook_deliveries_due_idx" on "webhook_deliveries" ("next_attempt_at") where "status" = 'PENDING'` })
export class WebhookDelivery {
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @ManyToOne(() => WebhookEndpoint, { ref: true, deleteRule: 'cascade' })
  endpoint!: Ref<WebhookEndpoint>;

  /** The event's id, sent as the body's `id`: the same for every delivery of one event. */
  @Property({ type: 'uuid' })
  eventId!: string;

  @Property({ type: 'text' })
  eventType!: string;

  @Property({ type: 'timestamptz' })
  eventCreatedAt!: Date;

  /** The event's `data`. */
  @Property({ type: 'jsonb' })
  payload!: Record<string, unknown>;

  @Enum({ items: () => WebhookDeliveryStatus, nativeEnumName: 'webhook_delivery_status', default: WebhookDeliveryStatus.PENDING })
  status: WebhookDeliveryStatus = WebhookDeliveryStatus.PENDING;

  @Property({ type: 'int', default: 0 })
  attempts: number = 0;

  /** When the next try is due (PENDING only); while a try is in flight, the end of its lease. */
  @Property({ type: 'timestamptz', nullable: true })
  nextAttemptAt?: Date | null;

  @Property({ type: 'int', nullable: true })
  lastResponseStatus?: number | null;

  @Property({ type: 'text', nullable: true })
  lastError?: string | null;

  /** How long the last try took, in milliseconds. */
  @Property({ type: 'int', nullable: true })
  durationMs?: number | null;

  @Property({ type: 'jsonb' })
  attemptLog: WebhookAttemptRecord[] = [];

  /** The delivery this one resends (redeliverWebhookDelivery); null for the first. */
  @Property({ type: 'uuid', nullable: true })
  redeliveryOf?: string | null;

  @Property({ type: 'timestamptz' })
  createdAt: Date = new Date();

  @Property({ type: 'timestamptz' })
  updatedAt: Date = new Date();

  @Property({ type: 'timestamptz', nullable: true })
  completedAt?: Date | null;
}
