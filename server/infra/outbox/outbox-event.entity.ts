import { randomUUID } from 'node:crypto';
import { Entity, Index, PrimaryKey, Property } from '@mikro-orm/core';

/**
 * An event written in the same database transaction as the change it reports, and relayed
 * afterwards (at least once) to Redis pub/sub and BullMQ by the worker. Its id is the event id
 * consumers deduplicate by.
 */
@Entity({ tableName: 'outbox' })
// In the relay's claim order, so that the claim is an index scan that stops after a batch.
@Index({ name: 'outbox_unpublished_idx', expression: 'create index "outbox_unpublished_idx" on "outbox" ("created_at", "id") where "published_at" is null' })
@Index({ name: 'outbox_published_at_idx', expression: 'create index "outbox_published_at_idx" on "outbox" ("published_at") where "published_at" is not null' })
export class OutboxEvent {
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  /** What happened, e.g. `credits.changed`; names a route in outbox.topics.ts. */
  @Property({ type: 'text' })
  topic!: string;

  /** The user the event belongs to, so subscribers can be filtered by owner. */
  @Property({ type: 'uuid', nullable: true })
  userId?: string | null;

  @Property({ type: 'jsonb' })
  payload!: Record<string, unknown>;

  /**
   * Stamped by the database clock (one clock for every API instance); clock_timestamp() rather
   * than now() so events of one transaction keep the order they were recorded in.
   */
  @Property({ type: 'timestamptz', defaultRaw: 'clock_timestamp()' })
  createdAt!: Date;

  /** Not relayed before this time (backoff after a failed relay). Database clock, like createdAt. */
  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  availableAt!: Date;

  /** Relay rounds that failed to deliver the event; 0 when it went out first time. */
  @Property({ type: 'int', default: 0 })
  attempts: number = 0;

  @Property({ type: 'text', nullable: true })
  lastError?: string | null;

  @Property({ type: 'timestamptz', nullable: true })
  publishedAt?: Date | null;
}
