import type { JobsOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import type { QueueRegistry } from '../queues/queue.registry.js';
import { topicChannel, type OutboxEnvelope } from './outbox.envelope.js';
import type { Route } from './outbox.topics.js';

/**
 * Relayed jobs are kept long past any re-relay (which follows a crash within seconds), so the
 * jobId dedupe holds, and not forever, so Redis does not grow without bound.
 */
const DEFAULT_JOB_OPTIONS: JobsOptions = {
  removeOnComplete: { age: 24 * 60 * 60 },
  removeOnFail: { age: 7 * 24 * 60 * 60 },
};

/**
 * Sends one envelope where its route says. Resolves only when every destination has it, so the
 * relay marks an event published only after delivery (at least once). Queue jobs carry the event id
 * as BullMQ jobId: a second add of the same event is a no-op while the first job is kept.
 */
export class OutboxPublisher {
  constructor(
    /** A connection without key prefix and with the offline queue off (fail fast while Redis is away). */
    private readonly redis: Redis,
    private readonly redisPrefix: string,
    private readonly queues: QueueRegistry,
  ) {}

  channel(topic: string): string {
    return `${this.redisPrefix}${topicChannel(topic)}`;
  }

  async publish(envelope: OutboxEnvelope, route: Route): Promise<void> {
    if (route.queue) {
      await this.queues.get(route.queue).add(envelope.topic, envelope, { ...DEFAULT_JOB_OPTIONS, ...route.jobOptions, jobId: envelope.id });
    }
    if (route.pubsub) {
      await this.redis.publish(this.channel(envelope.topic), JSON.stringify(envelope));
    }
  }
}
