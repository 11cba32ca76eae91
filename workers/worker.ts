import 'reflect-metadata';
import type { Worker } from 'bullmq';
import { Redis } from 'ioredis';
import pg from 'pg';
import type { Logger } from 'pino';
import type { Config } from '../server/config.js';
import { openDatabase, pendingMigrations, type MikroORM } from '../server/infra/database/database.js';
import { OutboxPublisher } from '../server/infra/outbox/outbox-publisher.js';
import { OutboxRelay, type OutboxRelayOptions } from '../server/infra/outbox/outbox-relay.js';
import { ROUTES } from '../server/infra/outbox/outbox.topics.js';
import { createConsumer } from '../server/infra/queues/queue.factory.js';
import { QueueRegistry } from '../server/infra/queues/queue.registry.js';
import { createRedis } from '../server/infra/redis/redis.js';
import { PROCESSORS, SCHEDULES, type ProcessorRegistration, type Schedule } from './processors.js';
import type { WorkerContext } from './worker.context.js';

export interface WorkerOptions {
  /** Queues consumed; default PROCESSORS. */
  processors?: readonly ProcessorRegistration[];
  /** Repeatable jobs registered at start; default SCHEDULES. */
  schedules?: readonly Schedule[];
  relay?: OutboxRelayOptions;
}

export interface RunningWorker {
  relay: OutboxRelay;
  /**
   * Graceful stop: no new outbox batches are claimed, jobs in flight finish (no new ones start),
   * then every connection closes. Safe to call more than once.
   */
  stop: () => Promise<void>;
}

/** Where Redis is, without credentials, for error messages. */
function redisLocation(url: string): string {
  const parsed = new URL(url);
  return `${parsed.hostname}:${parsed.port || '6379'}`;
}

/**
 * The worker process's body: the outbox relay, the BullMQ consumers and the repeatable jobs over
 * one ORM, one pg pool and Redis. Refuses to start on a database with pending migrations, like the
 * API. Runs in-process in tests; workers/main.ts runs it as a process.
 */
export async function startWorker(config: Config, log: Logger, options: WorkerOptions = {}): Promise<RunningWorker> {
  const closers: Array<() => Promise<unknown>> = [];
  const closeAll = async () => {
    // Reverse order of opening: consumers and the relay before the connections they use.
    for (const close of closers.splice(0).reverse()) await close().catch((error: unknown) => log.warn({ err: error }, 'close failed'));
  };
  try {
    const orm: MikroORM = await openDatabase(config.databaseUrl, 5);
    closers.push(() => orm.close());
    const pending = await pendingMigrations(orm);
    if (pending.length > 0) throw new Error(`database has ${pending.length} pending migration(s); run "npm run db:migrate" first`);

    const pool = new pg.Pool({ connectionString: config.databaseUrl, max: 3 });
    pool.on('error', (error) => log.warn({ err: error }, 'idle database connection failed'));
    closers.push(() => pool.end());

    const redis = createRedis(config.redisUrl, config.redisPrefix);
    redis.on('error', (error: Error) => log.warn({ err: error }, 'redis connection error'));
    closers.push(() => redis.quit());
    await redis.ping().catch((error: unknown) => {
      throw new Error(`Redis at ${redisLocation(config.redisUrl)} is not answering (${error instanceof Error ? error.message : String(error)})`);
    });
    // The relay's publisher buffers nothing while Redis is away: a publish fails at once and the
    // event stays in the outbox with its attempt counted.
    const publisherRedis = new Redis(config.redisUrl, { enableOfflineQueue: false, lazyConnect: true });
    publisherRedis.on('error', (error: Error) => log.warn({ err: error }, 'outbox publisher redis error'));
    closers.push(() => publisherRedis.quit());
    await publisherRedis.connect();

    const settings = { redisUrl: config.redisUrl, redisPrefix: config.redisPrefix };
    const queues = new QueueRegistry(settings, log);
    closers.push(() => queues.close());

    // Open the queues the relay feeds while Redis is known to answer: a producer queue that first
    // connects during an outage waits for Redis instead of failing fast.
    const routes = options.relay?.routes ?? ROUTES;
    for (const name of new Set(Object.values(routes).flatMap((route) => (route.queue ? [route.queue] : [])))) {
      await queues.get(name).waitUntilReady();
    }

    const ctx: WorkerContext = { config, orm, pool, redis, queues, log, onClose: (close) => closers.push(close) };
    const schedules = options.schedules ?? SCHEDULES;
    const registerSchedules = async () => {
      for (const schedule of schedules) {
        await queues.get(schedule.queue).upsertJobScheduler(schedule.id, { every: schedule.everyMs }, { name: schedule.name, data: schedule.data, opts: { removeOnComplete: 100, removeOnFail: 100 } });
      }
    };
    await registerSchedules();
    // A Redis that restarted without its data has forgotten the schedules: register them again
    // whenever the connection comes back (upserting is idempotent).
    let connected = true;
    redis.on('close', () => {
      connected = false;
    });
    redis.on('ready', () => {
      if (connected) return;
      connected = true;
      // The producer queues reconnect on their own schedule: retry until they take it.
      void (async () => {
        for (let attempt = 1; attempt <= 60; attempt += 1) {
          try {
            await registerSchedules();
            log.info('schedules registered again after Redis came back');
            return;
          } catch (error) {
            if (attempt === 60) log.error({ err: error }, 'could not register schedules again after Redis came back');
            await new Promise((resolve) => setTimeout(resolve, 500).unref());
          }
        }
      })();
    });

    const consumers: Worker[] = [];
    closers.push(() => Promise.all(consumers.map((consumer) => consumer.close())));
    for (const registration of options.processors ?? PROCESSORS) {
      const concurrency = typeof registration.concurrency === 'function' ? registration.concurrency(config) : registration.concurrency;
      consumers.push(createConsumer(settings, registration.queue, await registration.create(ctx), log.child({ queue: registration.queue }), { concurrency, lockDuration: config.workerLockMs, stalledInterval: config.workerLockMs }));
    }
    await Promise.all(consumers.map((consumer) => consumer.waitUntilReady()));

    const relay = new OutboxRelay({ pool, databaseUrl: config.databaseUrl, publisher: new OutboxPublisher(publisherRedis, config.redisPrefix, queues), log: log.child({ component: 'outbox-relay' }) }, options.relay);
    closers.push(() => relay.stop());
    await relay.start();
    log.info({ queues: consumers.map((c) => c.name) }, 'worker ready: relaying the outbox and consuming queues');

    let stopping: Promise<void> | undefined;
    const stop = () => {
      stopping ??= (async () => {
        log.info('worker stopping: finishing jobs in flight');
        // The relay and the consumers wind down together; connections close after both.
        const relayStopped = relay.stop();
        await Promise.allSettled([relayStopped, ...consumers.map((consumer) => consumer.close())]);
        await closeAll();
        log.info('worker stopped');
      })();
      return stopping;
    };
    return { relay, stop };
  } catch (error) {
    await closeAll();
    throw error;
  }
}
