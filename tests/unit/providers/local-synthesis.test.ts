import { describe, expect, it } from 'vitest';
import { readWavInfo } from '../../../server/modules/generation/providers/audio/wav.reader.js';
import { createLocalProvider, type LocalProviderOptions } from '../../../server/modules/generation/providers/local.provider.js';
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
