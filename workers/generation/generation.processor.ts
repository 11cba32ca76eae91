import type { Processor } from 'bullmq';
import type { OutboxEnvelope } from '../../server/infra/outbox/outbox.envelope.js';
import { Job } from '../../server/modules/jobs/job.entity.js';
import { JOB_CANCEL_CHANNEL } from '../../server/modules/jobs/job.events.js';
import type { GenerationDeps } from './generation.deps.js';
import { runGenerationAttempt } from './generation.run.js';

/** How often a running job's row is checked for a cancel request the broadcast may have missed. */
const CANCEL_POLL_MS = 2_000;

/** Thrown so BullMQ retries the job with backoff after a transient provider failure. */
export class GenerationRetry extends Error {}

/** The `generation` queue's processor: one BullMQ job per `job.requested` event. */
export function generationProcessor(deps: GenerationDeps): Processor {
  const running = new Map<string, AbortController>();
  // The DB poll below still catches cancellations if this subscription cannot be made.
  deps.broadcast.on(JOB_CANCEL_CHANNEL, (jobId) => running.get(jobId)?.abort()).catch((error: unknown) => deps.log.warn({ err: error }, 'cannot listen for cancellations; polling only'));
  return async (bullJob) => {
    const envelope = bullJob.data as OutboxEnvelope<{ jobId?: unknown }>;
    const jobId = typeof envelope.payload?.jobId === 'string' ? envelope.payload.jobId : null;
    if (!jobId) return { outcome: 'ignored' };
    const controller = new AbortController();
    running.set(jobId, controller);
    const poll = setInterval(() => {
      deps.orm.em
        .fork()
        .findOne(Job, { id: jobId }, { fields: ['cancelRequestedAt'] })
        .then((job) => job?.cancelRequestedAt && controller.abort())
        .catch(() => undefined);
    }, CANCEL_POLL_MS);
    try {
      const lastAttempt = bullJob.attemptsMade + 1 >= (bullJob.opts.attempts ?? 1);
      const outcome = await runGenerationAttempt(deps, jobId, { signal: controller.signal, lastAttempt });
      if (outcome === 'retry') throw new GenerationRetry('transient provider failure; the job will be retried');
      return { outcome };
    } finally {
      clearInterval(poll);
      running.delete(jobId);
    }
  };
}
