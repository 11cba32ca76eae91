import { Migration } from '@mikro-orm/migrations';

/**
 * Deleted tracks keep their audio for a while (an undo window, and links already handed out keep
 * working until they expire); the cleanup job then removes the files and stamps the track.
 */
export class Migration20261125TrackFilesCleanup extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "tracks" add column "files_purged_at" timestamptz null;`);
    this.addSql(`create index "tracks_files_to_purge_idx" on "tracks" ("deleted_at") where "deleted_at" is not null and "files_purged_at" is null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop index if exists "tracks_files_to_purge_idx";`);
    this.addSql(`alter table "tracks" drop column "files_purged_at";`);
  }
}
