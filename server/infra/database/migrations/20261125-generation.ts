import { Migration } from '@mikro-orm/migrations';

/** Generation jobs, tracks and their versions. */
export class Migration20261125Generation extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create type "job_status" as enum ('QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLED');`);
    this.addSql(`create table "tracks" ("id" uuid not null, "user_id" uuid not null, "title" text not null, "style" text null, "prompt" text not null, "revision" int not null default 1, "current_version_id" uuid null, "created_at" timestamptz not null, "updated_at" timestamptz not null, "deleted_at" timestamptz null, constraint "tracks_pkey" primary key ("id"));`);
    this.addSql(`create index "tracks_user_created_idx" on "tracks" ("user_id", "created_at" desc, "id" desc) where "deleted_at" is null;`);
    this.addSql(`create table "track_versions" ("id" uuid not null, "track_id" uuid not null, "number" int not null, "parent_version_id" uuid null, "artifact_key" text not null, "content_type" text not null, "size_bytes" int not null, "duration_seconds" int not null, "source" text not null, "job_id" uuid null, "metadata" jsonb not null, "created_at" timestamptz not null, constraint "track_versions_pkey" primary key ("id"));`);
    this.addSql(`create index "track_versions_track_idx" on "track_versions" ("track_id");`);
    this.addSql(`alter table "track_versions" add constraint "track_versions_track_number_unique" unique ("track_id", "number");`);
    this.addSql(`create table "jobs" ("id" uuid not null, "user_id" uuid not null, "status" "job_status" not null default 'QUEUED', "progress" int not null default 0, "stage" text not null default 'queued', "prompt" text not null, "title" text null, "style" text null, "instrumental" boolean not null, "duration_seconds" int not null, "model" text not null, "seed" int not null, "cost" int not null, "hold_id" uuid not null, "idempotency_key" text not null, "attempts" int not null default 0, "error_code" text null, "error_message" text null, "provider" text null, "provider_cost" int null, "track_id" uuid null, "cancel_requested_at" timestamptz null, "created_at" timestamptz not null, "updated_at" timestamptz not null, "started_at" timestamptz null, "finished_at" timestamptz null, constraint "jobs_pkey" primary key ("id"), constraint jobs_progress_check check (progress >= 0 and progress <= 100));`);
    this.addSql(`create index "jobs_active_idx" on "jobs" ("user_id") where "status" in ('QUEUED', 'RUNNING');`);
    this.addSql(`create index "jobs_user_created_idx" on "jobs" ("user_id", "created_at", "id");`);
    this.addSql(`alter table "jobs" add constraint "jobs_user_idempotency_key_unique" unique ("user_id", "idempotency_key");`);
    this.addSql(`alter table "tracks" add constraint "tracks_user_id_foreign" foreign key ("user_id") references "users" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "track_versions" add constraint "track_versions_track_id_foreign" foreign key ("track_id") references "tracks" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "jobs" add constraint "jobs_user_id_foreign" foreign key ("user_id") references "users" ("id") on update cascade on delete cascade;`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "track_versions" cascade;`);
    this.addSql(`drop table if exists "tracks" cascade;`);
    this.addSql(`drop table if exists "jobs" cascade;`);
    this.addSql(`drop type if exists "job_status";`);
  }
}
