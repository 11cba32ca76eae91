import { Migration } from '@mikro-orm/migrations';

/** Users, sessions with rotating refresh tokens, API keys and the transactional outbox. */
export class Migration20261125Foundation extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create type "tier" as enum ('free', 'pro', 'enterprise');`);
    this.addSql(`create type "user_role" as enum ('user', 'admin');`);

    this.addSql(`create table "users" ("id" uuid not null, "telegram_id" bigint not null, "first_name" text not null, "last_name" text null, "username" text null, "language_code" text null, "photo_url" text null, "is_premium" boolean not null default false, "tier" "tier" not null default 'free', "role" "user_role" not null default 'user', "created_at" timestamptz not null, "updated_at" timestamptz not null, "last_sign_in_at" timestamptz null, constraint "users_pkey" primary key ("id"));`);
    this.addSql(`alter table "users" add constraint "users_telegram_id_unique" unique ("telegram_id");`);

    this.addSql(`create table "sessions" ("id" uuid not null, "user_id" uuid not null, "method" text not null, "created_at" timestamptz not null, "revoked_at" timestamptz null, "revoked_reason" text null, constraint "sessions_pkey" primary key ("id"));`);
    this.addSql(`create index "sessions_user_id_index" on "sessions" ("user_id");`);
    this.addSql(`alter table "sessions" add constraint "sessions_user_id_foreign" foreign key ("user_id") references "users" ("id") on update cascade on delete cascade;`);

    this.addSql(`create table "refresh_tokens" ("id" uuid not null, "session_id" uuid not null, "token_hash" text not null, "expires_at" timestamptz not null, "created_at" timestamptz not null, "used_at" timestamptz null, constraint "refresh_tokens_pkey" primary key ("id"));`);
    this.addSql(`create index "refresh_tokens_session_id_index" on "refresh_tokens" ("session_id");`);
    this.addSql(`alter table "refresh_tokens" add constraint "refresh_tokens_token_hash_unique" unique ("token_hash");`);
    this.addSql(`alter table "refresh_tokens" add constraint "refresh_tokens_session_id_foreign" foreign key ("session_id") references "sessions" ("id") on update cascade on delete cascade;`);

    this.addSql(`create table "api_keys" ("id" uuid not null, "user_id" uuid not null, "name" text not null, "lookup_id" text not null, "key_hash" text not null, "scopes" text[] not null, "expires_at" timestamptz null, "revoked_at" timestamptz null, "last_used_at" timestamptz null, "created_at" timestamptz not null, constraint "api_keys_pkey" primary key ("id"));`);
    this.addSql(`create index "api_keys_user_id_index" on "api_keys" ("user_id");`);
    this.addSql(`alter table "api_keys" add constraint "api_keys_lookup_id_unique" unique ("lookup_id");`);
    this.addSql(`alter table "api_keys" add constraint "api_keys_user_id_foreign" foreign key ("user_id") references "users" ("id") on update cascade on delete cascade;`);

    this.addSql(`create table "outbox" ("id" uuid not null, "topic" text not null, "user_id" uuid null, "payload" jsonb not null, "created_at" timestamptz not null, "available_at" timestamptz not null, "attempts" int not null default 0, "last_error" text null, "published_at" timestamptz null, constraint "outbox_pkey" primary key ("id"));`);
    this.addSql(`create index "outbox_unpublished_idx" on "outbox" ("available_at") where "published_at" is null;`);
    // Wakes the relay as soon as an event commits, so delivery does not wait for the next poll.
    this.addSql(`create function "outbox_notify"() returns trigger language plpgsql as $$ begin perform pg_notify('outbox', ''); return null; end $$;`);
    this.addSql(`create trigger "outbox_notify" after insert on "outbox" for each statement execute function "outbox_notify"();`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "outbox" cascade;`);
    this.addSql(`drop function if exists "outbox_notify"();`);
    this.addSql(`drop table if exists "api_keys" cascade;`);
    this.addSql(`drop table if exists "refresh_tokens" cascade;`);
    this.addSql(`drop table if exists "sessions" cascade;`);
    this.addSql(`drop table if exists "users" cascade;`);
    this.addSql(`drop type if exists "user_role";`);
    this.addSql(`drop type if exists "tier";`);
  }
}
