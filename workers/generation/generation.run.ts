import { randomUUID } from 'node:crypto';
import { LockMode, type EntityManager } from '@mikro-orm/postgresql';
import { systemClock } from '../../server/core/clock.js';
import { toGlobalId } from '../../server/core/global-id.js';
import { recordEvent } from '../../server/infra/outbox/outbox.js';
import { Topic } from '../../server/infra/outbox/outbox.topics.js';
import { HoldStatus } from '../../server/modules/credits/hold.entity.js';
import { Hold } from '../../server/modules/credits/hold.entity.js';
import { CreditsService } from '../../server/modules/credits/credits.service.js';
import { ProviderCancelledError, ProviderError } from '../../server/modules/generation/providers/provider.errors.js';
import type { GeneratedAudio } from '../../server/modules/generation/providers/provider.js';
import { Job, JobStatus } from '../../server/modules/jobs/job.entity.js';
import { JOB_PROGRESS_CHANNEL, snapshotOf, type JobChanged, type JobSnapshot } from '../../server/modules/jobs/job.events.js';
import { recordJobChanged } from '../../server/modules/jobs/jobs.service.js';
import { TracksService } from '../../server/modules/tracks/tracks.service.js';
import type { GenerationDeps } from './generation.deps.js';

/** How one attempt ended, for the BullMQ processor to act on. */
export type AttemptOutcome = 'succeeded' | 'failed' | 'cancelled' | 'already-finished' | 'retry';

export interface AttemptOptions {
  /** Aborted when a cancel request for this job arrives. */
  signal: AbortSignal;
  /** No attempt follows this one: a transient failure fails the job for good. */
  lastAttempt: boolean;
}

const credits = new CreditsService(systemClock);
const tracks = new TracksService(systemClock);

/**
 * Runs one attempt of a generation job, exactly-once in effect: the job is claimed with a
 * conditional update, the success is written (track, version, hold commit, provider spend, events)
 * in one transaction that first re-checks the job is still RUNNING, so a second worker that runs
 * the same job after a crash can neither create a second track nor charge twice.
 */
export async function runGenerationAttempt(deps: GenerationDeps, jobId: string, options: AttemptOptions): Promise<AttemptOutcome> {
  const { orm, log } = deps;
  const job = await claim(orm.em.fork(), jobId);
  if (!job) return 'already-finished';
  if (job.cancelRequestedAt) return cancel(deps, jobId);
  const publish = progressPublisher(deps, job);
  await publish(5, 'starting');
  let audio: GeneratedAudio;
  try {
    audio = await deps.provider.generate(
      {
        jobId: job.id,
        prompt: job.prompt,
        title: job.title ?? null,
        style: job.style ?? null,
        instrumental: job.instrumental,
        durationSeconds: job.durationSeconds,
        model: job.model,
        seed: job.seed,
      },
      { signal: options.signal, onProgress: ({ progress, stage }) => publish(Math.min(95, Math.max(5, progress)), stage) },
    );
  } catch (error) {
    if (error instanceof ProviderCancelledError || options.signal.aborted) return cancel(deps, jobId);
    if (error instanceof ProviderError && !error.transient) return fail(deps, jobId, error.code, error.userMessage);
    if (!options.lastAttempt) {
      log.warn({ err: error, jobId }, 'generation attempt failed; it will be retried');
      await publish(job.progress, 'retrying');
      return 'retry';
    }
    const message = error instanceof ProviderError ? error.userMessage : 'The music provider did not answer in time; your credits were returned';
    return fail(deps, jobId, error instanceof ProviderError ? error.code : 'PROVIDER_UNAVAILABLE', message);
  }
  await publish(96, 'storing');
  return complete(deps, job, audio);
}

/** QUEUED or RUNNING (a retry, or a crashed worker's job) becomes RUNNING; anything else is done. */
async function claim(em: EntityManager, jobId: string): Promise<Job | null> {
  return em.transactional(async (tx) => {
    const job = await tx.findOne(Job, { id: jobId }, { lockMode: LockMode.PESSIMISTIC_WRITE });
    if (!job || (job.status !== JobStatus.QUEUED && job.status !== JobStatus.RUNNING)) return null;
    const now = systemClock.now();
    const wasQueued = job.status === JobStatus.QUEUED;
    job.status = JobStatus.RUNNING;
    job.attempts += 1;
    job.startedAt ??= now;
    job.updatedAt = now;
    job.stage = 'starting';
    if (wasQueued) recordJobChanged(tx, job);
    await tx.flush();
    return job;
  });
}

/** Progress goes to subscribers at once (Redis) and to the job row when it moved enough. */
function progressPublisher(deps: GenerationDeps, job: Job) {
  let saved = { progress: job.progress, stage: job.stage };
  return async (progress: number, stage: string) => {
    const rounded = Math.round(progress);
    const snapshot = { ...snapshotOf(job), status: JobStatus.RUNNING, progress: rounded, stage };
    const change: JobChanged = { jobId: job.id, userId: job.user.id, status: JobStatus.RUNNING, progress: rounded, stage, job: snapshot };
    await deps.broadcast.publish(JOB_PROGRESS_CHANNEL, JSON.stringify(change)).catch(() => undefined);
    if (stage !== saved.stage || change.progress >= saved.progress + 10) {
      saved = { progress: change.progress, stage };
      await deps.orm.em.fork().nativeUpdate(Job, { id: job.id, status: JobStatus.RUNNING }, { progress: change.progress, stage, updatedAt: systemClock.now() });
    }
  };
}

