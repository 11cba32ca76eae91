import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../../server/core/clock.js';
import { toGlobalId } from '../../../server/core/global-id.js';
import type { MikroORM } from '../../../server/infra/database/database.js';
import { runStatement } from '../../../server/infra/database/sql-statement.js';
import { CreditsService } from '../../../server/modules/credits/credits.service.js';
import { checkLedger } from '../../../server/modules/credits/ledger-check.js';
import type { JobRecord } from '../../../server/modules/jobs/job.row.js';
import { JobsService } from '../../../server/modules/jobs/jobs.service.js';
import { CLAIM_JOB } from '../../../server/modules/jobs/jobs.sql.js';
import { generationFinishes, type GenerationFinish } from '../../../workers/generation/generation.finishes.js';
import { insertUser, openTestDatabase } from '../../support/database.js';
import { openGenerationRig, type GenerationRig } from '../../support/generation-deps.js';

/**
 * The worker's group commit of job successes (FINISH_GENERATIONS): finishes handed over together
 * are written by one statement, and each job gets what FINISH_GENERATION alone would have given it.
 */
let rig: GenerationRig;
let orm: MikroORM;
let jobs: JobsService;
const credits = new CreditsService(systemClock);
beforeAll(async () => {
  rig = await openGenerationRig('finish-group-commit');
  orm = rig.orm;
  jobs = new JobsService(systemClock, credits, rig.deps.broadcast);
});
afterAll(async () => {
  await rig.close();
});

/** A RUNNING job of `userId` (placed, then claimed as a worker claims it). */
async function runningJob(userId: string, prompt: string): Promise<JobRecord> {
  const job = await jobs.requestGeneration(orm.em.fork(), userId, { prompt, durationSeconds: 5, idempotencyKey: randomUUID() });
  await runStatement(orm.em, CLAIM_JOB, { jobId: job.id, now: new Date() });
  return { ...job, userId } as JobRecord;
}

/** What the worker hands FINISH_GENERATION for `job` once its audio is stored. */
function finishOf(job: JobRecord): GenerationFinish {
  const trackId = randomUUID();
  const versionId = randomUUID();
  return {
    jobId: job.id,
    holdId: job.holdId,
    userId: job.userId,
    charge: job.cost,
    cause: 'COMMIT',
    trackId,
    versionId,
    title: job.prompt,
    style: null,
    prompt: job.prompt,
    projectId: null,
    artifactKey: `tracks/${trackId.slice(0, 2)}/${trackId}-${versionId}.wav`,
    contentType: 'audio/wav',
    sizeBytes: 1000,
    durationSeconds: 5,
    metadata: JSON.stringify({ bpm: 120 }),
    provider: 'local',
    providerCost: 0,
    jobGlobalId: toGlobalId('Job', job.id),
    trackGlobalId: toGlobalId('Track', trackId),
    now: new Date(),
  };
}

async function fundedUser(): Promise<string> {
  const userId = await insertUser(orm, 'enterprise');
  await credits.ensureAccount(orm.em.fork(), userId);
  await credits.grantDaily(orm.em.fork(), userId);
  return userId;
}

async function accountOf(userId: string): Promise<{ available: number; held: number; active_jobs: number }> {
  const [row] = await orm.em.fork().execute<Array<{ available: number; held: number; active_jobs: number }>>(`select available, held, active_jobs from credit_accounts where user_id = ?`, [userId]);
  return row!;
}

async function count(sql: string, params: unknown[]): Promise<number> {
  const [row] = await orm.em.fork().execute<Array<{ n: number }>>(`select count(*)::int as n from ${sql}`, params);
  return row!.n;
}

