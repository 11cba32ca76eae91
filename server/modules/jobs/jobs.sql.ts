import { sqlStatement } from '../../infra/database/sql-statement.js';
import { Topic } from '../../infra/outbox/outbox.topics.js';
import { WebhookEventType } from '../webhooks/webhook-event-types.js';
import { someEndpointTakes } from '../webhooks/webhook-endpoints.sql.js';
import { ACCOUNTS_CHANGED_EVENT, commitHoldSteps, commitHoldsSteps, HOLD_COMMIT_TYPES, HOLD_PLACEMENT_TYPES, placeHoldSteps } from '../credits/ledger.sql.js';
import { GENERATED_TRACK_TYPES, generatedTrackSteps, generatedTracksSteps } from '../tracks/generated-track.sql.js';
import type { JobRow } from './job.row.js';

/**
 * Everything generateTrack decides on before it writes, in one statement: a job already made
 * with this idempotency key, the user's tier and what it allows, the model's price (null
 * columns: no active price) and the project when it is the user's. Read without a lock: what
 * must not be raced (credits, the concurrent-job limit, the key) is checked again by the write.
 */
export const GENERATION_TERMS = sqlStatement(
  'generation_terms',
  `
  select u.tier, plan.allowed_models, plan.concurrent_jobs,
         price.credits, price.credits_per_extra_minute,
         (select id from jobs where user_id = u.id and idempotency_key = :idempotencyKey) as existing_job_id,
         (select id from projects where id = :projectId and user_id = u.id) as project_id
  from users u
  join tier_plans plan on plan.tier = u.tier
  left join prices price on price.model = :model and price.active
  where u.id = :userId`,
  { userId: 'uuid', model: 'text', idempotencyKey: 'text', projectId: 'uuid' },
);

/**
 * GENERATION_TERMS for several requests at once (group commit, see generation.batches.ts):
 * `:batch` is a JSON array of `{ ord, user_id, model, idempotency_key, project_id }`; a row per
 * request whose user exists, with its `ord`.
 */
export const GENERATION_TERMS_MANY = sqlStatement(
  'generation_terms_many',
  `
  select r.ord, u.tier, plan.allowed_models, plan.concurrent_jobs,
         price.credits, price.credits_per_extra_minute,
         (select id from jobs where user_id = u.id and idempotency_key = r.idempotency_key) as existing_job_id,
         (select id from projects where id = r.project_id and user_id = u.id) as project_id
  from json_to_recordset(:batch) as r(ord int, user_id uuid, model text, idempotency_key text, project_id uuid)
  join users u on u.id = r.user_id
  join tier_plans plan on plan.tier = u.tier
  left join prices price on price.model = r.model and price.active`,
  { batch: 'json' },
);

