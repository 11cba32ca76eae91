import type { EntityManager } from '@mikro-orm/postgresql';
import { runStatement } from '../../infra/database/sql-statement.js';
import type { HoldParams } from '../credits/hold-batcher.js';
import type { JobRow } from './job.row.js';
import { PLACE_GENERATION, PLACE_GENERATIONS } from './jobs.sql.js';

/** PLACE_GENERATION's parameters: a job's hold, the user's job limit, and the job. */
export interface GenerationPlacement extends HoldParams {
  concurrentJobs: number;
  jobId: string;
  prompt: string;
  title: string | null;
  style: string | null;
  instrumental: boolean;
  durationSeconds: number;
  model: string;
  seed: number;
  jobIdempotencyKey: string;
  projectId: string | null;
}

interface Waiting {
  placement: GenerationPlacement;
  resolve: (row: JobRow | null) => void;
  reject: (error: unknown) => void;
}

/** The most placements one statement carries. */
const MAX_BATCH = 100;

/**
 * Group commit for generateTrack: one placement statement at a time per API process, and the
 * requests that arrive while it runs go together in the next (PLACE_GENERATIONS), whoever's
 * they are. Under no load a request goes alone at once (PLACE_GENERATION), so nothing waits for
 * a timer; under load a batch costs the database one statement, one commit and one wake-up of
 * the outbox relay instead of one of each per job, and the accounts' rows stop queueing on each
 * other's locks. Each caller gets its own answer: its job's row, or null for "not placed" (the
 * caller finds out why alone). A batch that fails as a whole (a key raced in by another
 * process) is run again one placement at a time, so each caller sees its own outcome.
 */
export class GenerationPlacementBatcher {
  private readonly waiting: Waiting[] = [];
  private draining = false;
  /** Statements issued so far; under load, fewer than placements. */
  statements = 0;

  /** @param em used only for its statement pool (the statements run outside any transaction). */
  constructor(private readonly em: EntityManager) {}

  place(placement: GenerationPlacement): Promise<JobRow | null> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ placement, resolve, reject });
      if (!this.draining) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.draining = true;
    while (this.waiting.length > 0) await this.apply(this.waiting.splice(0, MAX_BATCH));
    this.draining = false;
  }

  private async apply(batch: Waiting[]): Promise<void> {
    if (batch.length === 1) return this.applyAlone(batch[0]!);
    this.statements += 1;
    let rows: JobRow[];
    try {
      rows = await runStatement<JobRow>(this.em, PLACE_GENERATIONS, batchParams(batch.map((waiting) => waiting.placement)));
    } catch {
      await Promise.all(batch.map((waiting) => this.applyAlone(waiting)));
      return;
    }
    const placed = new Map(rows.map((row) => [row.id, row]));
    for (const waiting of batch) waiting.resolve(placed.get(waiting.placement.jobId) ?? null);
  }

  private async applyAlone(waiting: Waiting): Promise<void> {
    this.statements += 1;
    try {
      const [row] = await runStatement<JobRow>(this.em, PLACE_GENERATION, { ...waiting.placement });
      waiting.resolve(row ?? null);
    } catch (error) {
      waiting.reject(error);
    }
  }
}

/** PLACE_GENERATIONS' parameters: the placements as a JSON array in arrival order, at the newest request's time. */
function batchParams(placements: GenerationPlacement[]): Record<string, unknown> {
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
  const now = placements.reduce((latest, p) => (p.now > latest ? p.now : latest), placements[0]!.now);
  return { batch: JSON.stringify(requests), now, cause: placements[0]!.cause };
}
