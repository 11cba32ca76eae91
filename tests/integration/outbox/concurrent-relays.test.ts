import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import type { MikroORM } from '../../../server/infra/database/database.js';
import { recordOutboxEvent } from '../../../server/infra/outbox/outbox.js';
import { topicChannel } from '../../../server/infra/outbox/outbox.envelope.js';
import { log, openTestOrm, outboxRows, startRelay, startSubscriber, uniqueNames, waitFor, type RelayRig, type SubscriberRig } from './outbox.harness.js';

const names = uniqueNames();
const routes = { [names.bothTopic]: { pubsub: true, queue: names.queue } };
let orm: MikroORM;
let relays: RelayRig[];
let api: SubscriberRig;
let rawMessages: string[];
let spy: Redis;

beforeAll(async () => {
  orm = await openTestOrm();
  api = await startSubscriber(names.redisPrefix);
  await api.listen(names.bothTopic);
  // Counts what actually went over the wire, before any deduplication.
  rawMessages = [];
  spy = new Redis(inject('redisUrl'));
  await spy.subscribe(`${names.redisPrefix}${topicChannel(names.bothTopic)}`);
  spy.on('message', (_channel: string, message: string) => rawMessages.push(message));
  // Small batches, so the two relays interleave many claims over the same rows.
  relays = await Promise.all([1, 2].map(() => startRelay({ redisPrefix: names.redisPrefix, routes, relay: { batchSize: 10, pollIntervalMs: 100 } })));
});
afterAll(async () => {
  await Promise.all((relays ?? []).map((rig) => rig.close()));
  await api?.close();
  spy?.disconnect();
  await orm?.close();
  log.flush();
});

describe('Two relays at once', () => {
  it('publish every one of 200 events, each exactly once to pub/sub and to the queue', async () => {
    const userId = randomUUID();
    const ids: string[] = [];
    // Several transactions, so events arrive while both relays are already claiming.
    for (let round = 0; round < 4; round += 1) {
      const batch = await orm.em.fork().transactional(async (em) => Array.from({ length: 50 }, (_, n) => recordOutboxEvent(em, { topic: names.bothTopic, userId, payload: { n: round * 50 + n } })));
      ids.push(...batch);
    }
    const queue = relays[0].queues.get(names.queue);
    await waitFor('200 published events', async () => (await outboxRows(relays[0].pool, ids)).every((row) => row.published_at !== null), 20_000);
    await waitFor('200 envelopes at the subscriber', () => api.received(names.bothTopic).length >= 200);

    expect(relays[0].relay.stats.published + relays[1].relay.stats.published).toBe(200);
    expect(await queue.getJobCountByTypes('waiting', 'active', 'delayed', 'completed', 'failed')).toBe(200);
    const jobIds = (await queue.getJobs(['waiting'], 0, 300)).map((job) => job.id);
    expect(new Set(jobIds)).toEqual(new Set(ids));
    expect(new Set(api.received(names.bothTopic).map((e) => e.id))).toEqual(new Set(ids));
    expect(api.received(names.bothTopic)).toHaveLength(200);
    expect(rawMessages).toHaveLength(200);
  });

  it('re-relaying an event after a crash before marking adds no second job, and listeners see it once', async () => {
    const userId = randomUUID();
    const eventId = await orm.em.fork().transactional(async (em) => recordOutboxEvent(em, { topic: names.bothTopic, userId, payload: { once: true } }));
    await waitFor('the first delivery', () => api.received(names.bothTopic).some((e) => e.id === eventId));
    const wireBefore = rawMessages.length;
    const droppedBefore = api.events.duplicatesDropped;

    // What a relay that died after publishing but before its commit leaves behind: the row unmarked.
    await relays[0].pool.query('update outbox set published_at = null where id = $1', [eventId]);
    await waitFor('the re-published envelope on the wire', () => rawMessages.slice(wireBefore).some((m) => m.includes(eventId)));
    await waitFor('the subscriber dropping it', () => api.events.duplicatesDropped > droppedBefore);

    expect(api.received(names.bothTopic).filter((e) => e.id === eventId)).toHaveLength(1);
    const queue = relays[0].queues.get(names.queue);
    const jobs = (await queue.getJobs(['waiting'], 0, 500)).filter((job) => job.id === eventId);
    expect(jobs).toHaveLength(1);
    expect((await outboxRows(relays[0].pool, [eventId]))[0].published_at).not.toBeNull();
  });
});
