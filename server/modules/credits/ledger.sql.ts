import { sqlStatement } from '../../infra/database/sql-statement.js';
import { Topic } from '../../infra/outbox/outbox.topics.js';
import { WebhookEventType } from '../webhooks/webhook-event-types.js';
import { someEndpointTakes } from '../webhooks/webhook-endpoints.sql.js';

/** The type of every parameter the ledger statements take. */
const TYPES: Record<string, string> = {
  userId: 'uuid',
  holdId: 'uuid',
  entryId: 'uuid',
  actorId: 'uuid',
  amount: 'int',
  charge: 'int',
  ttlSeconds: 'int',
  limit: 'int',
  now: 'timestamptz',
  expiresAt: 'timestamptz',
  day: 'date',
  reason: 'text',
  reference: 'text',
  idempotencyKey: 'text',
  cause: 'text',
  status: 'text',
  entryType: 'text',
  type: 'text',
  batch: 'text',
};

/**
 * The ledger's statements. Each movement is ONE statement: the conditional balance update, the
 * hold change, its journal entries and the creditsChanged outbox event are data-modifying CTEs,
 * so they commit together (a statement is atomic even outside a transaction) and the account row
 * is locked only for the statement itself. Parameters use knex named bindings (:name).
 */

/**
 * The credits.low webhook event, when this movement took available from at least the low mark
 * (`availableBefore`, an SQL expression over `acct`) to below it. The mark is the price of the
 * cheapest active model: below it no generation can start. Recorded only for a user with an
 * endpoint that takes it.
 */
function lowCreditsEvent(availableBefore: string): string {
  return `
  insert into outbox (id, topic, user_id, payload, created_at, available_at, attempts)
  select gen_random_uuid(), '${Topic.WebhookEvent}', cast(:userId as uuid),
         json_build_object('type', '${WebhookEventType.CreditsLow}',
                           'data', json_build_object('available', acct.available, 'held', acct.held, 'threshold', mark.credits)),
         :now, :now, 0
  from acct, (select min(credits) as credits from prices where active) as mark
  where acct.available < mark.credits and ${availableBefore} >= mark.credits
    and ${someEndpointTakes('cast(:userId as uuid)', WebhookEventType.CreditsLow)}`;
}

/** Journals one account change and its outbox event, reading the balances from `acct`. */
const OUTBOX_EVENT = `
  insert into outbox (id, topic, user_id, payload, created_at, available_at, attempts)
  select gen_random_uuid(), 'credits.changed', cast(:userId as uuid),
         json_build_object('userId', cast(:userId as text), 'available', acct.available, 'held', acct.held, 'cause', cast(:cause as text)),
         :now, :now, 0
  from acct`;

export const ENSURE_ACCOUNT = sqlStatement('ensure_account', `
  insert into credit_accounts (user_id, available, held, updated_at)
  values (cast(:userId as uuid), 0, 0, :now)
  on conflict (user_id) do nothing`, TYPES);

/**
 * Places a hold if available covers it and the idempotency key is new. No row back means
 * "not placed": insufficient credits, a used key, or no account (the caller finds out which).
 * A concurrent insert with the same key fails the unique index and undoes the whole statement.
 */
export const PLACE_HOLD = sqlStatement('place_hold', `
  with ${placeHoldSteps()}
  select hold.*, acct.available as account_available, acct.held as account_held from hold, acct`, TYPES);

/** The ledger's parameter types for `names`, for statements that embed ledger steps. */
function typesOf(...names: string[]): Record<string, string> {
  return Object.fromEntries(names.map((name) => [name, TYPES[name]!]));
}

/** The parameters placeHoldSteps takes, and their types. */
export const HOLD_PLACEMENT_TYPES = typesOf('userId', 'holdId', 'amount', 'reason', 'reference', 'idempotencyKey', 'ttlSeconds', 'expiresAt', 'now', 'cause');

/**
 * The CTEs of a hold's placement (`acct`, `hold`, `entry`, `event`, `low`): the account row
 * is updated only when available covers `:amount`, the key is new and `guard` (a condition on
 * the account row, e.g. its active jobs) holds, so the check and the move are one locked step.
 * `alsoSet` (e.g. `active_jobs = active_jobs + 1`) changes more of the row in that same update.
 * Another statement gates its own steps on `hold` to place the credits and its change as one.
 */
