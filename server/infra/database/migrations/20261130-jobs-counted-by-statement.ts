import { Migration } from '@mikro-orm/migrations';

/** The trigger function's body after `delta` is declared, the same in both versions. */
const COUNT_BODY = `
        if tg_op in ('UPDATE', 'DELETE') and old.status in ('QUEUED', 'RUNNING') then delta := delta - 1; end if;
        if tg_op in ('INSERT', 'UPDATE') and new.status in ('QUEUED', 'RUNNING') then delta := delta + 1; end if;
        if delta <> 0 then
          update credit_accounts set active_jobs = active_jobs + delta
          where user_id = case when tg_op = 'DELETE' then old.user_id else new.user_id end;
        end if;
        return null;
      end $$;`;

/**
 * credit_accounts.active_jobs is still kept by the trigger on jobs for every change, except the
 * two that already update the account row: placing a generation (the hold) and finishing one
 * (the hold's commit). Those statements move the count in that same update and name their job in
 * the transaction setting `musicverse.job_counted`; the trigger leaves that job alone. Two of the
 * four updates of the (often contended) account row per job, and two trigger calls, go away.
 */
export class Migration20261130JobsCountedByStatement extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create or replace function "jobs_count_active"() returns trigger language plpgsql as $$
      declare
        delta int := 0;
      begin
        if tg_op <> 'DELETE' and new.id::text = current_setting('musicverse.job_counted', true) then return null; end if;${COUNT_BODY}`);
  }

  override async down(): Promise<void> {
    this.addSql(`create or replace function "jobs_count_active"() returns trigger language plpgsql as $$
      declare
        delta int := 0;
      begin${COUNT_BODY}`);
  }
}
