import type { Processor } from 'bullmq';
import type { WorkerContext } from '../worker.context.js';

/**
 * The `webhooks` queue's consumer. Users cannot register webhook endpoints yet (the webhooks
 * module comes later), so every event has no endpoint to go to: it is acknowledged, which keeps
 * the queue from growing. Signing, delivery and retries replace this body when endpoints exist.
 */
export function webhooksProcessor(ctx: WorkerContext): Processor {
  return async (job) => {
    ctx.log.debug({ eventId: job.id }, 'webhook event has no registered endpoint');
    return { delivered: 0 };
  };
}
