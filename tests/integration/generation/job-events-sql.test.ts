import { randomUUID } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../../server/core/clock.js';
import { toGlobalId } from '../../../server/core/global-id.js';
import type { MikroORM } from '../../../server/infra/database/database.js';
import { CreditsService } from '../../../server/modules/credits/credits.service.js';
import { Job } from '../../../server/modules/jobs/job.entity.js';
import { snapshotOf } from '../../../server/modules/jobs/job.events.js';
import { JobsService } from '../../../server/modules/jobs/jobs.service.js';
import { jobSnapshotJson } from '../../../server/modules/jobs/jobs.sql.js';
import { runGenerationAttempt } from '../../../workers/generation/generation.run.js';
import type { GenerationDeps } from '../../../workers/generation/generation.deps.js';
import { insertUser } from '../../support/database.js';
import { openGenerationRig, type GenerationRig } from '../../support/generation-deps.js';

let rig: GenerationRig;
let orm: MikroORM;
let deps: GenerationDeps;
let storageDir: string;
let jobs: JobsService;
beforeAll(async () => {
  rig = await openGenerationRig('job-events-sql');
  ({ orm, deps, storageDir } = rig);
  jobs = new JobsService(systemClock, new CreditsService(systemClock), deps.broadcast);
});
afterAll(async () => {
  await rig.close();
});

interface OutboxRow {
  topic: string;
  payload: { status?: string; job?: Record<string, unknown>; type?: string; data?: Record<string, unknown> };
}

async function eventsOf(jobId: string): Promise<OutboxRow[]> {
  return orm.em.fork().execute<OutboxRow[]>(`select topic, payload from outbox where payload->>'jobId' = ? or payload->'data'->>'jobId' = ? order by created_at, id`, [jobId, toGlobalId('Job', jobId)]);
}

/** An endpoint row as createWebhook leaves it (the secret is never read here). */
async function addEndpoint(userId: string, eventTypes: string[], enabled = true): Promise<void> {
  await orm.em.fork().execute(
    `insert into webhook_endpoints (id, user_id, url, event_types, secret_ciphertext, enabled, consecutive_failures, created_at, updated_at)
     values (?, ?, 'https://hooks.example.com/in', ?::text[], 'unused', ?, 0, now(), now())`,
    [randomUUID(), userId, `{${eventTypes.join(',')}}`, enabled],
  );
}

