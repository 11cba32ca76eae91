import type { Broadcast } from '../../infra/pubsub/broadcast.js';
import type { EventSubscriber } from '../../infra/outbox/event-subscriber.js';
import { Topic } from '../../infra/outbox/outbox.topics.js';
import { createPushStream } from '../../infra/pubsub/push-stream.js';
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
    return createPushStream<JobChanged>(
      async (push) => {
        const accept = (change: JobChanged | null) => {
          if (change && change.userId === userId && (!jobId || change.jobId === jobId)) push(change);
        };
        const unsubscribers = await Promise.all([
          this.broadcast.on(JOB_PROGRESS_CHANNEL, (message) => accept(parseChange(message))),
          this.outboxEvents.on(Topic.JobUpdated, (envelope) => accept(parseChange(JSON.stringify(envelope.payload)))),
        ]);
        return async () => {
          for (const unsubscribe of unsubscribers) await unsubscribe();
        };
      },
      { bufferSize: BUFFER },
    );
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
