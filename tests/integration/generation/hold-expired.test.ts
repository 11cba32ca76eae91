import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../../server/core/clock.js';
import type { MikroORM } from '../../../server/infra/database/database.js';
import { createLogger } from '../../../server/infra/logger.js';
import { Broadcast } from '../../../server/infra/pubsub/broadcast.js';
import { createRedis } from '../../../server/infra/redis/redis.js';
import { LocalStorage } from '../../../server/infra/storage/local.storage.js';
import { CreditsService } from '../../../server/modules/credits/credits.service.js';
import { ProviderBalanceService } from '../../../server/modules/credits/provider-balance.service.js';
import { createLocalProvider } from '../../../server/modules/generation/providers/local.provider.js';
import { JobsService } from '../../../server/modules/jobs/jobs.service.js';
import { runGenerationAttempt } from '../../../workers/generation/generation.run.js';
import type { GenerationDeps } from '../../../workers/generation/generation.deps.js';
import { testConfig } from '../../support/api.js';
import { insertUser, openTestDatabase } from '../../support/database.js';

let orm: MikroORM;
let deps: GenerationDeps;
let redis: ReturnType<typeof createRedis>;
let storageDir: string;
beforeAll(async () => {
  orm = await openTestDatabase();
  storageDir = await mkdtemp(join(tmpdir(), 'mv-expired-'));
  const config = testConfig();
  redis = createRedis(config.redisUrl, config.redisPrefix);
  const subscriber = redis.duplicate();
  const log = createLogger('silent', 'hold-expired');
  deps = { orm, provider: createLocalProvider(), storage: new LocalStorage(storageDir), broadcast: new Broadcast(redis, subscriber, config.redisPrefix, log), providerBalance: new ProviderBalanceService(systemClock, () => undefined), log };
});
afterAll(async () => {
  await redis.quit();
  await orm.close();
  await rm(storageDir, { recursive: true, force: true });
});

describe('a job whose hold expired', () => {
  it('is not charged: it fails with HOLD_EXPIRED, makes no track, and the credits come back', async () => {
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
