import { Migration } from '@mikro-orm/migrations';

/** The trigger function's body after `delta` is declared, as migration 20261130 left it. */
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
 * `musicverse.job_counted` may name several jobs, comma-separated: a batched placement
 * (PLACE_GENERATIONS) counts every job it writes in its update of their accounts. One id, as
 * the single-job statements set it, still reads the same.
 */
export class Migration20261201JobsCountedInBatches extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create or replace function "jobs_count_active"() returns trigger language plpgsql as $$
      declare
        delta int := 0;
      begin
        if tg_op <> 'DELETE' and new.id::text = any(string_to_array(current_setting('musicverse.job_counted', true), ',')) then return null; end if;${COUNT_BODY}`);
  }

  override async down(): Promise<void> {
    this.addSql(`create or replace function "jobs_count_active"() returns trigger language plpgsql as $$
      declare
        delta int := 0;
      begin
        if tg_op <> 'DELETE' and new.id::text = current_setting('musicverse.job_counted', true) then return null; end if;${COUNT_BODY}`);
  }
}
