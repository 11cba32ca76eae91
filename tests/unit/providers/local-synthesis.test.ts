import { describe, expect, it } from 'vitest';
import { kernelChunk } from '../../../server/modules/generation/providers/audio/audio.kernels.js';
import { readWavInfo } from '../../../server/modules/generation/providers/audio/wav.reader.js';
import { createLocalProvider, type LocalProviderOptions } from '../../../server/modules/generation/providers/local.provider.js';
import type { NoteEvent } from '../../../server/modules/generation/providers/local/music.plan.js';
import { mixNote, type MixedNote } from '../../../server/modules/generation/providers/local/note.mixer.js';
import { noteShape, type VoiceSetup } from '../../../server/modules/generation/providers/local/synth.voices.js';
import { ToneCache } from '../../../server/modules/generation/providers/local/tone.cache.js';
import type { ToneSpec } from '../../../server/modules/generation/providers/local/tone.synth.js';
import type { GeneratedAudio, GenerationRequest } from '../../../server/modules/generation/providers/provider.js';
import { generationRequest, recordingOptions } from '../../support/fakes/generation-request.js';

async function generate(request: Partial<GenerationRequest>, options: LocalProviderOptions = {}): Promise<GeneratedAudio> {
  return createLocalProvider(options).generate(generationRequest(request), recordingOptions());
}

/** Root mean square of the 16-bit samples, 0..1: how loud the track is on average. */
function loudness(audio: Buffer): number {
  const { dataOffset, dataBytes } = readWavInfo(audio);
  let sum = 0;
  for (let offset = dataOffset; offset < dataOffset + dataBytes; offset += 2) sum += (audio.readInt16LE(offset) / 32768) ** 2;
  return Math.sqrt(sum / (dataBytes / 2));
}

/** Bit-for-bit equality of two sample arrays (much faster than a deep equal of each element). */
function sameSamples(a: Float32Array, b: Float32Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}

describe('local provider: the WAV', () => {
  it('is 16-bit stereo PCM at 22050 Hz with exactly duration × rate × channels × 2 bytes of data', async () => {
    const { audio } = await generate({ durationSeconds: 12 });
    const info = readWavInfo(audio);
    expect(info).toMatchObject({ audioFormat: 1, sampleRate: 22050, channels: 2, bitsPerSample: 16, dataOffset: 44 });
    expect(info.dataBytes).toBe(12 * 22050 * 2 * 2);
    expect(audio.length).toBe(44 + info.dataBytes);
  });

  it('honours a mono format and another sample rate', async () => {
    const { audio } = await generate({ durationSeconds: 5 }, { channels: 1, sampleRate: 16000 });
    expect(readWavInfo(audio)).toMatchObject({ channels: 1, sampleRate: 16000, dataBytes: 5 * 16000 * 2 });
  });

  it('is music, not silence, and never clips hard', async () => {
    const { audio } = await generate({ prompt: 'energetic rock anthem', durationSeconds: 8 });
    const level = loudness(audio);
    expect(level).toBeGreaterThan(0.05);
    expect(level).toBeLessThan(0.5);
  });
});

describe('local provider: determinism', () => {
  it('gives identical bytes for the same prompt, style and seed', async () => {
    const request = { prompt: 'rainy afternoon in Lisbon', style: 'bossa nova', seed: 42 };
    const [first, second] = await Promise.all([generate(request), generate(request)]);
    expect(first.audio.equals(second.audio)).toBe(true);
    expect(first.metadata).toEqual(second.metadata);
  });

  it('gives different audio for a different prompt, style or seed', async () => {
    const base = { prompt: 'rainy afternoon in Lisbon', style: 'bossa nova', seed: 42 };
    const original = await generate(base);
    for (const change of [{ prompt: 'sunny morning in Porto' }, { style: 'jazz' }, { seed: 43 }]) {
      const changed = await generate({ ...base, ...change });
      expect(changed.audio.equals(original.audio)).toBe(false);
    }
  });

  it('adds a sung line when the track is not instrumental', async () => {
    const request = { prompt: 'love song for a summer night', seed: 7 };
    const instrumental = await generate({ ...request, instrumental: true });
    const sung = await generate({ ...request, instrumental: false });
    expect(sung.metadata.instruments).toContain('vocal');
    expect(instrumental.metadata.instruments).not.toContain('vocal');
    expect(sung.audio.equals(instrumental.audio)).toBe(false);
  });
});

