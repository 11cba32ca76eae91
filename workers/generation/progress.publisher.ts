import { systemClock } from '../../server/core/clock.js';
import { Job, JobStatus } from '../../server/modules/jobs/job.entity.js';
import { JOB_PROGRESS_CHANNEL, LATEST_TICK_TTL_MS, latestTickKey, snapshotOf, type JobChanged } from '../../server/modules/jobs/job.events.js';
import type { JobRecord } from '../../server/modules/jobs/job.row.js';
import type { GenerationDeps } from './generation.deps.js';

/** Shortest gap between two progress ticks to subscribers, milestones apart. */
const TICK_INTERVAL_MS = 250;
/**
 * How long a told tick may wait for the ones after it, so that ticks close together leave in one
 * message. Far below what a person notices; a job at full speed passes 10, 50 and 90 and ends
 * within it.
 */
const TICK_BATCH_MS = 20;
/**
 * The job row takes progress at most once per SAVE_INTERVAL_MS, and only when it moved by
 * SAVE_STEP or changed stage: a reader or a restarted worker needs it recent, not exact (the
 * final state is written when the job ends), and the recovery sweep needs updatedAt to move.
 */
const SAVE_INTERVAL_MS = 1_000;
const SAVE_STEP = 10;
/** Values subscribers are always told about (with queued and done: the promised milestones). */
const MILESTONES = new Set([10, 50, 90]);
/** Stages subscribers are always told about: a retry is news even without progress. */
const TOLD_STAGES = new Set(['retrying']);

/**
 * A running job's progress, told to subscribers over Redis and, less often, saved on the job
 * row. Each tick costs a publish, a parse in every API process and a message per subscriber, so
 * only milestones, a retry and one tick per TICK_INTERVAL_MS are told (a tick carries the stage
 * of its moment). Told ticks that come close together leave as one message, a JSON array of
 * changes in order: every milestone still reaches subscribers, for one publish instead of one
 * each. The last change is kept for late subscribers (Broadcast.publishLatest).
 */
export class ProgressPublisher {
  private told: { progress: number; stage: string; at: number };
  private saved: { progress: number; stage: string; at: number };
  private pending: JobChanged[] = [];
  private timer: NodeJS.Timeout | undefined;
  private sending: Promise<void> = Promise.resolve();

  constructor(
    private readonly deps: Pick<GenerationDeps, 'orm' | 'broadcast'>,
    private readonly job: JobRecord,
  ) {
    const now = performance.now();
    this.told = { progress: job.progress, stage: job.stage, at: now };
    this.saved = { progress: job.progress, stage: job.stage, at: now };
  }

  /** Reports `progress` at `stage`: told when it is news (see above), saved when due. */
  async report(progress: number, stage: string): Promise<void> {
    const value = Math.max(this.told.progress, Math.round(progress));
    const now = performance.now();
    if (!MILESTONES.has(value) && !TOLD_STAGES.has(stage) && now - this.told.at < TICK_INTERVAL_MS) return;
    if (stage === this.told.stage && value === this.told.progress) return;
    this.told = { progress: value, stage, at: now };
    const snapshot = { ...snapshotOf(this.job), status: JobStatus.RUNNING, progress: value, stage };
    this.queue({ jobId: this.job.id, userId: this.job.userId, status: JobStatus.RUNNING, progress: value, stage, job: snapshot });
    if (now - this.saved.at >= SAVE_INTERVAL_MS && (stage !== this.saved.stage || value >= this.saved.progress + SAVE_STEP)) {
      this.saved = { progress: value, stage, at: now };
      await this.deps.orm.em.fork().nativeUpdate(Job, { id: this.job.id, status: JobStatus.RUNNING }, { progress: value, stage, updatedAt: systemClock.now() });
    }
  }

  /** Sends what waits now, with `last` (the job's end) after it when given. */
  async flush(last?: JobChanged): Promise<void> {
    if (last) this.pending.push(last);
    clearTimeout(this.timer);
    this.timer = undefined;
    const changes = this.pending;
    this.pending = [];
    if (changes.length > 0) {
      // One message at a time, in order: a later batch never overtakes an earlier one.
      this.sending = this.sending.then(() => this.send(changes));
    }
    await this.sending;
  }

  private queue(change: JobChanged): void {
    this.pending.push(change);
    this.timer ??= setTimeout(() => void this.flush(), TICK_BATCH_MS);
  }

  /** Best effort: a lost tick is harmless, the next one (or the outbox's status change) carries the state. */
  private async send(changes: JobChanged[]): Promise<void> {
    const kept = JSON.stringify(changes.at(-1));
    const message = changes.length === 1 ? kept : JSON.stringify(changes);
    await this.deps.broadcast.publishLatest(JOB_PROGRESS_CHANNEL, latestTickKey(this.job.id), message, LATEST_TICK_TTL_MS, kept).catch(() => undefined);
  }
}
