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
import type { MusicProvider } from '../../../server/modules/generation/providers/provider.js';
import { JobsService } from '../../../server/modules/jobs/jobs.service.js';
import { runGenerationAttempt } from '../../../workers/generation/generation.run.js';
import type { GenerationDeps } from '../../../workers/generation/generation.deps.js';
import { testConfig } from '../../support/api.js';
import { insertUser, openTestDatabase } from '../../support/database.js';

/** What happened to the audio, in order: `stored <key>` when a put resolved, `released` at release. */
let story: string[] = [];

let orm: MikroORM;
let deps: GenerationDeps;
let redis: ReturnType<typeof createRedis>;
let storageDir: string;
beforeAll(async () => {
  orm = await openTestDatabase();
  storageDir = await mkdtemp(join(tmpdir(), 'mv-release-'));
  const config = testConfig();
  redis = createRedis(config.redisUrl, config.redisPrefix);
  const log = createLogger('silent', 'audio-release');
  const storage = new LocalStorage(storageDir);
  const put = storage.put.bind(storage);
  storage.put = async (key, body, contentType) => {
    await put(key, body, contentType);
    story.push(`stored ${body.length}`);
  };
  const local = createLocalProvider();
  const provider: MusicProvider = {
    name: local.name,
    async generate(request, options) {
      const audio = await local.generate(request, options);
      return { ...audio, release: () => { story.push('released'); audio.release?.(); } };
    },
  };
  deps = { orm, provider, storage, broadcast: new Broadcast(redis, redis.duplicate(), config.redisPrefix, log), providerBalance: new ProviderBalanceService(systemClock, () => undefined), log };
});
afterAll(async () => {
  await redis.quit();
  await orm.close();
  await rm(storageDir, { recursive: true, force: true });
});

async function queuedJob(): Promise<{ id: string; holdId: string }> {
  const credits = new CreditsService(systemClock);
  const jobs = new JobsService(systemClock, credits, deps.broadcast);
  return jobs.requestGeneration(orm.em.fork(), await insertUser(orm), { prompt: 'a song to keep', durationSeconds: 5, idempotencyKey: randomUUID() });
}

const run = (jobId: string) => runGenerationAttempt(deps, jobId, { signal: new AbortController().signal, lastAttempt: true });

describe('the worker and the audio it stores', () => {
  it('releases the audio once, after it is stored', async () => {
    story = [];
    const job = await queuedJob();
    expect(await run(job.id)).toBe('succeeded');
    expect(story).toEqual([`stored ${44 + 5 * 22050 * 4}`, 'released']);
  });

  it('releases it too when the success cannot be written (an expired hold)', async () => {
    story = [];
    const job = await queuedJob();
    await orm.em.fork().execute(`update holds set expires_at = now() - interval '1 second' where id = ?`, [job.holdId]);
    expect(await run(job.id)).toBe('failed');
    expect(story).toEqual([`stored ${44 + 5 * 22050 * 4}`, 'released']);
  });
});
