import { sqlStatement } from '../../infra/database/sql-statement.js';
import { Topic } from '../../infra/outbox/outbox.topics.js';
import { WebhookEventType } from '../webhooks/webhook-event-types.js';
import { someEndpointTakes } from '../webhooks/webhook-endpoints.sql.js';
import { commitHoldSteps, HOLD_COMMIT_TYPES } from '../credits/ledger.sql.js';
import { GENERATED_TRACK_TYPES, generatedTrackSteps } from '../tracks/generated-track.sql.js';
import type { JobRow } from './job.row.js';

/**
 * Everything generateTrack decides on, read in one statement after the per-user lock: a job
 * already made with this idempotency key, the user's tier and what it allows, the model's price
 * (null columns: no active price) and how many of the user's jobs are queued or running.
 * One round trip instead of five on the hottest mutation.
 */
export const GENERATION_TERMS = sqlStatement(
  'generation_terms',
  `
  select u.tier, plan.allowed_models, plan.concurrent_jobs,
         price.credits, price.credits_per_extra_minute,
         (select count(*) from jobs where user_id = u.id and status in ('QUEUED', 'RUNNING'))::int as active_jobs,
         (select id from jobs where user_id = u.id and idempotency_key = :idempotencyKey) as existing_job_id,
         (select id from projects where id = :projectId and user_id = u.id) as project_id
  from users u
  join tier_plans plan on plan.tier = u.tier
  left join prices price on price.model = :model and price.active
  where u.id = :userId`,
  { userId: 'uuid', model: 'text', idempotencyKey: 'text', projectId: 'uuid' },
);

export interface GenerationTermsRow {
  tier: string;
  allowed_models: string[];
  concurrent_jobs: number;
  credits: number | null;
  credits_per_extra_minute: number | null;
  active_jobs: number;
  existing_job_id: string | null;
  /** The requested project when it is the user's. */
  project_id: string | null;
}

