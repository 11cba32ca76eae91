import { sqlStatement } from '../../infra/database/sql-statement.js';
import { Topic } from '../../infra/outbox/outbox.topics.js';
import { WebhookEventType } from '../webhooks/webhook-event-types.js';
import { someEndpointTakes } from '../webhooks/webhook-endpoints.sql.js';

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
 * A job locked for finishing, with whether a cancel was asked for and whether its hold can still
 * be committed at `:now` (pending and unexpired). No row: no such job.
 */
export const LOCK_JOB_TO_FINISH = sqlStatement(
  'lock_job_to_finish',
  `select j.status, j.cancel_requested_at is not null as cancel_requested,
          coalesce(h.status = 'PENDING' and h.expires_at > :now, false) as hold_committable
   from jobs j left join holds h on h.id = j.hold_id
   where j.id = :jobId
   for update of j`,
  { jobId: 'uuid', now: 'timestamptz' },
);

export interface JobToFinishRow {
  status: string;
  cancel_requested: boolean;
  hold_committable: boolean;
}

/**
 * A RUNNING job SUCCEEDED with its track: the change, its job.updated event and, when an enabled
 * endpoint of the user takes it, the generation.completed webhook event (the same test the
 * webhook fan-out applies), in one statement. Returns the finished job row.
 */
export const SUCCEED_JOB = sqlStatement(
  'succeed_job',
  `with finished as (
     update jobs set track_id = :trackId, provider = :provider, provider_cost = :providerCost, status = 'SUCCEEDED',
       progress = 100, stage = 'done', finished_at = :now, updated_at = :now
     where id = :jobId and status = 'RUNNING'
     returning *
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
   select * from finished`,
  { jobId: 'uuid', trackId: 'uuid', provider: 'text', providerCost: 'int', now: 'timestamptz', jobGlobalId: 'text', trackGlobalId: 'text' },
);

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
