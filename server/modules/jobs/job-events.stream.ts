import type { Broadcast } from '../../infra/pubsub/broadcast.js';
import type { EventSubscriber } from '../../infra/outbox/event-subscriber.js';
import { Topic } from '../../infra/outbox/outbox.topics.js';
import { createPushStream } from '../../infra/pubsub/push-stream.js';
import type { JobStatus } from './job.entity.js';
import { JOB_PROGRESS_CHANNEL, movesOn, type JobChanged } from './job.events.js';

/** Jobs whose last state one subscription remembers (a reset only risks one stale repeat). */
const MAX_TRACKED_JOBS = 10_000;
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
        // Last state seen per job: late or repeated events never take a job back.
        const last = new Map<string, JobChanged>();
        const accept = (change: JobChanged | null) => {
          if (!change || change.userId !== userId || (jobId && change.jobId !== jobId)) return;
          if (!movesOn(last.get(change.jobId), change)) return;
          if (last.size >= MAX_TRACKED_JOBS) last.clear();
          last.set(change.jobId, change);
          push(change);
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
    const job = value.job && typeof value.job === 'object' && value.job.id === value.jobId ? value.job : undefined;
    return { jobId: value.jobId, userId: value.userId, status: value.status as JobStatus, progress: Number(value.progress ?? 0), stage: String(value.stage ?? ''), job };
  } catch {
    return null;
  }
}
