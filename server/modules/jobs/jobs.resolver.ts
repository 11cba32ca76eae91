import { Arg, Authorized, Ctx, FieldResolver, ID, Int, Mutation, Resolver, Root, Subscription, type SubscribeResolverData } from 'type-graphql';
import { localIdOf } from '../../core/global-id.js';
import { CurrentViewer, requireAccess, requireViewer } from '../../graphql/auth-checker.js';
import { createdAtCursor, createdAtPosition, pageSize, toConnection } from '../../graphql/connection.js';
import type { RequestContext } from '../../graphql/context.js';
import type { Viewer } from '../auth/viewer.js';
import { TrackType, toTrackType } from '../tracks/tracks.types.js';
import { ViewerType } from '../viewer/viewer.types.js';
import { JobStatus } from './job.entity.js';
import { movesOn, viewOfSnapshot, type JobChanged, type JobSnapshot } from './job.events.js';
import { JobNotFoundError } from './jobs.errors.js';
import { selectedChangesFilter } from './job-selection.filter.js';
import { projectIdOf } from '../projects/projects.types.js';
import { GenerateTrackInput, JobConnection, JobProgressEventType, JobType, toJobType } from './jobs.types.js';

function jobIdOf(id: string, field = 'id'): string {
  const local = localIdOf(id, 'Job', field);
  if (!local) throw new JobNotFoundError();
  return local;
}

function toProgressEvent(change: JobChanged): JobProgressEventType {
  return Object.assign(new JobProgressEventType(), { jobId: change.jobId, snapshot: change.job, progress: change.progress, stage: change.stage, status: change.status });
}

@Resolver(() => JobType)
export class JobsResolver {
  @Authorized('generate:write')
  @Mutation(() => JobType, { description: 'Starts a generation: prices it, holds the credits and queues it. Same idempotencyKey, same job.' })
  async generateTrack(@Arg('input', () => GenerateTrackInput) input: GenerateTrackInput, @CurrentViewer() viewer: Viewer, @Ctx() ctx: RequestContext): Promise<JobType> {
    const projectId = input.projectId ? projectIdOf(input.projectId, 'projectId') : null;
    return toJobType(await ctx.services.jobs.requestGeneration(ctx.em, viewer.userId, { ...input, projectId }));
  }

  @Authorized('generate:write')
  @Mutation(() => JobType, { description: 'Cancels a queued or running job; its held credits come back.' })
  async cancelJob(@Arg('id', () => ID) id: string, @CurrentViewer() viewer: Viewer, @Ctx() ctx: RequestContext): Promise<JobType> {
    return toJobType(await ctx.services.jobs.cancel(ctx.em, viewer.userId, jobIdOf(id)));
  }

  @FieldResolver(() => TrackType, { nullable: true, description: 'The track the job made, once it succeeded.' })
  async track(@Root() job: JobType, @Ctx() ctx: RequestContext): Promise<TrackType | null> {
    if (!job.trackId) return null;
    const track = await ctx.loaders.trackById.load(job.trackId);
    return track && !track.deletedAt ? toTrackType(track) : null;
  }

  @Subscription(() => JobProgressEventType, {
    description: "A job's progress: first its current state, then every change; completes after the job finishes.",
    subscribe: (data: SubscribeResolverData<unknown, { jobId: string }, RequestContext>) => jobProgressStream(data),
  })
  jobProgress(@Root() change: JobChanged, @Arg('jobId', () => ID) _jobId: string): JobProgressEventType {
    return toProgressEvent(change);
  }

  @Subscription(() => JobType, {
    description: 'Every change of any of your jobs, from any server, that changes a field you selected: `{ id status }` hears each status change, a selection with `progress` each progress tick too.',
    subscribe: ({ context, info }: SubscribeResolverData<unknown, unknown, RequestContext>) => {
      const viewer = requireViewer(context);
      requireAccess(viewer, 'jobs:read');
      return context.services.jobEvents.stream(viewer.userId, undefined, selectedChangesFilter(info) ?? undefined);
    },
  })
  jobUpdated(@Root() change: JobChanged, @Ctx() ctx: RequestContext): Promise<JobType> {
    return jobAtChange(ctx, change.userId, change.jobId, change.job);
  }
}

/**
 * The job a change event reports: the snapshot it carries, or (events written before snapshots
 * existed) the job read again, bypassing the identity map a long-lived socket context keeps.
 */
async function jobAtChange(ctx: RequestContext, userId: string, jobId: string, snapshot: JobSnapshot | undefined): Promise<JobType> {
  if (snapshot) return toJobType(viewOfSnapshot(snapshot));
  ctx.em.clear();
  const job = await ctx.services.jobs.find(ctx.em, userId, jobId);
  if (!job) throw new JobNotFoundError();
  return toJobType(job);
}

async function* jobProgressStream({ context, args }: SubscribeResolverData<unknown, { jobId: string }, RequestContext>): AsyncGenerator<JobChanged> {
  const viewer = requireViewer(context);
  requireAccess(viewer, 'jobs:read');
  const jobId = jobIdOf(args.jobId, 'jobId');
  // Subscribe before reading the current state, so no change falls between the two.
  const changes = context.services.jobEvents.stream(viewer.userId, jobId);
  try {
    const [job, tick] = await Promise.all([
      context.services.jobs.find(context.em.fork(), viewer.userId, jobId),
      context.services.jobEvents.latestTick(jobId).catch(() => null),
    ]);
    if (!job) throw new JobNotFoundError();
    let last: JobChanged = { jobId, userId: viewer.userId, status: job.status, progress: job.progress, stage: job.stage };
    // The row takes progress only now and then; the latest tick is newer while the job runs.
    if (tick?.userId === viewer.userId && movesOn(last, tick)) last = tick;
    yield last;
    if (isTerminal(last.status)) return;
    for await (const change of changes) {
      // Ticks may arrive late or twice, and before the state read above; a job never goes back.
      if (!movesOn(last, change)) continue;
      last = change;
      yield change;
      if (isTerminal(change.status)) return;
    }
  } finally {
    await changes.return?.();
  }
}

function isTerminal(status: JobStatus): boolean {
  return status === JobStatus.SUCCEEDED || status === JobStatus.FAILED || status === JobStatus.CANCELLED;
}

@Resolver(() => ViewerType)
export class ViewerJobsResolver {
  @Authorized('jobs:read')
  @FieldResolver(() => JobConnection, { description: 'Your generation jobs, newest first.' })
  async jobs(
    @Root() root: ViewerType,
    @Ctx() ctx: RequestContext,
    @Arg('first', () => Int, { nullable: true }) first: number | null,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Arg('status', () => JobStatus, { nullable: true }) status: JobStatus | null,
  ) {
    const size = pageSize(first);
    const position = createdAtPosition(after);
    const repo = ctx.services.jobs;
    const rows = await repo.page(ctx.em, root.userId, status, position, size + 1);
    return Object.assign(new JobConnection(), toConnection(rows, size, after, toJobType, createdAtCursor, () => repo.count(ctx.em, root.userId, status)));
  }
}

@Resolver(() => JobProgressEventType)
export class JobProgressEventResolver {
  @FieldResolver(() => JobType, { description: 'The job as it stood at this event.' })
  job(@Root() event: JobProgressEventType, @CurrentViewer() viewer: Viewer, @Ctx() ctx: RequestContext): Promise<JobType> {
    return jobAtChange(ctx, viewer.userId, event.jobId, event.snapshot);
  }
}
