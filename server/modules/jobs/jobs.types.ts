import type { JobSnapshot } from './job.events.js';
import { Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { toGlobalId } from '../../core/global-id.js';
import { Connection } from '../../graphql/connection.js';
import { Node } from '../../graphql/node.type.js';
import { JobStatus, type Job } from './job.entity.js';

registerEnumType(JobStatus, { name: 'JobStatus', description: 'QUEUED and RUNNING end in exactly one of SUCCEEDED, FAILED or CANCELLED.' });

@ObjectType('JobError', { description: 'Why a job failed, in words a person can act on.' , simpleResolvers: true })
export class JobErrorType {
  @Field(() => String, { description: 'e.g. PROVIDER_TIMEOUT, PROVIDER_REFUSED, HOLD_EXPIRED, CANCELLED.' })
  code!: string;

  @Field(() => String)
  message!: string;
}

@ObjectType('Job', { implements: Node, description: 'A generation: from prompt to track, charged once on success.' , simpleResolvers: true })
export class JobType extends Node {
  readonly __typename = 'Job';
  /** Database ids, for field resolvers. */
  jobId!: string;
  trackId!: string | null;

  @Field(() => JobStatus)
  status!: JobStatus;

  @Field(() => Int, { description: '0..100.' })
  progress!: number;

  @Field(() => String, { description: 'What is happening now: queued, composing, rendering, storing, done, failed, cancelled.' })
  stage!: string;

  @Field(() => String)
  prompt!: string;

  @Field(() => String, { nullable: true })
  title!: string | null;

  @Field(() => String, { nullable: true })
  style!: string | null;

  @Field(() => Boolean)
  instrumental!: boolean;

  @Field(() => Int)
  durationSeconds!: number;

  @Field(() => String)
  model!: string;

  @Field(() => Int, { description: 'Credits held for the job, charged on success.' })
  cost!: number;

  @Field(() => Int, { description: 'Times a worker started it (retries after transient failures count).' })
  attempts!: number;

  @Field(() => JobErrorType, { nullable: true })
  error!: JobErrorType | null;

  @Field(() => String, { nullable: true })
  provider!: string | null;

  @Field(() => Int, { nullable: true, description: 'What the upstream provider charged the platform.' })
  providerCost!: number | null;

  @Field(() => Date)
  createdAt!: Date;

  @Field(() => Date, { nullable: true })
  startedAt!: Date | null;

  @Field(() => Date, { nullable: true })
  finishedAt!: Date | null;
}

@ObjectType('JobProgressEvent', { description: 'A step of a job: sent first with the current state, then on every change.' , simpleResolvers: true })
export class JobProgressEventType {
  jobId!: string;
  snapshot?: JobSnapshot;

  @Field(() => Int)
  progress!: number;

  @Field(() => String)
  stage!: string;

  @Field(() => JobStatus)
  status!: JobStatus;
}

@InputType('GenerateTrackInput')
export class GenerateTrackInput {
  @Field(() => String, { description: 'What the song is about, 1 to 1000 characters.' })
  prompt!: string;

  @Field(() => String, { nullable: true })
  title?: string | null;

  @Field(() => String, { nullable: true, description: 'e.g. "lo-fi hip hop", "epic orchestral".' })
  style?: string | null;

  @Field(() => Boolean, { nullable: true, defaultValue: false })
  instrumental?: boolean | null;

  @Field(() => Int, { description: '5 to 240.' })
  durationSeconds!: number;

  @Field(() => String, { nullable: true, description: 'A model from priceCatalog; mv-lite by default.' })
  model?: string | null;

  @Field(() => String, { description: 'Makes retries safe: the same key returns the same job, charged once.' })
  idempotencyKey!: string;

  @Field(() => ID, { nullable: true, description: 'A project of yours to file the new track in.' })
  projectId?: string | null;
}

export const JobConnection = Connection(JobType, 'Job');

/** What a Job answer is made of: the entity, or a snapshot carried in a change event. */
export type JobFields = Pick<
  Job,
  | 'id' | 'trackId' | 'status' | 'progress' | 'stage' | 'prompt' | 'title' | 'style' | 'instrumental' | 'durationSeconds' | 'model' | 'cost' | 'attempts'
  | 'errorCode' | 'errorMessage' | 'provider' | 'providerCost' | 'createdAt' | 'startedAt' | 'finishedAt'
>;

export function toJobType(job: JobFields): JobType {
  return Object.assign(new JobType(), {
    id: toGlobalId('Job', job.id),
    jobId: job.id,
    trackId: job.trackId ?? null,
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
    error: job.errorCode ? Object.assign(new JobErrorType(), { code: job.errorCode, message: job.errorMessage ?? job.errorCode }) : null,
    provider: job.provider ?? null,
    providerCost: job.providerCost ?? null,
    createdAt: job.createdAt,
    startedAt: job.startedAt ?? null,
    finishedAt: job.finishedAt ?? null,
  });
}
