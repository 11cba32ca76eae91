import { randomUUID } from 'node:crypto';
import { LockMode, type EntityManager } from '@mikro-orm/postgresql';
import { systemClock } from '../../server/core/clock.js';
import { inSqlTransaction, runStatement } from '../../server/infra/database/sql-statement.js';
import { toGlobalId } from '../../server/core/global-id.js';
import { recordEvent } from '../../server/infra/outbox/outbox.js';
import { Topic } from '../../server/infra/outbox/outbox.topics.js';
import { Hold, HoldStatus } from '../../server/modules/credits/hold.entity.js';
import { CreditsService } from '../../server/modules/credits/credits.service.js';
import { ProviderCancelledError, ProviderError } from '../../server/modules/generation/providers/provider.errors.js';
import type { GeneratedAudio } from '../../server/modules/generation/providers/provider.js';
import { Job, JobStatus } from '../../server/modules/jobs/job.entity.js';
import { JOB_PROGRESS_CHANNEL, snapshotOf, type JobChanged } from '../../server/modules/jobs/job.events.js';
import { recordJobChanged } from '../../server/modules/jobs/jobs.service.js';
import { jobFromRow, type JobRecord, type JobRow } from '../../server/modules/jobs/job.row.js';
import { CLAIM_JOB, FINISH_GENERATION, type FinishedGenerationRow } from '../../server/modules/jobs/jobs.sql.js';
import { generatedTrackParams, type NewGeneratedTrack } from '../../server/modules/tracks/generated-track.sql.js';
import { trackAudioKey } from '../../server/modules/tracks/track-audio.key.js';
import type { GenerationDeps } from './generation.deps.js';
import type { GenerationFinish } from './generation.finishes.js';
import { ProgressPublisher } from './progress.publisher.js';

/** How one attempt ended, for the BullMQ processor to act on. */
export type AttemptOutcome = 'succeeded' | 'failed' | 'cancelled' | 'already-finished' | 'retry';

export interface AttemptOptions {
  /** Aborted when a cancel request for this job arrives. */
  signal: AbortSignal;
  /** No attempt follows this one: a transient failure fails the job for good. */
  lastAttempt: boolean;
}

const credits = new CreditsService(systemClock);

/**
 * Runs one attempt of a generation job, exactly-once in effect: the job is claimed with a
 * conditional update, the success is written (track, version, hold commit, events; a provider's
 * spend in the same transaction) by one statement that first locks the job and re-checks it is
 * still RUNNING, so a second worker that runs the same job after a crash can neither create a
 * second track nor charge twice.
 */
export async function runGenerationAttempt(deps: GenerationDeps, jobId: string, options: AttemptOptions): Promise<AttemptOutcome> {
  const { orm, log } = deps;
  // The claim and the finish are prepared statements on the ORM's statement pool: they need its
  // connection only, not a fork (each fork builds a unit of work and an identity map).
  const job = await claim(orm.em, jobId);
  if (!job) return 'already-finished';
  if (job.cancelRequestedAt) return cancel(deps, jobId);
  // The claim told subscribers RUNNING at stage 'starting' (through the outbox).
  const progress = new ProgressPublisher(deps, job);
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
      { signal: options.signal, onProgress: (tick) => progress.report(Math.min(95, Math.max(5, tick.progress)), tick.stage) },
    );
  } catch (error) {
    // What subscribers were told so far goes out before the job's end.
    await progress.flush();
    if (error instanceof ProviderCancelledError || options.signal.aborted) return cancel(deps, jobId);
    if (error instanceof ProviderError && !error.transient) return fail(deps, jobId, error.code, error.userMessage);
    if (!options.lastAttempt) {
      log.warn({ err: error, jobId }, 'generation attempt failed; it will be retried');
      await progress.report(job.progress, 'retrying');
      await progress.flush();
      return 'retry';
    }
    const message = error instanceof ProviderError ? error.userMessage : 'The music provider did not answer in time; your credits were returned';
    return fail(deps, jobId, error instanceof ProviderError ? error.code : 'PROVIDER_UNAVAILABLE', message);
  }
  try {
    await progress.report(96, 'storing');
    return await complete(deps, job, audio, progress);
  } finally {
    // Stored, or given up on: nothing reads the audio any more, and the provider may reuse its memory.
    audio.release?.();
  }
}

