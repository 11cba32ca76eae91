import { randomUUID } from 'node:crypto';
import { Check, Entity, Enum, Index, ManyToOne, PrimaryKey, Property, Unique, type Ref } from '@mikro-orm/core';
import { User } from '../users/user.entity.js';

export enum JobStatus {
  QUEUED = 'QUEUED',
  RUNNING = 'RUNNING',
  SUCCEEDED = 'SUCCEEDED',
  FAILED = 'FAILED',
  CANCELLED = 'CANCELLED',
}

export const TERMINAL_JOB_STATUSES: readonly JobStatus[] = [JobStatus.SUCCEEDED, JobStatus.FAILED, JobStatus.CANCELLED];

/** One generation request: priced, held for, queued, run by a worker, resolved once. */
@Entity({ tableName: 'jobs' })
@Unique({ name: 'jobs_user_idempotency_key_unique', properties: ['user', 'idempotencyKey'] })
@Index({ name: 'jobs_user_created_idx', properties: ['user', 'createdAt', 'id'] })
@Index({ name: 'jobs_active_idx', expression: `create index "jobs_active_idx" on "jobs" ("user_id") where "status" in ('QUEUED', 'RUNNING')` })
@Check({ name: 'jobs_progress_check', expression: 'progress >= 0 and progress <= 100' })
export class Job {
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @ManyToOne(() => User, { ref: true, deleteRule: 'cascade' })
  user!: Ref<User>;

  @Enum({ items: () => JobStatus, nativeEnumName: 'job_status', default: JobStatus.QUEUED })
  status: JobStatus = JobStatus.QUEUED;

  @Property({ type: 'int', default: 0 })
  progress: number = 0;

  /** What is happening now: queued, composing, rendering, storing, done, failed, cancelled. */
  @Property({ type: 'text', default: 'queued' })
  stage: string = 'queued';

  @Property({ type: 'text' })
  prompt!: string;

  @Property({ type: 'text', nullable: true })
  title?: string | null;

  @Property({ type: 'text', nullable: true })
  style?: string | null;

  @Property({ type: 'boolean' })
  instrumental!: boolean;

  @Property({ type: 'int' })
  durationSeconds!: number;

  @Property({ type: 'text' })
  model!: string;

  /** Chosen at request time, so a retried job renders the same audio. */
  @Property({ type: 'int' })
  seed!: number;

  /** Credits held for the job and charged on success. */
  @Property({ type: 'int' })
  cost!: number;

  @Property({ type: 'uuid' })
  holdId!: string;

  @Property({ type: 'text' })
  idempotencyKey!: string;

  @Property({ type: 'int', default: 0 })
  attempts: number = 0;

  @Property({ type: 'text', nullable: true })
  errorCode?: string | null;

  /** A reason the user can read. */
  @Property({ type: 'text', nullable: true })
  errorMessage?: string | null;

  @Property({ type: 'text', nullable: true })
  provider?: string | null;

  @Property({ type: 'int', nullable: true })
  providerCost?: number | null;

  @Property({ type: 'uuid', nullable: true })
  trackId?: string | null;

  /** The project the track goes to (checked to be the user's when requested). */
  @Property({ type: 'uuid', nullable: true })
  projectId?: string | null;

  @Property({ type: 'timestamptz', nullable: true })
  cancelRequestedAt?: Date | null;

  @Property({ type: 'timestamptz' })
  createdAt: Date = new Date();

  @Property({ type: 'timestamptz' })
  updatedAt: Date = new Date();

  @Property({ type: 'timestamptz', nullable: true })
  startedAt?: Date | null;

  @Property({ type: 'timestamptz', nullable: true })
  finishedAt?: Date | null;
}
