import { afterEach, describe, expect, it } from 'vitest';
import { readWavInfo } from '../../../server/modules/generation/providers/audio/wav.reader.js';
import { createLocalProvider } from '../../../server/modules/generation/providers/local.provider.js';
import { ProviderCancelledError } from '../../../server/modules/generation/providers/provider.errors.js';
import type { MusicProvider } from '../../../server/modules/generation/providers/provider.js';
import { createSunoProvider } from '../../../server/modules/generation/providers/suno.provider.js';
import { generationRequest, recordingOptions } from '../../support/fakes/generation-request.js';
import { startFakeSunoServer } from '../../support/fakes/suno-server.js';

/** One adapter under test: a quick provider, and one whose jobs stay in flight until cancelled. */
interface Adapter {
  quick: MusicProvider;
  /** Would take a minute or more: only cancellation ends it within a test. */
  slow: MusicProvider;
  close(): Promise<void>;
}

const ADAPTERS: Array<[string, () => Promise<Adapter>]> = [
  [
    'local',
    async () => ({
      quick: createLocalProvider(),
      slow: createLocalProvider({ realtimeFactor: 1 }),
      close: async () => {},
    }),
  ],
  [
    'suno against the fake server',
    async () => {
      const apiKey = 'sk-conformance-key';
      const quickFake = await startFakeSunoServer({ apiKey, pollsBeforeSuccess: 3 });
      const slowFake = await startFakeSunoServer({ apiKey, pollsBeforeSuccess: 100_000 });
      const tuning = { apiKey, pollIntervalMs: 5, requestTimeoutMs: 2000, retryBaseMs: 5 };
      return {
        quick: createSunoProvider({ ...tuning, baseUrl: quickFake.url }),
        slow: createSunoProvider({ ...tuning, baseUrl: slowFake.url, pollIntervalMs: 20 }),
        close: async () => {
          await Promise.all([quickFake.close(), slowFake.close()]);
        },
      };
    },
  ],
];

describe.each(ADAPTERS)('MusicProvider conformance: %s', (_name, setUp) => {
  let adapter: Adapter | undefined;
  afterEach(async () => {
    await adapter?.close();
    adapter = undefined;
  });

  describe('Generate', () => {
    it('returns playable audio of the requested duration', async () => {
      adapter = await setUp();
      const result = await adapter.quick.generate(generationRequest({ durationSeconds: 7 }), recordingOptions());
      expect(result.contentType).toBe('audio/wav');
      expect(result.extension).toBe('wav');
      expect(result.durationSeconds).toBe(7);
      const wav = readWavInfo(result.audio);
      expect(wav.audioFormat).toBe(1);
      expect(wav.bitsPerSample).toBe(16);
      expect(wav.durationSeconds).toBeCloseTo(7, 3);
      expect(result.providerCost).toBeGreaterThanOrEqual(0);
    });

    it('reports progress that only rises, names a stage, and passes 10, 50 and 90', async () => {
      adapter = await setUp();
      const options = recordingOptions();
      await adapter.quick.generate(generationRequest(), options);
      const values = options.reports.map((report) => report.progress);
      expect(values.length).toBeGreaterThanOrEqual(3);
      values.slice(1).forEach((value, index) => expect(value).toBeGreaterThan(values[index]!));
      expect(values).toEqual(expect.arrayContaining([10, 50, 90]));
      expect(Math.max(...values)).toBeLessThanOrEqual(100);
      for (const report of options.reports) expect(report.stage).toMatch(/^[a-z]+$/);
    });
  });

  describe('Cancel', () => {
    it('stops promptly and throws ProviderCancelledError when the job is cancelled mid-way', async () => {
      adapter = await setUp();
      const options = recordingOptions();
      let cancelledAt = 0;
      const record = options.onProgress;
      // Cancel once the work is under way (past the 10 % "accepted" mark), as a user would.
      options.onProgress = (progress) => {
        void record(progress);
        if (progress.progress > 10 && !options.signal.aborted) {
          cancelledAt = performance.now();
          options.controller.abort();
        }
      };
      const error = await adapter.slow.generate(generationRequest({ durationSeconds: 60 }), options).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(ProviderCancelledError);
      expect((error as ProviderCancelledError).userMessage).toBe('The generation was cancelled');
      // Left alone, this job runs for a minute or more; cancelled, it ends within moments.
      expect(performance.now() - cancelledAt).toBeLessThan(2000);
      expect(options.reports.at(-1)!.progress).toBeLessThan(90);
    });

    it('does not start when the job was cancelled before it began', async () => {
      adapter = await setUp();
      const options = recordingOptions();
      options.controller.abort();
      await expect(adapter.quick.generate(generationRequest(), options)).rejects.toBeInstanceOf(ProviderCancelledError);
      expect(options.reports).toEqual([]);
    });
  });
});
