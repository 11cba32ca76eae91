import type { Job, JobStatus } from './job.entity.js';

/** A jobs row as PostgreSQL sends it (snake_case), from the jobs statements in jobs.sql.ts. */
export interface JobRow {
  id: string;
  user_id: string;
  status: JobStatus;
  progress: number;
  stage: string;
  prompt: string;
  title: string | null;
  style: string | null;
  instrumental: boolean;
  duration_seconds: number;
  model: string;
  seed: number;
  cost: number;
  hold_id: string;
  idempotency_key: string;
  attempts: number;
  error_code: string | null;
  error_message: string | null;
  provider: string | null;
  provider_cost: number | null;
  track_id: string | null;
  project_id: string | null;
  /** Dates arrive as strings on the ORM's connections (it parses them itself), as Dates elsewhere. */
  cancel_requested_at: Date | string | null;
  created_at: Date | string;
  updated_at: Date | string;
  started_at: Date | string | null;
  finished_at: Date | string | null;
}

/**
 * A job as plain data, without ORM bookkeeping: what the hot paths (generateTrack, the worker)
 * read back from their statements. Mapping a row through the ORM cost about a millisecond.
 */
export type JobRecord = Omit<Job, 'user'> & { userId: string };

function dateOf(value: Date | string): Date {
  return value instanceof Date ? value : new Date(value);
}

function maybeDate(value: Date | string | null): Date | null {
  return value === null ? null : dateOf(value);
}

export function jobFromRow(row: JobRow): JobRecord {
  return {
    id: row.id,
    userId: row.user_id,
    status: row.status,
    progress: row.progress,
    stage: row.stage,
    prompt: row.prompt,
    title: row.title,
    style: row.style,
    instrumental: row.instrumental,
    durationSeconds: row.duration_seconds,
    model: row.model,
    seed: row.seed,
    cost: row.cost,
    holdId: row.hold_id,
    idempotencyKey: row.idempotency_key,
    attempts: row.attempts,
    errorCode: row.error_code,
    errorMessage: row.error_message,
    provider: row.provider,
    providerCost: row.provider_cost,
    trackId: row.track_id,
    projectId: row.project_id,
    cancelRequestedAt: maybeDate(row.cancel_requested_at),
    createdAt: dateOf(row.created_at),
    updatedAt: dateOf(row.updated_at),
    startedAt: maybeDate(row.started_at),
    finishedAt: maybeDate(row.finished_at),
  };
}
