import type { JobsOptions } from 'bullmq';
import { Topic } from '../../server/infra/outbox/outbox.topics.js';
import { QueueName } from '../../server/infra/queues/queue.names.js';
import type { Schedule } from '../processors.js';

/** Jobs of the `webhooks` queue: wire constants. */
export enum WebhookJob {
  /** A relayed outbox event (job name = topic, job id = event id): fan it out to endpoints. */
  Event = Topic.WebhookEvent,
  /** One try of one delivery: `{ deliveryId, attempt }`, job id `attempt-<delivery>-<n>`. */
  Attempt = 'webhook.attempt',
  /** Repeatable: re-queue PENDING deliveries whose try is overdue (their job was lost). */
  Sweep = 'webhook.sweep',
}

export interface AttemptJobData {
  deliveryId: string;
  attempt: number;
}

/**
 * One job id per try: adding a try that is already waiting, delayed or running is a no-op, so the
 * sweep, a nudge and the previous try may all ask for it. Finished tries are removed at once; the
 * row, not the job, remembers them.
 */
export function attemptJobOptions(data: AttemptJobData, delayMs: number): JobsOptions {
  return { jobId: `attempt-${data.deliveryId}-${data.attempt}`, delay: Math.max(0, delayMs), removeOnComplete: true, removeOnFail: true };
}

/** How often overdue deliveries are looked for in production. */
export const WEBHOOK_SWEEP_EVERY_MS = 5_000;

/** The sweep as a schedule; tests run it more often. */
export function webhookSweepSchedule(everyMs: number = WEBHOOK_SWEEP_EVERY_MS): Schedule {
  return { queue: QueueName.Webhooks, id: WebhookJob.Sweep, everyMs, name: WebhookJob.Sweep, data: {} };
}
