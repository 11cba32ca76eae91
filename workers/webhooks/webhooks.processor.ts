import type { Job, Processor, Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { QueueName } from '../../server/infra/queues/queue.names.js';
import { WEBHOOK_DUE_CHANNEL, WebhookDispatcher, type DueDelivery, type WebhookEventEnvelope } from '../../server/modules/webhooks/index.js';
import type { WorkerContext } from '../worker.context.js';
import { attemptJobOptions, WebhookJob, type AttemptJobData } from './webhooks.jobs.js';

async function enqueue(queue: Queue, due: readonly DueDelivery[]): Promise<void> {
  const now = Date.now();
  for (const delivery of due) {
    const data: AttemptJobData = { deliveryId: delivery.id, attempt: delivery.attempt };
    await queue.add(WebhookJob.Attempt, data, attemptJobOptions(data, delivery.at.getTime() - now));
  }
}

/**
 * Listens for the API's "send this delivery now" (testWebhook, redeliver). Best effort: a missed
 * message only means the sweep sends the delivery a few seconds later.
 */
function listenForNudges(ctx: WorkerContext, dispatcher: WebhookDispatcher, queue: Queue): void {
  const subscriber = new Redis(ctx.config.redisUrl, { maxRetriesPerRequest: null });
  const channel = `${ctx.config.redisPrefix}${WEBHOOK_DUE_CHANNEL}`;
  subscriber.on('error', (error: Error) => ctx.log.warn({ err: error }, 'webhook nudge subscriber error'));
  subscriber.on('message', (_channel: string, deliveryId: string) => {
    dispatcher
      .pending(ctx.orm.em.fork(), deliveryId)
      .then((due) => enqueue(queue, due ? [due] : []))
      .catch((error: unknown) => ctx.log.warn({ err: error, deliveryId }, 'could not queue a nudged webhook delivery'));
  });
  void subscriber.subscribe(channel).catch((error: unknown) => ctx.log.warn({ err: error }, 'could not subscribe to webhook nudges'));
  ctx.onClose(() => subscriber.quit());
}

/**
 * The `webhooks` queue's consumer: relayed events fan out into delivery rows (once per endpoint
 * and event), each try is a job, a failed try queues the next one with backoff, and the sweep
 * re-queues tries whose job was lost (Redis restarted without its data).
 */
export function webhooksProcessor(ctx: WorkerContext): Processor {
  const dispatcher = new WebhookDispatcher(ctx.config.webhooks, ctx.log.child({ component: 'webhooks' }));
  const queue = ctx.queues.get(QueueName.Webhooks);
  listenForNudges(ctx, dispatcher, queue);
  return async (job: Job) => {
    const em = ctx.orm.em.fork();
    switch (job.name) {
      case WebhookJob.Event: {
        const due = await dispatcher.fanOut(em, job.data as WebhookEventEnvelope);
        await enqueue(queue, due);
        return { deliveries: due.length };
      }
      case WebhookJob.Attempt: {
        const { deliveryId, attempt } = job.data as AttemptJobData;
        const next = await dispatcher.attempt(em, deliveryId, attempt);
        if (next) await enqueue(queue, [next]);
        return { retry: next?.at.toISOString() ?? null };
      }
      case WebhookJob.Sweep: {
        const due = await dispatcher.due(em);
        await enqueue(queue, due);
        return { requeued: due.length };
      }
      default:
        ctx.log.warn({ job: job.name }, 'unknown webhooks job');
        return null;
    }
  };
}
