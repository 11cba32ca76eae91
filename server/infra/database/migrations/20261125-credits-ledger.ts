import { Migration } from '@mikro-orm/migrations';

/**
 * The credits ledger: accounts, holds, the append-only journal, tier plans, the price catalog,
 * the provider balance and the admin audit log, with the default plans and prices.
 */
export class Migration20261125CreditsLedger extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create type "hold_status" as enum ('PENDING', 'COMMITTED', 'RELEASED', 'EXPIRED');`);
    this.addSql(`create type "credit_transaction_type" as enum ('GRANT', 'PURCHASE', 'HOLD', 'COMMIT', 'RELEASE', 'EXPIRE', 'ADJUST', 'REFUND');`);
    this.addSql(`create table "audit_log" ("id" uuid not null, "actor_id" uuid not null, "action" text not null, "target_user_id" uuid null, "reason" text not null, "details" jsonb not null, "created_at" timestamptz not null, constraint "audit_log_pkey" primary key ("id"));`);
    this.addSql(`create index "audit_log_created_idx" on "audit_log" ("created_at");`);
    this.addSql(`create table "prices" ("model" text not null, "description" text not null, "credits" int not null, "credits_per_extra_minute" int not null, "active" boolean not null default true, "updated_at" timestamptz not null, constraint "prices_pkey" primary key ("model"), constraint prices_credits_check check (credits > 0 and credits_per_extra_minute >= 0));`);
    this.addSql(`create table "provider_accounts" ("provider" text not null, "balance" int not null default 0, "low_balance_threshold" int not null default 0, "updated_at" timestamptz not null, constraint "provider_accounts_pkey" primary key ("provider"));`);
    this.addSql(`create table "provider_ledger" ("id" uuid not null, "provider" text not null, "kind" text not null, "amount" int not null, "balance_after" int not null, "reference" text null, "actor_id" uuid null, "created_at" timestamptz not null, constraint "provider_ledger_pkey" primary key ("id"));`);
    this.addSql(`create index "provider_ledger_provider_created_idx" on "provider_ledger" ("provider", "created_at");`);
    this.addSql(`create table "tier_plans" ("tier" "tier" not null, "daily_credits" int not null, "allowed_models" text[] not null, "concurrent_jobs" int not null, "rate_limit_per_minute" int not null, "updated_at" timestamptz not null, constraint "tier_plans_pkey" primary key ("tier"));`);
    this.addSql(`create table "holds" ("id" uuid not null, "user_id" uuid not null, "amount" int not null, "charged" int null, "status" "hold_status" not null default 'PENDING', "reason" text not null, "reference" text null, "idempotency_key" text not null, "ttl_seconds" int not null, "expires_at" timestamptz not null, "created_at" timestamptz not null, "resolved_at" timestamptz null, constraint "holds_pkey" primary key ("id"), constraint holds_charged_check check (charged is null or (charged >= 0 and charged <= amount)), constraint holds_amount_check check (amount > 0));`);
    this.addSql(`create index "holds_user_created_idx" on "holds" ("user_id", "created_at", "id");`);
    this.addSql(`create index "holds_pending_expiry_idx" on "holds" ("expires_at") where "status" = 'PENDING';`);
    this.addSql(`alter table "holds" add constraint "holds_user_idempotency_key_unique" unique ("user_id", "idempotency_key");`);
    this.addSql(`create table "credit_transactions" ("id" uuid not null, "seq" bigserial, "user_id" uuid not null, "type" "credit_transaction_type" not null, "available_delta" int not null, "held_delta" int not null, "available_after" int not null, "held_after" int not null, "hold_id" uuid null, "reference" text null, "idempotency_key" text not null, "reason" text not null, "actor_id" uuid null, "created_at" timestamptz not null, constraint "credit_transactions_pkey" primary key ("id"));`);
    this.addSql(`create index "credit_transactions_user_seq_idx" on "credit_transactions" ("user_id", "seq");`);
    this.addSql(`alter table "credit_transactions" add constraint "credit_transactions_seq_unique" unique ("seq");`);
    this.addSql(`alter table "credit_transactions" add constraint "credit_transactions_user_idempotency_key_unique" unique ("user_id", "idempotency_key");`);
    this.addSql(`create table "credit_accounts" ("user_id" uuid not null, "available" int not null default 0, "held" int not null default 0, "last_grant_day" date null, "updated_at" timestamptz not null, constraint "credit_accounts_pkey" primary key ("user_id"), constraint credit_accounts_held_check check (held >= 0), constraint credit_accounts_available_check check (available >= 0));`);
    this.addSql(`alter table "holds" add constraint "holds_user_id_foreign" foreign key ("user_id") references "users" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "credit_transactions" add constraint "credit_transactions_user_id_foreign" foreign key ("user_id") references "users" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "credit_accounts" add constraint "credit_accounts_user_id_foreign" foreign key ("user_id") references "users" ("id") on update cascade on delete cascade;`);
    // The journal is append-only: corrections are new entries, never edits.
    this.addSql(`create function "credit_transactions_append_only"() returns trigger language plpgsql as $$ begin raise exception 'credit_transactions is append-only'; end $$;`);
    this.addSql(`create trigger "credit_transactions_append_only" before update on "credit_transactions" for each row execute function "credit_transactions_append_only"();`);

    this.addSql(`insert into "tier_plans" ("tier", "daily_credits", "allowed_models", "concurrent_jobs", "rate_limit_per_minute", "updated_at") values
      ('free', 50, '{mv-lite}', 1, 60, now()),
      ('pro', 500, '{mv-lite,mv-standard,mv-pro}', 3, 600, now()),
      ('enterprise', 5000, '{mv-lite,mv-standard,mv-pro}', 10, 3000, now());`);
    this.addSql(`insert into "prices" ("model", "description", "credits", "credits_per_extra_minute", "active", "updated_at") values
      ('mv-lite', 'Fast draft quality', 10, 5, true, now()),
      ('mv-standard', 'Studio quality', 25, 10, true, now()),
      ('mv-pro', 'Best quality, longest tracks', 60, 20, true, now());`);
    this.addSql(`insert into "provider_accounts" ("provider", "balance", "low_balance_threshold", "updated_at") values ('local', 1000000, 10000, now()), ('suno', 0, 1000, now());`);
  }

  override async down(): Promise<void> {
    for (const table of ['credit_transactions', 'holds', 'credit_accounts', 'tier_plans', 'prices', 'provider_ledger', 'provider_accounts', 'audit_log']) {
      this.addSql(`drop table if exists "${table}" cascade;`);
    }
    this.addSql(`drop function if exists "credit_transactions_append_only"();`);
    this.addSql(`drop type if exists "credit_transaction_type";`);
    this.addSql(`drop type if exists "hold_status";`);
  }
}
