import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MaintenanceJob } from '../../../workers/maintenance/maintenance.jobs.js';
import { QueueName } from '../../../server/infra/queues/queue.names.js';
import { dataOf, gql } from '../../support/graphql-client.js';
import { startGenerationStack, type GenerationStack } from '../../support/generation-stack.js';
import { freePort, RedisServer } from '../../support/processes.js';
import { eventually } from '../../support/sessions.js';
import { signInNewUser, type SignedInUser } from '../../support/users.js';

/**
 * Redis restarts, empty (no persistence), while a job runs, another waits in its queue and a
 * third is submitted during the outage. PostgreSQL keeps the truth: every job still finishes,
 * each charged once, and subscribers see the end.
 */
let redis: RedisServer;
let stack: GenerationStack;
beforeAll(async () => {
  redis = new RedisServer(await freePort());
  await redis.start();
  stack = await startGenerationStack(
    'redisrestart',
    { REDIS_URL: redis.url, PROVIDER_LOCAL_SPEED: '2', GENERATION_CONCURRENCY: '1', WORKER_LOCK_MS: '1000' },
    // Fast sweeps, so the test sees the lost queue entry recovered within seconds.
    [{ queue: QueueName.Maintenance, id: 'test-requeue', everyMs: 500, name: MaintenanceJob.RequeueStuckJobs, data: { queuedMs: 1_500, runningMs: 5_000 } }],
  );
});
afterAll(async () => {
  await stack.stop();
  await redis.stop();
});

async function submit(user: SignedInUser, seconds: number): Promise<string> {
  const job = dataOf(await gql<{ generateTrack: { id: string } }>(stack.api.url, `mutation($input: GenerateTrackInput!) { generateTrack(input: $input) { id } }`, {
    token: user.token,
    variables: { input: { prompt: 'music through a storm', durationSeconds: seconds, idempotencyKey: randomUUID() } },
  })).generateTrack;
  return Buffer.from(job.id, 'base64url').toString('utf8').split(':')[1]!;
}

async function status(jobId: string): Promise<{ status: string; progress: number }> {
  const rows = await stack.api.infra.orm.em.fork().execute<{ status: string; progress: number }[]>(`select status, progress from jobs where id = ?`, [jobId]);
  return rows[0]!;
}

describe('a Redis restart during generation', () => {
  it('loses no job: the running one finishes, the queued one is recovered, one submitted meanwhile runs', { timeout: 90_000 }, async () => {
    const [first, second, third] = [await signInNewUser(stack.api.url), await signInNewUser(stack.api.url), await signInNewUser(stack.api.url)];
    const running = await submit(first, 8);
    const queued = await submit(second, 5);
    await eventually(async () => ((await status(running)).status === 'RUNNING' && (await status(running)).progress >= 10 ? true : undefined), 'the first job to run', 15_000);
    expect((await status(queued)).status).toBe('QUEUED');

    await redis.stop();
    const duringOutage = await submit(third, 5);
    await redis.start();

    for (const jobId of [running, queued, duringOutage]) {
      await eventually(async () => ((await status(jobId)).status === 'SUCCEEDED' ? true : undefined), `job ${jobId} to succeed`, 40_000).catch(async (error: unknown) => {
        throw new Error(`${String(error)}; jobs: ${JSON.stringify(await Promise.all([running, queued, duringOutage].map(status)))}`);
      });
    }
    const em = stack.api.infra.orm.em.fork();
    for (const user of [first, second, third]) {
      const commits = await em.execute<{ n: string }[]>(`select count(*) as n from credit_transactions where user_id = ? and type = 'COMMIT'`, [user.userId]);
      expect(Number(commits[0]!.n)).toBe(1);
      const tracks = await em.execute<{ n: string }[]>(`select count(*) as n from tracks where user_id = ?`, [user.userId]);
      expect(Number(tracks[0]!.n)).toBe(1);
    }
  });
});
