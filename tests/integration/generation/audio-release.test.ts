import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../../server/core/clock.js';
import { CreditsService } from '../../../server/modules/credits/credits.service.js';
import { createLocalProvider } from '../../../server/modules/generation/providers/local.provider.js';
import type { MusicProvider } from '../../../server/modules/generation/providers/provider.js';
import { JobsService } from '../../../server/modules/jobs/jobs.service.js';
import { runGenerationAttempt } from '../../../workers/generation/generation.run.js';
import { insertUser } from '../../support/database.js';
import { openGenerationRig, type GenerationRig } from '../../support/generation-deps.js';

/** What happened to the audio, in order: `stored <bytes>` when a put resolved, `released` at release. */
let story: string[] = [];

/** The local provider, its audio's release recorded in `story`. */
function recordingReleases(): MusicProvider {
  const local = createLocalProvider();
  return {
    name: local.name,
    async generate(request, options) {
      const audio = await local.generate(request, options);
      return { ...audio, release: () => { story.push('released'); audio.release?.(); } };
    },
  };
}

let rig: GenerationRig;
beforeAll(async () => {
  rig = await openGenerationRig('audio-release', { provider: recordingReleases() });
  const storage = rig.deps.storage;
  const put = storage.put.bind(storage);
  storage.put = async (key, body, contentType) => {
    await put(key, body, contentType);
    story.push(`stored ${body.length}`);
  };
});
afterAll(async () => {
  await rig.close();
});

async function queuedJob(): Promise<{ id: string; holdId: string }> {
  const jobs = new JobsService(systemClock, new CreditsService(systemClock), rig.deps.broadcast);
  return jobs.requestGeneration(rig.orm.em.fork(), await insertUser(rig.orm), { prompt: 'a song to keep', durationSeconds: 5, idempotencyKey: randomUUID() });
}

const run = (jobId: string) => runGenerationAttempt(rig.deps, jobId, { signal: new AbortController().signal, lastAttempt: true });

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
    await rig.orm.em.fork().execute(`update holds set expires_at = now() - interval '1 second' where id = ?`, [job.holdId]);
    expect(await run(job.id)).toBe('failed');
    expect(story).toEqual([`stored ${44 + 5 * 22050 * 4}`, 'released']);
  });
});
