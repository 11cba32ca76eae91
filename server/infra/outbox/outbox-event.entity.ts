import { randomUUID } from 'node:crypto';
import { Entity, Index, PrimaryKey, Property } from '@mikro-orm/core';

/**
 * An event written in the same database transaction as the change it reports, and relayed
 * afterwards (at least once) to Redis pub/sub and BullMQ by the worker. Its id is the event id
 * consumers deduplicate by.
 */
@Entity({ tableName: 'outbox' })
@Index({ name: 'outbox_unpublished_idx', expression: 'create index "outbox_unpublished_idx" on "outbox" ("available_at") where "published_at" is null' })
export class OutboxEvent {
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  /** What happened, e.g. `credits.changed`; names a route in outbox.routes.ts. */
  @Property({ type: 'text' })
  topic!: string;

  /** The user the event belongs to, so subscribers can be filtered by owner. */
  @Property({ type: 'uuid', nullable: true })
  userId?: string | null;

  @Property({ type: 'jsonb' })
  payload!: Record<string, unknown>;

  @Property({ type: 'timestamptz' })
  createdAt: Date = new Date();

  /** Not relayed before this time (backoff after a failed relay). */
  @Property({ type: 'timestamptz' })
  availableAt: Date = new Date();

  @Property({ type: 'int', default: 0 })
  attempts: number = 0;

  @Property({ type: 'text', nullable: true })
  lastError?: string | null;

  @Property({ type: 'timestamptz', nullable: true })
  publishedAt?: Date | null;
}
