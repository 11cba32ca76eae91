import type { EntityManager } from '@mikro-orm/core';
import { OutboxEvent } from './outbox-event.entity.js';
import type { Topic, TopicPayloads } from './outbox.topics.js';

export interface OutboxRecord<T extends string, P> {
  topic: T;
  /** The user the event concerns (subscribers filter by it); null for system events. */
  userId: string | null;
  payload: P;
}

/**
 * Records an event in the caller's unit of work: it is inserted by the same flush, inside the same
 * database transaction, as the domain change it reports, so both commit or neither does. Call it
 * inside `em.transactional(...)` (or before the `em.flush()` that writes the change). Returns the
 * event id, which consumers will see as the envelope's `id`.
 */
export function recordEvent<T extends Topic>(em: EntityManager, record: OutboxRecord<T, TopicPayloads[T]>): string {
  return recordOutboxEvent(em, record);
}

/**
 * recordEvent without the topic check, for infrastructure and tests that route their own topics.
 * Domain code uses recordEvent, so a topic is always one the relay knows how to deliver.
 */
export function recordOutboxEvent(em: EntityManager, record: OutboxRecord<string, object>): string {
  const event = new OutboxEvent();
  event.topic = record.topic;
  event.userId = record.userId;
  event.payload = { ...record.payload };
  em.persist(event);
  return event.id;
}
