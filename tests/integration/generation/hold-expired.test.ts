import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../../server/core/clock.js';
import { CreditsService } from '../../../server/modules/credits/credits.service.js';
import { JobsService } from '../../../server/modules/jobs/jobs.service.js';
import { runGenerationAttempt } from '../../../workers/generation/generation.run.js';
import { insertUser } from '../../support/database.js';
import { openGenerationRig, type GenerationRig } from '../../support/generation-deps.js';

let rig: GenerationRig;
beforeAll(async () => {
  rig = await openGenerationRig('hold-expired');
});
afterAll(async () => {
  await rig.close();
});

describe('a job whose hold expired', () => {
  it('is not charged: it fails with HOLD_EXPIRED, makes no track, and the credits come back', async () => {
    const { orm, deps } = rig;
    const userId = await insertUser(orm);
    const credits = new CreditsService(systemClock);
    const jobs = new JobsService(systemClock, credits, deps.broadcast);
    const job = await jobs.requestGeneration(orm.em.fork(), userId, { prompt: 'late song', durationSeconds: 5, idempotencyKey: randomUUID() });
    // The job ran longer than its hold allows.
    await orm.em.fork().execute(`update holds set expires_at = now() - interval '1 second' where id = ?`, [job.holdId]);

    const outcome = await runGenerationAttempt(deps, job.id, { signal: new AbortController().signal, lastAttempt: true });
    expect(outcome).toBe('failed');
    const after = await jobs.find(orm.em.fork(), userId, job.id);
    expect(after).toMatchObject({ status: 'FAILED', errorCode: 'HOLD_EXPIRED', trackId: null });
    const commits = await orm.em.fork().execute(`select 1 from credit_transactions where user_id = ? and type = 'COMMIT'`, [userId]);
    expect(commits).toEqual([]);
    expect(await credits.balance(orm.em.fork(), userId)).toEqual({ available: 50, held: 0 });
  });
});