describe('job changes written by the database', () => {
  it('carry the same snapshot as snapshotOf for every field, nulls and dates included', async () => {
    const userId = await insertUser(orm);
    const job = await jobs.requestGeneration(orm.em.fork(), userId, { prompt: 'a snapshot song', title: 'Snap', style: 'lofi', durationSeconds: 5, idempotencyKey: randomUUID() });
    const em = orm.em.fork();
    await em.execute(
      `update jobs set error_code = 'X', error_message = 'why', provider = 'local', provider_cost = 3, track_id = ?, started_at = now(), finished_at = now() + interval '1.5 seconds' where id = ?`,
      [randomUUID(), job.id],
    );
    const [row] = await em.execute<{ snapshot: unknown }[]>(`select ${jobSnapshotJson('j')} as snapshot from jobs j where id = ?`, [job.id]);
    const reloaded = await orm.em.fork().findOneOrFail(Job, { id: job.id });
    expect(row!.snapshot).toEqual(snapshotOf(reloaded));
  });

  it('report the run and the success with the job as it stood, and the generation.completed webhook event', async () => {
    const userId = await insertUser(orm);
    await addEndpoint(userId, ['generation.completed']);
    const job = await jobs.requestGeneration(orm.em.fork(), userId, { prompt: 'an evented song', durationSeconds: 5, idempotencyKey: randomUUID() });
    expect(await runGenerationAttempt(deps, job.id, { signal: new AbortController().signal, lastAttempt: true })).toBe('succeeded');

    const done = await orm.em.fork().findOneOrFail(Job, { id: job.id });
    const events = await eventsOf(job.id);
    const changes = events.filter((e) => e.topic === 'job.updated').map((e) => e.payload);
    expect(changes.map((c) => c.status)).toEqual(['QUEUED', 'RUNNING', 'SUCCEEDED']);
    expect(changes[1]!.job).toMatchObject({ status: 'RUNNING', attempts: 1, stage: 'starting', startedAt: done.startedAt!.toISOString() });
    expect(changes[2]!.job).toEqual(snapshotOf(done));
    const webhook = events.find((e) => e.topic === 'webhook.event')!.payload;
    expect(webhook).toEqual({ type: 'generation.completed', data: { jobId: toGlobalId('Job', job.id), trackId: toGlobalId('Track', done.trackId!), cost: job.cost } });
  });

  it('write no generation.completed event for a user whose endpoints do not take it', async () => {
    const [none, other, disabled] = [await insertUser(orm), await insertUser(orm), await insertUser(orm)];
    await addEndpoint(other, ['track.updated']);
    await addEndpoint(disabled, [], false);
    for (const userId of [none, other, disabled]) {
      const job = await jobs.requestGeneration(orm.em.fork(), userId, { prompt: 'a quiet song', durationSeconds: 5, idempotencyKey: randomUUID() });
      expect(await runGenerationAttempt(deps, job.id, { signal: new AbortController().signal, lastAttempt: true })).toBe('succeeded');
      const events = await eventsOf(job.id);
      expect(events.map((e) => e.topic).sort()).toEqual(['job.requested', 'job.updated', 'job.updated', 'job.updated']);
    }
  });

  it("hold a job's slot from its placement to its success exactly once, whichever step counts it", async () => {
    const userId = await insertUser(orm, 'pro');
    const slots = async () => {
      const [row] = await orm.em.fork().execute<Array<{ kept: number; counted: string }>>(
        `select a.active_jobs as kept, (select count(*) from jobs where user_id = a.user_id and status in ('QUEUED', 'RUNNING')) as counted
         from credit_accounts a where a.user_id = ?`,
        [userId],
      );
      return { kept: row!.kept, counted: Number(row!.counted) };
    };
    const request = () => jobs.requestGeneration(orm.em.fork(), userId, { prompt: 'a counted song', durationSeconds: 5, idempotencyKey: randomUUID() });
    const [first, second] = [await request(), await request()];
    // Placed by the statement that moves the count in the hold's own update.
    expect(await slots()).toEqual({ kept: 2, counted: 2 });
    expect(await runGenerationAttempt(deps, first.id, { signal: new AbortController().signal, lastAttempt: true })).toBe('succeeded');
    expect(await slots()).toEqual({ kept: 1, counted: 1 });
    // Any other change of status is still counted by the trigger on jobs.
    await orm.em.fork().execute(`update jobs set status = 'FAILED', finished_at = now() where id = ?`, [second.id]);
    expect(await slots()).toEqual({ kept: 0, counted: 0 });
  });

  it('end CANCELLED, with no track, no charge and no file, when the cancel comes as the audio is done', async () => {
    const userId = await insertUser(orm);
    const job = await jobs.requestGeneration(orm.em.fork(), userId, { prompt: 'a song cancelled at the last moment', durationSeconds: 5, idempotencyKey: randomUUID() });
    const audioFiles = async () => (await readdir(storageDir, { recursive: true })).filter((path) => path.endsWith('.wav')).length;
    const filesBefore = await audioFiles();
    // The provider can no longer be stopped: the cancel lands between its answer and the finish.
    const lateCancel: GenerationDeps['provider'] = {
      ...deps.provider,
      generate: async (request, options) => {
        const audio = await deps.provider.generate(request, options);
        await orm.em.fork().execute(`update jobs set cancel_requested_at = now() where id = ?`, [job.id]);
        return audio;
      },
    };
    expect(await runGenerationAttempt({ ...deps, provider: lateCancel }, job.id, { signal: new AbortController().signal, lastAttempt: true })).toBe('cancelled');

    const ended = await orm.em.fork().findOneOrFail(Job, { id: job.id });
    expect(ended).toMatchObject({ status: 'CANCELLED', trackId: null });
    const [counts] = await orm.em.fork().execute<Array<{ tracks: string; commits: string; pending: string; available: number; held: number; active_jobs: number }>>(
      `select (select count(*) from tracks where user_id = a.user_id) as tracks,
              (select count(*) from credit_transactions where user_id = a.user_id and type = 'COMMIT') as commits,
              (select count(*) from holds where user_id = a.user_id and status = 'PENDING') as pending,
              a.available, a.held, a.active_jobs
       from credit_accounts a where a.user_id = ?`,
      [userId],
    );
    expect(counts).toMatchObject({ tracks: '0', commits: '0', pending: '0', held: 0, active_jobs: 0 });
    // The audio was stored before the finish and is gone again.
    expect(await audioFiles()).toBe(filesBefore);
  });

  it('report nothing when a finished job is claimed again', async () => {
    const userId = await insertUser(orm);
    const job = await jobs.requestGeneration(orm.em.fork(), userId, { prompt: 'a once-only song', durationSeconds: 5, idempotencyKey: randomUUID() });
    await runGenerationAttempt(deps, job.id, { signal: new AbortController().signal, lastAttempt: true });
    const before = await eventsOf(job.id);
    expect(await runGenerationAttempt(deps, job.id, { signal: new AbortController().signal, lastAttempt: true })).toBe('already-finished');
    expect(await eventsOf(job.id)).toEqual(before);
  });
});
