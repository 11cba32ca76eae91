import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QueueName } from '../../../server/infra/queues/queue.names.js';
import { LocalStorage } from '../../../server/infra/storage/local.storage.js';
import { MaintenanceJob } from '../../../workers/maintenance/maintenance.jobs.js';
import { startGenerationStack, type GenerationStack } from '../../support/generation-stack.js';
import { dataOf, gql } from '../../support/graphql-client.js';
import { eventually } from '../../support/sessions.js';
import { signInNewUser, type SignedInUser } from '../../support/users.js';

/**
 * Deleting a track keeps its audio for a retention period; the worker's hourly cleanup then
 * removes the files of tracks deleted longer ago than that, and nothing else. Here the schedule
 * runs every few hundred milliseconds with the production retention of 30 days.
 */
let stack: GenerationStack;
let storage: LocalStorage;
beforeAll(async () => {
  stack = await startGenerationStack('cleanup', {}, [
    { queue: QueueName.Maintenance, id: 'test-purge', everyMs: 300, name: MaintenanceJob.PurgeDeletedTrackFiles, data: { olderThanDays: 30 } },
  ]);
  storage = new LocalStorage(stack.storageDir);
});
afterAll(async () => {
  await stack?.stop();
});

/** A track with two stored versions; answers its global id, local id and the file keys. */
async function storedTrack(user: SignedInUser, title: string): Promise<{ id: string; trackId: string; keys: string[] }> {
  const trackId = randomUUID();
  const em = stack.api.infra.orm.em.fork();
  await em.execute(`insert into tracks (id, user_id, title, prompt, revision, created_at, updated_at) values (?, ?, ?, 'p', 1, now(), now())`, [trackId, user.userId, title]);
  const keys: string[] = [];
  for (const n of [1, 2]) {
    const key = `tracks/${trackId}/v${n}.wav`;
    await storage.put(key, Buffer.from(`RIFF-${title}-${n}`), 'audio/wav');
    await em.execute(
      `insert into track_versions (id, track_id, number, artifact_key, content_type, size_bytes, duration_seconds, source, metadata, created_at) values (?, ?, ?, ?, 'audio/wav', 10, 5, 'generation', '{}', now())`,
      [randomUUID(), trackId, n, key],
    );
    keys.push(key);
  }
  return { id: Buffer.from(`Track:${trackId}`).toString('base64url'), trackId, keys };
}

async function deleteTrack(user: SignedInUser, id: string): Promise<void> {
  dataOf(await gql(stack.api.url, 'mutation($id: ID!) { deleteTrack(id: $id) }', { token: user.token, variables: { id } }));
}

async function exists(key: string): Promise<boolean> {
  return (await storage.head(key)) !== null;
}

describe('purge-deleted-track-files', () => {
  it('removes the audio of tracks deleted over 30 days ago and keeps every other file', async () => {
    const user = await signInNewUser(stack.api.url);
    const old = await storedTrack(user, 'old');
    const recent = await storedTrack(user, 'recent');
    const live = await storedTrack(user, 'live');
    await deleteTrack(user, old.id);
    await deleteTrack(user, recent.id);
    const em = stack.api.infra.orm.em.fork();
    await em.execute(`update tracks set deleted_at = now() - interval '31 days' where id = ?`, [old.trackId]);

    const purgedAt = await eventually(async () => {
      const [row] = await em.execute<Array<{ files_purged_at: string | null }>>(`select files_purged_at from tracks where id = ?`, [old.trackId]);
      return row?.files_purged_at ?? undefined;
    }, 'the old track to be purged', 10_000);
    expect(Date.now() - new Date(purgedAt).getTime()).toBeLessThan(60_000);
    for (const key of old.keys) expect(await exists(key)).toBe(false);

    // One run takes every candidate: the recent and the live track were visited and kept.
    for (const key of [...recent.keys, ...live.keys]) expect(await exists(key)).toBe(true);
    const rows = await em.execute<Array<{ id: string; files_purged_at: string | null }>>(`select id, files_purged_at from tracks where id in (?, ?)`, [recent.trackId, live.trackId]);
    expect(rows.map((r) => r.files_purged_at)).toEqual([null, null]);
  });
});
