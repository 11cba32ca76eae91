import { Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import { GraphQLJSONObject } from 'graphql-scalars';
import { toGlobalId } from '../../core/global-id.js';
import { Connection } from '../../graphql/connection.js';
import { Node } from '../../graphql/node.type.js';
import type { TrackVersionView } from './track-version.entity.js';
import type { PartialVersionView } from './library-page.sql.js';
import type { TrackView } from './tracks.service.js';

@ObjectType('TrackVersion', { implements: Node, description: 'One rendering of a track.' , simpleResolvers: true })
export class TrackVersionType extends Node {
  readonly __typename = 'TrackVersion';
  artifactKey!: string;
  jobLocalId!: string | null;

  @Field(() => Int)
  number!: number;

  @Field(() => String, { nullable: true, description: 'Global id of the version this one derives from.' })
  parentVersionId!: string | null;

  @Field(() => String, { description: '`generation` or `edit`.' })
  source!: string;

  @Field(() => String)
  contentType!: string;

  @Field(() => Int)
  sizeBytes!: number;

  @Field(() => Int)
  durationSeconds!: number;

  @Field(() => GraphQLJSONObject, { description: 'Musical facts: tempo, key, instruments...' })
  metadata!: Record<string, unknown>;

  @Field(() => Date)
  createdAt!: Date;
}

@ObjectType('Track', { implements: Node, description: 'A song in your library.' , simpleResolvers: true })
export class TrackType extends Node {
  readonly __typename = 'Track';
  trackId!: string;
  currentVersionLocalId!: string | null;
  projectLocalId!: string | null;
  /** Versions read with the page (newest first), when the query asked for them. */
  versionViews?: PartialVersionView[];

  @Field(() => String)
  title!: string;

  @Field(() => String, { nullable: true })
  style!: string | null;

  @Field(() => String)
  prompt!: string;

  @Field(() => Int, { description: 'Pass it to updateTrack(expectedRevision:) to refuse overwriting a newer edit.' })
  revision!: number;

  @Field(() => Date)
  createdAt!: Date;

  @Field(() => Date)
  updatedAt!: Date;
}

@InputType('UpdateTrackInput', { description: 'Fields left out stay as they are.' })
export class UpdateTrackInput {
  @Field(() => String, { nullable: true })
  title?: string | null;

  @Field(() => String, { nullable: true, description: 'null clears it.' })
  style?: string | null;

  @Field(() => ID, { nullable: true, description: 'Files the track in this project of yours; null takes it out of its project.' })
  projectId?: string | null;
}

export const TrackConnection = Connection(TrackType, 'Track');

// Mappers assign straight onto the instance: no intermediate object per track or version
// (a library page maps 50 tracks and their versions on every request).
export function toTrackType(track: TrackView & { versions?: PartialVersionView[] }): TrackType {
  const type = new TrackType();
  type.versionViews = track.versions;
  type.id = toGlobalId('Track', track.id);
  type.trackId = track.id;
  type.currentVersionLocalId = track.currentVersionId ?? null;
  type.projectLocalId = track.projectId ?? null;
  type.title = track.title;
  type.style = track.style ?? null;
  type.prompt = track.prompt;
  type.revision = track.revision;
  type.createdAt = track.createdAt;
  type.updatedAt = track.updatedAt;
  return type;
}

/**
 * A version as GraphQL shows it. A library page reads only the fields its query shows, so a
 * partial view leaves the others unset; GraphQL never reads those.
 */
export function toTrackVersionType(partial: TrackVersionView | PartialVersionView): TrackVersionType {
  const version = partial as TrackVersionView;
  const type = new TrackVersionType();
  type.id = toGlobalId('TrackVersion', version.id);
  type.artifactKey = version.artifactKey;
  type.jobLocalId = version.jobId ?? null;
  type.number = version.number;
  type.parentVersionId = version.parentVersionId ? toGlobalId('TrackVersion', version.parentVersionId) : null;
  type.source = version.source;
  type.contentType = version.contentType;
  type.sizeBytes = version.sizeBytes;
  type.durationSeconds = version.durationSeconds;
  type.metadata = version.metadata;
  type.createdAt = version.createdAt;
  return type;
}
