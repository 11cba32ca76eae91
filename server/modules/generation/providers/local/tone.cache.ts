import { renderTone, TONE_BLOCK_FRAMES, type ToneSpec } from './tone.synth.js';

/**
 * Default bound of the process-wide cache: 64 MiB of Float32 samples, about 760 s of tones at
 * 22050 Hz. A song uses a few dozen tones of at most ~4.4 s each (a pad chord at 56 BPM), so
 * this holds every pitch of every timbre the bench prompts use many times over.
 */
export const DEFAULT_TONE_CACHE_BYTES = 64 * 2 ** 20;

export interface ToneCacheStats {
  /** Notes asked for since the last reset. */
  lookups: number;
  /** Notes whose whole tone was already rendered. */
  hits: number;
  /** Frames those notes needed, and how many of them had to be synthesised. */
  framesNeeded: number;
  framesRendered: number;
  evictions: number;
  bytes: number;
  entries: number;
}

/**
 * Rendered tones by key, least recently used first, bounded by total bytes. A tone is kept at
 * the longest length asked for so far (rounded up to whole blocks); a longer note extends it
 * by synthesising only the frames it lacks. Samples depend on nothing but the key and the
 * frame index, so whether a tone came from the cache, was extended or was rendered afresh
 * never changes a single byte of a track. Arrays handed out are never written again: a render
 * that still holds one keeps valid samples even after the tone is extended or evicted.
 */
export class ToneCache {
  private readonly tones = new Map<string, Float32Array>();
  private bytes = 0;
  private counts = { lookups: 0, hits: 0, framesNeeded: 0, framesRendered: 0, evictions: 0 };

  /** `maxBytes` 0 keeps nothing: every note is synthesised (tests use it for a cold render). */
  constructor(readonly maxBytes: number = DEFAULT_TONE_CACHE_BYTES) {}

  /** At least the first `frames` frames of `tone`; the array may be longer. */
  samples(tone: ToneSpec, frames: number): Float32Array {
    this.counts.lookups += 1;
    this.counts.framesNeeded += frames;
    const cached = this.tones.get(tone.key);
    if (cached) {
      this.tones.delete(tone.key); // re-inserted below as the most recently used
      if (cached.length >= frames) {
        this.counts.hits += 1;
        this.tones.set(tone.key, cached);
        return cached;
      }
      this.bytes -= cached.byteLength;
    }
    const length = Math.ceil(frames / TONE_BLOCK_FRAMES) * TONE_BLOCK_FRAMES;
    const samples = new Float32Array(length);
    const known = cached?.length ?? 0;
    if (cached) samples.set(cached);
    renderTone(tone, samples, known, length);
    this.counts.framesRendered += length - known;
    this.tones.set(tone.key, samples);
    this.bytes += samples.byteLength;
    this.evict();
    return samples;
  }

  stats(): ToneCacheStats {
    return { ...this.counts, bytes: this.bytes, entries: this.tones.size };
  }

  resetStats(): void {
    this.counts = { lookups: 0, hits: 0, framesNeeded: 0, framesRendered: 0, evictions: 0 };
  }

  clear(): void {
    this.tones.clear();
    this.bytes = 0;
  }

  private evict(): void {
    for (const [key, samples] of this.tones) {
      if (this.bytes <= this.maxBytes) return;
      this.tones.delete(key);
      this.bytes -= samples.byteLength;
      this.counts.evictions += 1;
    }
  }
}

/** The one cache of this process, shared by every local provider and job in it. */
export const toneCache = new ToneCache();