async function complete(deps: GenerationDeps, claimed: Job, audio: GeneratedAudio): Promise<AttemptOutcome> {
  const trackId = randomUUID();
  const versionId = randomUUID();
  const artifactKey = `tracks/${trackId}/${versionId}.${audio.extension}`;
  await deps.storage.put(artifactKey, audio.audio, audio.contentType);
  let finished: JobSnapshot | undefined;
  const outcome = await deps.orm.em.fork().transactional(async (tx): Promise<AttemptOutcome | 'hold-unusable'> => {
    const job = await tx.findOne(Job, { id: claimed.id }, { lockMode: LockMode.PESSIMISTIC_WRITE });
    if (!job || job.status !== JobStatus.RUNNING) return 'already-finished';
    if (job.cancelRequestedAt) return 'cancelled';
    const hold = await tx.findOne(Hold, { id: job.holdId });
    const now = systemClock.now();
    if (!hold || hold.status !== HoldStatus.PENDING || hold.expiresAt.getTime() <= now.getTime()) return 'hold-unusable';
    await credits.commitHold(tx, job.user.id, job.holdId, job.cost);
    tracks.createFromGeneration(
      tx,
      {
        userId: job.user.id,
        jobId: job.id,
        title: job.title ?? titleFrom(job.prompt),
        style: job.style ?? null,
        prompt: job.prompt,
        artifactKey,
        contentType: audio.contentType,
        sizeBytes: audio.audio.length,
        durationSeconds: Math.round(audio.durationSeconds),
        metadata: audio.metadata,
      },
      trackId,
      versionId,
    );
    job.trackId = trackId;
    job.provider = deps.provider.name;
    job.providerCost = audio.providerCost;
    job.status = JobStatus.SUCCEEDED;
    job.progress = 100;
    job.stage = 'done';
    job.finishedAt = now;
    job.updatedAt = now;
    recordJobChanged(tx, job);
    recordEvent(tx, {
      topic: Topic.WebhookEvent,
      userId: job.user.id,
      payload: { type: 'generation.completed', data: { jobId: toGlobalId('Job', job.id), trackId: toGlobalId('Track', trackId), cost: job.cost } },
    });
    await tx.flush();
    await deps.providerBalance.spend(tx, deps.provider.name, audio.providerCost, toGlobalId('Job', job.id));
    finished = snapshotOf(job);
    return 'succeeded';
  });
  if (outcome !== 'succeeded') await deps.storage.delete(artifactKey).catch(() => undefined);
  if (outcome === 'cancelled') return cancel(deps, claimed.id);
  if (outcome === 'hold-unusable') return fail(deps, claimed.id, 'HOLD_EXPIRED', 'The job took longer than its credit hold allows; nothing was charged');
  if (outcome === 'succeeded') {
    // The outbox delivers this too; the tick is only quicker. Subscribers keep whichever comes first.
    const done: JobChanged = { jobId: claimed.id, userId: claimed.user.id, status: JobStatus.SUCCEEDED, progress: 100, stage: 'done', job: finished };
    await deps.broadcast.publish(JOB_PROGRESS_CHANNEL, JSON.stringify(done)).catch(() => undefined);
  }
  return outcome;
}

/** Ends the job FAILED with a reason a person can read; its credits come back. */
async function fail(deps: GenerationDeps, jobId: string, code: string, message: string): Promise<AttemptOutcome> {
  return end(deps, jobId, JobStatus.FAILED, 'failed', { code, message }, 'generation.failed');
}

async function cancel(deps: GenerationDeps, jobId: string): Promise<AttemptOutcome> {
  return end(deps, jobId, JobStatus.CANCELLED, 'cancelled', { code: 'CANCELLED', message: 'Cancelled; your credits were returned' }, null);
}

async function end(deps: GenerationDeps, jobId: string, status: JobStatus, stage: string, error: { code: string; message: string }, webhook: string | null): Promise<AttemptOutcome> {
  const ended = await deps.orm.em.fork().transactional(async (tx) => {
    const job = await tx.findOne(Job, { id: jobId }, { lockMode: LockMode.PESSIMISTIC_WRITE });
    if (!job || (job.status !== JobStatus.RUNNING && job.status !== JobStatus.QUEUED)) return null;
    const hold = await tx.findOne(Hold, { id: job.holdId });
    if (hold?.status === HoldStatus.PENDING) await credits.releaseHold(tx, job.user.id, job.holdId);
    const now = systemClock.now();
    job.status = status;
    job.stage = stage;
    job.errorCode = error.code;
    job.errorMessage = error.message;
    job.finishedAt = now;
    job.updatedAt = now;
    recordJobChanged(tx, job);
    if (webhook) recordEvent(tx, { topic: Topic.WebhookEvent, userId: job.user.id, payload: { type: webhook, data: { jobId: toGlobalId('Job', job.id), error } } });
    await tx.flush();
    return job;
  });
  if (!ended) return 'already-finished';
  const change: JobChanged = { jobId, userId: ended.user.id, status, progress: ended.progress, stage };
  await deps.broadcast.publish(JOB_PROGRESS_CHANNEL, JSON.stringify(change)).catch(() => undefined);
  return status === JobStatus.CANCELLED ? 'cancelled' : 'failed';
}

function titleFrom(prompt: string): string {
  const words = prompt.trim().split(/\s+/).slice(0, 6).join(' ');
  return words.length > 60 ? `${words.slice(0, 57)}...` : words;
}
