import { randomUUID } from 'node:crypto';
import { Entity, Index, ManyToOne, PrimaryKey, Property, type Ref } from '@mikro-orm/core';
import { User } from '../users/user.entity.js';

/** A folder of a user's tracks (an album, a client's work). A track is in one project or none. */
@Entity({ tableName: 'projects' })
@Index({ name: 'projects_user_created_idx', properties: ['user', 'createdAt', 'id'] })
export class Project {
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @ManyToOne(() => User, { ref: true, deleteRule: 'cascade' })
  user!: Ref<User>;

  @Property({ type: 'text' })
  name!: string;

  @Property({ type: 'text', nullable: true })
  description?: string | null;

  /** Bumped by every edit; updateProject(expectedRevision) refuses a stale one. */
  @Property({ type: 'int', default: 1 })
  revision: number = 1;

  @Property({ type: 'timestamptz' })
  createdAt: Date = new Date();

  @Property({ type: 'timestamptz' })
  updatedAt: Date = new Date();
}
