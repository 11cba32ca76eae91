/**
 * A generated track as steps of a larger statement: the worker writes the track, its version,
 * the hold's commit and the job's success in one statement (jobs.sql.ts, FINISH_GENERATION).
 */

export interface NewGeneratedTrack {
  userId: string;
  jobId: string;
  title: string;
  style: string | null;
  prompt: string;
  /** Filed in this project if it is still the user's when the track is written. */
  projectId: string | null;
  artifactKey: string;
  contentType: string;
  sizeBytes: number;
  durationSeconds: number;
  metadata: Record<string, unknown>;
}

/** The parameters of the track steps below, and their types. */
export const GENERATED_TRACK_TYPES: Record<string, string> = {
  trackId: 'uuid',
  versionId: 'uuid',
  userId: 'uuid',
  jobId: 'uuid',
  title: 'text',
  style: 'text',
  prompt: 'text',
  projectId: 'uuid',
  artifactKey: 'text',
  contentType: 'text',
  sizeBytes: 'int',
  durationSeconds: 'int',
  metadata: 'jsonb',
  now: 'timestamptz',
};

/**
 * The CTEs (`track`, then `version`) that write a generated track, revision 1, and its version 1
 * pointing back at the job that made it, once per row of `gate` (a CTE of the enclosing
 * statement): a larger statement writes the track only when its other steps happened. The
 * project is kept only if it is still the user's.
 */
export function generatedTrackSteps(gate: string): string {
  return `track as (
     insert into tracks (id, user_id, title, style, prompt, revision, current_version_id, project_id, created_at, updated_at)
     select :trackId, :userId, :title, :style, :prompt, 1, :versionId,
            (select id from projects where id = :projectId and user_id = :userId), :now, :now
     from ${gate}
     returning id
   ), version as (
     insert into track_versions (id, track_id, number, parent_version_id, artifact_key, content_type, size_bytes, duration_seconds, source, job_id, metadata, created_at)
     select :versionId, track.id, 1, null, :artifactKey, :contentType, :sizeBytes, :durationSeconds, 'generation', :jobId, :metadata, :now
     from track
     returning id
   )`;
}

/**
 * generatedTrackSteps for several tracks in one statement: `source` names a CTE with a row per
 * track to write and the columns track_id, version_id, user_id, job_id, title, style, prompt,
 * project_id, artifact_key, content_type, size_bytes, duration_seconds and metadata (JSON text or jsonb).
 * `version` returns each version's id and job_id.
 */
export function generatedTracksSteps(source: string): string {
  return `track as (
     insert into tracks (id, user_id, title, style, prompt, revision, current_version_id, project_id, created_at, updated_at)
     select g.track_id, g.user_id, g.title, g.style, g.prompt, 1, g.version_id,
            (select p.id from projects p where p.id = g.project_id and p.user_id = g.user_id), :now, :now
     from ${source} g
     returning id
   ), version as (
     insert into track_versions (id, track_id, number, parent_version_id, artifact_key, content_type, size_bytes, duration_seconds, source, job_id, metadata, created_at)
     select g.version_id, track.id, 1, null, g.artifact_key, g.content_type, g.size_bytes, g.duration_seconds, 'generation', g.job_id, cast(g.metadata as jsonb), :now
     from ${source} g join track on track.id = g.track_id
     returning id, job_id
   )`;
}

/** The parameters generatedTrackSteps takes, from a track to write. */
export type GeneratedTrackParams = Omit<NewGeneratedTrack, 'metadata'> & { trackId: string; versionId: string; metadata: string; now: Date };

export function generatedTrackParams(input: NewGeneratedTrack, trackId: string, versionId: string, now: Date): GeneratedTrackParams {
  return { ...input, trackId, versionId, metadata: JSON.stringify(input.metadata), now };
}
