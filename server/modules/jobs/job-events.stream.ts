import type { Broadcast } from '../../infra/pubsub/broadcast.js';
import type { EventSubscriber } from '../../infra/outbox/event-subscriber.js';
import { Topic } from '../../infra/outbox/outbox.topics.js';
import type { JobStatus } from './job.entity.js';
import { JOB_PROGRESS_CHANNEL, type JobChanged } from './job.events.js';

/** Changes buffered for one slow subscriber before the oldest ticks are dropped. */
const BUFFER = 500;

/**
 * Job changes for subscriptions, from both paths: progress ticks the worker broadcasts and the
 * status changes relayed from the outbox. One stream per subscriber, filtered by owner (and job).
 */
export class JobEvents {
  constructor(
    private readonly broadcast: Broadcast,
    private readonly outboxEvents: EventSubscriber,
  ) {}

  stream(userId: string, jobId?: string): AsyncIterableIterator<JobChanged> {
    const buffer: JobChanged[] = [];
    let waiting: ((result: IteratorResult<JobChanged>) => void) | undefined;
    let done = false;
    const push = (change: JobChanged) => {
      if (done || change.userId !== userId || (jobId && change.jobId !== jobId)) return;
      if (waiting) {
        const resolve = waiting;
        waiting = undefined;
        resolve({ value: change, done: false });
        return;
      }
      buffer.push(change);
      if (buffer.length > BUFFER) buffer.shift();
    };
    const unsubscribers = Promise.all([
      this.broadcast.on(JOB_PROGRESS_CHANNEL, (message) => {
        const change = parseChange(message);
        if (change) push(change);
      }),
      this.outboxEvents.on(Topic.JobUpdated, (envelope) => {
        const change = parseChange(JSON.stringify(envelope.payload));
        if (change) push(change);
      }),
    ]);
    const finish = async (): Promise<IteratorResult<JobChanged>> => {
      if (!done) {
        done = true;
        buffer.length = 0;
        waiting?.({ value: undefined, done: true });
        waiting = undefined;
        // Ending a stream must not fail, even when Redis is already gone (shutdown, outage).
        const subscribed = await unsubscribers.catch(() => [] as Array<() => Promise<void>>);
        for (const unsubscribe of subscribed) await unsubscribe().catch(() => undefined);
      }
      return { value: undefined, done: true };
    };
    return {
      next: async () => {
        await unsubscribers;
        const value = buffer.shift();
        if (value) return { value, done: false };
        if (done) return { value: undefined, done: true };
        return new Promise((resolve) => {
          waiting = resolve;
        });
      },
      return: finish,
      throw: async (error: unknown) => {
        await finish();
        throw error;
      },
      [Symbol.asyncIterator]() {
        return this;
      },
    };
  }
}

function parseChange(message: string): JobChanged | null {
  try {
    const value = JSON.parse(message) as Partial<JobChanged>;
    if (typeof value.jobId !== 'string' || typeof value.userId !== 'string' || typeof value.status !== 'string') return null;
    return { jobId: value.jobId, userId: value.userId, status: value.status as JobStatus, progress: Number(value.progress ?? 0), stage: String(value.stage ?? '') };
  } catch {
    return null;
  }
}
