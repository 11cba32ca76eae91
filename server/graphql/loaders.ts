import DataLoader from 'dataloader';
import type { EntityManager } from '@mikro-orm/postgresql';
import { Job } from '../modules/jobs/job.entity.js';
import { TrackVersion } from '../modules/tracks/track-version.entity.js';
import { Track } from '../modules/tracks/track.entity.js';
import { User } from '../modules/users/user.entity.js';

/**
 * One batch per kind of object per tick (one SQL statement per level of a query, whatever the
 * page size); created fresh for each request so nothing is shared between callers. Loaders
 * return rows of any owner: resolvers reach them only through objects already owned.
 */
export interface Loaders {
  userById: DataLoader<string, User | null>;
  trackById: DataLoader<string, Track | null>;
  jobById: DataLoader<string, Job | null>;
  versionsByTrackId: DataLoader<string, TrackVersion[]>;
}

function byId<T extends { id: string }>(em: EntityManager, entity: new () => T) {
  return new DataLoader<string, T | null>(async (ids) => {
    const rows = (await em.find(entity, { id: { $in: [...ids] } } as never)) as T[];
    const found = new Map(rows.map((row) => [row.id, row]));
    return ids.map((id) => found.get(id) ?? null);
  });
}

export function createLoaders(em: EntityManager): Loaders {
  return {
    userById: byId(em, User),
    trackById: byId(em, Track),
    jobById: byId(em, Job),
    versionsByTrackId: new DataLoader(async (trackIds: readonly string[]) => {
      const rows = await em.find(TrackVersion, { track: { $in: [...trackIds] } }, { orderBy: { number: 'desc' } });
      const grouped = new Map<string, TrackVersion[]>(trackIds.map((id) => [id, []]));
      for (const row of rows) grouped.get(row.track.id)?.push(row);
      return trackIds.map((id) => grouped.get(id) ?? []);
    }),
  };
}