/** An ISO-8601 UTC string with milliseconds, as JavaScript's toISOString writes it (null stays null). */
function isoTime(column: string): string {
  return `to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
}

/**
 * The JobSnapshot (job.events.ts) of row `j`, built by the database so that a status change and
 * its outbox event are one statement. It must match snapshotOf field for field; a test compares them.
 */
export function jobSnapshotJson(j: string): string {
  return `json_build_object(
    'id', ${j}.id, 'status', ${j}.status, 'progress', ${j}.progress, 'stage', ${j}.stage, 'prompt', ${j}.prompt,
    'title', ${j}.title, 'style', ${j}.style, 'instrumental', ${j}.instrumental, 'durationSeconds', ${j}.duration_seconds,
    'model', ${j}.model, 'cost', ${j}.cost, 'attempts', ${j}.attempts, 'errorCode', ${j}.error_code,
    'errorMessage', ${j}.error_message, 'provider', ${j}.provider, 'providerCost', ${j}.provider_cost, 'trackId', ${j}.track_id,
    'createdAt', ${isoTime(`${j}.created_at`)}, 'startedAt', ${isoTime(`${j}.started_at`)}, 'finishedAt', ${isoTime(`${j}.finished_at`)})`;
}

/** The job.updated outbox event (Topic.JobUpdated, as recordJobChanged writes it) for row `j`, when `condition` holds. */
function jobChangedEvent(j: string, condition = 'true'): string {
  return `insert into outbox (id, topic, user_id, payload, created_at, available_at, attempts)
    select gen_random_uuid(), '${Topic.JobUpdated}', ${j}.user_id,
           json_build_object('jobId', ${j}.id, 'userId', ${j}.user_id, 'status', ${j}.status, 'progress', ${j}.progress,
                             'stage', ${j}.stage, 'job', ${jobSnapshotJson(j)}),
           :now, :now, 0
    from ${j} where ${condition}`;
}

/**
 * A worker takes a job: QUEUED (first run) or RUNNING (a retry, or a crashed worker's job)
 * becomes RUNNING with one more attempt; anything else returns no row. Leaving QUEUED is
 * reported to subscribers through the outbox, in the same statement.
 */
export const CLAIM_JOB = sqlStatement(
  'claim_job',
  `with target as (
     select id, status from jobs where id = :jobId for update
   ), claimed as (
     update jobs j set status = 'RUNNING', attempts = j.attempts + 1, started_at = coalesce(j.started_at, :now), updated_at = :now, stage = 'starting'
     from target
     where j.id = target.id and target.status in ('QUEUED', 'RUNNING')
     returning j.*, target.status as previous_status
   ), started as (
     ${jobChangedEvent('claimed', "claimed.previous_status = 'QUEUED'")}
   )
   select * from claimed`,
  { jobId: 'uuid', now: 'timestamptz' },
);

/**
 * A RUNNING job SUCCEEDED, in ONE statement (one round trip, no transaction block; the job row is
 * locked only while it runs): the job is locked; if it is still RUNNING and no cancel was asked
 * for, its hold is committed (pending and unexpired, or nothing happens); then, only if the hold
 * was committed, the track and its version are written and the job succeeds with its job.updated
 * event and, when an enabled endpoint of the user takes it, the generation.completed webhook event
 * (the same test the webhook fan-out applies). Each step reads the one before it, so all of it
 * happens or none. The row says which: `previous_status` and `cancel_requested` as the job was
 * found, `hold_committed`, and the finished job's columns (null when it did not finish).
 */
export const FINISH_GENERATION = sqlStatement(
  'finish_generation',
  `with job as (
     select status, cancel_requested_at is not null as cancel_requested from jobs where id = :jobId for update
   ), ${commitHoldSteps("exists (select 1 from job where job.status = 'RUNNING' and not job.cancel_requested)")},
   ${generatedTrackSteps('hold')},
   finished as (
     update jobs j set track_id = :trackId, provider = :provider, provider_cost = :providerCost, status = 'SUCCEEDED',
       progress = 100, stage = 'done', finished_at = :now, updated_at = :now
     from version
     where j.id = :jobId
     returning j.*
   ), changed as (
     ${jobChangedEvent('finished')}
   ), completed as (
     insert into outbox (id, topic, user_id, payload, created_at, available_at, attempts)
     select gen_random_uuid(), '${Topic.WebhookEvent}', finished.user_id,
            json_build_object('type', '${WebhookEventType.GenerationCompleted}',
                              'data', json_build_object('jobId', :jobGlobalId, 'trackId', :trackGlobalId, 'cost', finished.cost)),
            :now, :now, 0
     from finished
     where ${someEndpointTakes('finished.user_id', WebhookEventType.GenerationCompleted)}
   )
   select job.status as previous_status, job.cancel_requested, exists (select 1 from hold) as hold_committed, finished.*
   from job left join finished on true`,
  { ...HOLD_COMMIT_TYPES, ...GENERATED_TRACK_TYPES, jobId: 'uuid', provider: 'text', providerCost: 'int', jobGlobalId: 'text', trackGlobalId: 'text' },
);

/** What FINISH_GENERATION found and did, with the finished job's columns when it finished (all null otherwise). */
export type FinishedGenerationRow = { previous_status: string; cancel_requested: boolean; hold_committed: boolean } & (JobRow | { id: null });

/** One generateTrack at a time per user (to the end of the transaction), so the concurrent-job limit cannot be raced past. */
export const LOCK_USER_GENERATION = sqlStatement('lock_user_generation', `select pg_advisory_xact_lock(hashtext('generate:' || :userId))`, { userId: 'text' });

/**
 * A new QUEUED job, with the job.requested event that queues it and the job.updated event that
 * tells subscribers, in one statement. Returns the job row.
 */
export const INSERT_JOB = sqlStatement(
  'insert_job',
  `with job as (
     insert into jobs (id, user_id, status, progress, stage, attempts, prompt, title, style, instrumental, duration_seconds,
                       model, seed, cost, hold_id, idempotency_key, project_id, created_at, updated_at)
     values (:jobId, :userId, 'QUEUED', 0, 'queued', 0, :prompt, :title, :style, :instrumental, :durationSeconds,
             :model, :seed, :cost, :holdId, :idempotencyKey, :projectId, :now, :now)
     returning *
   ), requested as (
     insert into outbox (id, topic, user_id, payload, created_at, available_at, attempts)
     select gen_random_uuid(), '${Topic.JobRequested}', job.user_id, json_build_object('jobId', job.id), :now, :now, 0 from job
   ), queued as (
     ${jobChangedEvent('job')}
   )
   select * from job`,
  {
    jobId: 'uuid',
    userId: 'uuid',
    prompt: 'text',
    title: 'text',
    style: 'text',
    instrumental: 'boolean',
    durationSeconds: 'int',
    model: 'text',
    seed: 'int',
    cost: 'int',
    holdId: 'uuid',
    idempotencyKey: 'text',
    projectId: 'uuid',
    now: 'timestamptz',
  },
);