export function placeHoldSteps(guard = 'true', alsoSet = ''): string {
  return `acct as (
    update credit_accounts
    set available = available - :amount, held = held + :amount, updated_at = :now${alsoSet ? `, ${alsoSet}` : ''}
    where user_id = cast(:userId as uuid) and available >= :amount and ${guard}
      and not exists (select 1 from holds where user_id = cast(:userId as uuid) and idempotency_key = :idempotencyKey)
    returning available, held
  ), hold as (
    insert into holds (id, user_id, amount, status, reason, reference, idempotency_key, ttl_seconds, expires_at, created_at)
    select cast(:holdId as uuid), cast(:userId as uuid), :amount, 'PENDING', :reason, :reference, :idempotencyKey, :ttlSeconds, :expiresAt, :now
    from acct
    returning *
  ), entry as (
    insert into credit_transactions (id, user_id, type, available_delta, held_delta, available_after, held_after, hold_id, reference, idempotency_key, reason, created_at)
    select gen_random_uuid(), cast(:userId as uuid), 'HOLD', -:amount, :amount, acct.available, acct.held, cast(:holdId as uuid), :reference, 'hold:' || cast(:holdId as text), :reason, :now
    from acct
  ), event as (${OUTBOX_EVENT}
  ), low as (${lowCreditsEvent('acct.available + :amount')})`;
}

/**
 * Commits a pending, unexpired hold: charges `charge` (at most the hold) and returns the rest
 * to available. Journals COMMIT, then RELEASE for the rest when there is any.
 */
export const COMMIT_HOLD = sqlStatement('commit_hold', `
  with ${commitHoldSteps()}
  select hold.*, acct.available as account_available, acct.held as account_held from hold, acct`, TYPES);

/** The parameters commitHoldSteps takes, and their types. */
export const HOLD_COMMIT_TYPES = typesOf('userId', 'holdId', 'charge', 'now', 'cause');

/**
 * The CTEs of a hold commit (`hold`, `acct`, `entries`, `event`): the hold, when pending,
 * unexpired, at least `:charge` and `guard` holds (an SQL condition of the enclosing statement),
 * is charged `:charge` (all of it when null) and the rest returns to available. `alsoSet` (the
 * account row is `a`) changes more of the row in that same update. Another statement gates its
 * own steps on `hold` to commit the credits and its change as one.
 */
export function commitHoldSteps(guard = 'true', alsoSet = ''): string {
  return `hold as (
    update holds set status = 'COMMITTED', charged = coalesce(cast(:charge as int), amount), resolved_at = :now
    where id = cast(:holdId as uuid) and user_id = cast(:userId as uuid) and status = 'PENDING'
      and expires_at > :now and amount >= coalesce(cast(:charge as int), 0) and ${guard}
    returning *
  ), acct as (
    update credit_accounts a
    set held = a.held - hold.amount, available = a.available + (hold.amount - hold.charged), updated_at = :now${alsoSet ? `, ${alsoSet}` : ''}
    from hold where a.user_id = hold.user_id
    returning a.available, a.held, hold.amount, hold.charged
  ), entries as (
    -- One INSERT, rows in order, so the COMMIT entry precedes its RELEASE in journal order.
    insert into credit_transactions (id, user_id, type, available_delta, held_delta, available_after, held_after, hold_id, reference, idempotency_key, reason, created_at)
    select gen_random_uuid(), hold.user_id, part.type, part.available_delta, part.held_delta,
           part.available_after, part.held_after, hold.id, hold.reference, part.key_prefix || cast(hold.id as text), hold.reason, :now
    from hold, acct, lateral (values
      (1, cast('COMMIT' as credit_transaction_type), 0, -hold.charged,
       acct.available - (hold.amount - hold.charged), acct.held + (hold.amount - hold.charged), 'commit:'),
      (2, cast('RELEASE' as credit_transaction_type), hold.amount - hold.charged, -(hold.amount - hold.charged),
       acct.available, acct.held, 'commit-rest:')
    ) as part(n, type, available_delta, held_delta, available_after, held_after, key_prefix)
    where part.n = 1 or hold.amount > hold.charged
    order by part.n
  ), event as (${OUTBOX_EVENT})`;
}

/**
 * The credits.changed event of each account of `acct` (a CTE of updated accounts with
 * user_id, available and held), for statements that move several accounts at once.
 */
export const ACCOUNTS_CHANGED_EVENT = `
  insert into outbox (id, topic, user_id, payload, created_at, available_at, attempts)
  select gen_random_uuid(), 'credits.changed', acct.user_id,
         json_build_object('userId', cast(acct.user_id as text), 'available', acct.available, 'held', acct.held, 'cause', cast(:cause as text)),
         :now, :now, 0
  from acct`;

/**
 * The CTEs of several holds' commits in one statement (`hold`, `ranked`, `totals`, `acct`,
 * `entries`, `balance_event`), commitHoldSteps for a batch: `source` names a CTE of the holds
 * to commit, with columns `ord` (journal order), `hold_id`, `user_id` and `charge` (null: all
 * of it). Each hold is committed when pending, unexpired and at least its charge; each account
 * is updated once for all of its holds (`alsoSet` may use `totals.committed`, how many of them
 * were committed), after every account of the batch was locked in user order (as
 * PLACE_GENERATIONS locks them), so that two batches never wait on each other in a cycle. Each
 * hold's COMMIT (and RELEASE of the rest) entries carry the balances after them; each account
 * gets one credits.changed event with its balances after the batch.
 */
