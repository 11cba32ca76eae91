import type { ProviderProgress } from './provider.js';

/** The values the worker promises subscribers (queued, 10, 50, 90, done): never skipped. */
const MILESTONES = [10, 50, 90] as const;

/**
 * Passes provider progress on to `onProgress` so that it only ever rises, and so that a jump
 * over a milestone (a remote task going from PENDING straight to SUCCESS) still reports every
 * milestone it passed, in order, under the new stage.
 */
export class ProgressReporter {
  private last = 0;

  constructor(private readonly onProgress: (progress: ProviderProgress) => void | Promise<void>) {}

  get current(): number {
    return this.last;
  }

  async report(progress: number, stage: string): Promise<void> {
    const target = Math.max(0, Math.min(100, Math.round(progress)));
    if (target <= this.last) return;
    for (const milestone of MILESTONES) {
      if (milestone > this.last && milestone < target) await this.emit(milestone, stage);
    }
    await this.emit(target, stage);
  }

  private async emit(progress: number, stage: string): Promise<void> {
    this.last = progress;
    await this.onProgress({ progress, stage });
  }
}
