import { sqlStatement, type SqlStatement } from '../../infra/database/sql-statement.js';
import type { TrackVersionView } from './track-version.entity.js';

/** A field of a version that a library page can read with its tracks. */
export type VersionField = Exclude<keyof TrackVersionView, 'trackId'>;

/** A version as a page read it: its id and the fields that were asked for. */
export type PartialVersionView = Pick<TrackVersionView, 'id'> & Partial<TrackVersionView>;

/** The column behind each field, in one fixed order (it names the statement). */
const VERSION_COLUMNS: ReadonlyArray<readonly [VersionField, string]> = [
  ['id', 'v.id'],
  ['number', 'v.number'],
  ['parentVersionId', 'v.parent_version_id'],
  ['artifactKey', 'v.artifact_key'],
  ['contentType', 'v.content_type'],
  ['sizeBytes', 'v.size_bytes'],
  ['durationSeconds', 'v.duration_seconds'],
  ['source', 'v.source'],
  ['jobId', 'v.job_id'],
  ['metadata', 'v.metadata'],
  ['createdAt', 'v.created_at'],
];

export const ALL_VERSION_FIELDS: readonly VersionField[] = VERSION_COLUMNS.map(([field]) => field);

const TRACK_COLUMNS = 't.id, t.title, t.style, t.prompt, t.revision, t.current_version_id, t.project_id, t.created_at, t.updated_at';
const PAGE_GROUP = TRACK_COLUMNS.replaceAll('t.', 'page.');
const PAGE_FILTER = `where t.user_id = :userId and t.deleted_at is null
     and (:projectId is null or t.project_id = :projectId)
     and (:afterAt is null or (t.created_at, t.id) < (:afterAt, :afterId))
   order by t.created_at desc, t.id desc
   limit :limit`;
const PAGE_PARAMS = { userId: 'uuid', projectId: 'uuid', afterAt: 'timestamptz', afterId: 'uuid', limit: 'int' };

/** A newest-first page of a user's library, or of one of their projects (projectId). */
export const TRACKS_PAGE = sqlStatement('tracks_page', `select ${TRACK_COLUMNS} from tracks t ${PAGE_FILTER}`, PAGE_PARAMS);

/** One statement per set of version fields, prepared once per connection like any other. */
const pagesWithVersions = new Map<number, SqlStatement>();

/**
 * A page with each track's versions (newest first) aggregated in as JSON holding only `fields`
 * (and the id): the versions' JSON is most of a page's bytes, and building and parsing columns a
 * query never shows was most of its cost, in PostgreSQL and here alike.
 */
export function tracksPageWithVersions(fields: ReadonlySet<VersionField>): SqlStatement {
  let mask = 0;
  VERSION_COLUMNS.forEach(([field], bit) => {
    if (field === 'id' || fields.has(field)) mask |= 1 << bit;
  });
  const known = pagesWithVersions.get(mask);
  if (known) return known;
  const pairs = VERSION_COLUMNS.filter((_, bit) => mask & (1 << bit))
    .map(([field, column]) => `'${field}', ${column}`)
    .join(', ');
  // The page's versions are joined and grouped in one pass, not read by a subquery per track
  // (which PostgreSQL runs once per row, or worse without statistics); with an index lookup
  // per track, the plan stays cheap whatever the table sizes and their estimates.
  const statement = sqlStatement(
    `tracks_page_with_versions_${mask.toString(36)}`,
    `with page as (select ${TRACK_COLUMNS} from tracks t ${PAGE_FILTER})
     select page.*,
       coalesce(json_agg(json_build_object(${pairs}) order by v.number desc) filter (where v.id is not null), '[]'::json) as versions
     from page left join track_versions v on v.track_id = page.id
     group by ${PAGE_GROUP}
     order by page.created_at desc, page.id desc`,
    PAGE_PARAMS,
  );
  pagesWithVersions.set(mask, statement);
  return statement;
}
