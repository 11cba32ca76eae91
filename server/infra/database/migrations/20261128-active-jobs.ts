import { Migration } from '@mikro-orm/migrations';

/**
 * credit_accounts.active_jobs: how many of the user's jobs are queued or running, kept by the
 * database on every insert, status change and delete of a job, whichever code made it. With it
 * generateTrack checks the concurrent-job limit in the conditional update that places the hold
 * (one row, one statement), instead of counting jobs under a per-user lock in a transaction.
 * A job always has a hold, so its user's account row exists before the job does.
 */
export class Migration20261128ActiveJobs extends Migration {
  override async up(): Promise<void> {
    // No job may be written between the count below and the triggers that keep it (a job missed
    // there would take the count below zero when it ends): jobs are locked for the migration.
    this.addSql(`lock table "jobs" in share row exclusive mode;`);
    this.addSql(`alter table "credit_accounts" add column "active_jobs" int not null default 0;`);
    this.addSql(`alter table "credit_accounts" add constraint credit_accounts_active_jobs_check check(active_jobs >= 0);`);
    this.addSql(`update "credit_accounts" a set "active_jobs" = (select count(*) from "jobs" j where j."user_id" = a."user_id" and j."status" in ('QUEUED', 'RUNNING'));`);
    this.addSql(`create function "jobs_count_active"() returns trigger language plpgsql as $$
      declare
        delta int := 0;
      begin
        if tg_op in ('UPDATE', 'DELETE') and old.status in ('QUEUED', 'RUNNING') then delta := delta - 1; end if;
        if tg_op in ('INSERT', 'UPDATE') and new.status in ('QUEUED', 'RUNNING') then delta := delta + 1; end if;
        if delta <> 0 then
          update credit_accounts set active_jobs = active_jobs + delta
          where user_id = case when tg_op = 'DELETE' then old.user_id else new.user_id end;
        end if;
        return null;
      end $$;`);
    // Only the changes that move the count call the function: progress updates never do.
    this.addSql(`create trigger "jobs_count_active_insert" after insert on "jobs" for each row when (new.status in ('QUEUED', 'RUNNING')) execute function "jobs_count_active"();`);
    this.addSql(`create trigger "jobs_count_active_update" after update of "status" on "jobs" for each row when ((old.status in ('QUEUED', 'RUNNING')) is distinct from (new.status in ('QUEUED', 'RUNNING'))) execute function "jobs_count_active"();`);
    this.addSql(`create trigger "jobs_count_active_delete" after delete on "jobs" for each row when (old.status in ('QUEUED', 'RUNNING')) execute function "jobs_count_active"();`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop trigger if exists "jobs_count_active_delete" on "jobs";`);
    this.addSql(`drop trigger if exists "jobs_count_active_update" on "jobs";`);
    this.addSql(`drop trigger if exists "jobs_count_active_insert" on "jobs";`);
    this.addSql(`drop function if exists "jobs_count_active"();`);
    this.addSql(`alter table "credit_accounts" drop constraint if exists credit_accounts_active_jobs_check;`);
    this.addSql(`alter table "credit_accounts" drop column "active_jobs";`);
  }
}
