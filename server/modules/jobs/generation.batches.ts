import type { EntityManager } from '@mikro-orm/postgresql';
import { latestOf } from '../../core/clock.js';
import { runStatement } from '../../infra/database/sql-statement.js';
import { StatementBatcher } from '../../infra/database/statement-batcher.js';
import type { HoldParams } from '../credits/hold-batcher.js';
import type { SongRequest } from '../generation/providers/provider.js';
import type { JobRow } from './job.row.js';
import { GENERATION_TERMS, GENERATION_TERMS_MANY, PLACE_GENERATION, PLACE_GENERATIONS, type GenerationTermsRow } from './jobs.sql.js';

/** What GENERATION_TERMS looks up for one request. */
export interface TermsRequest {
  userId: string;
  model: string;
  idempotencyKey: string;
  projectId: string | null;
}

/** PLACE_GENERATION's parameters: a job's hold, the user's job limit, and the job. */
export interface GenerationPlacement extends HoldParams, SongRequest {
  concurrentJobs: number;
  jobId: string;
  seed: number;
  jobIdempotencyKey: string;
  projectId: string | null;
}

/**
 * generateTrack's two statements with group commit (StatementBatcher): the terms of concurrent
 * requests are read by one query, and their placements written by one statement
 * (PLACE_GENERATIONS), whoever's they are. Each request gets what it would have got alone: its
 * terms (null: no such user), its job's row, or null for "not placed" (the caller finds out why
 * alone). `em` serves only for its statement pool: the statements run outside any transaction.
 */
export class GenerationBatches {
  readonly terms: StatementBatcher<TermsRequest, GenerationTermsRow | null>;
  readonly placements: StatementBatcher<GenerationPlacement, JobRow | null>;

  constructor(em: EntityManager) {
    this.terms = new StatementBatcher({
      one: async (request) => (await runStatement<GenerationTermsRow>(em, GENERATION_TERMS, { ...request }))[0] ?? null,
      many: async (requests) => {
        const rows = await runStatement<GenerationTermsRow & { ord: number }>(em, GENERATION_TERMS_MANY, { batch: JSON.stringify(requests.map(termsRecord)) });
        const byOrd = new Map(rows.map(({ ord, ...terms }) => [ord, terms]));
        return requests.map((_, ord) => byOrd.get(ord) ?? null);
      },
    });
    this.placements = new StatementBatcher({
      one: async (placement) => (await runStatement<JobRow>(em, PLACE_GENERATION, { ...placement }))[0] ?? null,
      many: async (placements) => {
        const rows = await runStatement<JobRow>(em, PLACE_GENERATIONS, placementBatch(placements));
        const placed = new Map(rows.map((row) => [row.id, row]));
        return placements.map((placement) => placed.get(placement.jobId) ?? null);
      },
    });
  }
}

function termsRecord(request: TermsRequest, ord: number) {
  return { ord, user_id: request.userId, model: request.model, idempotency_key: request.idempotencyKey, project_id: request.projectId };
}

/** PLACE_GENERATIONS' parameters: the placements as a JSON array in arrival order, at the newest request's time. */
function placementBatch(placements: GenerationPlacement[]): Record<string, unknown> {
  const requests = placements.map((p, ord) => ({
    ord,
    user_id: p.userId,
    job_id: p.jobId,
    hold_id: p.holdId,
    amount: p.amount,
    concurrent_jobs: p.concurrentJobs,
    reason: p.reason,
    reference: p.reference,
    hold_key: p.idempotencyKey,
    ttl_seconds: p.ttlSeconds,
    expires_at: p.expiresAt.toISOString(),
    prompt: p.prompt,
    title: p.title,
    style: p.style,
    instrumental: p.instrumental,
    duration_seconds: p.durationSeconds,
    model: p.model,
    seed: p.seed,
    job_key: p.jobIdempotencyKey,
    project_id: p.projectId,
  }));
  return { batch: JSON.stringify(requests), now: latestOf(placements.map((p) => p.now)), cause: placements[0]!.cause };
}
