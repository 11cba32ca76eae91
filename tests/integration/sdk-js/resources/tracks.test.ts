import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConflictError, NotFoundError } from '../../../../sdk-js/src/index.js';
import { startGenerationStack, type GenerationStack } from '../../../support/generation-stack.js';
import { generateTrack, newApiKeyClient, newSessionClient } from '../sdk.harness.js';

let stack: GenerationStack;
beforeAll(async () => {
  stack = await startGenerationStack('sdktracks');
});
afterAll(async () => {
  await stack.stop();
});

describe('tracks', () => {
  it('gets, renames with an expected revision, refuses a stale revision with ConflictError and deletes', async () => {
    const { client: session } = await newSessionClient(stack.api.url);
    const { client } = await newApiKeyClient(session, stack.api.url, ['generate:write', 'jobs:read', 'tracks:read', 'tracks:write']);
    try {
      const job = await generateTrack(client, 'a jazzy tune for a rainy afternoon');
      const track = await client.tracks.get(job.track!.id);
      expect(track).toMatchObject({ id: job.track!.id, versions: [{ number: 1 }] });

      const renamed = await client.tracks.update(track.id, { title: 'Rainy Afternoon', expectedRevision: track.revision });
      expect(renamed).toMatchObject({ title: 'Rainy Afternoon', revision: track.revision + 1 });
      await expect(client.tracks.update(track.id, { title: 'Stale', expectedRevision: track.revision })).rejects.toBeInstanceOf(ConflictError);

      expect(await client.tracks.delete(track.id)).toBe(track.id);
      await expect(client.tracks.get(track.id)).rejects.toBeInstanceOf(NotFoundError);
      expect((await client.tracks.list()).items).toEqual([]);
    } finally {
      await client.close();
    }
  });

  it('answers NotFoundError for a track of another user', async () => {
    const { client: owner } = await newSessionClient(stack.api.url);
    const { client: stranger } = await newSessionClient(stack.api.url);
    try {
      const job = await generateTrack(owner, 'a short piano etude');
      await expect(stranger.tracks.get(job.track!.id)).rejects.toBeInstanceOf(NotFoundError);
      await expect(stranger.tracks.delete(job.track!.id)).rejects.toBeInstanceOf(NotFoundError);
    } finally {
      await owner.close();
    }
  });
});
