import { Migration } from '@mikro-orm/migrations';

/**
 * The outbox relay's needs: the database clock stamps events (so every API instance orders and
 * releases them by one clock, and a relay woken by NOTIFY can claim an event at once even when an
 * application host's clock runs ahead), and pruning finds old published events by index.
 */
export class Migration20261125OutboxRelay extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "outbox" alter column "created_at" set default clock_timestamp(), alter column "available_at" set default now();`);
    this.addSql(`create index "outbox_published_at_idx" on "outbox" ("published_at") where "published_at" is not null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop index if exists "outbox_published_at_idx";`);
    this.addSql(`alter table "outbox" alter column "created_at" drop default, alter column "available_at" drop default;`);
  }
}
