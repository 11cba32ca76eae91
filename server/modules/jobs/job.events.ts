import type { JobStatus } from './job.entity.js';

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
}

/** Broadcast channel of progress ticks (under the deployment prefix). */
export const JOB_PROGRESS_CHANNEL = 'job.progress';
/** Broadcast channel asking the worker running a job to stop it. */
export const JOB_CANCEL_CHANNEL = 'job.cancel';