/** QUEUED or RUNNING (a retry, or a crashed worker's job) becomes RUNNING; anything else is done. */
async function claim(em: EntityManager, jobId: string): Promise<JobRecord | null> {
  const [row] = await runStatement<JobRow>(em, CLAIM_JOB, { jobId, now: systemClock.now() });
  return row ? jobFromRow(row) : null;
}

/** Stores the audio, then writes the success in one statement; the job's end goes out after what subscribers were told. */
async function complete(deps: GenerationDeps, claimed: JobRecord, audio: GeneratedAudio, progress: ProgressPublisher): Promise<AttemptOutcome> {
  const trackId = randomUUID();
  const versionId = randomUUID();
  const artifactKey = trackAudioKey(trackId, versionId, audio.extension);
  await deps.storage.put(artifactKey, audio.audio, audio.contentType);
  const row = await finish(deps, finishParams(deps, claimed, audio, { trackId, versionId, artifactKey }), audio.providerCost);
  const outcome = outcomeOf(row);
  if (outcome === 'succeeded' && row && row.id !== null) {
    // The outbox delivers this too; the tick is only quicker. Subscribers keep whichever comes first.
    await progress.flush({ jobId: claimed.id, userId: claimed.userId, status: JobStatus.SUCCEEDED, progress: 100, stage: 'done', job: snapshotOf(jobFromRow(row)) });
    return outcome;
  }
  await progress.flush();
  await deps.storage.delete(artifactKey).catch(() => undefined);
  if (outcome === 'cancelled') return cancel(deps, claimed.id);
  if (outcome === 'hold-unusable') return fail(deps, claimed.id, 'HOLD_EXPIRED', 'The job took longer than its credit hold allows; nothing was charged');
  return outcome;
}

/** FINISH_GENERATION's parameters: the track to write, the hold to commit, the job to succeed. */
function finishParams(deps: GenerationDeps, claimed: JobRecord, audio: GeneratedAudio, made: { trackId: string; versionId: string; artifactKey: string }): GenerationFinish {
  const track: NewGeneratedTrack = {
    userId: claimed.userId,
    jobId: claimed.id,
    title: claimed.title ?? titleFrom(claimed.prompt),
    style: claimed.style ?? null,
    prompt: claimed.prompt,
    projectId: claimed.projectId ?? null,
    artifactKey: made.artifactKey,
    contentType: audio.contentType,
    sizeBytes: audio.audio.length,
    durationSeconds: Math.round(audio.durationSeconds),
    metadata: audio.metadata,
  };
  return {
    ...generatedTrackParams(track, made.trackId, made.versionId, systemClock.now()),
    jobId: claimed.id,
    holdId: claimed.holdId,
    charge: claimed.cost,
    cause: 'COMMIT',
    provider: deps.provider.name,
    providerCost: audio.providerCost,
    jobGlobalId: toGlobalId('Job', claimed.id),
    trackGlobalId: toGlobalId('Track', made.trackId),
  };
}

/**
 * Runs FINISH_GENERATION. A job that cost nothing upstream (the local provider) moves no provider
 * balance: a zero entry would say nothing, and every job would queue on that one account row.
 * Then the statement is the whole change, and joins the worker's other finishes of the moment
 * when it has them (group commit); a provider's spend joins it in one transaction.
 */
async function finish(deps: GenerationDeps, params: GenerationFinish, providerCost: number): Promise<FinishedGenerationRow | undefined> {
  const em = deps.orm.em;
  if (providerCost <= 0) {
    if (deps.finishes) return deps.finishes.run(params);
    return (await runStatement<FinishedGenerationRow>(em, FINISH_GENERATION, { ...params }))[0];
  }
  return inSqlTransaction(em, async (tx) => {
    const [finished] = await runStatement<FinishedGenerationRow>(tx, FINISH_GENERATION, { ...params });
    if (finished?.hold_committed) await deps.providerBalance.spend(tx, deps.provider.name, providerCost, params.jobGlobalId);
    return finished;
  });
}

/** What the finishing statement found: the job gone or over, a cancel asked for, a hold no longer committable, or success. */
function outcomeOf(row: FinishedGenerationRow | undefined): 'succeeded' | 'already-finished' | 'cancelled' | 'hold-unusable' {
  if (!row || row.previous_status !== JobStatus.RUNNING) return 'already-finished';
  if (row.cancel_requested) return 'cancelled';
  return row.hold_committed ? 'succeeded' : 'hold-unusable';
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
