import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MikroORM } from '../../../server/infra/database/database.js';
import { OutboxEvent } from '../../../server/infra/outbox/outbox-event.entity.js';
import { KEPT_FINISHED_JOBS } from '../../../server/infra/outbox/outbox-publisher.js';
import { recordOutboxEvent } from '../../../server/infra/outbox/outbox.js';
import { log, openTestOrm, outboxRows, startRelay, startSubscriber, uniqueNames, waitFor, type RelayRig, type SubscriberRig } from './outbox.harness.js';

const names = uniqueNames();
let orm: MikroORM;
let rig: RelayRig;
let api: SubscriberRig;

beforeAll(async () => {
  orm = await openTestOrm();
  api = await startSubscriber(names.redisPrefix);
  rig = await startRelay({
    redisPrefix: names.redisPrefix,
    routes: { [names.bothTopic]: { pubsub: true, queue: names.queue }, [names.pubsubTopic]: { pubsub: true } },
    // Longer than any wait below: every delivery in this file comes from the NOTIFY wake-up.
    relay: { pollIntervalMs: 60_000 },
  });
  await api.listen(names.bothTopic);
  await api.listen(names.pubsubTopic);
});
afterAll(async () => {
  await rig?.close();
  await api?.close();
  await orm?.close();
  log.flush();
});

describe('Committed event', () => {
  it('wakes the relay at commit and reaches Redis subscribers and its queue once, as the recorded envelope', async () => {
    const userId = randomUUID();
    const eventId = await orm.em.fork().transactional(async (em) => recordOutboxEvent(em, { topic: names.bothTopic, userId, payload: { available: 7, held: 3 } }));

    await waitFor('the event on pub/sub', () => api.received(names.bothTopic).length > 0);
    const [envelope] = api.received(names.bothTopic);
    expect(envelope).toMatchObject({ id: eventId, topic: names.bothTopic, userId, payload: { available: 7, held: 3 } });
    expect(Number.isNaN(Date.parse(envelope.createdAt))).toBe(false);

    const queue = rig.queues.get(names.queue);
    await waitFor('the job in the queue', async () => (await queue.getJob(eventId)) !== undefined);
    const job = await queue.getJob(eventId);
    expect(job?.name).toBe(names.bothTopic);
    expect(job?.data).toEqual(envelope);
    // Kept once finished for a bounded time and number: Redis must not grow with the job rate.
    expect([job?.opts.removeOnComplete, job?.opts.removeOnFail]).toEqual([{ age: 86_400, count: KEPT_FINISHED_JOBS }, { age: 604_800, count: KEPT_FINISHED_JOBS }]);
    expect(await queue.getJobCountByTypes('waiting', 'active', 'delayed', 'completed', 'failed')).toBe(1);

    // Marked only after both destinations had it, in the claim's transaction.
    await waitFor('the event marked published', async () => (await outboxRows(rig.pool, [eventId]))[0].published_at !== null);
    expect((await outboxRows(rig.pool, [eventId]))[0].attempts).toBe(0);
    expect(api.received(names.bothTopic)).toHaveLength(1);
  });

  it('is recorded in the same transaction as the domain change and keeps the order it was recorded in', async () => {
    const userId = randomUUID();
    const ids = await orm.em.fork().transactional(async (em) => [1, 2, 3].map((n) => recordOutboxEvent(em, { topic: names.pubsubTopic, userId, payload: { n } })));
    await waitFor('three events', () => api.received(names.pubsubTopic).filter((e) => e.userId === userId).length === 3);
    expect(api.received(names.pubsubTopic).filter((e) => e.userId === userId).map((e) => e.id)).toEqual(ids);
  });
});

describe('Rolled-back event', () => {
  it('is never stored nor published, while a later committed one is', async () => {
    const userId = randomUUID();
    let doomedId = '';
    await expect(
      orm.em.fork().transactional(async (em) => {
        doomedId = recordOutboxEvent(em, { topic: names.pubsubTopic, userId, payload: { doomed: true } });
        await em.flush();
        throw new Error('domain change refused');
      }),
    ).rejects.toThrow('domain change refused');

    // A marker committed after the rollback: once it is delivered, anything older would have been.
    const markerId = await orm.em.fork().transactional(async (em) => recordOutboxEvent(em, { topic: names.pubsubTopic, userId, payload: { marker: true } }));
    await waitFor('the marker event', () => api.received(names.pubsubTopic).some((e) => e.id === markerId));

    expect(api.received(names.pubsubTopic).filter((e) => e.userId === userId).map((e) => e.id)).toEqual([markerId]);
    expect(await orm.em.fork().count(OutboxEvent, { id: doomedId })).toBe(0);
  });
});

describe('Event stream', () => {
  it('yields only the events its filter accepts, and unsubscribes when the consumer stops', async () => {
    const mine = randomUUID();
    const theirs = randomUUID();
    const stream = api.events.stream(names.pubsubTopic, { filter: (e) => e.userId === mine });
    const first = stream.next();
    await orm.em.fork().transactional(async (em) => {
      recordOutboxEvent(em, { topic: names.pubsubTopic, userId: theirs, payload: { n: 1 } });
      recordOutboxEvent(em, { topic: names.pubsubTopic, userId: mine, payload: { n: 2 } });
    });
    const { value } = await first;
    expect(value).toMatchObject({ userId: mine, payload: { n: 2 } });
    expect(await stream.return?.()).toEqual({ value: undefined, done: true });
    expect(await stream.next()).toEqual({ value: undefined, done: true });
  });
});
