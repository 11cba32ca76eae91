import { randomUUID } from 'node:crypto';
import { Entity, Index, ManyToOne, PrimaryKey, Property, type Ref } from '@mikro-orm/core';
import { Project } from '../projects/project.entity.js';
import { User } from '../users/user.entity.js';

/** A song of a user's library; its audio lives in versions. */
@Entity({ tableName: 'tracks' })
@Index({ name: 'tracks_user_created_idx', expression: `create index "tracks_user_created_idx" on "tracks" ("user_id", "created_at" desc, "id" desc) where "deleted_at" is null` })
// A project's tracks, newest first.
@Index({ name: 'tracks_project_created_idx', expression: `create index "tracks_project_created_idx" on "tracks" ("project_id", "created_at" desc, "id" desc) where "deleted_at" is null` })
// The cleanup job's queue: deleted tracks whose files are still stored.
@Index({ name: 'tracks_files_to_purge_idx', expression: `create index "tracks_files_to_purge_idx" on "tracks" ("deleted_at") where "deleted_at" is not null and "files_purged_at" is null` })
export class Track {
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @ManyToOne(() => User, { ref: true, deleteRule: 'cascade' })
  user!: Ref<User>;

  /** The project the track is filed in; deleting the project leaves the track in the library. */
  @ManyToOne(() => Project, { ref: true, nullable: true, deleteRule: 'set null' })
  project?: Ref<Project> | null;

  @Property({ type: 'text' })
  title!: string;

  @Property({ type: 'text', nullable: true })
  style?: string | null;

  @Property({ type: 'text' })
  prompt!: string;

  /** Bumped by every edit; updateTrack(expectedRevision) refuses a stale one. */
  @Property({ type: 'int', default: 1 })
  revision: number = 1;

  @Property({ type: 'uuid', nullable: true })
  currentVersionId?: string | null;

  @Property({ type: 'timestamptz' })
  createdAt: Date = new Date();

  @Property({ type: 'timestamptz' })
  updatedAt: Date = new Date();

  /** Soft delete: the track disappears from the library; files stay until cleanup. */
  @Property({ type: 'timestamptz', nullable: true })
  deletedAt?: Date | null;

  get projectId(): string | null {
    return this.project?.id ?? null;
  }

  /** When the cleanup job removed the audio of this deleted track's versions. */
  @Property({ type: 'timestamptz', nullable: true })
  filesPurgedAt?: Date | null;
}
