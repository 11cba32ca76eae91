import type { TrackVersionView } from './track-version.entity.js';

/** A track_versions row as PostgreSQL sends it (snake_case), read without an entity. */
export interface VersionRow {
  id: string;
  track_id: string;
  number: number;
  parent_version_id: string | null;
  artifact_key: string;
  content_type: string;
  size_bytes: number;
  duration_seconds: number;
  source: string;
  job_id: string | null;
  metadata: Record<string, unknown>;
  /** A Date from a column, an ISO string from inside a JSON aggregate. */
  created_at: Date | string;
}

export function toVersionView(row: VersionRow): TrackVersionView {
  return {
    id: row.id,
    trackId: row.track_id,
    number: row.number,
    parentVersionId: row.parent_version_id,
    artifactKey: row.artifact_key,
    contentType: row.content_type,
    sizeBytes: row.size_bytes,
    durationSeconds: row.duration_seconds,
    source: row.source,
    jobId: row.job_id,
    metadata: row.metadata,
    createdAt: new Date(row.created_at),
  };
}
