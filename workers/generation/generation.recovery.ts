import type { EntityManager } from '@mikro-orm/postgresql';
import type { Queue } from 'bullmq';
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
  // One re-queue per job: while that BullMQ job is kept (a day), its id dedupes later sweeps.
  // A Redis that lost its data lost this id too, so the job can be recovered again then.
  for (const job of stuck) {
    const id = `recover-${job.id}`;
    await queue.add('recover', { id, topic: 'job.requested', userId: null, payload: { jobId: job.id }, createdAt: now.toISOString() }, {
      jobId: id,
      attempts: 3,
      backoff: { type: 'exponential', delay: 2_000 },
      removeOnComplete: { age: 86_400 },
      removeOnFail: { age: 604_800 },
    });
  }
  return stuck.length;
}
