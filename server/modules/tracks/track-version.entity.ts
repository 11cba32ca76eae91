import { randomUUID } from 'node:crypto';
import { Entity, Index, ManyToOne, PrimaryKey, Property, Unique, type Ref } from '@mikro-orm/core';
import { Track } from './track.entity.js';

/** One rendering of a track: its audio artifact, where it came from, and what it derives from. */
@Entity({ tableName: 'track_versions' })
@Unique({ name: 'track_versions_track_number_unique', properties: ['track', 'number'] })
@Index({ name: 'track_versions_track_idx', properties: ['track'] })
export class TrackVersion {
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @ManyToOne(() => Track, { ref: true, deleteRule: 'cascade' })
  track!: Ref<Track>;

  /** 1, 2, 3... within the track. */
  @Property({ type: 'int' })
  number!: number;

  @Property({ type: 'uuid', nullable: true })
  parentVersionId?: string | null;

  /** Storage key of the audio. */
  @Property({ type: 'text' })
  artifactKey!: string;

  @Property({ type: 'text' })
  contentType!: string;

  @Property({ type: 'int' })
  sizeBytes!: number;

  @Property({ type: 'int' })
  durationSeconds!: number;

  /** `generation` or `edit`. */
  @Property({ type: 'text' })
  source!: string;

  @Property({ type: 'uuid', nullable: true })
  jobId?: string | null;

  @Property({ type: 'jsonb' })
  metadata!: Record<string, unknown>;

  @Property({ type: 'timestamptz' })
  createdAt: Date = new Date();
}

/** A version as read for display: the entity's fields without ORM bookkeeping. */
export type TrackVersionView = Pick<
  TrackVersion,
  'id' | 'number' | 'parentVersionId' | 'artifactKey' | 'contentType' | 'sizeBytes' | 'durationSeconds' | 'source' | 'jobId' | 'metadata' | 'createdAt'
> & { trackId: string };
