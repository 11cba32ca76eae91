import type { EntityManager } from '@mikro-orm/postgresql';
import type { ObjectStorage } from '../../infra/storage/storage.js';

/** How long a deleted track's audio is kept before the cleanup job removes it. */
export const DELETED_TRACK_FILES_RETENTION_DAYS = 30;
/** Tracks one cleanup run handles; the next run (hourly) takes the rest. */
export const TRACK_FILES_CLEANUP_BATCH = 200;

interface PurgeCandidate {
  id: string;
  artifact_keys: string[];
}

/**
 * Removes the stored audio of tracks deleted before `deletedBefore`, and stamps each track so
 * it is not visited again. Storage deletes are idempotent, so two workers running this at once
 * only repeat work; a track is stamped only after all of its files are gone, so a failure part
 * way leaves it for the next run.
 */
export async function purgeDeletedTrackFiles(em: EntityManager, storage: ObjectStorage, deletedBefore: Date, batch = TRACK_FILES_CLEANUP_BATCH): Promise<number> {
  const candidates = await em.execute<PurgeCandidate[]>(
    `select t.id, coalesce(array_agg(v.artifact_key) filter (where v.artifact_key is not null), '{}') as artifact_keys
       from tracks t left join track_versions v on v.track_id = t.id
      where t.deleted_at < ? and t.files_purged_at is null
      group by t.id, t.deleted_at
      order by t.deleted_at
      limit ?`,
    [deletedBefore, batch],
  );
  let purged = 0;
  for (const track of candidates) {
    for (const key of track.artifact_keys) await storage.delete(key);
    await em.execute(`update tracks set files_purged_at = now() where id = ? and files_purged_at is null`, [track.id]);
    purged += 1;
  }
  return purged;
}
