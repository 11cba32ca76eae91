import { describe, expect, it } from 'vitest';
import { ProgressReporter } from '../../../server/modules/generation/providers/progress.reporter.js';
import type { ProviderProgress } from '../../../server/modules/generation/providers/provider.js';

describe('ProgressReporter', () => {
  it('passes rising progress on and drops repeats and steps back', async () => {
    const seen: ProviderProgress[] = [];
    const reporter = new ProgressReporter((progress) => void seen.push(progress));
    for (const value of [10, 10, 30, 20, 30.2, 55]) await reporter.report(value, 'rendering');
    expect(seen.map((report) => report.progress)).toEqual([10, 30, 50, 55]);
  });

  it('still reports every milestone a jump passes over, in order', async () => {
    const seen: ProviderProgress[] = [];
    const reporter = new ProgressReporter((progress) => void seen.push(progress));
    await reporter.report(95, 'downloading');
    expect(seen).toEqual([
      { progress: 10, stage: 'downloading' },
      { progress: 50, stage: 'downloading' },
      { progress: 90, stage: 'downloading' },
      { progress: 95, stage: 'downloading' },
    ]);
  });
});
