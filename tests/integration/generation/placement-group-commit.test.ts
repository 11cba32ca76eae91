import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../../server/core/clock.js';
import type { MikroORM } from '../../../server/infra/database/database.js';
import { TransactionType } from '../../../server/modules/credits/credit-transaction.entity.js';
import { CreditsService } from '../../../server/modules/credits/credits.service.js';
import { checkLedger } from '../../../server/modules/credits/ledger-check.js';
import { GenerationBatches } from '../../../server/modules/jobs/generation.batches.js';
import { JobsService } from '../../../server/modules/jobs/jobs.service.js';
import { insertUser, openTestDatabase } from '../../support/database.js';
import { openGenerationRig, type GenerationRig } from '../../support/generation-deps.js';

/**
 * generateTrack's group commit at the service: concurrent placements of many users share
 * statements (PLACE_GENERATIONS), and each caller still gets exactly what a placement of its
 * own would have given it.
 */
let rig: GenerationRig;
let orm: MikroORM;
const credits = new CreditsService(systemClock);
beforeAll(async () => {
  rig = await openGenerationRig('placement-group-commit');
  orm = rig.orm;
});
afterAll(async () => {
  await rig.close();
});

function batchedJobs(): { jobs: JobsService; batches: GenerationBatches } {
  const batches = new GenerationBatches(orm.em);
  return { jobs: new JobsService(systemClock, credits, rig.deps.broadcast, batches), batches };
}

/** A user of `tier` with today's grant taken and exactly `available` credits. */
async function userWith(tier: 'pro' | 'enterprise', available: number): Promise<string> {
  const userId = await insertUser(orm, tier);
  await credits.ensureAccount(orm.em.fork(), userId);
  await credits.grantDaily(orm.em.fork(), userId);
  const adjust = available - (await credits.balance(orm.em.fork(), userId)).available;
  if (adjust !== 0) await credits.credit(orm.em.fork(), { userId, amount: adjust, type: TransactionType.ADJUST, reason: 'test setup', idempotencyKey: randomUUID() });
  return userId;
}

function request(prompt: string, idempotencyKey: string = randomUUID()) {
  // 5 seconds of mv-lite: 10 credits.
  return { prompt, durationSeconds: 5, idempotencyKey };
}

async function accountOf(userId: string): Promise<{ available: number; held: number; active_jobs: number }> {
  const [row] = await orm.em.fork().execute<Array<{ available: number; held: number; active_jobs: number }>>(`select available, held, active_jobs from credit_accounts where user_id = ?`, [userId]);
  return row!;
}

async function ledgerProblemsOf(userIds: string[]): Promise<unknown[]> {
  return (await checkLedger(orm.em.fork())).filter((d) => userIds.includes(d.userId));
}

