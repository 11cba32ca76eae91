import { randomInt, randomUUID } from 'node:crypto';
import { LockMode, type EntityManager, type FilterQuery } from '@mikro-orm/postgresql';
import { BadUserInputError } from '../../core/errors.js';
import type { Clock } from '../../core/clock.js';
import { toGlobalId } from '../../core/global-id.js';
import type { Broadcast } from '../../infra/pubsub/broadcast.js';
import { recordEvent } from '../../infra/outbox/outbox.js';
import { Topic } from '../../infra/outbox/outbox.topics.js';
import { IdempotencyKeyReusedError, InsufficientCreditsError } from '../credits/credits.errors.js';
import type { CreditsService } from '../credits/credits.service.js';
import type { Price } from '../credits/price.entity.js';
import { runStatement } from '../../infra/database/sql-statement.js';
import { Tier } from '../users/user.entity.js';
import type { SongRequest } from '../generation/providers/provider.js';
import { Job, JobStatus, TERMINAL_JOB_STATUSES } from './job.entity.js';
import { JOB_CANCEL_CHANNEL, snapshotOf } from './job.events.js';
import { jobFromRow, type JobRecord, type JobRow } from './job.row.js';
import { GENERATION_REFUSAL, GENERATION_TERMS, PLACE_GENERATION, type GenerationRefusalRow, type GenerationTermsRow } from './jobs.sql.js';
import { ProjectNotFoundError } from '../projects/projects.errors.js';
import { FeatureNotInTierError, JobAlreadyFinishedError, JobNotFoundError, UnknownModelError } from './jobs.errors.js';
import type { GenerationBatches, GenerationPlacement, TermsRequest } from './generation.batches.js';

export interface GenerateTrackRequest {
  prompt: string;
  title?: string | null;
  style?: string | null;
  instrumental?: boolean | null;
  durationSeconds: number;
  model?: string | null;
  idempotencyKey: string;
  /** A project of the user's to file the track in. */
  projectId?: string | null;
}

/** A request after validation: trimmed, defaults applied. */
interface NormalizedRequest extends SongRequest {
  idempotencyKey: string;
  projectId: string | null;
}

export const DEFAULT_MODEL = 'mv-lite';
/** A job's hold outlives any sane run; a job still unfinished then cannot be charged. */
export const JOB_HOLD_TTL_SECONDS = 3600;

/** What a track of `durationSeconds` costs with `price`: the first minute, then each started minute. */
export function priceOf(price: Pick<Price, 'credits' | 'creditsPerExtraMinute'>, durationSeconds: number): number {
  return price.credits + Math.max(0, Math.ceil(durationSeconds / 60) - 1) * price.creditsPerExtraMinute;
}

function text(value: string | null | undefined, field: string, min: number, max: number): string | null {
  const trimmed = value?.trim() ?? '';
  if (trimmed.length === 0 && min === 0) return null;
  if (trimmed.length < min || trimmed.length > max) throw new BadUserInputError(`${field} must be ${min} to ${max} characters`, field);
  return trimmed;
}

const UPGRADE: Record<Tier, Tier | null> = { [Tier.FREE]: Tier.PRO, [Tier.PRO]: Tier.ENTERPRISE, [Tier.ENTERPRISE]: null };

/** The request's price, once its project, model and tier allow it (else the error that says which does not). */
function priceWithinTier(terms: GenerationTermsRow, request: NormalizedRequest): number {
  if (request.projectId && !terms.project_id) throw new ProjectNotFoundError();
  const tier = terms.tier as Tier;
  if (terms.credits === null || terms.credits_per_extra_minute === null) throw new UnknownModelError(request.model);
  if (!terms.allowed_models.includes(request.model)) {
    const upgrade = UPGRADE[tier];
    throw new FeatureNotInTierError(`Model "${request.model}" is not included in the ${tier} tier${upgrade ? `; upgrade to ${upgrade} to use it` : ''}`, upgrade ?? tier);
  }
  return priceOf({ credits: terms.credits, creditsPerExtraMinute: terms.credits_per_extra_minute }, request.durationSeconds);
}

/** FEATURE_NOT_IN_TIER for a user whose tier's concurrent jobs are all taken. */
function concurrencyLimitError(tier: Tier, limit: number): FeatureNotInTierError {
  const upgrade = UPGRADE[tier];
  return new FeatureNotInTierError(
    `The ${tier} tier runs ${limit} generation${limit === 1 ? '' : 's'} at a time; wait for one to finish${upgrade ? ` or upgrade to ${upgrade}` : ''}`,
    upgrade ?? tier,
  );
}

