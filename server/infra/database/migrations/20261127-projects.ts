import { Migration } from '@mikro-orm/migrations';

/**
 * Projects: folders of a user's tracks. Deleting one leaves its tracks in the library. A job
 * remembers the project its track goes to (no foreign key: a project deleted meanwhile just
 * leaves the new track in no project).
 */
export class Migration20261127Projects extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table "projects" ("id" uuid not null, "user_id" uuid not null, "name" text not null, "description" text null, "revision" int not null default 1, "created_at" timestamptz not null, "updated_at" timestamptz not null, constraint "projects_pkey" primary key ("id"));`);
    this.addSql(`create index "projects_user_created_idx" on "projects" ("user_id", "created_at", "id");`);
    this.addSql(`alter table "projects" add constraint "projects_user_id_foreign" foreign key ("user_id") references "users" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "tracks" add column "project_id" uuid null;`);
    this.addSql(`alter table "tracks" add constraint "tracks_project_id_foreign" foreign key ("project_id") references "projects" ("id") on update cascade on delete set null;`);
    this.addSql(`create index "tracks_project_created_idx" on "tracks" ("project_id", "created_at" desc, "id" desc) where "deleted_at" is null;`);
    this.addSql(`alter table "jobs" add column "project_id" uuid null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "jobs" drop column "project_id";`);
    this.addSql(`drop index if exists "tracks_project_created_idx";`);
    this.addSql(`alter table "tracks" drop constraint if exists "tracks_project_id_foreign";`);
    this.addSql(`alter table "tracks" drop column "project_id";`);
    this.addSql(`drop table if exists "projects" cascade;`);
  }
}
