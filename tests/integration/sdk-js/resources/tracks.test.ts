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

  it('files tracks in projects: create, list by project, move out, rename with a revision, delete', async () => {
    const { client } = await newSessionClient(stack.api.url);
    try {
      const first = await generateTrack(client, 'a bright ukulele tune');
      const second = await generateTrack(client, 'a dark synth drone');
      const project = await client.projects.create({ name: 'Moods', description: 'light and dark' });
      expect(project).toMatchObject({ name: 'Moods', trackCount: 0, revision: 1 });

      for (const job of [first, second]) await client.tracks.update(job.track!.id, { projectId: project.id });
      const filed = [];
      for await (const track of client.tracks.iterate({ projectId: project.id, pageSize: 1 })) filed.push(track);
      expect(filed.map((t) => [t.id, t.project?.name])).toEqual([[second.track!.id, 'Moods'], [first.track!.id, 'Moods']]);
      expect(await client.projects.get(project.id)).toMatchObject({ trackCount: 2 });

      const unfiled = await client.tracks.update(first.track!.id, { projectId: null });
      expect(unfiled.project).toBeNull();
      expect((await client.projects.list()).items.map((p) => [p.name, p.trackCount])).toEqual([['Moods', 1]]);

      const renamed = await client.projects.update(project.id, { name: 'Moods, vol. 1', expectedRevision: 1 });
      expect(renamed).toMatchObject({ name: 'Moods, vol. 1', revision: 2 });
      await expect(client.projects.update(project.id, { name: 'Stale', expectedRevision: 1 })).rejects.toBeInstanceOf(ConflictError);

      expect(await client.projects.delete(project.id)).toBe(project.id);
      await expect(client.projects.get(project.id)).rejects.toBeInstanceOf(NotFoundError);
      expect((await client.tracks.get(second.track!.id)).project).toBeNull();
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