export function commitHoldsSteps(source: string, alsoSet: string): string {
  return `hold as (
    update holds h set status = 'COMMITTED', charged = coalesce(s.charge, h.amount), resolved_at = :now
    from ${source} s
    where h.id = s.hold_id and h.user_id = s.user_id and h.status = 'PENDING' and h.expires_at > :now and h.amount >= coalesce(s.charge, 0)
    returning h.*, s.ord
  ), ranked as (
    select hold.*, sum(hold.amount - hold.charged) over w as rest_upto, sum(hold.amount) over w as amount_upto
    from hold window w as (partition by hold.user_id order by hold.ord)
  ), totals as (
    -- The uncorrelated subquery runs once, before the first row: it locks the accounts in order.
    select hold.user_id, sum(hold.amount) as amount, sum(hold.amount - hold.charged) as rest, count(*) as committed
    from hold
    where (select count(*) from (select 1 from credit_accounts where user_id in (select user_id from hold) order by user_id for update) as locked) >= 0
    group by hold.user_id
  ), acct as (
    update credit_accounts a
    set held = a.held - totals.amount, available = a.available + totals.rest, updated_at = :now, ${alsoSet}
    from totals where a.user_id = totals.user_id
    returning a.user_id, a.available, a.held, totals.amount, totals.rest
  ), entries as (
    -- After hold k of an account: available = final - (rest of the holds after k), held = final + (amounts after k).
    insert into credit_transactions (id, user_id, type, available_delta, held_delta, available_after, held_after, hold_id, reference, idempotency_key, reason, created_at)
    select gen_random_uuid(), r.user_id, part.type, part.available_delta, part.held_delta,
           part.available_after, part.held_after, r.id, r.reference, part.key_prefix || cast(r.id as text), r.reason, :now
    from ranked r join acct on acct.user_id = r.user_id,
    lateral (select acct.available - (acct.rest - r.rest_upto) as available_after, acct.held + (acct.amount - r.amount_upto) as held_after) as after_hold,
    lateral (values
      (1, cast('COMMIT' as credit_transaction_type), 0, -r.charged,
       after_hold.available_after - (r.amount - r.charged), after_hold.held_after + (r.amount - r.charged), 'commit:'),
      (2, cast('RELEASE' as credit_transaction_type), r.amount - r.charged, -(r.amount - r.charged),
       after_hold.available_after, after_hold.held_after, 'commit-rest:')
    ) as part(n, type, available_delta, held_delta, available_after, held_after, key_prefix)
    where part.n = 1 or r.amount > r.charged
    order by r.ord, part.n
  ), balance_event as (${ACCOUNTS_CHANGED_EVENT})`;
}

/**
 * Ends a pending hold and returns all of it to available: RELEASED by its owner, or EXPIRED by
 * the sweeper (`:status`), journaled as RELEASE or EXPIRE.
 */
export const RETURN_HOLD = sqlStatement('return_hold', `
  with hold as (
    update holds set status = cast(:status as hold_status), resolved_at = :now
    where id = cast(:holdId as uuid) and user_id = cast(:userId as uuid) and status = 'PENDING'
    returning *
  ), acct as (
    update credit_accounts a
    set held = a.held - hold.amount, available = a.available + hold.amount, updated_at = :now
    from hold where a.user_id = hold.user_id
    returning a.available, a.held
  ), entry as (
    insert into credit_transactions (id, user_id, type, available_delta, held_delta, available_after, held_after, hold_id, reference, idempotency_key, reason, created_at)
    select gen_random_uuid(), hold.user_id, cast(:entryType as credit_transaction_type), hold.amount, -hold.amount,
           acct.available, acct.held, hold.id, hold.reference, lower(:entryType) || ':' || cast(hold.id as text), hold.reason, :now
    from hold, acct
  ), event as (${OUTBOX_EVENT})
  select hold.*, acct.available as account_available, acct.held as account_held from hold, acct`, TYPES);

/** Pending holds past their expiry, oldest first; SKIP LOCKED lets several sweepers share the work. */
export const DUE_HOLDS = sqlStatement('due_holds', `
  select id, user_id from holds
  where status = 'PENDING' and expires_at <= :now
  order by expires_at
  limit :limit
  for update skip locked`, TYPES);

/**
 * Credits (or debits, for a negative ADJUST) available credits with a journal entry. The
 * idempotency key makes a retried grant a no-op; available never goes below zero.
 */