describe('worker group commit of job successes', () => {
  it('writes finishes handed over together in one statement: each job its track, charge, events', async () => {
    const finishes = generationFinishes(orm.em);
    const users = await Promise.all([fundedUser(), fundedUser(), fundedUser()]);
    await orm.em.fork().execute(
      `insert into webhook_endpoints (id, user_id, url, event_types, secret_ciphertext, enabled, consecutive_failures, created_at, updated_at)
       values (?, ?, 'https://hooks.example.com/in', '{generation.completed}', 'unused', true, 0, now(), now())`,
      [randomUUID(), users[0]],
    );
    const running: JobRecord[] = [];
    for (const userId of users) for (let i = 0; i < 4; i++) running.push(await runningJob(userId, `song ${i}`));
    // The second user's jobs are charged 7 of their 10: each commit journals the rest's release too.
    const asked = running.map((job) => ({ ...finishOf(job), charge: job.userId === users[1] ? 7 : job.cost }));

    // The first goes alone at once; the other eleven wait for it and go together.
    const rows = await Promise.all(asked.map((finish) => finishes.run(finish)));
    expect(finishes.statements).toBe(2);
    rows.forEach((row, i) => expect(row).toMatchObject({ previous_status: 'RUNNING', cancel_requested: false, hold_committed: true, id: running[i]!.id, status: 'SUCCEEDED', track_id: asked[i]!.trackId }));

    for (const userId of users) expect(await accountOf(userId)).toEqual({ available: 5000 - (userId === users[1] ? 28 : 40), held: 0, active_jobs: 0 });
    expect((await checkLedger(orm.em.fork())).filter((d) => users.includes(d.userId))).toEqual([]);
    const jobIds = `{${running.map((job) => job.id).join(',')}}`;
    expect(await count(`track_versions where job_id = any(?::uuid[])`, [jobIds])).toBe(12);
    expect(await count(`tracks t join track_versions v on v.id = t.current_version_id where v.job_id = any(?::uuid[]) and t.revision = 1`, [jobIds])).toBe(12);
    expect(await count(`holds h join jobs j on j.hold_id = h.id where j.id = any(?::uuid[]) and h.status = 'COMMITTED' and h.charged = 10`, [jobIds])).toBe(8);
    expect(await count(`credit_transactions where user_id = ? and type = 'RELEASE' and available_delta = 3`, [users[1]])).toBe(4);
    expect(await count(`outbox where topic = 'job.updated' and payload->>'status' = 'SUCCEEDED' and payload->>'jobId' = any(?::text[])`, [jobIds])).toBe(12);
    // Only the user with an endpoint that takes generation.completed gets the webhook event.
    expect(await count(`outbox where topic = 'webhook.event' and payload->>'type' = 'generation.completed' and user_id = any(?::uuid[])`, [`{${users.join(',')}}`])).toBe(4);
    expect(await count(`outbox where topic = 'webhook.event' and payload->>'type' = 'generation.completed' and user_id = ?`, [users[0]])).toBe(4);
  });

  it('answers each job of a batch as it stands: cancelled, hold expired, already over, asked twice', async () => {
    const finishes = generationFinishes(orm.em);
    const userId = await fundedUser();
    const [first, done, cancelled, expired, over] = await Promise.all(['first', 'done', 'cancelled', 'expired', 'over'].map((prompt) => runningJob(userId, prompt)));
    const em = orm.em.fork();
    await em.execute(`update jobs set cancel_requested_at = now() where id = ?`, [cancelled!.id]);
    await em.execute(`update holds set expires_at = now() - interval '1 second' where id = ?`, [expired!.holdId]);
    await em.execute(`update jobs set status = 'FAILED', finished_at = now() where id = ?`, [over!.id]);
    const doneFinish = finishOf(done!);

    const [, twiceFirst, twiceAgain, ...rest] = await Promise.all(
      [finishOf(first!), doneFinish, { ...doneFinish, trackId: randomUUID() }, finishOf(cancelled!), finishOf(expired!), finishOf(over!)].map((finish) => finishes.run(finish)),
    );
    const [cancelledRow, expiredRow, overRow] = rest;
    expect(finishes.statements).toBe(2);
    expect(twiceFirst).toMatchObject({ hold_committed: true, status: 'SUCCEEDED', track_id: doneFinish.trackId });
    expect(twiceAgain).toBeUndefined();
    expect(cancelledRow).toMatchObject({ previous_status: 'RUNNING', cancel_requested: true, hold_committed: false, id: null });
    expect(expiredRow).toMatchObject({ previous_status: 'RUNNING', cancel_requested: false, hold_committed: false, id: null });
    expect(overRow).toMatchObject({ previous_status: 'FAILED', hold_committed: false, id: null });

    // Two jobs charged and made a track; the other three's holds still wait for their own endings.
    expect(await count(`track_versions where job_id = any(?::uuid[])`, [`{${[first, done, cancelled, expired, over].map((job) => job!.id).join(',')}}`])).toBe(2);
    expect(await count(`holds where user_id = ? and status = 'PENDING'`, [userId])).toBe(3);
    expect(await accountOf(userId)).toMatchObject({ available: 5000 - 50, held: 30 });
    expect((await checkLedger(orm.em.fork())).filter((d) => d.userId === userId)).toEqual([]);
  });

  it('lets two workers finish jobs of the same accounts at once: each charged once, the books in balance', async () => {
    const otherWorker = await openTestDatabase();
    try {
      const batchers = [generationFinishes(orm.em), generationFinishes(otherWorker.em)];
      const users = await Promise.all([fundedUser(), fundedUser(), fundedUser()]);
      const running: JobRecord[] = [];
      for (let i = 0; i < 8; i++) for (const userId of users) running.push(await runningJob(userId, `song ${i}`));
      // Jobs of every user go to both workers, interleaved, so both batches lock the same accounts.
      const rows = await Promise.all(running.map((job, i) => batchers[i % 2]!.run(finishOf(job))));

      rows.forEach((row) => expect(row).toMatchObject({ hold_committed: true, status: 'SUCCEEDED' }));
      for (const batches of batchers) expect(batches.statements).toBe(2);
      for (const userId of users) expect(await accountOf(userId)).toEqual({ available: 5000 - 80, held: 0, active_jobs: 0 });
      expect((await checkLedger(orm.em.fork())).filter((d) => users.includes(d.userId))).toEqual([]);
    } finally {
      await otherWorker.close();
    }
  });
});