/** Generation requests and their lifecycle up to the worker. */
export class JobsService {
  constructor(
    private readonly clock: Clock,
    private readonly credits: CreditsService,
    private readonly broadcast: Broadcast,
    /** With batches, concurrent requests share their statements (group commit). */
    private readonly batches?: GenerationBatches,
  ) {}

  /**
   * Prices the request, checks the tier, and in one transaction places the hold, writes the job
   * and the outbox event that queues it. The same idempotency key returns the same job.
   */
  /** The job as written (a plain record), or as first written when the idempotency key replays (the entity). */
  async requestGeneration(em: EntityManager, userId: string, request: GenerateTrackRequest): Promise<Job | JobRecord> {
    const normalized: NormalizedRequest = {
      prompt: text(request.prompt, 'prompt', 1, 1000)!,
      title: text(request.title, 'title', 0, 200),
      style: text(request.style, 'style', 0, 200),
      instrumental: request.instrumental ?? false,
      durationSeconds: request.durationSeconds,
      model: (request.model ?? DEFAULT_MODEL).trim(),
      idempotencyKey: text(request.idempotencyKey, 'idempotencyKey', 1, 200)!,
      projectId: request.projectId ?? null,
    };
    if (!Number.isInteger(normalized.durationSeconds) || normalized.durationSeconds < 5 || normalized.durationSeconds > 240) {
      throw new BadUserInputError('durationSeconds must be a whole number from 5 to 240', 'durationSeconds');
    }
    try {
      return await this.createJob(em, userId, normalized);
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      // A concurrent request with the same key won; its statement holds the only charge.
      const winner = await em.fork().findOne(Job, { user: userId, idempotencyKey: normalized.idempotencyKey });
      if (!winner) throw error;
      return this.replay(winner, normalized);
    }
  }

  /** Cancels a queued job at once; asks the worker to stop a running one. */
  async cancel(em: EntityManager, userId: string, jobId: string): Promise<Job> {
    const now = this.clock.now();
    const job = await em.transactional(async (tx) => {
      const found = await tx.findOne(Job, { id: jobId, user: userId }, { lockMode: LockMode.PESSIMISTIC_WRITE });
      if (!found) throw new JobNotFoundError();
      if (TERMINAL_JOB_STATUSES.includes(found.status)) throw new JobAlreadyFinishedError(found.status);
      found.cancelRequestedAt ??= now;
      if (found.status === JobStatus.QUEUED) {
        await this.credits.releaseHold(tx, userId, found.holdId);
        this.finish(tx, found, JobStatus.CANCELLED, 'cancelled', now, { code: 'CANCELLED', message: 'Cancelled before it started' });
      }
      await tx.flush();
      return found;
    });
    if (job.status === JobStatus.RUNNING) await this.broadcast.publish(JOB_CANCEL_CHANNEL, job.id).catch(() => undefined);
    return job;
  }

  async find(em: EntityManager, userId: string, jobId: string): Promise<Job | null> {
    return em.findOne(Job, { id: jobId, user: userId });
  }

  /** A newest-first page of the user's jobs, optionally of one status. */
  async page(em: EntityManager, userId: string, status: JobStatus | null, after: { createdAt: Date; id: string } | null, limit: number): Promise<Job[]> {
    const where: FilterQuery<Job> = { user: userId, ...(status ? { status } : {}) };
    const paged: FilterQuery<Job> = after ? { $and: [where, { $or: [{ createdAt: { $lt: after.createdAt } }, { createdAt: after.createdAt, id: { $lt: after.id } }] }] } : where;
    return em.find(Job, paged, { orderBy: { createdAt: 'desc', id: 'desc' }, limit });
  }

  async count(em: EntityManager, userId: string, status: JobStatus | null): Promise<number> {
    return em.count(Job, { user: userId, ...(status ? { status } : {}) });
  }

  /** Marks a job terminal and records the change for subscribers (in the caller's transaction). */
  finish(tx: EntityManager, job: Job, status: JobStatus, stage: string, now: Date, error?: { code: string; message: string }): void {
    job.status = status;
    job.stage = stage;
    if (status === JobStatus.SUCCEEDED) job.progress = 100;
    job.finishedAt = now;
    job.updatedAt = now;
    if (error) {
      job.errorCode = error.code;
      job.errorMessage = error.message;
    }
    recordJobChanged(tx, job);
  }

  /**
   * Two round trips, no transaction block: the terms are read, then one statement places the
   * hold and writes the job with its events (PLACE_GENERATION), checking credits and the
   * concurrent-job limit on the locked account row. Only a refused placement costs more.
   */
  private async createJob(em: EntityManager, userId: string, request: NormalizedRequest): Promise<Job | JobRecord> {
    const terms = await this.termsOf(em, { userId, model: request.model, idempotencyKey: request.idempotencyKey, projectId: request.projectId });
    if (!terms) throw new Error(`user ${userId} has no tier plan`);
    if (terms.existing_job_id) return this.replay(await em.findOneOrFail(Job, { id: terms.existing_job_id }), request);
    const cost = priceWithinTier(terms, request);
    return this.place(em, userId, request, terms, this.placement(userId, randomUUID(), cost, terms, request));
  }

