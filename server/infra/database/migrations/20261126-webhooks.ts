import { Migration } from '@mikro-orm/migrations';

/**
 * Webhook endpoints (per user, secret stored encrypted) and their deliveries: one row per event
 * and endpoint, retried in place with an attempt log; redeliveries are rows of their own.
 */
export class Migration20261126Webhooks extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create type "webhook_delivery_status" as enum ('PENDING', 'SUCCEEDED', 'FAILED');`);
    this.addSql(`create table "webhook_endpoints" ("id" uuid not null, "user_id" uuid not null, "url" text not null, "description" text null, "event_types" text[] not null, "secret_ciphertext" text not null, "enabled" boolean not null default true, "disabled_reason" text null, "disabled_at" timestamptz null, "consecutive_failures" int not null default 0, "created_at" timestamptz not null, "updated_at" timestamptz not null, constraint "webhook_endpoints_pkey" primary key ("id"));`);
    this.addSql(`create index "webhook_endpoints_user_created_idx" on "webhook_endpoints" ("user_id", "created_at");`);
    this.addSql(`create table "webhook_deliveries" ("id" uuid not null, "endpoint_id" uuid not null, "event_id" uuid not null, "event_type" text not null, "event_created_at" timestamptz not null, "payload" jsonb not null, "status" "webhook_delivery_status" not null default 'PENDING', "attempts" int not null default 0, "next_attempt_at" timestamptz null, "last_response_status" int null, "last_error" text null, "duration_ms" int null, "attempt_log" jsonb not null, "redelivery_of" uuid null, "created_at" timestamptz not null, "updated_at" timestamptz not null, "completed_at" timestamptz null, constraint "webhook_deliveries_pkey" primary key ("id"));`);
    this.addSql(`create index "webhook_deliveries_due_idx" on "webhook_deliveries" ("next_attempt_at") where "status" = 'PENDING';`);
    this.addSql(`create unique index "webhook_deliveries_endpoint_event_unique" on "webhook_deliveries" ("endpoint_id", "event_id") where "redelivery_of" is null;`);
    this.addSql(`create index "webhook_deliveries_endpoint_created_idx" on "webhook_deliveries" ("endpoint_id", "created_at", "id");`);
    this.addSql(`alter table "webhook_endpoints" add constraint "webhook_endpoints_user_id_foreign" foreign key ("user_id") references "users" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "webhook_deliveries" add constraint "webhook_deliveries_endpoint_id_foreign" foreign key ("endpoint_id") references "webhook_endpoints" ("id") on update cascade on delete cascade;`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "webhook_deliveries" cascade;`);
    this.addSql(`drop table if exists "webhook_endpoints" cascade;`);
    this.addSql(`drop type if exists "webhook_delivery_status";`);
  }
}
