import type { GraphQLResolveInfo } from 'graphql';
import { Arg, Authorized, Ctx, FieldResolver, ID, Info, Int, Mutation, Resolver, Root } from 'type-graphql';
import { selectedFieldNames, selectsAny } from '../../graphql/selection.js';
import { ALL_VERSION_FIELDS, type PartialVersionView, type VersionField } from './library-page.sql.js';
import { localIdOf } from '../../core/global-id.js';
import { CurrentViewer } from '../../graphql/auth-checker.js';
import { createdAtCursor, createdAtPosition, pageSize, toConnection } from '../../graphql/connection.js';
import type { RequestContext } from '../../graphql/context.js';
import type { Viewer } from '../auth/viewer.js';
import { JobType, toJobType } from '../jobs/jobs.types.js';
import { ViewerType } from '../viewer/viewer.types.js';
import { signFileUrl } from '../../infra/storage/signed-url.js';
import { TrackNotFoundError } from './tracks.errors.js';
import type { TrackShelf } from './tracks.service.js';
import { ProjectNotFoundError } from '../projects/projects.errors.js';
import { projectIdOf, ProjectType, toProjectType } from '../projects/projects.types.js';
import { TrackConnection, TrackType, TrackVersionType, UpdateTrackInput, toTrackType, toTrackVersionType } from './tracks.types.js';

function trackIdOf(id: string): string {
  const local = localIdOf(id, 'Track');
  if (!local) throw new TrackNotFoundError();
  return local;
}

@Resolver(() => TrackType)
export class TracksResolver {
  @Authorized('tracks:write')
  @Mutation(() => TrackType, { description: 'Renames or restyles a track. With expectedRevision, a stale edit answers CONFLICT instead of overwriting.' })
  async updateTrack(
    @Arg('id', () => ID) id: string,
    @Arg('input', () => UpdateTrackInput) input: UpdateTrackInput,
    @Arg('expectedRevision', () => Int, { nullable: true }) expectedRevision: number | null,
    @CurrentViewer() viewer: Viewer,
    @Ctx() ctx: RequestContext,
  ): Promise<TrackType> {
    const projectId = input.projectId ? projectIdOf(input.projectId, 'projectId') : input.projectId;
    return toTrackType(await ctx.services.tracks.update(ctx.em, viewer.userId, trackIdOf(id), { ...input, projectId }, expectedRevision));
  }

  @Authorized('tracks:write')
  @Mutation(() => ID, { description: 'Removes a track from your library (its files are kept until cleanup); answers its id.' })
  async deleteTrack(@Arg('id', () => ID) id: string, @CurrentViewer() viewer: Viewer, @Ctx() ctx: RequestContext): Promise<string> {
    await ctx.services.tracks.delete(ctx.em, viewer.userId, trackIdOf(id));
    return id;
  }

  // Answered synchronously when the page read the versions with the tracks: no promise per track.
  @FieldResolver(() => [TrackVersionType], { description: 'Every version, newest first.' })
  versions(@Root() track: TrackType, @Ctx() ctx: RequestContext): TrackVersionType[] | Promise<TrackVersionType[]> {
    if (track.versionViews) return track.versionViews.map(toTrackVersionType);
    return ctx.loaders.versionsByTrackId.load(track.trackId).then((versions) => versions.map(toTrackVersionType));
  }

  @FieldResolver(() => TrackVersionType, { nullable: true })
  currentVersion(@Root() track: TrackType, @Ctx() ctx: RequestContext): TrackVersionType | null | Promise<TrackVersionType | null> {
    if (track.versionViews) return currentOf(track, track.versionViews);
    return ctx.loaders.versionsByTrackId.load(track.trackId).then((versions) => currentOf(track, versions));
  }

  @FieldResolver(() => ProjectType, { nullable: true, description: 'The project the track is filed in (updateTrack(input: { projectId }) moves it).' })
  async project(@Root() track: TrackType, @Ctx() ctx: RequestContext): Promise<ProjectType | null> {
    if (!track.projectLocalId) return null;
    const project = await ctx.loaders.projectById.load(track.projectLocalId);
    return project ? toProjectType(project) : null;
  }

  @FieldResolver(() => JobType, { nullable: true, description: 'The generation that made the track.' })
  async job(@Root() track: TrackType, @Ctx() ctx: RequestContext): Promise<JobType | null> {
    const versions = track.versionViews ?? (await ctx.loaders.versionsByTrackId.load(track.trackId));
    const first = versions.at(-1);
    if (!first?.jobId) return null;
    const job = await ctx.loaders.jobById.load(first.jobId);
    return job ? toJobType(job) : null;
  }
}

function currentOf(track: TrackType, versions: readonly PartialVersionView[]): TrackVersionType | null {
  const current = versions.find((v) => v.id === track.currentVersionLocalId) ?? versions[0];
  return current ? toTrackVersionType(current) : null;
}

