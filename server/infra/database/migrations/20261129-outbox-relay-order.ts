import { Migration } from '@mikro-orm/migrations';

/**
 * outbox_unpublished_idx follows the relay's order (created_at, id) instead of available_at.
 *
 * Publishing an event leaves its entry in this partial index until VACUUM removes it. The relay's
 * claim, ordered by created_at, could not walk an index on available_at in order, so it took a
 * bitmap scan that read every such leftover entry and visited its table page, on every claim:
 * the work grew with the events published since the last VACUUM (about 1,500 entries a claim
 * after 1,500 jobs in `npm run bench:jobs`). In relay order the claim is an index scan that
 * stops after a batch, and marks the leftovers it passes as dead so that later scans skip them.
 */
export class Migration20261129OutboxRelayOrder extends Migration {
  override async up(): Promise<void> {
    this.addSql(`drop index "outbox_unpublished_idx";`);
    this.addSql(`create index "outbox_unpublished_idx" on "outbox" ("created_at", "id") where "published_at" is null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop index "outbox_unpublished_idx";`);
    this.addSql(`create index "outbox_unpublished_idx" on "outbox" ("available_at") where "published_at" is null;`);
  }
}
