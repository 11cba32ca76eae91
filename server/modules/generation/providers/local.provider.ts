import { sleep, throwIfCancelled, yieldToEventLoop } from './abort.signals.js';
import { audioBufferPool, type AudioBufferPool } from './audio/audio-buffer.pool.js';
import type { WavFormat } from './audio/wav.format.js';
import { composeMusic } from './local/music-plan.composer.js';
import { toneCache, type ToneCache } from './local/tone.cache.js';
import { renderTrack } from './local/track.renderer.js';
import { ProgressReporter } from './progress.reporter.js';
import { ProviderCancelledError } from './provider.errors.js';
import type { GeneratedAudio, GenerateOptions, GenerationRequest, MusicProvider } from './provider.js';

export interface LocalProviderOptions {
  /**
   * How fast to render relative to the track's length: 1 takes as long as the track lasts, 10
   * takes a tenth of it. Demos and tests that need a job in flight use a small factor. Default
   * `undefined` (or 0): full speed, as fast as the CPU allows (a 30 s track in well under 1 s).
   */
  realtimeFactor?: number;
  /** Frames per second of the WAV. Default 22050: half of CD quality, fast and small. */
  sampleRate?: number;
  /** 1 (mono) or 2 (stereo). Default 2. */
  channels?: 1 | 2;
  /**
   * Where rendered tones are kept between jobs. Default: the process-wide cache (64 MiB, see
   * local/tone.cache.ts), shared by every local provider in the process. Never changes the bytes.
   */
  toneCache?: ToneCache;
  /**
   * Where WAV buffers come from and go back to once released (GeneratedAudio.release). Default:
   * the process-wide pool (16 MiB, see audio/audio-buffer.pool.ts). Never changes the bytes.
   */
  bufferPool?: AudioBufferPool;
}

const STAGE_COMPOSING = 'composing';
const STAGE_RENDERING = 'rendering';
const STAGE_MIXING = 'mixing';

/** Rendering moves progress from 10 to 85; 90 is reported once the file is complete. */
const RENDER_FROM = 10;
const RENDER_TO = 85;

/**
 * The offline provider: composes a piece from the prompt and style (see music-plan.composer.ts)
 * and synthesises it to a WAV in pure TypeScript. No network, no cost, same bytes for the same
 * prompt, style and seed.
 */
export function createLocalProvider(options: LocalProviderOptions = {}): MusicProvider {
  const format: WavFormat = { sampleRate: options.sampleRate ?? 22050, channels: options.channels ?? 2 };
  const factor = options.realtimeFactor && options.realtimeFactor > 0 ? options.realtimeFactor : 0;
  const resources = { toneCache: options.toneCache ?? toneCache, buffers: options.bufferPool ?? audioBufferPool };

  async function generate(request: GenerationRequest, { signal, onProgress }: GenerateOptions): Promise<GeneratedAudio> {
    throwIfCancelled(signal);
    const progress = new ProgressReporter(onProgress);
    const plan = composeMusic(request);
    await progress.report(RENDER_FROM, STAGE_COMPOSING);

    const started = performance.now();
    const audio = await renderTrack(plan, format, async (done, total) => {
      throwIfCancelled(signal);
      await progress.report(RENDER_FROM + ((RENDER_TO - RENDER_FROM) * done) / total, STAGE_RENDERING);
      if (factor > 0) {
        // Paced mode: wait until the wall clock catches up with the audio rendered so far.
        const due = (done / format.sampleRate / factor) * 1000 - (performance.now() - started);
        await sleep(due, signal).catch(() => {
          throw new ProviderCancelledError();
        });
      } else {
        await yieldToEventLoop();
      }
      throwIfCancelled(signal);
    }, resources);

    await progress.report(90, STAGE_MIXING);
    return {
      audio,
      contentType: 'audio/wav',
      extension: 'wav',
      durationSeconds: request.durationSeconds,
      providerCost: 0,
      metadata: {
        tempo: plan.tempo,
        key: plan.key,
        scale: plan.scale,
        progression: plan.progression,
        instruments: plan.instruments,
        seed: request.seed,
        sampleRate: format.sampleRate,
        channels: format.channels,
      },
      release: releaseOnce(audio, resources.buffers),
    };
  }

  return { name: 'local', generate };
}

/** Gives `audio` back to `pool` on the first call only: a second would let two renders share it. */
function releaseOnce(audio: Buffer, pool: AudioBufferPool): () => void {
  let released = false;
  return () => {
    if (released) return;
    released = true;
    pool.give(audio);
  };
}
