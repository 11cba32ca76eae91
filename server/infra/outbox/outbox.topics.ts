import type { JobsOptions } from 'bullmq';
import { QueueName } from '../queues/queue.names.js';

/**
 * Outbox topics: wire constants. A topic names what happened; its route says where the relay
 * delivers it. Events are published as an envelope `{ id, topic, userId, payload, createdAt }`
 * (outbox.envelope.ts); `id` is the event id every consumer deduplicates by, because delivery is
 * at least once.
 *
 * Adding a topic: add it here with its payload type and route. A topic with no route is never
 * claimed by a relay, so recordEvent only accepts topics listed here.
 */
export enum Topic {
  /**
   * A user's credit balance moved (grant, hold, commit, release, purchase).
   * Pub/sub only: API instances push `creditsChanged` to that user's subscriptions.
   */
  CreditsChanged = 'credits.changed',
  /**
   * `generateTrack` wrote a job (and its hold) and wants it run.
   * Queue `generation`: the worker's generation processor runs it; the BullMQ job id is the event
   * id, so a relay that publishes twice cannot run the job twice.
   */
  JobRequested = 'job.requested',
  /**
   * Something a user's webhooks may subscribe to happened (generation.completed, track.updated...).
   * Queue `webhooks`: the delivery processor signs and sends it to each matching endpoint.
   */
  WebhookEvent = 'webhook.event',
  /**
   * Something operators must look at: a provider balance below its threshold, a ledger check
   * that found discrepancies. Pub/sub only: admin sessions' notifications.
   */
  AdminAlert = 'admin.alert',
  /**
   * A generation job changed status (queued, running, succeeded, failed, cancelled).
   * Pub/sub only: API instances push `jobUpdated` and `jobProgress` to the owner's subscriptions.
   */
  JobUpdated = 'job.updated',
}

/** The payload each topic carries (JSON). */
export interface TopicPayloads {
  [Topic.CreditsChanged]: { available: number; held: number };
  [Topic.JobRequested]: { jobId: string };
  [Topic.WebhookEvent]: { type: string; data: Record<string, unknown> };
  [Topic.AdminAlert]: { kind: 'provider_balance_low' | 'ledger_discrepancy'; message: string; details: Record<string, unknown> };
  /** `job`: the whole job at the change (a JobSnapshot), so subscribers need not read it again. */
  [Topic.JobUpdated]: { jobId: string; userId: string; status: string; progress: number; stage: string; job: Record<string, unknown> };
}

/** Where the relay delivers a topic's events; at least one of the two. */
export interface Route {
  /** Redis PUBLISH on `<redisPrefix>outbox:<topic>`, for every API instance's subscribers. */
  pubsub?: boolean;
  /** BullMQ queue that receives one job per event, named after the topic, with jobId = event id. */
  queue?: string;
  /**
   * BullMQ options for those jobs (attempts, backoff...), over the publisher's defaults: completed
   * jobs kept a day, failed ones a week. A kept job is what makes a re-relayed event a no-op.
   */
  jobOptions?: Omit<JobsOptions, 'jobId'>;
}

export type RouteTable = Readonly<Record<string, Route>>;

/** The platform's routes; a relay may be given another table (tests use their own topics). */
export const ROUTES = {
  [Topic.CreditsChanged]: { pubsub: true },
  // Transient provider failures are retried with backoff; the processor fails the job for good
  // on the last attempt, releasing its hold.
  [Topic.JobRequested]: { queue: QueueName.Generation, jobOptions: { attempts: 3, backoff: { type: 'exponential', delay: 2_000 } } },
  [Topic.WebhookEvent]: { queue: QueueName.Webhooks },
  [Topic.AdminAlert]: { pubsub: true },
  [Topic.JobUpdated]: { pubsub: true },
} as const satisfies Record<Topic, Route>;