export const CREDIT_ACCOUNT = sqlStatement('credit_account', `
  with acct as (
    update credit_accounts
    set available = available + :amount, updated_at = :now
    where user_id = cast(:userId as uuid) and available + :amount >= 0
      and not exists (select 1 from credit_transactions where user_id = cast(:userId as uuid) and idempotency_key = :idempotencyKey)
    returning available, held
  ), entry as (
    insert into credit_transactions (id, user_id, type, available_delta, held_delta, available_after, held_after, reference, idempotency_key, reason, actor_id, created_at)
    select cast(:entryId as uuid), cast(:userId as uuid), cast(:type as credit_transaction_type), :amount, 0, acct.available, acct.held,
           :reference, :idempotencyKey, :reason, cast(:actorId as uuid), :now
    from acct
    returning *
  ), event as (${OUTBOX_EVENT}
  ), low as (${lowCreditsEvent('acct.available - :amount')})
  select entry.* from entry`, TYPES);

/** The tier's daily grant, at most once per account per UTC day (`:day`). */
export const DAILY_GRANT = sqlStatement('daily_grant', `
  with plan as (
    select tp.daily_credits from tier_plans tp join users u on u.tier = tp.tier
    where u.id = cast(:userId as uuid) and tp.daily_credits > 0
  ), acct as (
    update credit_accounts a
    set available = a.available + plan.daily_credits, last_grant_day = cast(:day as date), updated_at = :now
    from plan
    where a.user_id = cast(:userId as uuid) and (a.last_grant_day is null or a.last_grant_day < cast(:day as date))
    returning a.available, a.held, plan.daily_credits
  ), entry as (
    insert into credit_transactions (id, user_id, type, available_delta, held_delta, available_after, held_after, reference, idempotency_key, reason, created_at)
    select gen_random_uuid(), cast(:userId as uuid), 'GRANT', acct.daily_credits, 0, acct.available, acct.held,
           null, 'daily-grant:' || :day, 'Daily credits', :now
    from acct
    returning *
  ), event as (${OUTBOX_EVENT})
  select entry.* from entry`, TYPES);

/** Accounts still owed today's grant, for the scheduled job. */
export const ACCOUNTS_OWED_DAILY_GRANT = sqlStatement('accounts_owed_daily_grant', `
  select user_id from credit_accounts
  where last_grant_day is null or last_grant_day < cast(:day as date)
  order by user_id
  limit :limit`, TYPES);

/**
 * Group commit: several holds on ONE account in one statement, in arrival order. Requests whose
 * key was used before are left out; of the rest, the longest prefix the balance covers is
 * placed (each with its own journal entry and balances-after); the others are answered "not
 * placed" and retried alone by their callers. `:batch` is a JSON array of requests.
 */
export const PLACE_HOLDS_BATCH = sqlStatement('place_holds_batch', `
  with req as (
    select * from json_to_recordset(cast(:batch as json))
      as r(ord int, hold_id uuid, amount int, reason text, reference text, idempotency_key text, ttl_seconds int, expires_at timestamptz)
  ), fresh as (
    select req.* from req
    where not exists (select 1 from holds h where h.user_id = cast(:userId as uuid) and h.idempotency_key = req.idempotency_key)
  ), locked as (
    select available, held from credit_accounts where user_id = cast(:userId as uuid) for update
  ), ranked as (
    select fresh.*, sum(fresh.amount) over (order by fresh.ord) as cum from fresh
  ), accepted as (
    select ranked.* from ranked, locked where ranked.cum <= locked.available
  ), total as (
    select coalesce(sum(amount), 0) as total, count(*) as n from accepted
  ), acct as (
    update credit_accounts a set available = a.available - total.total, held = a.held + total.total, updated_at = :now
    from total where a.user_id = cast(:userId as uuid) and total.n > 0
    returning a.available, a.held, total.total
  ), hold as (
    insert into holds (id, user_id, amount, status, reason, reference, idempotency_key, ttl_seconds, expires_at, created_at)
    select accepted.hold_id, cast(:userId as uuid), accepted.amount, 'PENDING', accepted.reason, accepted.reference,
           accepted.idempotency_key, accepted.ttl_seconds, accepted.expires_at, :now
    from accepted order by accepted.ord
    returning *
  ), entry as (
    insert into credit_transactions (id, user_id, type, available_delta, held_delta, available_after, held_after, hold_id, reference, idempotency_key, reason, created_at)
    select gen_random_uuid(), cast(:userId as uuid), 'HOLD', -accepted.amount, accepted.amount,
           acct.available + acct.total - accepted.cum, acct.held - acct.total + accepted.cum,
           accepted.hold_id, accepted.reference, 'hold:' || cast(accepted.hold_id as text), accepted.reason, :now
    from accepted, acct order by accepted.ord
  ), event as (${OUTBOX_EVENT}
  ), low as (${lowCreditsEvent('acct.available + acct.total')})
  select hold.*, acct.available as account_available, acct.held as account_held from hold, acct`, TYPES);

