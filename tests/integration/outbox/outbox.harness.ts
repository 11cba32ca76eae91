import { randomUUID } from 'node:crypto';
import { Redis, type RedisOptions } from 'ioredis';
import pg from 'pg';
import { pino } from 'pino';
import { inject } from 'vitest';
import { openDatabase, type MikroORM } from '../../../server/infra/database/database.js';
import { EventSubscriber } from '../../../server/infra/outbox/event-subscriber.js';
import type { OutboxEnvelope } from '../../../server/infra/outbox/outbox.envelope.js';
import { OutboxPublisher } from '../../../server/infra/outbox/outbox-publisher.js';
import { OutboxRelay, type OutboxRelayOptions } from '../../../server/infra/outbox/outbox-relay.js';
import type { RouteTable } from '../../../server/infra/outbox/outbox.topics.js';
import { Broadcast } from '../../../server/infra/pubsub/broadcast.js';
import { QueueRegistry } from '../../../server/infra/queues/queue.registry.js';

export const log = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });

/** Names no other test uses: topics, a queue, and a Redis prefix under the run's own. */
export function uniqueNames() {
  const suffix = randomUUID().slice(0, 8);
  return {
    suffix,
    pubsubTopic: `test.${suffix}.pubsub`,
    queueTopic: `test.${suffix}.queued`,
    bothTopic: `test.${suffix}.both`,
    queue: `test-${suffix}`,
    redisPrefix: `${inject('redisPrefix')}${suffix}:`,
  };
}

export async function openTestOrm(): Promise<MikroORM> {
  return openDatabase(inject('databaseUrl'), 4);
}

/** Polls `check` until it returns true or the deadline passes (then fails with `what`). */
export async function waitFor(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export interface RelayRig {
  relay: OutboxRelay;
  queues: QueueRegistry;
  pool: pg.Pool;
  close: () => Promise<void>;
}

/** A relay as the worker builds one: its own pool, LISTEN connection, publisher and queues. */
export async function startRelay(options: { redisUrl?: string; redisPrefix: string; routes: RouteTable; relay?: OutboxRelayOptions; publisherRedis?: RedisOptions; start?: boolean }): Promise<RelayRig> {
  const redisUrl = options.redisUrl ?? inject('redisUrl');
  const databaseUrl = inject('databaseUrl');
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 2 });
  const publisherRedis = new Redis(redisUrl, { ...options.publisherRedis, enableOfflineQueue: false, lazyConnect: true });
  publisherRedis.on('error', () => undefined);
  await publisherRedis.connect();
  const queues = new QueueRegistry({ redisUrl, redisPrefix: options.redisPrefix }, log);
  const publisher = new OutboxPublisher(publisherRedis, options.redisPrefix, queues);
  const relay = new OutboxRelay({ pool, databaseUrl, publisher, log }, { routes: options.routes, ...options.relay });
  if (options.start !== false) await relay.start();
  return {
    relay,
    queues,
    pool,
    close: async () => {
      await relay.stop();
      await queues.close();
      publisherRedis.disconnect();
      await pool.end();
    },
  };
}

export interface SubscriberRig {
  events: EventSubscriber;
  /** Every envelope listeners received, per topic, after deduplication. */
  received: (topic: string) => OutboxEnvelope[];
  listen: (topic: string) => Promise<void>;
  close: () => Promise<void>;
}

/** The API side: an EventSubscriber over a Broadcast, as app.ts would build it. */
export async function startSubscriber(redisPrefix: string, redisUrl = inject('redisUrl'), redisOptions: RedisOptions = {}): Promise<SubscriberRig> {
  const publisher = new Redis(redisUrl, redisOptions);
  const subscriber = new Redis(redisUrl, redisOptions);
  for (const connection of [publisher, subscriber]) connection.on('error', () => undefined);
  const events = new EventSubscriber(new Broadcast(publisher, subscriber, redisPrefix, log), log);
  const seen = new Map<string, OutboxEnvelope[]>();
  return {
    events,
    received: (topic) => seen.get(topic) ?? [],
    listen: async (topic) => {
      const list: OutboxEnvelope[] = [];
      seen.set(topic, list);
      await events.on(topic, (envelope) => list.push(envelope));
    },
    close: async () => {
      publisher.disconnect();
      subscriber.disconnect();
    },
  };
}

export interface OutboxRowState {
  id: string;
  attempts: number;
  last_error: string | null;
  published_at: Date | null;
}

export async function outboxRows(pool: pg.Pool, ids: string[]): Promise<OutboxRowState[]> {
  const { rows } = await pool.query<OutboxRowState>('select id, attempts, last_error, published_at from outbox where id = any($1::uuid[])', [ids]);
  return rows;
}
