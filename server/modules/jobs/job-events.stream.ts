import type { Broadcast } from '../../infra/pubsub/broadcast.js';
import type { EventSubscriber } from '../../infra/outbox/event-subscriber.js';
import { Topic } from '../../infra/outbox/outbox.topics.js';
import { createPushStream } from '../../infra/pubsub/push-stream.js';
import type { JobStatus } from './job.entity.js';
import { JOB_PROGRESS_CHANNEL, latestTickKey, movesOn, type JobChanged } from './job.events.js';

/** Jobs whose last state one subscription remembers (a reset only risks one stale repeat). */
const MAX_TRACKED_JOBS = 10_000;
/** Changes buffered for one slow subscriber before the oldest ticks are dropped. */
const BUFFER = 500;

type Sink = (change: JobChanged) => void;

/**
 * Job changes for subscriptions, from both paths: progress ticks the worker broadcasts and the
 * status changes relayed from the outbox. The process listens once per path and hands each
 * change, parsed once, to the subscriptions of its owner only: with many subscribers a tick
 * costs one parse and a map lookup, not one parse per subscription.
 */
export class JobEvents {
  private readonly sinks = new Map<string, Set<Sink>>();
  private listening: Promise<void> | undefined;

  constructor(
    private readonly broadcast: Broadcast,
    private readonly outboxEvents: EventSubscriber,
  ) {}

  /** The user's job changes in order (of one job with `jobId`); `wanted`, when given, drops the changes it refuses. */
  stream(userId: string, jobId?: string, wanted?: (change: JobChanged) => boolean): AsyncIterableIterator<JobChanged> {
    return createPushStream<JobChanged>(
      async (push) => {
        // Last state seen per job: late or repeated events never take a job back.
        const last = new Map<string, JobChanged>();
        const sink: Sink = (change) => {
          if (jobId && change.jobId !== jobId) return;
          if (!movesOn(last.get(change.jobId), change)) return;
          if (last.size >= MAX_TRACKED_JOBS) last.clear();
          last.set(change.jobId, change);
          if (wanted && !wanted(change)) return;
          push(change);
        };
        let own = this.sinks.get(userId);
        if (!own) this.sinks.set(userId, (own = new Set()));
        own.add(sink);
        try {
          await this.listen();
        } catch (error) {
          this.remove(userId, sink);
          throw error;
        }
        return async () => this.remove(userId, sink);
      },
      { bufferSize: BUFFER },
    );
  }

  /** The running job's latest progress tick, if the worker kept one (see latestTickKey). */
  async latestTick(jobId: string): Promise<JobChanged | null> {
    const message = await this.broadcast.latest(latestTickKey(jobId));
    return message ? (parseTicks(message).at(-1) ?? null) : null;
  }

  private remove(userId: string, sink: Sink): void {
    const own = this.sinks.get(userId);
    own?.delete(sink);
    if (own?.size === 0) this.sinks.delete(userId);
  }

  /** Subscribes this process to both paths once; a failed attempt is retried by the next stream. */
  private listen(): Promise<void> {
    this.listening ??= Promise.all([
      this.broadcast.on(JOB_PROGRESS_CHANNEL, (message) => {
        for (const change of parseTicks(message)) this.dispatch(change);
      }),
      this.outboxEvents.on(Topic.JobUpdated, (envelope) => this.dispatch(changeOf(envelope.payload))),
    ]).then(
      () => undefined,
      (error: unknown) => {
        this.listening = undefined;
        throw error;
      },
    );
    return this.listening;
  }

  private dispatch(change: JobChanged | null): void {
    if (!change) return;
    const own = this.sinks.get(change.userId);
    if (own) for (const sink of own) sink(change);
  }
}

/** A tick message: one change, or several in order (ticks the worker sent together). */
function parseTicks(message: string): Array<JobChanged | null> {
  try {
    const parsed: unknown = JSON.parse(message);
    return Array.isArray(parsed) ? parsed.map(changeOf) : [changeOf(parsed)];
  } catch {
    return [];
  }
}

function changeOf(payload: unknown): JobChanged | null {
  if (typeof payload !== 'object' || payload === null) return null;
  const value = payload as Partial<JobChanged>;
  if (typeof value.jobId !== 'string' || typeof value.userId !== 'string' || typeof value.status !== 'string') return null;
  const job = value.job && typeof value.job === 'object' && value.job.id === value.jobId ? value.job : undefined;
  return { jobId: value.jobId, userId: value.userId, status: value.status as JobStatus, progress: Number(value.progress ?? 0), stage: String(value.stage ?? ''), job };
}