describe('generateTrack group commit', () => {
  it('places concurrent jobs of several users in shared statements, each with its own job, hold, journal entry and events', async () => {
    const { jobs, batches } = batchedJobs();
    const users = await Promise.all(Array.from({ length: 5 }, () => userWith('enterprise', 1_000)));
    const asked = users.flatMap((userId, u) => Array.from({ length: 10 }, (_, i) => ({ userId, prompt: `song ${i} of user ${u}` })));
    const placed = await Promise.all(asked.map(({ userId, prompt }) => jobs.requestGeneration(orm.em.fork(), userId, request(prompt))));

    expect(batches.terms.statements).toBeLessThan(asked.length);
    expect(batches.placements.statements).toBeLessThan(asked.length);
    expect(new Set(placed.map((job) => job.id)).size).toBe(asked.length);
    placed.forEach((job, i) => expect(job).toMatchObject({ status: 'QUEUED', cost: 10, prompt: asked[i]!.prompt, durationSeconds: 5 }));
    for (const userId of users) expect(await accountOf(userId)).toEqual({ available: 900, held: 100, active_jobs: 10 });
    expect(await ledgerProblemsOf(users)).toEqual([]);

    const holds = await orm.em.fork().execute<Array<{ id: string; amount: number; status: string }>>(
      `select h.id, h.amount, h.status from holds h join jobs j on j.hold_id = h.id where j.id = any(?::uuid[])`,
      [`{${placed.map((job) => job.id).join(',')}}`],
    );
    expect(holds).toHaveLength(asked.length);
    expect(holds.every((hold) => hold.amount === 10 && hold.status === 'PENDING')).toBe(true);

    const events = await orm.em.fork().execute<Array<{ topic: string; job_id: string; status: string | null }>>(
      `select topic, payload->>'jobId' as job_id, payload->>'status' as status from outbox where topic in ('job.requested', 'job.updated') and payload->>'jobId' = any(?::text[])`,
      [`{${placed.map((job) => job.id).join(',')}}`],
    );
    for (const job of placed) {
      const own = events.filter((event) => event.job_id === job.id);
      expect(own.map((event) => `${event.topic}:${event.status ?? ''}`).sort()).toEqual(['job.requested:', 'job.updated:QUEUED']);
    }
    // Each account's last credits.changed event carries its balances after everything.
    for (const userId of users) {
      const [last] = await orm.em.fork().execute<Array<{ payload: { available: number; held: number } }>>(
        `select payload from outbox where topic = 'credits.changed' and user_id = ? order by created_at desc, (payload->>'held')::int desc limit 1`,
        [userId],
      );
      expect(last!.payload).toMatchObject({ available: 900, held: 100 });
    }
  });

  it('places per account only what its credits and job slots cover, and refuses the rest with the reason', async () => {
    const { jobs } = batchedJobs();
    const short = await userWith('enterprise', 35);
    const limited = await userWith('pro', 500);
    const plenty = await userWith('enterprise', 500);
    const asked = [
      ...Array.from({ length: 8 }, (_, i) => ({ userId: short, prompt: `short ${i}` })),
      ...Array.from({ length: 8 }, (_, i) => ({ userId: limited, prompt: `limited ${i}` })),
      ...Array.from({ length: 6 }, (_, i) => ({ userId: plenty, prompt: `plenty ${i}` })),
    ];
    const outcomes = await Promise.allSettled(asked.map(({ userId, prompt }) => jobs.requestGeneration(orm.em.fork(), userId, request(prompt))));
    const codesFor = (userId: string) =>
      outcomes.filter((_, i) => asked[i]!.userId === userId).map((outcome) => (outcome.status === 'fulfilled' ? 'placed' : (outcome.reason as { code: string }).code));
    const count = (codes: string[], code: string) => codes.filter((c) => c === code).length;

    expect(count(codesFor(short), 'placed')).toBe(3);
    expect(count(codesFor(short), 'INSUFFICIENT_CREDITS')).toBe(5);
    // The pro tier runs 3 jobs at a time.
    expect(count(codesFor(limited), 'placed')).toBe(3);
    expect(count(codesFor(limited), 'FEATURE_NOT_IN_TIER')).toBe(5);
    expect(codesFor(plenty)).toEqual(Array.from({ length: 6 }, () => 'placed'));

    expect(await accountOf(short)).toEqual({ available: 5, held: 30, active_jobs: 3 });
    expect(await accountOf(limited)).toEqual({ available: 470, held: 30, active_jobs: 3 });
    expect(await accountOf(plenty)).toEqual({ available: 440, held: 60, active_jobs: 6 });
    expect(await ledgerProblemsOf([short, limited, plenty])).toEqual([]);
    const [jobRows] = await orm.em.fork().execute<Array<{ n: number }>>(`select count(*)::int as n from jobs where user_id = any(?::uuid[])`, [`{${short},${limited},${plenty}}`]);
    expect(jobRows!.n).toBe(12);
  });

  it('reads each request its own terms from a shared query: tier, model, price, a replayed key', async () => {
    const { jobs, batches } = batchedJobs();
    const free = await insertUser(orm, 'free');
    const pro = await userWith('pro', 500);
    const replayed = await jobs.requestGeneration(orm.em.fork(), pro, request('first', 'replayed-key'));
    const asked = [
      { userId: free, model: 'mv-standard', key: randomUUID() },
      { userId: pro, model: 'mv-standard', key: randomUUID() },
      { userId: pro, model: 'mv-lite', key: 'replayed-key' },
      { userId: free, model: 'mv-nonexistent', key: randomUUID() },
      { userId: pro, model: 'mv-lite', key: randomUUID() },
    ];
    const statementsBefore = batches.terms.statements;
    const outcomes = await Promise.allSettled(
      [...asked, ...asked].map(({ userId, model, key }) => jobs.requestGeneration(orm.em.fork(), userId, { ...request(key === 'replayed-key' ? 'first' : 'song'), model, idempotencyKey: key })),
    );
    expect(batches.terms.statements - statementsBefore).toBeLessThan(outcomes.length);
    const summary = outcomes.slice(0, asked.length).map((outcome) => (outcome.status === 'fulfilled' ? `${outcome.value.model}:${outcome.value.cost}` : (outcome.reason as { code: string }).code));
    expect(summary).toEqual(['FEATURE_NOT_IN_TIER', 'mv-standard:25', 'mv-lite:10', 'BAD_USER_INPUT', 'mv-lite:10']);
    const replays = outcomes.filter((outcome, i) => asked[i % asked.length]!.key === 'replayed-key');
    expect(replays.map((outcome) => (outcome.status === 'fulfilled' ? outcome.value.id : null))).toEqual([replayed.id, replayed.id]);
  });

  it('gives every concurrent request with one idempotency key the same job, charged once, beside other keys', async () => {
    const { jobs } = batchedJobs();
    const userId = await userWith('enterprise', 1_000);
    const key = randomUUID();
    const asked = [...Array.from({ length: 12 }, () => key), ...Array.from({ length: 5 }, () => randomUUID())];
    const placed = await Promise.all(asked.map((idempotencyKey) => jobs.requestGeneration(orm.em.fork(), userId, request('one song', idempotencyKey))));
    expect(new Set(placed.slice(0, 12).map((job) => job.id)).size).toBe(1);
    expect(new Set(placed.map((job) => job.id)).size).toBe(6);
    expect(await accountOf(userId)).toEqual({ available: 940, held: 60, active_jobs: 6 });
    expect(await ledgerProblemsOf([userId])).toEqual([]);
  });

  it('lets two API processes place for the same accounts at once: every job placed, no account counted twice', async () => {
    const otherProcess = await openTestDatabase();
    try {
      const batchers = [new GenerationBatches(orm.em), new GenerationBatches(otherProcess.em)];
      const services = batchers.map((batches) => new JobsService(systemClock, credits, rig.deps.broadcast, batches));
      const users = await Promise.all(Array.from({ length: 8 }, () => userWith('enterprise', 1_000)));
      // Each user's ten jobs (its tier's limit) are split between the two processes, interleaved.
      const asked = users.flatMap((userId) => Array.from({ length: 10 }, (_, i) => ({ userId, via: i % 2 })));
      const outcomes = await Promise.allSettled(asked.map(({ userId, via }, i) => services[via]!.requestGeneration((via ? otherProcess : orm).em.fork(), userId, request(`song ${i}`))));

      expect(outcomes.filter((outcome) => outcome.status === 'rejected')).toEqual([]);
      for (const batches of batchers) expect(batches.placements.statements).toBeLessThan(asked.length / 2);
      for (const userId of users) expect(await accountOf(userId)).toEqual({ available: 900, held: 100, active_jobs: 10 });
      expect(await ledgerProblemsOf(users)).toEqual([]);
    } finally {
      await otherProcess.close();
    }
  });
});
