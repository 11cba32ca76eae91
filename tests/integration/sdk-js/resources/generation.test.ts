import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobProgress } from '../../../../sdk-js/src/index.js';
import { startGenerationStack, type GenerationStack } from '../../../support/generation-stack.js';
import { newApiKeyClient, newSessionClient } from '../sdk.harness.js';

/** The developer path end to end: a session makes an API key, the key generates and watches. */
let stack: GenerationStack;
beforeAll(async () => {
  // Five times real time: a 6 s track takes about 1.2 s, long enough to stream progress ticks.
  stack = await startGenerationStack('sdkgen', { PROVIDER_LOCAL_SPEED: '5' });
});
afterAll(async () => {
  await stack.stop();
});

describe('generation.generate with jobs.watch', () => {
  it('generates a track with an API key and streams its progress to SUCCEEDED, then the loop ends', async () => {
    const { client: session } = await newSessionClient(stack.api.url);
    const { client } = await newApiKeyClient(session, stack.api.url, ['generate:write', 'jobs:read', 'tracks:read', 'credits:read']);
    try {
      const before = await client.credits.balance();
      const job = await client.generation.generate({ prompt: 'an energetic rock anthem about summer', style: 'rock', durationSeconds: 6 });
      expect(job).toMatchObject({ status: 'QUEUED', durationSeconds: 6, model: 'mv-lite' });

      const events: JobProgress[] = [];
      for await (const event of client.jobs.watch(job.id)) events.push(event);

      expect(events.at(-1)).toMatchObject({ status: 'SUCCEEDED', progress: 100 });
      const progress = events.map((e) => e.progress);
      expect(progress).toEqual([...progress].sort((a, b) => a - b));
      expect(events.every((e) => e.job.id === job.id)).toBe(true);
      // Running ticks, not only the final state.
      expect(events.some((e) => e.status === 'RUNNING' && e.progress > 0 && e.progress < 100)).toBe(true);

      const done = await client.jobs.get(job.id);
      expect(done).toMatchObject({ status: 'SUCCEEDED', attempts: 1, provider: 'local' });
      const track = await client.tracks.get(done.track!.id);
      expect(track.currentVersion).toMatchObject({ number: 1, durationSeconds: 6, contentType: 'audio/wav' });
      expect(track.job).toMatchObject({ id: job.id, status: 'SUCCEEDED' });
      expect((await client.credits.balance()).available).toBe(before.available - done.cost);
    } finally {
      await client.close();
    }
  });

  it('returns the same job for a caller-given idempotency key and charges once', async () => {
    const { client } = await newSessionClient(stack.api.url);
    const before = await client.credits.balance();
    const input = { prompt: 'a lullaby', durationSeconds: 5, idempotencyKey: `order-${Date.now()}` };
    const [first, second] = await Promise.all([client.generation.generate(input), client.generation.generate(input)]);
    expect(second!.id).toBe(first!.id);
    try {
      for await (const _event of client.jobs.watch(first!.id)) {
        // Followed to the end, so the hold is committed before the balance is read.
      }
    } finally {
      await client.close();
    }
    expect((await client.credits.balance()).available).toBe(before.available - first!.cost);
  });
});
