import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import type { ApiServer } from '../../../server/app.js';
import { createLogger } from '../../../server/infra/logger.js';
import { startWorker, type RunningWorker } from '../../../workers/worker.js';
import { startTestApi, testConfig, testEnv } from '../../support/api.js';
import { dataOf, gql } from '../../support/graphql-client.js';
import { eventually } from '../../support/sessions.js';
import { signInNewUser } from '../../support/users.js';
import { createOwnDatabase, runWorker, type WorkerProcess } from '../worker/worker-process.harness.js';

/**
 * A worker process is killed with SIGKILL in the middle of a job: no cleanup, no goodbye. Once
 * its claim on the job lapses (WORKER_LOCK_MS) another worker takes the job over and finishes
 * it, and the user is charged exactly once.
 */
let database: { url: string; drop: () => Promise<void> };
let storageDir: string;
let env: Record<string, string>;
let api: ApiServer;
let doomed: WorkerProcess;
let rescuer: RunningWorker | undefined;
beforeAll(async () => {
  database = await createOwnDatabase(`crash${randomUUID().slice(0, 6)}`);
  storageDir = await mkdtemp(join(tmpdir(), 'mv-crash-'));
  env = testEnv({ DATABASE_URL: database.url, REDIS_PREFIX: `${inject('redisPrefix')}crash:`, STORAGE_DIR: storageDir, WORKER_LOCK_MS: '1000', LOG_LEVEL: 'silent' });
  api = await startTestApi(env);
});
afterAll(async () => {
  if (doomed?.child.exitCode === null) doomed.child.kill('SIGKILL');
  await rescuer?.stop();
  await api.stop();
  await database.drop();
  await rm(storageDir, { recursive: true, force: true });
});

interface JobRow {
  status: string;
  progress: number;
  attempts: number;
  hold_id: string;
  cost: number;
}

async function jobRow(jobId: string): Promise<JobRow> {
  const rows = await api.infra.orm.em.fork().execute<JobRow[]>(`select status, progress, attempts, hold_id, cost from jobs where id = ?`, [jobId]);
  return rows[0]!;
}

describe('a worker killed mid-job', () => {
  it('is replaced by another worker that finishes the job, charging once and making one track', async () => {
    // The first worker renders at real time, so the job is surely in flight when it dies.
    doomed = runWorker({ ...env, PROVIDER_LOCAL_SPEED: '1' });
    const user = await signInNewUser(api.url);
    const job = dataOf(await gql<{ generateTrack: { id: string; cost: number } }>(api.url, `mutation($input: GenerateTrackInput!) { generateTrack(input: $input) { id cost } }`, {
      token: user.token,
      variables: { input: { prompt: 'a long ambient drone', durationSeconds: 40, idempotencyKey: randomUUID() } },
    })).generateTrack;
    const jobId = Buffer.from(job.id, 'base64url').toString('utf8').split(':')[1]!;

    await eventually(async () => {
      const row = await jobRow(jobId);
      return row.status === 'RUNNING' && row.progress >= 10 ? row : undefined;
    }, 'the first worker to be mid-job', 20_000);
    doomed.child.kill('SIGKILL');
    expect(await doomed.exited).toBeNull();

    rescuer = await startWorker(testConfig({ ...env, PROVIDER_LOCAL_SPEED: 'full' }), createLogger('silent', 'rescuer'), { schedules: [] });
    const done = await eventually(async () => {
      const row = await jobRow(jobId);
      return row.status === 'SUCCEEDED' ? row : undefined;
    }, 'the second worker to finish the job', 30_000);
    expect(done.attempts).toBe(2);

    const em = api.infra.orm.em.fork();
    const tracks = await em.execute<{ n: string }[]>(`select count(*) as n from tracks where user_id = ?`, [user.userId]);
    expect(Number(tracks[0]!.n)).toBe(1);
    const commits = await em.execute<{ held_delta: number }[]>(`select held_delta from credit_transactions where user_id = ? and type = 'COMMIT'`, [user.userId]);
    expect(commits).toEqual([{ held_delta: -job.cost }]);
    const credits = dataOf(await gql<{ viewer: { credits: { available: number; held: number } } }>(api.url, `{ viewer { credits { available held } } }`, { token: user.token })).viewer.credits;
    expect(credits).toEqual({ available: 50 - job.cost, held: 0 });
  });
});
