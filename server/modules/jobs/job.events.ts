import type { SongRequest } from '../generation/providers/provider.js';
import { JobStatus, type Job } from './job.entity.js';

/**
 * A job as it stood at a change, carried in the event so that subscribers are answered without
 * reading the job again (one read per event per subscriber was most of the API's work under
 * load). Dates travel as ISO strings.
 */
export interface JobSnapshot extends SongRequest {
  id: string;
  status: JobStatus;
  progress: number;
  stage: string;
  cost: number;
  attempts: number;
  errorCode: string | null;
  errorMessage: string | null;
  provider: string | null;
  providerCost: number | null;
  trackId: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

/** The fields of a job that subscribers see, as plain data. */
export type JobView = Omit<JobSnapshot, 'createdAt' | 'startedAt' | 'finishedAt'> & { createdAt: Date; startedAt: Date | null; finishedAt: Date | null };

/** The fields a snapshot is made of: an entity's or a JobRecord's. */
export type SnapshotSource = Pick<
  Job,
  | 'id' | 'status' | 'progress' | 'stage' | 'prompt' | 'title' | 'style' | 'instrumental' | 'durationSeconds' | 'model' | 'cost' | 'attempts'
  | 'errorCode' | 'errorMessage' | 'provider' | 'providerCost' | 'trackId' | 'createdAt' | 'startedAt' | 'finishedAt'
>;

export function snapshotOf(job: SnapshotSource): JobSnapshot {
  return {
    id: job.id,
    status: job.status,
    progress: job.progress,
    stage: job.stage,
    prompt: job.prompt,
    title: job.title ?? null,
    style: job.style ?? null,
    instrumental: job.instrumental,
    durationSeconds: job.durationSeconds,
    model: job.model,
    cost: job.cost,
    attempts: job.attempts,
    errorCode: job.errorCode ?? null,
    errorMessage: job.errorMessage ?? null,
    provider: job.provider ?? null,
    providerCost: job.providerCost ?? null,
    trackId: job.trackId ?? null,
    createdAt: job.createdAt.toISOString(),
    startedAt: job.startedAt?.toISOString() ?? null,
    finishedAt: job.finishedAt?.toISOString() ?? null,
  };
}

export function viewOfSnapshot(snapshot: JobSnapshot): JobView {
  return {
    ...snapshot,
    createdAt: new Date(snapshot.createdAt),
    startedAt: snapshot.startedAt ? new Date(snapshot.startedAt) : null,
    finishedAt: snapshot.finishedAt ? new Date(snapshot.finishedAt) : null,
  };
}

const STATUS_RANK: Record<JobStatus, number> = {
  [JobStatus.QUEUED]: 0,
  [JobStatus.RUNNING]: 1,
  [JobStatus.SUCCEEDED]: 2,
  [JobStatus.FAILED]: 2,
  [JobStatus.CANCELLED]: 2,
};

/**
 * Whether `next` moves a job on from `last`. Ticks (Redis) and status changes (outbox) travel
 * separately and may arrive late or twice; a job never goes back, and a finished job stays
 * finished.
 */
export function movesOn(last: Pick<JobChanged, 'status' | 'progress' | 'stage'> | undefined, next: Pick<JobChanged, 'status' | 'progress' | 'stage'>): boolean {
  if (!last) return true;
  const before = STATUS_RANK[last.status];
  const after = STATUS_RANK[next.status];
  if (before === 2 || after < before) return false;
  if (after > before || next.progress > last.progress) return true;
  // Same step: only a new stage at the same progress is news (a repeat is not).
  return next.progress === last.progress && next.stage !== last.stage;
}

/**
 * A change of a job as subscribers see it. Progress ticks travel over Redis pub/sub straight
 * from the worker (losing one is harmless, the next carries the state); every change of status
 * also goes through the outbox, so the final state always arrives.
 */
export interface JobChanged {
  jobId: string;
  userId: string;
  status: JobStatus;
  progress: number;
  stage: string;
  /** The whole job at this change; absent in events written before snapshots existed. */
  job?: JobSnapshot;
}

/** Broadcast channel of progress ticks (under the deployment prefix). */
export const JOB_PROGRESS_CHANNEL = 'job.progress';
/**
 * Where a running job's latest tick is kept: the job row takes progress only now and then, so a
 * subscriber that starts (or reconnects) mid-job begins from this, never behind what it saw.
 */
export function latestTickKey(jobId: string): string {
  return `job.progress.latest:${jobId}`;
}
/** How long a tick is kept: longer than any gap between two ticks of a running job. */
export const LATEST_TICK_TTL_MS = 60 * 60 * 1000;
/** Broadcast channel asking the worker running a job to stop it. */
export const JOB_CANCEL_CHANNEL = 'job.cancel';