export interface GenerationTermsRow {
  tier: string;
  allowed_models: string[];
  concurrent_jobs: number;
  credits: number | null;
  credits_per_extra_minute: number | null;
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

/** The CTEs `requested` (the job.requested event that queues each new job of CTE `j`) and `queued` (its job.updated event). */
function jobQueuedEvents(j: string): string {
  return `requested as (
     insert into outbox (id, topic, user_id, payload, created_at, available_at, attempts)
     select gen_random_uuid(), '${Topic.JobRequested}', ${j}.user_id, json_build_object('jobId', ${j}.id), :now, :now, 0 from ${j}
   ), queued as (
     ${jobChangedEvent(j)}
   )`;
}

/**
 * The generation.completed webhook event of each job of `finished` (a CTE of finished jobs,
 * joined with `source`), when an enabled endpoint of its user takes it (the test the webhook
 * fan-out applies). `jobGlobalId` and `trackGlobalId` are SQL expressions.
 */
function generationCompletedEvent(source: string, jobGlobalId: string, trackGlobalId: string): string {
  return `insert into outbox (id, topic, user_id, payload, created_at, available_at, attempts)
     select gen_random_uuid(), '${Topic.WebhookEvent}', finished.user_id,
            json_build_object('type', '${WebhookEventType.GenerationCompleted}',
                              'data', json_build_object('jobId', ${jobGlobalId}, 'trackId', ${trackGlobalId}, 'cost', finished.cost)),
            :now, :now, 0
     from ${source}
     where ${someEndpointTakes('finished.user_id', WebhookEventType.GenerationCompleted)}`;
}

/**
 * A worker takes a job: QUEUED (first run) or RUNNING (a retry, or a crashed worker's job)
 * becomes RUNNING with one more attempt; anything else returns no row. Leaving QUEUED is
 * reported to subscribers through the outbox, in the same statement.
 *
 * Its commit does not wait for the disk (synchronous_commit off for this statement's own
 * transaction): taking a job moves no money, and a claim lost with a crash of the database
 * server only leaves the job QUEUED, to be taken again (the finish of a run whose claim was lost
 * finds the job not RUNNING and changes nothing). Any later commit that waits for the disk,
 * such as the job's finish, makes the claim durable with it, since the log is written in order.
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
   select claimed.* from claimed where set_config('synchronous_commit', 'off', true) is not null`,
  { jobId: 'uuid', now: 'timestamptz' },
);

/**
 * The condition (always true) by which a statement that moves credit_accounts.active_jobs itself,
 * in its own update of the account row, tells the jobs trigger not to count job :jobId again:
 * it names the job in a setting of this transaction (see migration 20261130).
 */
const COUNTED_HERE = `set_config('musicverse.job_counted', cast(:jobId as text), true) is not null`;

/**
 * A RUNNING job SUCCEEDED, in ONE statement (one round trip, no transaction block; the job row is
 * locked only while it runs): the job is locked; if it is still RUNNING and no cancel was asked
 * for, its hold is committed (pending and unexpired, or nothing happens); then, only if the hold
 * was committed, the track and its version are written and the job succeeds with its job.updated
 * event and, when an enabled endpoint of the user takes it, the generation.completed webhook event
 * (the same test the webhook fan-out applies). Each step reads the one before it, so all of it
 * happens or none. The row says which: `previous_status` and `cancel_requested` as the job was
 * found, `hold_committed`, and the finished job's columns (null when it did not finish). The
 * job's slot (credit_accounts.active_jobs) is freed in the update that commits the hold.
 */
export const FINISH_GENERATION = sqlStatement(
  'finish_generation',
  `with job as (
     select status, cancel_requested_at is not null as cancel_requested from jobs where id = :jobId for update
   ), ${commitHoldSteps("exists (select 1 from job where job.status = 'RUNNING' and not job.cancel_requested)", 'active_jobs = a.active_jobs - 1')},
   ${generatedTrackSteps('hold')},
   finished as (
     update jobs j set track_id = :trackId, provider = :provider, provider_cost = :providerCost, status = 'SUCCEEDED',
       progress = 100, stage = 'done', finished_at = :now, updated_at = :now
     from version
     where j.id = :jobId and ${COUNTED_HERE}
     returning j.*
   ), changed as (
     ${jobChangedEvent('finished')}
   ), completed as (
     ${generationCompletedEvent('finished', ':jobGlobalId', ':trackGlobalId')}
   )
   select job.status as previous_status, job.cancel_requested, exists (select 1 from hold) as hold_committed, finished.*
   from job left join finished on true`,
  { ...HOLD_COMMIT_TYPES, ...GENERATED_TRACK_TYPES, jobId: 'uuid', provider: 'text', providerCost: 'int', jobGlobalId: 'text', trackGlobalId: 'text' },
);

/** What FINISH_GENERATION found and did, with the finished job's columns when it finished (all null otherwise). */
export type FinishedGenerationRow = { previous_status: string; cancel_requested: boolean; hold_committed: boolean } & (JobRow | { id: null });

/**
 * Group commit of FINISH_GENERATION: several RUNNING jobs (of any users) succeed in ONE
 * statement. `:batch` is a JSON array of finishes, one per job (GenerationFinishes writes it).
 * The jobs are locked in id order; each job still RUNNING with no cancel asked for has its hold
 * committed (commitHoldsSteps: pending and unexpired, or nothing happens for that job), and only
 * then its track and version are written and it succeeds, with its job.updated event and, when
 * an enabled endpoint of its user takes it, its generation.completed event. One row per job
 * found, as FINISH_GENERATION answers for one, with `requested_job_id`.
 */
export const FINISH_GENERATIONS = sqlStatement(
  'finish_generations',
  `with req as (
     select * from json_to_recordset(:batch)
       as r(ord int, job_id uuid, hold_id uuid, user_id uuid, charge int, track_id uuid, version_id uuid, title text, style text, prompt text,
            project_id uuid, artifact_key text, content_type text, size_bytes int, duration_seconds int, metadata text,
            provider text, provider_cost int, job_global_id text, track_global_id text)
   ), job as (
     select id, status, cancel_requested_at is not null as cancel_requested from jobs
     where id in (select job_id from req) order by id for update
   ), committable as (
     select req.* from req join job on job.id = req.job_id where job.status = 'RUNNING' and not job.cancel_requested
   ), ${commitHoldsSteps('committable', 'active_jobs = a.active_jobs - totals.committed')},
   made as (
     select committable.* from committable join hold on hold.id = committable.hold_id
   ), ${generatedTracksSteps('made')},
   finished as (
     update jobs j set track_id = made.track_id, provider = made.provider, provider_cost = made.provider_cost, status = 'SUCCEEDED',
       progress = 100, stage = 'done', finished_at = :now, updated_at = :now
     from version join made on made.job_id = version.job_id
     where j.id = version.job_id
       and set_config('musicverse.job_counted', coalesce((select string_agg(cast(job_id as text), ',') from made), ''), true) is not null
     returning j.*
   ), changed as (
     ${jobChangedEvent('finished')}
   ), completed as (
     ${generationCompletedEvent('finished join made on made.job_id = finished.id', 'made.job_global_id', 'made.track_global_id')}
   )
   select req.job_id as requested_job_id, job.status as previous_status, job.cancel_requested, hold.id is not null as hold_committed, finished.*
   from req join job on job.id = req.job_id left join hold on hold.id = req.hold_id left join finished on finished.id = req.job_id`,
  { batch: 'json', now: 'timestamptz', cause: 'text' },
);

/**
 * A new QUEUED job and its hold, in ONE statement: the hold is placed (placeHoldSteps) only
 * while the user's queued and running jobs are fewer than `:concurrentJobs`, checked on the
 * account row the placement locks, so two requests cannot both take the last slot; the job, the
 * job.requested event that queues it and the job.updated event that tells subscribers are
 * written only with the hold. No row back: not placed (no account yet, not enough credits, or
 * the limit reached; the caller finds out which). The same idempotency key twice fails the
 * jobs' unique index and undoes all of it. The job takes its slot (credit_accounts.active_jobs)
 * in the update that places the hold.
 */
export const PLACE_GENERATION = sqlStatement(
  'place_generation',
  `with ${placeHoldSteps('active_jobs < :concurrentJobs', 'active_jobs = active_jobs + 1')},
   job as (
     insert into jobs (id, user_id, status, progress, stage, attempts, prompt, title, style, instrumental, duration_seconds,
                       model, seed, cost, hold_id, idempotency_key, project_id, created_at, updated_at)
     select :jobId, :userId, 'QUEUED', 0, 'queued', 0, :prompt, :title, :style, :instrumental, :durationSeconds,
            :model, :seed, :amount, hold.id, :jobIdempotencyKey, :projectId, :now, :now
     from hold
     where ${COUNTED_HERE}
     returning *
   ), ${jobQueuedEvents('job')}
   select * from job`,
  {
    ...HOLD_PLACEMENT_TYPES,
    concurrentJobs: 'int',
    jobId: 'uuid',
    prompt: 'text',
    title: 'text',
    style: 'text',
    instrumental: 'boolean',
    durationSeconds: 'int',
    model: 'text',
    seed: 'int',
    jobIdempotencyKey: 'text',
    projectId: 'uuid',
  },
);

/**
 * Group commit of PLACE_GENERATION: new jobs of any number of users in ONE statement, each with
 * its hold, journal entry and events, in arrival order (`ord`). `:batch` is a JSON array of
 * placements (GenerationPlacementBatcher writes it). Per account, the longest prefix of its
 * requests that both its available credits and its free job slots cover is placed; a request
 * whose idempotency key is already taken (by an earlier job, or by an earlier request of the
 * batch) and every request after the prefix get no row back and go through PLACE_GENERATION
 * alone, which says why. The accounts are locked in user order, so two batches never deadlock.
 * Each account gets one credits.changed event with its balances after the batch (and the
 * credits.low event when the batch took it below the mark); every placed hold's journal entry
 * carries the balances after that hold. The jobs' slots are counted in the accounts' update,
 * and the jobs named in `musicverse.job_counted` (see migration 20261201).
 */
export const PLACE_GENERATIONS = sqlStatement(
  'place_generations',
  `with req as (
     select * from json_to_recordset(:batch)
       as r(ord int, user_id uuid, job_id uuid, hold_id uuid, amount int, concurrent_jobs int, reason text, reference text,
            hold_key text, ttl_seconds int, expires_at timestamptz, prompt text, title text, style text, instrumental boolean,
            duration_seconds int, model text, seed int, job_key text, project_id uuid)
   ), fresh as (
     select distinct on (req.user_id, req.job_key) req.* from req
     where not exists (select 1 from jobs j where j.user_id = req.user_id and j.idempotency_key = req.job_key)
     order by req.user_id, req.job_key, req.ord
   ), locked as (
     select user_id, available, active_jobs from credit_accounts
     where user_id in (select user_id from fresh)
     order by user_id
     for update
   ), ranked as (
     select fresh.*, sum(fresh.amount) over w as cum, row_number() over w as nth
     from fresh window w as (partition by fresh.user_id order by fresh.ord)
   ), accepted as (
     select ranked.* from ranked join locked on locked.user_id = ranked.user_id
     where ranked.cum <= locked.available and locked.active_jobs + ranked.nth <= ranked.concurrent_jobs
   ), totals as (
     select user_id, sum(amount) as total, count(*) as placed from accepted group by user_id
   ), acct as (
     update credit_accounts a
     set available = a.available - totals.total, held = a.held + totals.total, active_jobs = a.active_jobs + totals.placed, updated_at = :now
     from totals where a.user_id = totals.user_id
     returning a.user_id, a.available, a.held, totals.total
   ), hold as (
     insert into holds (id, user_id, amount, status, reason, reference, idempotency_key, ttl_seconds, expires_at, created_at)
     select accepted.hold_id, accepted.user_id, accepted.amount, 'PENDING', accepted.reason, accepted.reference, accepted.hold_key,
            accepted.ttl_seconds, accepted.expires_at, :now
     from accepted order by accepted.ord
   ), entry as (
     insert into credit_transactions (id, user_id, type, available_delta, held_delta, available_after, held_after, hold_id, reference, idempotency_key, reason, created_at)
     select gen_random_uuid(), accepted.user_id, 'HOLD', -accepted.amount, accepted.amount,
            acct.available + acct.total - accepted.cum, acct.held - acct.total + accepted.cum,
            accepted.hold_id, accepted.reference, 'hold:' || cast(accepted.hold_id as text), accepted.reason, :now
     from accepted join acct on acct.user_id = accepted.user_id
     order by accepted.ord
   ), balance_event as (${ACCOUNTS_CHANGED_EVENT}
   ), low as (
     insert into outbox (id, topic, user_id, payload, created_at, available_at, attempts)
     select gen_random_uuid(), '${Topic.WebhookEvent}', acct.user_id,
            json_build_object('type', '${WebhookEventType.CreditsLow}',
                              'data', json_build_object('available', acct.available, 'held', acct.held, 'threshold', mark.credits)),
            :now, :now, 0
     from acct, (select min(credits) as credits from prices where active) as mark
     where acct.available < mark.credits and acct.available + acct.total >= mark.credits
       and ${someEndpointTakes('acct.user_id', WebhookEventType.CreditsLow)}
   ), job as (
     insert into jobs (id, user_id, status, progress, stage, attempts, prompt, title, style, instrumental, duration_seconds,
                       model, seed, cost, hold_id, idempotency_key, project_id, created_at, updated_at)
     select accepted.job_id, accepted.user_id, 'QUEUED', 0, 'queued', 0, accepted.prompt, accepted.title, accepted.style, accepted.instrumental,
            accepted.duration_seconds, accepted.model, accepted.seed, accepted.amount, accepted.hold_id, accepted.job_key, accepted.project_id, :now, :now
     from accepted
     where set_config('musicverse.job_counted', coalesce((select string_agg(cast(job_id as text), ',') from accepted), ''), true) is not null
     order by accepted.ord
     returning *
   ), ${jobQueuedEvents('job')}
   select * from job`,
  { batch: 'json', now: 'timestamptz', cause: 'text' },
);

/**
 * Why a placement was refused, read after it: a job already made with the key (a concurrent
 * request won), and the account's credits and active jobs (null columns: no account yet).
 */
export const GENERATION_REFUSAL = sqlStatement(
  'generation_refusal',
  `select (select id from jobs where user_id = :userId and idempotency_key = :idempotencyKey) as existing_job_id, a.available, a.active_jobs
   from (select 1) as one left join credit_accounts a on a.user_id = :userId`,
  { userId: 'uuid', idempotencyKey: 'text' },
);

export interface GenerationRefusalRow {
  existing_job_id: string | null;
  available: number | null;
  active_jobs: number | null;
}
