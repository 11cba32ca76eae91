import { Queue, Worker, type ConnectionOptions, type JobsOptions, type Processor, type WorkerOptions } from 'bullmq';
import type { Logger } from 'pino';
import { bullConnection } from '../redis/redis.js';

/** Where a deployment's queues live: its Redis and the prefix that keeps its keys apart. */
export interface QueueSettings {
  redisUrl: string;
  /** The deployment's `REDIS_PREFIX` (e.g. `mv:`); BullMQ keys go under `<prefix>bull:<queue>:`. */
  redisPrefix: string;
}

/**
 * BullMQ's own `prefix` option, derived from the deployment's, so queues of two deployments (or two
 * test runs) on one Redis never meet, and a run's cleanup of `<prefix>*` removes them too.
 */
export function bullPrefix(redisPrefix: string): string {
  return `${redisPrefix}bull`;
}

/** bullConnection's options in BullMQ's own option type (its typings differ from ioredis's). */
function connection(redisUrl: string, extra: { enableOfflineQueue?: boolean } = {}): ConnectionOptions {
  const { url, maxRetriesPerRequest } = bullConnection(redisUrl);
  return { url, maxRetriesPerRequest, ...extra };
}

/**
 * A producer queue. Its connection does not buffer commands while Redis is away (offline queue
 * off): an `add` fails at once and the caller (the outbox relay) keeps the event and retries,
 * instead of a request hanging until Redis returns.
 */
export function createQueue(settings: QueueSettings, name: string, log: Logger, defaultJobOptions?: JobsOptions): Queue {
  const queue = new Queue(name, {
    connection: connection(settings.redisUrl, { enableOfflineQueue: false }),
    prefix: bullPrefix(settings.redisPrefix),
    defaultJobOptions,
  });
  // BullMQ emits connection trouble as 'error'; unhandled, an EventEmitter error ends the process.
  queue.on('error', (error: Error) => log.warn({ err: error, queue: name }, 'queue connection error'));
  return queue;
}

/** Options of a consumer; `concurrency` defaults to 1 as in BullMQ. */
export type ConsumerOptions = Pick<WorkerOptions, 'concurrency' | 'lockDuration' | 'stalledInterval' | 'limiter'>;

/**
 * A consumer of `name`. Its connection retries forever (`maxRetriesPerRequest: null`), which
 * BullMQ needs for its blocking reads.
 */
export function createConsumer<Data = unknown, Result = unknown>(
  settings: QueueSettings,
  name: string,
  processor: Processor<Data, Result>,
  log: Logger,
  options: ConsumerOptions = {},
): Worker<Data, Result> {
  const worker = new Worker<Data, Result>(name, processor, {
    ...options,
    connection: connection(settings.redisUrl),
    prefix: bullPrefix(settings.redisPrefix),
  });
  worker.on('error', (error: Error) => log.warn({ err: error, queue: name }, 'worker connection error'));
  worker.on('failed', (job, error: Error) => log.warn({ err: error, queue: name, jobId: job?.id, job: job?.name, attempt: job?.attemptsMade }, 'job failed'));
  return worker;
}
