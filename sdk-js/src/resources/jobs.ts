import type { RequestOptions } from '../core/options.js';
import { PagePromise } from '../core/pagination.js';
import type { SubscribeOptions } from '../core/subscriptions.js';
import { CancelJobDocument, JobDocument, JobProgressDocument, JobsDocument, JobUpdatedDocument, type JobFieldsFragment, type JobProgressSubscription, type JobStatus } from '../generated/graphql.js';
import { APIResource, nodeOrNotFound, type PageParams } from './resource.js';

export type Job = JobFieldsFragment;
export type JobProgress = JobProgressSubscription['jobProgress'];

/** A job in one of these never changes again. */
export const TERMINAL_JOB_STATUSES: ReadonlySet<JobStatus> = new Set<JobStatus>(['SUCCEEDED', 'FAILED', 'CANCELLED']);

/** QUEUED, then RUNNING, then one of the terminal statuses. */
function stepOf(status: JobStatus): number {
  if (status === 'QUEUED') return 0;
  return status === 'RUNNING' ? 1 : 2;
}

/** Whether `next` is news after `last`: a later status, more progress, or a new stage. */
function movesOn(last: JobProgress, next: JobProgress): boolean {
  const before = stepOf(last.status);
  const after = stepOf(next.status);
  if (after !== before) return after > before;
  if (next.progress !== last.progress) return next.progress > last.progress;
  return next.stage !== last.stage && before < 2;
}

export interface ListJobsParams extends PageParams {
  status?: JobStatus;
}

/** Generation jobs (`jobs:read`; cancelling needs `generate:write`). */
export class Jobs extends APIResource {
  /** Throws NotFoundError when the job does not exist or is not yours. */
  async get(id: string, options?: RequestOptions): Promise<Job> {
    const { node } = await this.client.request(JobDocument, { id }, options);
    return nodeOrNotFound(node, 'Job');
  }

  list(params: ListJobsParams = {}, options?: RequestOptions): PagePromise<Job> {
    const { pageSize, status } = params;
    return new PagePromise(async (after) => (await this.client.request(JobsDocument, { first: pageSize, after, status }, options)).viewer.jobs, params.after ?? null);
  }

  iterate(params: ListJobsParams = {}, options?: RequestOptions): AsyncIterable<Job> {
    return this.list(params, options);
  }

  /** Cancels a queued or running job; its held credits come back. ConflictError once it ended. */
  async cancel(id: string, options?: RequestOptions): Promise<Job> {
    return (await this.client.request(CancelJobDocument, { id }, options)).cancelJob;
  }

  /**
   * The job's progress: its current state first, then every change; ends after the event with a
   * terminal status (SUCCEEDED, FAILED, CANCELLED). Survives reconnects: a resubscribe starts
   * again from the current state, so the last event is always the final one. Progress never
   * goes back: a state already seen, or an older one, is not yielded again.
   */
  async *watch(jobId: string, options?: SubscribeOptions): AsyncGenerator<JobProgress> {
    let last: JobProgress | undefined;
    for await (const { jobProgress } of this.client.subscribe(JobProgressDocument, { jobId }, options)) {
      if (last && !movesOn(last, jobProgress)) continue;
      last = jobProgress;
      yield jobProgress;
      if (TERMINAL_JOB_STATUSES.has(jobProgress.status)) return;
    }
  }

  /** Every change of any of your jobs, until you break out of the loop. */
  async *updates(options?: SubscribeOptions): AsyncGenerator<Job> {
    for await (const { jobUpdated } of this.client.subscribe(JobUpdatedDocument, {}, options)) yield jobUpdated;
  }
}
