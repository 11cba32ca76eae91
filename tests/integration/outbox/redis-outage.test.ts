import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MikroORM } from '../../../server/infra/database/database.js';
import { recordOutboxEvent } from '../../../server/infra/outbox/outbox.js';
import { log, openTestOrm, outboxRows, startRelay, startSubscriber, uniqueNames, waitFor, type RelayRig, type SubscriberRig } from './outbox.harness.js';
import { freePort, startRedisServer, type RedisServer } from './redis-server.harness.js';

const names = uniqueNames();
let port: number;
let redis: RedisServer;
let orm: MikroORM;
let rig: RelayRig;
let api: SubscriberRig;

beforeAll(async () => {
  port = await freePort();
  redis = await startRedisServer(port);
  orm = await openTestOrm();
  // Pub/sub reaches only subscribers connected at the moment of PUBLISH, so the subscriber
  // reconnects quickly and the relay's publisher slowly: after the restart the subscriber is back
  // before the first re-publish, as API instances normally are long before a retry.
  api = await startSubscriber(names.redisPrefix, redis.url, { retryStrategy: () => 10 });
  await api.listen(names.bothTopic);
  rig = await startRelay({
    redisUrl: redis.url,
    redisPrefix: names.redisPrefix,
    routes: { [names.bothTopic]: { pubsub: true, queue: names.queue } },
    relay: { pollIntervalMs: 50, retryBaseMs: 50, retryMaxMs: 400, publishTimeoutMs: 1_000 },
    publisherRedis: { retryStrategy: () => 300 },
  });
});
afterAll(async () => {
  await rig?.close();
  await api?.close();
  await redis?.stop();
  await orm?.close();
  log.flush();
});

describe('Redis unavailable', () => {
  it('keeps events unpublished with attempts counted, and delivers them once Redis is back', async () => {
    const userId = randomUUID();
    const record = (n: number) => orm.em.fork().transactional(async (em) => recordOutboxEvent(em, { topic: names.bothTopic, userId, payload: { n } }));

    const before = await record(0);
    await waitFor('delivery while Redis is up', () => api.received(names.bothTopic).some((e) => e.id === before));
    // The message can arrive before the relay has queued the event and marked it published;
    // stopping Redis in between would (rightly) send it again after the restart.
    await waitFor('the first event marked published', async () => (await outboxRows(rig.pool, [before]))[0]?.published_at != null);

    await redis.stop();
    const ids = [await record(1), await record(2), await record(3)];
    await waitFor('failed attempts on every event', async () => {
      const rows = await outboxRows(rig.pool, ids);
      return rows.length === 3 && rows.every((row) => row.attempts >= 2);
    });
    const stuck = await outboxRows(rig.pool, ids);
    for (const row of stuck) {
      expect(row.published_at).toBeNull();
      expect(row.last_error).toMatch(/\S/);
    }
    expect(api.received(names.bothTopic).map((e) => e.id)).toEqual([before]);

    redis = await startRedisServer(port);
    await waitFor('every event published after the restart', async () => (await outboxRows(rig.pool, ids)).every((row) => row.published_at !== null), 20_000);
    await waitFor('every event at the subscriber', () => api.received(names.bothTopic).length === 4, 5_000);
    // Retries keep no order (each event has its own backoff); consumers that care compare createdAt.
    expect(new Set(api.received(names.bothTopic).map((e) => e.id))).toEqual(new Set([before, ...ids]));

    // The restarted Redis is empty: the queue holds exactly the three events relayed after it.
    const queue = rig.queues.get(names.queue);
    const jobIds = (await queue.getJobs(['waiting'], 0, 10)).map((job) => job.id);
    expect(new Set(jobIds)).toEqual(new Set(ids));
  });
});
