import { randomUUID } from 'node:crypto';
import type { Queue } from 'bullmq';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { openDatabase, type MikroORM } from '../../../server/infra/database/database.js';
import { recordEvent } from '../../../server/infra/outbox/outbox.js';
import { Topic } from '../../../server/infra/outbox/outbox.topics.js';
import { createQueue } from '../../../server/infra/queues/queue.factory.js';
import { QueueName } from '../../../server/infra/queues/queue.names.js';
import { MaintenanceJob } from '../../../workers/maintenance/maintenance.jobs.js';
import { freePort } from '../outbox/redis-server.harness.js';
import { buildIfStale, createOwnDatabase, runWorker } from './worker-process.harness.js';

const suffix = `w${randomUUID().slice(0, 8)}`;
const redisPrefix = `${inject('redisPrefix')}${suffix}:`;
const settings = { redisUrl: inject('redisUrl'), redisPrefix };
const log = pino({ level: 'silent' });
let database: Awaited<ReturnType<typeof createOwnDatabase>>;
let unmigrated: Awaited<ReturnType<typeof createOwnDatabase>>;
let orm: MikroORM;
let maintenance: Queue;
let generation: Queue;

function workerEnv(overrides: Record<string, string> = {}): Record<string, string> {
  return { NODE_ENV: 'test', LOG_LEVEL: 'info', DATABASE_URL: database.url, REDIS_URL: inject('redisUrl'), REDIS_PREFIX: redisPrefix, ...overrides };
}

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs: number, diagnostics: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; worker output:\n${diagnostics()}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

beforeAll(async () => {
  [, database, unmigrated] = await Promise.all([buildIfStale(), createOwnDatabase(suffix), createOwnDatabase(`${suffix}_empty`, false)]);
  orm = await openDatabase(database.url, 2);
  maintenance = createQueue(settings, QueueName.Maintenance, log);
  generation = createQueue(settings, QueueName.Generation, log);
}, 120_000);
afterAll(async () => {
  await Promise.allSettled([maintenance?.close(), generation?.close(), orm?.close()]);
  await Promise.allSettled([database?.drop(), unmigrated?.drop()]);
});

describe('Start', () => {
  it('refuses bad configuration with one line naming the variable, exit code 1', async () => {
    const worker = runWorker(workerEnv({ REDIS_URL: 'http://127.0.0.1:6379' }));
    expect(await worker.exited).toBe(1);
    const lines = worker.output().trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/bad configuration: REDIS_URL must use redis: or rediss:/);
  });

  it('refuses a database with pending migrations, exit code 1', async () => {
    const worker = runWorker(workerEnv({ DATABASE_URL: unmigrated.url }));
    expect(await worker.exited).toBe(1);
    expect(worker.output()).toMatch(/worker failed to start: database has \d+ pending migration\(s\); run "npm run db:migrate" first/);
  });

  it('refuses to start when Redis does not answer, naming where it looked, exit code 1', async () => {
    const port = await freePort();
    const worker = runWorker(workerEnv({ REDIS_URL: `redis://127.0.0.1:${port}` }));
    expect(await worker.exited).toBe(1);
    expect(worker.output()).toContain(`worker failed to start: Redis at 127.0.0.1:${port} is not answering`);
  });
});

describe('Run and SIGTERM', () => {
  it('relays the outbox, schedules pruning, and on SIGTERM finishes the job in flight, starts no new one and exits 0', async () => {
    const worker = runWorker(workerEnv());

    // The relay runs: an event recorded with its transaction becomes a generation job.
    const jobId = randomUUID();
    const eventId = await orm.em.fork().transactional(async (em) => recordEvent(em, { topic: Topic.JobRequested, userId: randomUUID(), payload: { jobId } }));
    await waitFor('the relayed generation job', async () => (await generation.getJob(eventId)) !== undefined, 20_000, worker.output);
    expect((await generation.getJob(eventId))?.data).toMatchObject({ id: eventId, topic: Topic.JobRequested, payload: { jobId } });
    expect(await maintenance.getJobScheduler(MaintenanceJob.OutboxPrune)).toMatchObject({ every: 3_600_000 });

    const slow = await maintenance.add(MaintenanceJob.TestSlow, { ms: 1_500 });
    await waitFor('the slow job to start', async () => (await slow.getState()) === 'active', 10_000, worker.output);
    worker.child.kill('SIGTERM');
    const queuedAfterSignal = await maintenance.add(MaintenanceJob.TestSlow, { ms: 10 });
    expect(await slow.getState()).toBe('active');

    const code = await worker.exited;
    expect(code, worker.output()).toBe(0);
    const finished = await maintenance.getJob(String(slow.id));
    expect(await finished?.getState()).toBe('completed');
    expect(finished?.returnvalue).toEqual({ sleptMs: 1_500 });
    expect(await queuedAfterSignal.getState()).toBe('waiting');
    expect(worker.output()).toMatch(/worker stopped/);
  });
});