/** How long a link to a track's audio works. */
const AUDIO_URL_TTL_MS = 60 * 60 * 1000;

@Resolver(() => TrackVersionType)
export class TrackVersionsResolver {
  @FieldResolver(() => String, { description: 'A link to play the audio (supports seeking); it expires after an hour, fetch a new one then.' })
  audioUrl(@Root() version: TrackVersionType, @Ctx() ctx: RequestContext): string {
    return signFileUrl({ key: version.artifactKey, expiresAt: new Date(Date.now() + AUDIO_URL_TTL_MS) }, ctx.config.jwtSecret, ctx.config.publicUrl);
  }

  @FieldResolver(() => String, { description: 'Like audioUrl, but the browser saves the file.' })
  downloadUrl(@Root() version: TrackVersionType, @Ctx() ctx: RequestContext): string {
    const extension = version.artifactKey.split('.').pop() ?? 'wav';
    return signFileUrl(
      { key: version.artifactKey, expiresAt: new Date(Date.now() + AUDIO_URL_TTL_MS), disposition: 'attachment', filename: `track-v${version.number}.${extension}` },
      ctx.config.jwtSecret,
      ctx.config.publicUrl,
    );
  }
}

/** The version fields each TrackVersion field shows; a field missing here makes the page read them all. */
const VERSION_FIELDS_OF_GRAPHQL_FIELD: Readonly<Record<string, readonly VersionField[]>> = {
  __typename: [],
  id: ['id'],
  number: ['number'],
  parentVersionId: ['parentVersionId'],
  source: ['source'],
  contentType: ['contentType'],
  sizeBytes: ['sizeBytes'],
  durationSeconds: ['durationSeconds'],
  metadata: ['metadata'],
  createdAt: ['createdAt'],
  audioUrl: ['artifactKey'],
  downloadUrl: ['artifactKey', 'number'],
};

/**
 * The version fields a library page must read for this query, or null when it shows no
 * versions. `versions` and `currentVersion` share one list; `job` needs the first version's job.
 */
function versionFieldsShown(info: GraphQLResolveInfo): Set<VersionField> | null {
  const shown = new Set([...selectedFieldNames(info, ['edges', 'node', 'versions']), ...selectedFieldNames(info, ['edges', 'node', 'currentVersion'])]);
  const withJob = selectsAny(info, ['edges', 'node'], ['job']);
  if (shown.size === 0 && !withJob) return null;
  const fields = new Set<VersionField>(withJob ? ['jobId'] : []);
  for (const name of shown) {
    const columns = VERSION_FIELDS_OF_GRAPHQL_FIELD[name];
    if (!columns) return new Set(ALL_VERSION_FIELDS);
    for (const column of columns) fields.add(column);
  }
  return fields;
}

@Resolver(() => ViewerType)
export class ViewerTracksResolver {
  @Authorized('tracks:read')
  @FieldResolver(() => TrackConnection, { description: 'Your library, newest first.' })
  async tracks(
    @Root() root: ViewerType,
    @Ctx() ctx: RequestContext,
    @Arg('first', () => Int, { nullable: true }) first: number | null,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Arg('projectId', () => ID, { nullable: true, description: 'Only the tracks filed in this project of yours.' }) projectId: string | null,
    @Info() info: GraphQLResolveInfo,
  ) {
    return trackPage(ctx, { userId: root.userId, projectId: projectId ? await ownedProjectId(ctx, root.userId, projectId) : null }, first, after, info);
  }
}

/** The local id of a project of the user's; NOT_FOUND for anyone else's, as the mutations answer. */
async function ownedProjectId(ctx: RequestContext, userId: string, globalId: string): Promise<string> {
  const project = await ctx.loaders.projectById.load(projectIdOf(globalId, 'projectId'));
  if (!project || project.user.id !== userId) throw new ProjectNotFoundError();
  return project.id;
}

/** A page of a user's tracks (all, or one project's) as a connection. */
export async function trackPage(ctx: RequestContext, shelf: TrackShelf, first: number | null, after: string | null, info: GraphQLResolveInfo) {
  const size = pageSize(first);
  const position = createdAtPosition(after);
  const tracks = ctx.services.tracks;
  // A page that shows versions reads them in the same statement (one round trip, no batch),
  // with only the fields the query shows.
  const versionFields = versionFieldsShown(info);
  const rows = versionFields ? await tracks.pageWithVersions(ctx.em, shelf, position, size + 1, versionFields) : await tracks.page(ctx.em, shelf, position, size + 1);
  return Object.assign(new TrackConnection(), toConnection(rows, size, after, toTrackType, createdAtCursor, () => tracks.count(ctx.em, shelf)));
}