describe('local provider: the words steer the music', () => {
  const tempoOf = async (prompt: string, style: string | null = null, seed = 1): Promise<number> =>
    (await generate({ prompt, style, seed, durationSeconds: 5 })).metadata.tempo as number;

  it('plays calm and ambient prompts slowly and epic, energetic ones fast', async () => {
    for (const seed of [1, 2, 3]) {
      expect(await tempoOf('calm ambient evening', null, seed)).toBeLessThanOrEqual(88);
      expect(await tempoOf('epic energetic battle', 'rock', seed)).toBeGreaterThanOrEqual(140);
    }
  });

  it('reads the style as well as the prompt', async () => {
    expect(await tempoOf('a song about my dog', 'meditation')).toBeLessThanOrEqual(68);
  });

  it('chooses a minor key for sad or dark prompts and a major key for happy ones', async () => {
    for (const seed of [1, 2, 3]) {
      const sad = await generate({ prompt: 'sad dark winter', seed, durationSeconds: 5 });
      const happy = await generate({ prompt: 'happy bright sunny day', seed, durationSeconds: 5 });
      expect(sad.metadata.scale).toBe('minor');
      expect(happy.metadata.scale).toBe('major');
      expect(sad.metadata.progression).toEqual(expect.arrayContaining(['i']));
    }
  });

  it('picks instruments from the words: a piano lead, no drums for ambient', async () => {
    const piano = await generate({ prompt: 'slow piano ballad', durationSeconds: 5 });
    const ambient = await generate({ prompt: 'ambient drone for sleep', durationSeconds: 5 });
    const rock = await generate({ prompt: 'loud rock song', durationSeconds: 5 });
    expect(piano.metadata.instruments).toContain('piano (triangle)');
    expect(ambient.metadata.instruments).not.toContain('drums');
    expect(rock.metadata.instruments).toEqual(expect.arrayContaining(['drums', 'guitar (square)']));
  });

  it('describes the track in its metadata: tempo, key, scale, instruments and seed', async () => {
    const { metadata, providerCost } = await generate({ seed: 99 });
    expect(metadata).toMatchObject({ seed: 99, scale: expect.stringMatching(/^(major|minor)$/), key: expect.stringMatching(/^[A-G][#b]?$/) });
    expect(metadata.tempo).toEqual(expect.any(Number));
    expect((metadata.instruments as string[]).length).toBeGreaterThanOrEqual(3);
    expect(providerCost).toBe(0);
  });
});

describe('local provider: progress', () => {
  it('composes, renders and mixes, in that order', async () => {
    const options = recordingOptions();
    await createLocalProvider().generate(generationRequest({ durationSeconds: 10 }), options);
    const stages = [...new Set(options.reports.map((report) => report.stage))];
    expect(stages).toEqual(['composing', 'rendering', 'mixing']);
    expect(options.reports[0]).toEqual({ progress: 10, stage: 'composing' });
    expect(options.reports.at(-1)).toEqual({ progress: 90, stage: 'mixing' });
  });
});

describe('local provider: the tone cache', () => {
  const request = { prompt: 'bench song 12 with drums and piano', style: null, instrumental: false, seed: 12, durationSeconds: 6 };

  it('gives the same bytes cold, warm, from the shared cache and from a cache that keeps nothing', async () => {
    const cache = new ToneCache();
    const cold = await generate(request, { toneCache: cache });
    const coldStats = cache.stats();
    cache.resetStats();
    const warm = await generate(request, { toneCache: cache });
    expect(cache.stats()).toMatchObject({ lookups: coldStats.lookups, hits: coldStats.lookups, framesRendered: 0 });
    const uncached = await generate(request, { toneCache: new ToneCache(0) });
    const shared = await generate(request);
    for (const other of [warm, uncached, shared]) expect(other.audio.equals(cold.audio)).toBe(true);
    // Mono and another rate take the same path through the cache.
    const monoCache = new ToneCache();
    const [monoCold, monoWarm] = [await generate(request, { channels: 1, sampleRate: 16000, toneCache: monoCache }), await generate(request, { channels: 1, sampleRate: 16000, toneCache: monoCache })];
    expect(monoWarm.audio.equals(monoCold.audio)).toBe(true);
  });

  it('extends a tone without changing a frame it already had, for every kind of tone', () => {
    const setup: VoiceSetup = { pad: 'saw', bass: 'square', lead: { waveform: 'triangle', plucked: true }, sampleRate: 22050 };
    const events: NoteEvent[] = [
      { voice: 'pad', start: 0, length: 2, frequency: 261.63, gain: 0.1, pan: 0, vowel: 0 },
      { voice: 'bass', start: 0, length: 2, frequency: 65.41, gain: 0.3, pan: 0, vowel: 0 },
      { voice: 'lead', start: 0, length: 2, frequency: 523.25, gain: 0.2, pan: 0, vowel: 0 },
      { voice: 'vocal', start: 0, length: 2, frequency: 392, gain: 0.2, pan: 0, vowel: 2 },
      { voice: 'kick', start: 0, length: 2, frequency: 0, gain: 0.5, pan: 0, vowel: 0 },
      { voice: 'snare', start: 0, length: 2, frequency: 0, gain: 0.3, pan: 0, vowel: 0 },
      { voice: 'hat', start: 0, length: 2, frequency: 0, gain: 0.2, pan: 0, vowel: 0 },
    ];
    const sustained = { ...setup, lead: { waveform: 'saw' as const, plucked: false } };
    const tones = [...events.map((event) => noteShape(event, setup, 44100).tone), noteShape(events[2]!, sustained, 44100).tone];
    for (const tone of tones) {
      const growing = new ToneCache();
      const short = growing.samples(tone, 1500).slice();
      const long = growing.samples(tone, 30_000);
      const fresh = new ToneCache().samples(tone, 30_000);
      expect(sameSamples(long.subarray(0, short.length), short), tone.key).toBe(true);
      expect(sameSamples(long.subarray(0, 30_000), fresh.subarray(0, 30_000)), tone.key).toBe(true);
      expect(growing.stats()).toMatchObject({ lookups: 2, hits: 0 });
    }
  });

  it('plays every drum hit of the kit from one rendering, within a song and across songs', async () => {
    const cache = new ToneCache();
    await generate({ prompt: 'party song with drums', seed: 1, durationSeconds: 5 }, { toneCache: cache });
    const first = cache.stats();
    // Dozens of kicks, snares and hats, three drum tones: nearly every hit is found.
    expect(first.hits).toBeGreaterThan(first.lookups / 2);
    cache.resetStats();
    await generate({ prompt: 'another party song with drums', seed: 2, durationSeconds: 5 }, { toneCache: cache });
    const second = cache.stats();
    expect(second.hits).toBeGreaterThan(first.hits);
  });

  it('stays within its byte bound by evicting the least recently used tone', () => {
    const tone = (frequency: number): ToneSpec => noteShape({ voice: 'bass', start: 0, length: 1, frequency, gain: 1, pan: 0, vowel: 0 }, { pad: 'sine', bass: 'sine', lead: { waveform: 'sine', plucked: false }, sampleRate: 8000 }, 4096).tone;
    const bytesPerTone = 4096 * 4;
    const cache = new ToneCache(3 * bytesPerTone);
    for (const frequency of [100, 200, 300]) cache.samples(tone(frequency), 4096);
    cache.samples(tone(100), 4096); // 100 Hz is now the most recently used, 200 Hz the least
    cache.samples(tone(400), 4096);
    expect(cache.stats()).toMatchObject({ bytes: 3 * bytesPerTone, entries: 3, evictions: 1 });
    cache.resetStats();
    cache.samples(tone(100), 4096);
    expect(cache.stats().hits).toBe(1);
    cache.samples(tone(200), 4096);
    expect(cache.stats().hits).toBe(1);
  });
});

describe('local provider: mixing notes', () => {
  const setup: VoiceSetup = { pad: 'triangle', bass: 'triangle', lead: { waveform: 'square', plucked: false }, sampleRate: 22050 };
  const cache = new ToneCache();

  function scheduled(event: NoteEvent, frames: number, startFrame = 0): MixedNote {
    const { tone, attackFrames, releaseFrames } = noteShape(event, setup, frames);
    return { startFrame, frames, attackFrames, releaseFrames, samples: [cache.samples(tone, frames)], lefts: [0.6], rights: [0.3] };
  }

  function mixInChunks(note: MixedNote, total: number, bounds: number[]): Float32Array {
    const whole = new Float32Array(total * 2);
    for (let n = 0; n + 1 < bounds.length; n++) {
      const [from, to] = [bounds[n]!, bounds[n + 1]!];
      kernelChunk.clear(to - from);
      mixNote(note, kernelChunk, from, to);
      whole.set(kernelChunk.left.subarray(0, to - from), from);
      whole.set(kernelChunk.right.subarray(0, to - from), total + from);
    }
    return whole;
  }

  it('mixes a note the same whatever the chunk boundaries', () => {
    const note = scheduled({ voice: 'lead', start: 0, length: 0.5, frequency: 440, gain: 0.2, pan: 0.25, vowel: 0 }, 11_025, 700);
    const total = 12_000;
    const once = mixInChunks(note, total, [0, total]);
    expect(once.some((sample) => sample !== 0)).toBe(true);
    expect(sameSamples(mixInChunks(note, total, [0, 701, 1_000, 1_001, 5_555, 11_700, total]), once)).toBe(true);
    expect(sameSamples(mixInChunks(note, total, [0, 4_096, 8_192, total]), once)).toBe(true);
  });

  it('fades every voice out to silence at the end of its note, so no note clicks', () => {
    for (const voice of ['pad', 'bass', 'lead', 'vocal', 'kick', 'snare', 'hat'] as const) {
      const frames = voice === 'hat' ? 1_700 : 6_000;
      const note = scheduled({ voice, start: 0, length: frames / 22050, frequency: 220, gain: 1, pan: 0.5, vowel: 1 }, frames);
      const left = mixInChunks(note, frames, [0, frames]).subarray(0, frames);
      const peak = left.reduce((most, sample) => Math.max(most, Math.abs(sample)), 0);
      expect(peak, voice).toBeGreaterThan(0.01);
      expect(Math.abs(left[frames - 1]!), voice).toBeLessThan(peak * 0.02);
      if (voice !== 'kick' && voice !== 'snare' && voice !== 'hat') expect(Math.abs(left[0]!), voice).toBe(0);
    }
  });
});
