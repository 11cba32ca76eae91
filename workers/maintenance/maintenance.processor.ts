import { setTimeout as delay } from 'node:timers/promises';
import { UnrecoverableError, type Job, type Processor } from 'bullmq';
import { pruneOutbox } from '../../server/infra/outbox/outbox-prune.js';
import type { WorkerContext } from '../worker.context.js';
import { QueueName } from '../../server/infra/queues/queue.names.js';
import { requeueStuckJobs } from '../generation/generation.recovery.js';
import { MaintenanceJob, OUTBOX_RETENTION_DAYS } from './maintenance.jobs.js';
import { createStorage } from '../../server/infra/storage/storage.factory.js';
import type { ObjectStorage } from '../../server/infra/storage/storage.js';
import { DELETED_TRACK_FILES_RETENTION_DAYS, purgeDeletedTrackFiles } from '../../server/modules/tracks/track-files.cleanup.js';

function numberField(job: Job, field: string, fallback: number): number {
  const data: unknown = job.data;
  const value = typeof data === 'object' && data !== null ? (data as Record<string, unknown>)[field] : undefined;
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : fallback;
}

const storages = new WeakMap<WorkerContext, Promise<ObjectStorage>>();

/** One storage client per worker process, made on first use. */
function storageOf(ctx: WorkerContext): Promise<ObjectStorage> {
  let storage = storages.get(ctx);
  if (!storage) storages.set(ctx, (storage = createStorage({ dir: ctx.config.storageDir, s3: ctx.config.s3 })));
  return storage;
}

/** Runs the housekeeping jobs of the `maintenance` queue. */
export function maintenanceProcessor(ctx: WorkerContext): Processor {
  return async (job) => {
    switch (job.name) {
      case MaintenanceJob.OutboxPrune: {
        const deleted = await pruneOutbox(ctx.pool, numberField(job, 'olderThanDays', OUTBOX_RETENTION_DAYS));
        if (deleted > 0) ctx.log.info({ deleted }, 'pruned published outbox events');
        return { deleted };
      }
      case MaintenanceJob.RequeueStuckJobs: {
        const requeued = await requeueStuckJobs(ctx.orm.em.fork(), ctx.queues.get(QueueName.Generation), {
          queuedMs: numberField(job, 'queuedMs', 60_000),
          runningMs: numberField(job, 'runningMs', Math.max(120_000, ctx.config.workerLockMs * 4)),
        });
        if (requeued > 0) ctx.log.warn({ requeued }, 'generation jobs re-queued after their queue entry was lost');
        return { requeued };
      }
      case MaintenanceJob.PurgeDeletedTrackFiles: {
        const days = numberField(job, 'olderThanDays', DELETED_TRACK_FILES_RETENTION_DAYS);
        const deletedBefore = new Date(Date.now() - days * 24 * 60 * 60 * 1_000);
        const purged = await purgeDeletedTrackFiles(ctx.orm.em.fork(), await storageOf(ctx), deletedBefore);
        if (purged > 0) ctx.log.info({ purged }, 'removed the audio of deleted tracks');
        return { purged };
      }
      case MaintenanceJob.TestSlow: {
        if (ctx.config.nodeEnv !== 'test') throw new UnrecoverableError('test-slow runs only when NODE_ENV=test');
        const ms = Math.min(numberField(job, 'ms', 1_000), 60_000);
        await delay(ms);
        return { sleptMs: ms };
      }
      default:
        // Retrying cannot teach this worker a job it does not know.
        throw new UnrecoverableError(`unknown maintenance job "${job.name}"`);
    }
  };
}
