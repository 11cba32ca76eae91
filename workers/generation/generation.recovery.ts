import type { EntityManager } from '@mikro-orm/postgresql';
import type { Queue } from 'bullmq';
import { KEPT_FINISHED_JOBS } from '../../server/infra/outbox/outbox-publisher.js';
import { Topic } from '../../server/infra/outbox/outbox.topics.js';
import { Job, JobStatus } from '../../server/modules/jobs/job.entity.js';

/**
 * PostgreSQL is the truth about jobs; Redis only carries the work. If Redis lost a queued job
 * (a restart without persistence, a flushed instance), the job row would wait forever. This finds
 * jobs that should be moving and are not, and queues them again. Running one twice is safe: the
 * processor claims a job with a conditional update and completes it once.
 */
export interface RecoveryThresholds {
  /** A QUEUED job older than this is re-queued. */
  queuedMs: number;
  /** A RUNNING job not updated for this long is re-queued (its worker is gone). */
  runningMs: number;
}

export async function requeueStuckJobs(em: EntityManager, queue: Queue, thresholds: RecoveryThresholds, now = new Date()): Promise<number> {
  const stuck = await em.find(
    Job,
    {
      $or: [
        { status: JobStatus.QUEUED, createdAt: { $lt: new Date(now.getTime() - thresholds.queuedMs) } },
        { status: JobStatus.RUNNING, updatedAt: { $lt: new Date(now.getTime() - thresholds.runningMs) } },
      ],
    },
    { fields: ['id', 'status'], limit: 500, orderBy: { createdAt: 'asc' } },
  );
  const waiting = await stillInQueue(em, queue, stuck.filter((job) => job.status === JobStatus.QUEUED).map((job) => job.id));
  const lost = stuck.filter((job) => !waiting.has(job.id));
  // One re-queue per job: while that BullMQ job is kept (a day, or the queue's last
  // KEPT_FINISHED_JOBS), its id dedupes later sweeps; a job recovered and run is no longer stuck.
  // A Redis that lost its data lost this id too, so the job can be recovered again then.
  for (const job of lost) {
    const id = `recover-${job.id}`;
    await queue.add('recover', { id, topic: 'job.requested', userId: null, payload: { jobId: job.id }, createdAt: now.toISOString() }, {
      jobId: id,
      attempts: 3,
      backoff: { type: 'exponential', delay: 2_000 },
      removeOnComplete: { age: 86_400, count: KEPT_FINISHED_JOBS },
      removeOnFail: { age: 604_800, count: KEPT_FINISHED_JOBS },
    });
  }
  return lost.length;
}

/** BullMQ states in which a queue entry will still run. */
const PENDING_STATES = new Set(['waiting', 'active', 'delayed', 'prioritized', 'waiting-children']);

/**
 * Queued jobs that are only waiting their turn behind a long queue: their job.requested event is
 * not relayed yet (the relay will deliver it), or its queue entry (jobId = event id) is still
 * pending. Re-queuing those would render the audio twice.
 */
async function stillInQueue(em: EntityManager, queue: Queue, jobIds: string[]): Promise<Set<string>> {
  if (jobIds.length === 0) return new Set();
  const events = await em.execute<Array<{ id: string; job_id: string; published_at: string | null }>>(
    `select id, payload->>'jobId' as job_id, published_at from outbox where topic = ? and payload->>'jobId' in (?)`,
    [Topic.JobRequested, jobIds],
  );
  const waiting = new Set<string>();
  for (const event of events) {
    if (!event.published_at) {
      waiting.add(event.job_id);
      continue;
    }
    const entry = await queue.getJob(event.id);
    if (entry && PENDING_STATES.has(await entry.getState())) waiting.add(event.job_id);
  }
  return waiting;
}
