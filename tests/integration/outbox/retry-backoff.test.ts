import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MikroORM } from '../../../server/infra/database/database.js';
import { recordOutboxEvent } from '../../../server/infra/outbox/outbox.js';
import { log, openTestOrm, startRelay, uniqueNames, type RelayRig } from './outbox.harness.js';
import { freePort, startRedisServer, type RedisServer } from './redis-server.harness.js';

const names = uniqueNames();
let redis: RedisServer;
let orm: MikroORM;
let rig: RelayRig;

beforeAll(async () => {
  redis = await startRedisServer(await freePort());
  orm = await openTestOrm();
  // Not started: the test drives single batches with relayOnce() to read each retry delay.
  rig = await startRelay({
    redisUrl: redis.url,
    redisPrefix: names.redisPrefix,
    routes: { [names.queueTopic]: { queue: names.queue } },
    relay: { retryBaseMs: 60_000, retryMaxMs: 200_000 },
    start: false,
  });
  // The queue connects while Redis is up, as in a worker that started normally.
  await rig.queues.get(names.queue).waitUntilReady();
  await redis.stop();
});
afterAll(async () => {
  await rig?.close();
  await orm?.close();
  log.flush();
});

interface RetryState {
  attempts: number;
  last_error: string | null;
  delay_ms: number;
}

async function retryState(id: string): Promise<RetryState> {
  const { rows } = await rig.pool.query<RetryState>(
    `select attempts, last_error, extract(epoch from available_at - now()) * 1000 as delay_ms from outbox where id = $1`,
    [id],
  );
  return { ...rows[0], delay_ms: Number(rows[0].delay_ms) };
}

describe('Failed publish', () => {
  it('counts the attempt, keeps the error and doubles the delay up to the maximum', async () => {
    const id = await orm.em.fork().transactional(async (em) => recordOutboxEvent(em, { topic: names.queueTopic, userId: randomUUID(), payload: {} }));
    const delays: number[] = [];
    for (let attempt = 1; attempt <= 3; attempt += 1) {
      expect(await rig.relay.relayOnce()).toBe(0);
      const state = await retryState(id);
      expect(state.attempts).toBe(attempt);
      expect(state.last_error).toMatch(/\S/);
      delays.push(state.delay_ms);
      // Not due yet: another batch leaves it alone.
      expect(await rig.relay.relayOnce()).toBe(0);
      expect((await retryState(id)).attempts).toBe(attempt);
      // Make it due now, as time passing would.
      await rig.pool.query('update outbox set available_at = now() where id = $1', [id]);
    }
    // 60 s, 120 s, then capped at 200 s (a few ms lost between the update and the read).
    expect(delays[0]).toBeGreaterThan(59_000);
    expect(delays[0]).toBeLessThanOrEqual(60_000);
    expect(delays[1]).toBeGreaterThan(119_000);
    expect(delays[1]).toBeLessThanOrEqual(120_000);
    expect(delays[2]).toBeGreaterThan(199_000);
    expect(delays[2]).toBeLessThanOrEqual(200_000);
    expect(rig.relay.stats).toMatchObject({ published: 0, failed: 3 });
  });
});
