import { IsolationLevel, type EntityManager } from '@mikro-orm/postgresql';

/** Redis key (under the deployment prefix) holding the last scheduled check's summary as JSON. */
export const LAST_CHECK_KEY = 'ledger:last-check';

/** One way the books disagree with themselves. */
export interface Discrepancy {
  kind: 'account_sum' | 'running_balance' | 'hold_entries' | 'held_vs_pending' | 'active_jobs';
  userId: string;
  holdId?: string;
  detail: string;
}

/** Journal sums per account against the account's balances. */
const ACCOUNT_SUMS = `
  select a.user_id, a.available, a.held,
         coalesce(sum(t.available_delta), 0) as journal_available,
         coalesce(sum(t.held_delta), 0) as journal_held
  from credit_accounts a left join credit_transactions t on t.user_id = a.user_id
  group by a.user_id, a.available, a.held
  having a.available <> coalesce(sum(t.available_delta), 0) or a.held <> coalesce(sum(t.held_delta), 0)`;

/** Entries whose recorded balances-after differ from the running sum of the journal up to them. */
const RUNNING_BALANCES = `
  select user_id, id, seq, available_after, held_after, running_available, running_held from (
    select t.*, sum(available_delta) over w as running_available, sum(held_delta) over w as running_held
    from credit_transactions t
    window w as (partition by user_id order by seq rows between unbounded preceding and current row)
  ) r
  where available_after <> running_available or held_after <> running_held
  limit 1000`;

/**
 * Each hold's entries against its status: what it took from available and what it still holds.
 * PENDING: took amount, holds amount. COMMITTED: took charged, holds 0. RELEASED/EXPIRED: 0, 0.
 */
const HOLD_ENTRIES = `
  select h.id, h.user_id, h.status, h.amount, h.charged,
         coalesce(sum(t.available_delta), 0) as taken, coalesce(sum(t.held_delta), 0) as still_held,
         count(t.id) filter (where t.type = 'HOLD') as hold_entries
  from holds h left join credit_transactions t on t.hold_id = h.id and t.user_id = h.user_id
  group by h.id
  having count(t.id) filter (where t.type = 'HOLD') <> 1
      or coalesce(sum(t.held_delta), 0) <> case when h.status = 'PENDING' then h.amount else 0 end
      or -coalesce(sum(t.available_delta), 0) <> case
           when h.status = 'PENDING' then h.amount
           when h.status = 'COMMITTED' then coalesce(h.charged, -1)
           else 0 end
  limit 1000`;

/** An account's held credits against the sum of its pending holds. */
const HELD_VS_PENDING = `
  select a.user_id, a.held, coalesce(p.pending, 0) as pending
  from credit_accounts a
  left join (select user_id, sum(amount) as pending from holds where status = 'PENDING' group by user_id) p on p.user_id = a.user_id
  where a.held <> coalesce(p.pending, 0)`;

/**
 * An account's count of queued and running jobs (kept by triggers, read by generateTrack's
 * jobs-at-once check) against the jobs themselves.
 */
const ACTIVE_JOBS = `
  select a.user_id, a.active_jobs, coalesce(j.active, 0) as active
  from credit_accounts a
  left join (select user_id, count(*) as active from jobs where status in ('QUEUED', 'RUNNING') group by user_id) j on j.user_id = a.user_id
  where a.active_jobs <> coalesce(j.active, 0)`;

type Row = Record<string, string | number | null>;

/**
 * Replays the books in one read-only, repeatable-read snapshot, so it is safe against a live
 * database and never reports a movement that was half-seen.
 */
export async function checkLedger(em: EntityManager): Promise<Discrepancy[]> {
  return em.transactional(
    async (tx) => {
      await tx.execute('set transaction read only');
      const found: Discrepancy[] = [];
      for (const row of await tx.execute<Row[]>(ACCOUNT_SUMS)) {
        found.push({
          kind: 'account_sum',
          userId: String(row.user_id),
          detail: `balances available=${row.available} held=${row.held}, journal sums available=${row.journal_available} held=${row.journal_held}`,
        });
      }
      for (const row of await tx.execute<Row[]>(RUNNING_BALANCES)) {
        found.push({
          kind: 'running_balance',
          userId: String(row.user_id),
          detail: `entry ${row.id} (seq ${row.seq}) records available=${row.available_after} held=${row.held_after}, journal runs to ${row.running_available}/${row.running_held}`,
        });
      }
      for (const row of await tx.execute<Row[]>(HOLD_ENTRIES)) {
        found.push({
          kind: 'hold_entries',
          userId: String(row.user_id),
          holdId: String(row.id),
          detail: `${row.status} hold of ${row.amount} (charged ${row.charged ?? '-'}): entries took ${-Number(row.taken)} and still hold ${row.still_held}, ${row.hold_entries} HOLD entries`,
        });
      }
      for (const row of await tx.execute<Row[]>(HELD_VS_PENDING)) {
        found.push({ kind: 'held_vs_pending', userId: String(row.user_id), detail: `held=${row.held}, pending holds sum to ${row.pending}` });
      }
      for (const row of await tx.execute<Row[]>(ACTIVE_JOBS)) {
        found.push({ kind: 'active_jobs', userId: String(row.user_id), detail: `active_jobs=${row.active_jobs}, queued and running jobs: ${row.active}` });
      }
      return found;
    },
    { isolationLevel: IsolationLevel.REPEATABLE_READ },
  );
}
