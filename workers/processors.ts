import type { Processor } from 'bullmq';
import type { Config } from '../server/config.js';
import { QueueName } from '../server/infra/queues/queue.names.js';
import { maintenanceProcessor } from './maintenance/maintenance.processor.js';
import { MaintenanceJob, OUTBOX_RETENTION_DAYS } from './maintenance/maintenance.jobs.js';
import type { WorkerContext } from './worker.context.js';
import { ledgerProcessor } from './ledger/ledger.processor.js';
import { createGenerationProcessor } from './generation/generation.registration.js';
import { webhooksProcessor } from './webhooks/webhooks.processor.js';
import { webhookSweepSchedule } from './webhooks/webhooks.jobs.js';
import { LedgerJob } from './ledger/ledger.jobs.js';
import { DELETED_TRACK_FILES_RETENTION_DAYS } from '../server/modules/tracks/track-files.cleanup.js';

/** One queue this worker consumes: how many jobs at once, and the function that runs them. */
export interface ProcessorRegistration {
  queue: QueueName;
  /** Jobs of this queue run at once in one worker process (a number, or read from the configuration). */
  concurrency: number | ((config: Config) => number);
  create: (ctx: WorkerContext) => Processor | Promise<Processor>;
}

/**
 * Every queue the worker process consumes. A later module adds its line here (generation,
 * webhooks...) and nothing else in the worker changes.
 */
export const PROCESSORS: readonly ProcessorRegistration[] = [
  { queue: QueueName.Maintenance, concurrency: 1, create: maintenanceProcessor },
  { queue: QueueName.Ledger, concurrency: 1, create: ledgerProcessor },
  { queue: QueueName.Generation, concurrency: (config) => config.generationConcurrency, create: createGenerationProcessor },
  { queue: QueueName.Webhooks, concurrency: 4, create: webhooksProcessor },
];

/** A repeatable job. Upserting is idempotent, so every worker process may register them all. */
export interface Schedule {
  queue: QueueName;
  /** Job scheduler id: one schedule per id however many workers upsert it. */
  id: string;
  everyMs: number;
  name: string;
  data: Record<string, unknown>;
}

export const SCHEDULES: readonly Schedule[] = [
  {
    queue: QueueName.Maintenance,
    id: MaintenanceJob.OutboxPrune,
    everyMs: 60 * 60 * 1_000,
    name: MaintenanceJob.OutboxPrune,
    data: { olderThanDays: OUTBOX_RETENTION_DAYS },
  },
  {
    queue: QueueName.Maintenance,
    id: MaintenanceJob.PurgeDeletedTrackFiles,
    everyMs: 60 * 60 * 1_000,
    name: MaintenanceJob.PurgeDeletedTrackFiles,
    data: { olderThanDays: DELETED_TRACK_FILES_RETENTION_DAYS },
  },
  { queue: QueueName.Maintenance, id: MaintenanceJob.RequeueStuckJobs, everyMs: 30_000, name: MaintenanceJob.RequeueStuckJobs, data: {} },
  // Holds are expired "within seconds" of their expiry.
  { queue: QueueName.Ledger, id: LedgerJob.ExpireHolds, everyMs: 2_000, name: LedgerJob.ExpireHolds, data: {} },
  { queue: QueueName.Ledger, id: LedgerJob.DailyGrants, everyMs: 10 * 60 * 1_000, name: LedgerJob.DailyGrants, data: {} },
  { queue: QueueName.Ledger, id: LedgerJob.Check, everyMs: 15 * 60 * 1_000, name: LedgerJob.Check, data: {} },
  // Webhook tries whose queue job was lost are sent within seconds of being due.
  webhookSweepSchedule(),
];
