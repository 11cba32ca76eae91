import DataLoader from 'dataloader';
import type { EntityManager } from '@mikro-orm/postgresql';
import { Job } from '../modules/jobs/job.entity.js';
import { Project } from '../modules/projects/project.entity.js';
import { runStatement, sqlStatement } from '../infra/database/sql-statement.js';
import type { TrackVersionView } from '../modules/tracks/track-version.entity.js';
import { toVersionView, type VersionRow } from '../modules/tracks/track-version.row.js';
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
  versionsByTrackId: DataLoader<string, TrackVersionView[]>;
  projectById: DataLoader<string, Project | null>;
  /** Tracks in the library filed in each project. */
  trackCountByProjectId: DataLoader<string, number>;
}

function byId<T extends { id: string }>(em: EntityManager, entity: new () => T) {
  return new DataLoader<string, T | null>(async (ids) => {
    const rows = (await em.find(entity, { id: { $in: [...ids] } } as never)) as T[];
    const found = new Map(rows.map((row) => [row.id, row]));
    return ids.map((id) => found.get(id) ?? null);
  });
}

const VERSIONS_OF_TRACKS = sqlStatement(
  'versions_of_tracks',
  `select id, track_id, number, parent_version_id, artifact_key, content_type, size_bytes, duration_seconds, source, job_id, metadata, created_at
   from track_versions where track_id in (select value::uuid from json_array_elements_text(:trackIds)) order by track_id, number desc`,
  { trackIds: 'json' },
);

const TRACK_COUNTS_OF_PROJECTS = sqlStatement(
  'track_counts_of_projects',
  `select project_id, count(*)::int as tracks from tracks
   where project_id in (select value::uuid from json_array_elements_text(:projectIds)) and deleted_at is null
   group by project_id`,
  { projectIds: 'json' },
);

export function createLoaders(em: EntityManager): Loaders {
  return {
    userById: byId(em, User),
    projectById: byId(em, Project),
    trackCountByProjectId: new DataLoader(async (projectIds: readonly string[]) => {
      const rows = await runStatement<{ project_id: string; tracks: number }>(em, TRACK_COUNTS_OF_PROJECTS, { projectIds: JSON.stringify(projectIds) });
      const counts = new Map(rows.map((row) => [row.project_id, row.tracks]));
      return projectIds.map((id) => counts.get(id) ?? 0);
    }),
    trackById: byId(em, Track),
    jobById: byId(em, Job),
    // Read-only and hot (a library page lists every version): plain rows, no entity bookkeeping.
    versionsByTrackId: new DataLoader(async (trackIds: readonly string[]) => {
      const rows = await runStatement<VersionRow>(em, VERSIONS_OF_TRACKS, { trackIds: JSON.stringify(trackIds) });
      const grouped = new Map<string, TrackVersionView[]>(trackIds.map((id) => [id, []]));
      for (const row of rows) grouped.get(row.track_id)?.push(toVersionView(row));
      return trackIds.map((id) => grouped.get(id) ?? []);
    }),
  };
}