  /** GENERATION_TERMS for the request, in a shared query when batches are on (and no caller's transaction). */
  private async termsOf(em: EntityManager, request: TermsRequest): Promise<GenerationTermsRow | null> {
    if (this.batches && !em.isInTransaction()) return this.batches.terms.run(request);
    const [terms] = await runStatement<GenerationTermsRow>(em, GENERATION_TERMS, { ...request });
    return terms ?? null;
  }

  /** PLACE_GENERATION's parameters: the job's hold and the job. */
  private placement(userId: string, jobId: string, cost: number, terms: GenerationTermsRow, request: NormalizedRequest): GenerationPlacement {
    const hold = this.credits.holdParams(userId, {
      amount: cost,
      reason: `Generation: ${(request.title ?? request.prompt).slice(0, 60)}`,
      idempotencyKey: `job:${jobId}`,
      ttlSeconds: JOB_HOLD_TTL_SECONDS,
      reference: toGlobalId('Job', jobId),
    });
    return {
      ...hold,
      concurrentJobs: terms.concurrent_jobs,
      jobId,
      prompt: request.prompt,
      title: request.title,
      style: request.style,
      instrumental: request.instrumental,
      durationSeconds: request.durationSeconds,
      model: request.model,
      seed: randomInt(0, 2 ** 31 - 1),
      jobIdempotencyKey: request.idempotencyKey,
      projectId: request.projectId,
    };
  }

  /**
   * Places the job, or says why it cannot be: the same key won meanwhile (that job back), the
   * limit of jobs at once, or credits (after making sure the account exists and has today's
   * grant: first use of the ledger, or a new day).
   */
  private async place(em: EntityManager, userId: string, request: NormalizedRequest, terms: GenerationTermsRow, params: GenerationPlacement): Promise<Job | JobRecord> {
    const tier = terms.tier as Tier;
    let granted = false;
    for (let attempt = 1; attempt <= 4; attempt += 1) {
      const row = await this.tryPlace(em, params, attempt);
      if (row) return jobFromRow(row);
      const [refusal] = await runStatement<GenerationRefusalRow>(em, GENERATION_REFUSAL, { userId, idempotencyKey: request.idempotencyKey });
      if (refusal?.existing_job_id) return this.replay(await em.findOneOrFail(Job, { id: refusal.existing_job_id }), request);
      if ((refusal?.active_jobs ?? 0) >= terms.concurrent_jobs) throw concurrencyLimitError(tier, terms.concurrent_jobs);
      const available = refusal?.available ?? null;
      if (available === null || available < params.amount) {
        if (granted) throw new InsufficientCreditsError(params.amount, available ?? 0);
        await this.credits.ensureAccount(em, userId);
        await this.credits.grantDaily(em, userId);
        granted = true;
      }
      // Otherwise what refused it has passed (a job ended, credits came in): try again.
    }
    throw concurrencyLimitError(tier, terms.concurrent_jobs);
  }

  /**
   * One placement attempt: the first joins the batcher's next statement when there is one (and
   * no caller's transaction to stay inside); a retry, after the refusal was looked into, goes alone.
   */
  private async tryPlace(em: EntityManager, params: GenerationPlacement, attempt: number): Promise<JobRow | null> {
    if (this.batches && attempt === 1 && !em.isInTransaction()) return this.batches.placements.run(params);
    const [row] = await runStatement<JobRow>(em, PLACE_GENERATION, { ...params });
    return row ?? null;
  }

  private replay(previous: Job, request: NormalizedRequest): Job {
    const fields = ['prompt', 'title', 'style', 'instrumental', 'durationSeconds', 'model', 'projectId'] as const;
    for (const field of fields) {
      if ((previous[field] ?? null) !== request[field]) throw new IdempotencyKeyReusedError(field);
    }
    return previous;
  }
}

/** The outbox event every status change writes, in the same transaction as the change. */
export function recordJobChanged(tx: EntityManager, job: Job): void {
  recordEvent(tx, {
    topic: Topic.JobUpdated,
    userId: job.user.id,
    payload: { jobId: job.id, userId: job.user.id, status: job.status, progress: job.progress, stage: job.stage, job: { ...snapshotOf(job) } },
  });
}

function isUniqueViolation(error: unknown): boolean {
  return typeof error === 'object' && error !== null && 'code' in error && (error as { code?: string }).code === '23505';
}

