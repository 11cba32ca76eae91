import type { JobsOptions, Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { QueueRegistry } from '../queues/queue.registry.js';
import { topicChannel, type OutboxEnvelope } from './outbox.envelope.js';
import type { Route } from './outbox.topics.js';

/**
 * Finished jobs of a queue kept at most, on top of the age limits: by age alone, a day of jobs at
 * 100 a second is millions of hashes, gigabytes of Redis memory. Ten thousand still outlast any
 * re-relay (which follows a crash within seconds) by far. Past them the jobId dedupe no longer
 * holds, and need not: a generation job's claim in the database is what makes a second run a no-op.
 */
export const KEPT_FINISHED_JOBS = 10_000;

/** Relayed jobs are kept long past any re-relay, so the jobId dedupe holds, and not forever. */
const DEFAULT_JOB_OPTIONS: JobsOptions = {
  removeOnComplete: { age: 24 * 60 * 60, count: KEPT_FINISHED_JOBS },
  removeOnFail: { age: 7 * 24 * 60 * 60, count: KEPT_FINISHED_JOBS },
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

  /**
   * Sends a batch in order with one round trip per destination: one pipeline for every pub/sub
   * message and one addBulk per queue, instead of a round trip per event. Resolves when all
   * arrived; when it rejects, some may have arrived (consumers dedupe by event id).
   */
  async publishAll(batch: ReadonlyArray<{ envelope: OutboxEnvelope; route: Route }>): Promise<void> {
    const queued = new Map<string, Parameters<Queue['addBulk']>[0]>();
    const pipeline = this.redis.pipeline();
    let messages = 0;
    for (const { envelope, route } of batch) {
      if (route.queue) {
        const jobs = queued.get(route.queue) ?? [];
        jobs.push({ name: envelope.topic, data: envelope, opts: { ...DEFAULT_JOB_OPTIONS, ...route.jobOptions, jobId: envelope.id } });
        queued.set(route.queue, jobs);
      }
      if (route.pubsub) {
        pipeline.publish(this.channel(envelope.topic), JSON.stringify(envelope));
        messages += 1;
      }
    }
    const sent = messages > 0 ? pipeline.exec().then(throwFirstError) : Promise.resolve();
    await Promise.all([sent, ...[...queued].map(([queue, jobs]) => this.queues.get(queue).addBulk(jobs))]);
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

/** A pipeline answers each command with [error, result]; the batch failed if any command did. */
function throwFirstError(results: Array<[Error | null, unknown]> | null): void {
  const failed = results?.find(([error]) => error);
  if (failed) throw failed[0];
  if (!results) throw new Error('Redis pipeline was not executed');
}
