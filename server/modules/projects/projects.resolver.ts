import type { GraphQLResolveInfo } from 'graphql';
import { Arg, Authorized, Ctx, FieldResolver, ID, Info, Int, Mutation, Resolver, Root } from 'type-graphql';
import { CurrentViewer } from '../../graphql/auth-checker.js';
import { createdAtCursor, createdAtPosition, pageSize, toConnection } from '../../graphql/connection.js';
import type { RequestContext } from '../../graphql/context.js';
import type { Viewer } from '../auth/viewer.js';
import { trackPage } from '../tracks/tracks.resolver.js';
import { TrackConnection } from '../tracks/tracks.types.js';
import { ViewerType } from '../viewer/viewer.types.js';
import { CreateProjectInput, ProjectConnection, projectIdOf, ProjectType, toProjectType, UpdateProjectInput } from './projects.types.js';

@Resolver(() => ProjectType)
export class ProjectsResolver {
  @Authorized('tracks:write')
  @Mutation(() => ProjectType, { description: 'Makes a project to file tracks in (updateTrack(input: { projectId })).' })
  async createProject(@Arg('input', () => CreateProjectInput) input: CreateProjectInput, @CurrentViewer() viewer: Viewer, @Ctx() ctx: RequestContext): Promise<ProjectType> {
    return toProjectType(await ctx.services.projects.create(ctx.em, viewer.userId, input));
  }

  @Authorized('tracks:write')
  @Mutation(() => ProjectType, { description: 'Renames or redescribes a project. With expectedRevision, a stale edit answers CONFLICT instead of overwriting.' })
  async updateProject(
    @Arg('id', () => ID) id: string,
    @Arg('input', () => UpdateProjectInput) input: UpdateProjectInput,
    @Arg('expectedRevision', () => Int, { nullable: true }) expectedRevision: number | null,
    @CurrentViewer() viewer: Viewer,
    @Ctx() ctx: RequestContext,
  ): Promise<ProjectType> {
    return toProjectType(await ctx.services.projects.update(ctx.em, viewer.userId, projectIdOf(id), input, expectedRevision));
  }

  @Authorized('tracks:write')
  @Mutation(() => ID, { description: 'Deletes a project; its tracks stay in your library, in no project. Answers its id.' })
  async deleteProject(@Arg('id', () => ID) id: string, @CurrentViewer() viewer: Viewer, @Ctx() ctx: RequestContext): Promise<string> {
    await ctx.services.projects.delete(ctx.em, viewer.userId, projectIdOf(id));
    return id;
  }

  @Authorized('tracks:read')
  @FieldResolver(() => TrackConnection, { description: 'The tracks filed in the project, newest first.' })
  tracks(
    @Root() project: ProjectType,
    @CurrentViewer() viewer: Viewer,
    @Ctx() ctx: RequestContext,
    @Arg('first', () => Int, { nullable: true }) first: number | null,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Info() info: GraphQLResolveInfo,
  ) {
    return trackPage(ctx, { userId: viewer.userId, projectId: project.projectId }, first, after, info);
  }

  @FieldResolver(() => Int, { description: 'How many tracks are filed in the project.' })
  trackCount(@Root() project: ProjectType, @Ctx() ctx: RequestContext): Promise<number> {
    return ctx.loaders.trackCountByProjectId.load(project.projectId);
  }
}

@Resolver(() => ViewerType)
export class ViewerProjectsResolver {
  @Authorized('tracks:read')
  @FieldResolver(() => ProjectConnection, { description: 'Your projects, newest first.' })
  async projects(
    @Root() root: ViewerType,
    @Ctx() ctx: RequestContext,
    @Arg('first', () => Int, { nullable: true }) first: number | null,
    @Arg('after', () => String, { nullable: true }) after: string | null,
  ) {
    const size = pageSize(first);
    const projects = ctx.services.projects;
    const rows = await projects.page(ctx.em, root.userId, createdAtPosition(after), size + 1);
    return Object.assign(new ProjectConnection(), toConnection(rows, size, after, toProjectType, createdAtCursor, () => projects.count(ctx.em, root.userId)));
  }
}
