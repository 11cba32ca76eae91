import type { EntityManager } from '@mikro-orm/postgresql';
import { latestOf } from '../../server/core/clock.js';
import { runStatement } from '../../server/infra/database/sql-statement.js';
import { StatementBatcher } from '../../server/infra/database/statement-batcher.js';
import { FINISH_GENERATION, FINISH_GENERATIONS, type FinishedGenerationRow } from '../../server/modules/jobs/jobs.sql.js';
import type { GeneratedTrackParams } from '../../server/modules/tracks/generated-track.sql.js';

/** FINISH_GENERATION's parameters: the track to write, the hold to commit, the job to succeed. */
export interface GenerationFinish extends GeneratedTrackParams {
  holdId: string;
  /** Credits to charge; null: all of the hold. */
  charge: number | null;
  cause: string;
  provider: string;
  providerCost: number;
  jobGlobalId: string;
  trackGlobalId: string;
}

/** Successes written together (group commit); undefined for a job not found. */
export type GenerationFinishes = StatementBatcher<GenerationFinish, FinishedGenerationRow | undefined>;

/**
 * A worker's job successes with group commit: the finishes that arrive while one is being
 * written go together in the next statement (FINISH_GENERATIONS), each job still checked and
 * answered as FINISH_GENERATION alone would. `em` serves only for its statement pool.
 */
export function generationFinishes(em: EntityManager): GenerationFinishes {
  return new StatementBatcher({
    one: async (finish) => (await runStatement<FinishedGenerationRow>(em, FINISH_GENERATION, { ...finish }))[0],
    many: async (finishes) => {
      const rows = await runStatement<FinishedGenerationRow & { requested_job_id: string }>(em, FINISH_GENERATIONS, finishBatch(finishes));
      const byJob = new Map(rows.map(({ requested_job_id, ...row }) => [requested_job_id, row]));
      // A job asked twice in one batch is answered once; the other caller finds it already done.
      return finishes.map((finish) => {
        const row = byJob.get(finish.jobId);
        byJob.delete(finish.jobId);
        return row;
      });
    },
  });
}

/** FINISH_GENERATIONS' parameters: the finishes as a JSON array in arrival order, at the newest one's time. */
function finishBatch(finishes: GenerationFinish[]): Record<string, unknown> {
  const seen = new Set<string>();
  const requests = finishes.flatMap((f, ord) => {
    // Only the first finish of a job goes into the statement (see above).
    if (seen.has(f.jobId)) return [];
    seen.add(f.jobId);
    return [
      {
        ord,
        job_id: f.jobId,
        hold_id: f.holdId,
        user_id: f.userId,
        charge: f.charge,
        track_id: f.trackId,
        version_id: f.versionId,
        title: f.title,
        style: f.style,
        prompt: f.prompt,
        project_id: f.projectId,
        artifact_key: f.artifactKey,
        content_type: f.contentType,
        size_bytes: f.sizeBytes,
        duration_seconds: f.durationSeconds,
        // Already JSON text: the statement casts it, so it is not parsed here to be written again.
        metadata: f.metadata,
        provider: f.provider,
        provider_cost: f.providerCost,
        job_global_id: f.jobGlobalId,
        track_global_id: f.trackGlobalId,
      },
    ];
  });
  return { batch: JSON.stringify(requests), now: latestOf(finishes.map((f) => f.now)), cause: finishes[0]!.cause };
}
