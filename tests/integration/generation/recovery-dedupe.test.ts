import { randomUUID } from 'node:crypto';
import type { Queue } from 'bullmq';
import type { MikroORM } from '@mikro-orm/postgresql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { openDatabase } from '../../../server/infra/database/database.js';
import { createLogger } from '../../../server/infra/logger.js';
import { createQueue } from '../../../server/infra/queues/queue.factory.js';
import { requeueStuckJobs } from '../../../workers/generation/generation.recovery.js';
import { createOwnDatabase } from '../worker/worker-process.harness.js';

/**
 * The recovery sweep re-queues QUEUED jobs whose queue entry Redis lost, and only those: a job
 * that merely waits its turn (its job.requested event not relayed yet, or its entry still in
 * the queue) must not get a second entry, or its audio would be rendered twice.
 */
let database: { url: string; drop: () => Promise<void> };
let orm: MikroORM;
let queue: Queue;
const THRESHOLDS = { queuedMs: 0, runningMs: 3_600_000 };

beforeAll(async () => {
  database = await createOwnDatabase(`recovery${randomUUID().slice(0, 6)}`);
  orm = await openDatabase(database.url, 2);
  queue = createQueue({ redisUrl: inject('redisUrl'), redisPrefix: `${inject('redisPrefix')}recovery:` }, 'generation', createLogger('silent', 'test'));
});
afterAll(async () => {
  await queue?.obliterate({ force: true });
  await queue?.close();
  await orm?.close();
  await database?.drop();
});

/** A queued job made a minute ago, and its job.requested outbox event (published or not). */
async function queuedJob(published: boolean): Promise<{ jobId: string; eventId: string }> {
  const em = orm.em.fork();
  const [user] = await em.execute<Array<{ id: string }>>(`insert into users (id, telegram_id, first_name, created_at, updated_at) values (?, ?, 'R', now(), now()) returning id`, [
    randomUUID(),
    String(Math.floor(Math.random() * 1e12)),
  ]);
  const jobId = randomUUID();
  await em.execute(
    `insert into jobs (id, user_id, status, progress, stage, prompt, instrumental, duration_seconds, model, seed, cost, hold_id, idempotency_key, attempts, created_at, updated_at)
     values (?, ?, 'QUEUED', 0, 'queued', 'p', false, 5, 'mv-lite', 1, 1, ?, ?, 0, now() - interval '1 minute', now() - interval '1 minute')`,
    [jobId, user!.id, randomUUID(), randomUUID()],
  );
  const eventId = randomUUID();
  await em.execute(`insert into outbox (id, topic, user_id, payload, created_at, available_at, published_at) values (?, 'job.requested', ?, ?, now(), now(), ${published ? 'now()' : 'null'})`, [
    eventId,
    user!.id,
    JSON.stringify({ jobId }),
  ]);
  return { jobId, eventId };
}

async function recoveryEntry(jobId: string): Promise<boolean> {
  return (await queue.getJob(`recover-${jobId}`)) !== undefined;
}

describe('requeue-stuck-jobs', () => {
  it('leaves a job alone while its event waits for the relay or its entry waits in the queue', async () => {
    const unrelayed = await queuedJob(false);
    const waiting = await queuedJob(true);
    await queue.add('job.requested', { jobId: waiting.jobId }, { jobId: waiting.eventId });

    expect(await requeueStuckJobs(orm.em.fork(), queue, THRESHOLDS)).toBe(0);
    expect(await recoveryEntry(unrelayed.jobId)).toBe(false);
    expect(await recoveryEntry(waiting.jobId)).toBe(false);
  });

  it('re-queues a job once Redis no longer has its entry', async () => {
    const lost = await queuedJob(true);
    await queue.add('job.requested', { jobId: lost.jobId }, { jobId: lost.eventId });
    await (await queue.getJob(lost.eventId))!.remove();

    const requeued = await requeueStuckJobs(orm.em.fork(), queue, THRESHOLDS);
    expect(requeued).toBeGreaterThanOrEqual(1);
    expect(await recoveryEntry(lost.jobId)).toBe(true);
  });
});
