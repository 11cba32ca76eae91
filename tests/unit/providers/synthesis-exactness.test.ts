import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { softLimit } from '../../../server/modules/generation/providers/audio/soft.limiter.js';
import { kernelChunk } from '../../../server/modules/generation/providers/audio/audio.kernels.js';
import { WavWriter } from '../../../server/modules/generation/providers/audio/wav.encoder.js';
import { WAV_HEADER_BYTES } from '../../../server/modules/generation/providers/audio/wav.format.js';
import { createLocalProvider, type LocalProviderOptions } from '../../../server/modules/generation/providers/local.provider.js';
import { mixNote, type MixedNote } from '../../../server/modules/generation/providers/local/note.mixer.js';
import { ToneCache } from '../../../server/modules/generation/providers/local/tone.cache.js';
import type { GenerationRequest } from '../../../server/modules/generation/providers/provider.js';
import { generationRequest, recordingOptions } from '../../support/fakes/generation-request.js';

/**
 * The mixing and master loops are written for speed (WebAssembly kernels, two frames per
 * instruction, a flat stretch without its envelope). These tests hold them to the plain
 * formulas, bit for bit: the WAVs of the local provider must not change with the shape of its
 * loops.
 */

/** A chunk's three buses as plain arrays, for the formulas. */
interface Buses {
  left: Float32Array;
  right: Float32Array;
  centre: Float32Array;
}

function sameSamples(a: Float32Array, b: Float32Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}

/** A tone of `frames` deterministic samples in -1..1. */
function toneOf(frames: number, seed: number): Float32Array {
  return Float32Array.from({ length: frames }, (_, i) => Math.sin(i * 0.0173 * seed + seed) * 0.9);
}

/**
 * The envelope mixNote documents, frame by frame: a rise slope·i + offset over the attack, the
 * flat middle at 0·i + 1, the fall over the release; a chord scales each tone before panning, a
 * single tone heard equally on both sides goes to the centre.
 */
function mixByFormula(note: MixedNote, buses: Buses, chunkStart: number, chunkEnd: number): void {
  const { frames, attackFrames: attack, releaseFrames: release } = note;
  const at = note.startFrame - chunkStart;
  const from = Math.max(chunkStart, note.startFrame) - note.startFrame;
  const to = Math.min(chunkEnd, note.startFrame + frames) - note.startFrame;
  for (let i = from; i < to; i++) {
    const [slope, offset] = i < attack ? [1 / attack, 0] : i < frames - release ? [0, 1] : [-1 / release, frames / release];
    if (note.samples.length === 3) {
      const gain = slope * i + offset;
      const [x, y, z] = note.samples.map((tone) => tone[i]! * gain) as [number, number, number];
      const [la, lb, lc] = note.lefts as [number, number, number];
      const [ra, rb, rc] = note.rights as [number, number, number];
      buses.left[at + i] += x * la + y * lb + z * lc;
      buses.right[at + i] += x * ra + y * rb + z * rc;
      continue;
    }
    note.samples.forEach((tone, n) => {
      const [toLeft, toRight] = [note.lefts[n]!, note.rights[n]!];
      if (toLeft === toRight) {
        buses.centre[at + i] += tone[i]! * (toLeft * (slope * i + offset));
        return;
      }
      const sample = tone[i]! * (slope * i + offset);
      buses.left[at + i] += sample * toLeft;
      buses.right[at + i] += sample * toRight;
    });
  }
}

function busesOf(frames: number): Buses {
  // Not zero, so the test also sees that every frame is added to, never overwritten.
  return { left: toneOf(frames, 7), right: toneOf(frames, 11), centre: toneOf(frames, 13) };
}

/** The kernels' chunk, its buses holding copies of `buses`. */
function kernelBusesOf(buses: Buses): typeof kernelChunk {
  kernelChunk.clear(buses.left.length);
  for (const bus of ['left', 'right', 'centre'] as const) kernelChunk[bus].set(buses[bus]);
  return kernelChunk;
}

describe('mixNote', () => {
  const frames = 9_001;
  const shapes: Array<Pick<MixedNote, 'startFrame' | 'attackFrames' | 'releaseFrames'>> = [
    { startFrame: 0, attackFrames: 220, releaseFrames: 1_102 },
    { startFrame: -3_000, attackFrames: 4_000, releaseFrames: 2_001 },
    { startFrame: 1_500, attackFrames: 0, releaseFrames: 7 },
    { startFrame: 17, attackFrames: 3, releaseFrames: 8_990 },
  ];
  const voicings: Array<Pick<MixedNote, 'samples' | 'lefts' | 'rights'>> = [
    { samples: [toneOf(frames, 1)], lefts: [0.32], rights: [0.32] },
    { samples: [toneOf(frames, 2)], lefts: [0.11], rights: [0.27] },
    { samples: [toneOf(frames, 3), toneOf(frames, 4), toneOf(frames, 5)], lefts: [0.13, 0.1, 0.05], rights: [0.05, 0.1, 0.13] },
    { samples: [toneOf(frames, 6), toneOf(frames, 8)], lefts: [0.2, 0.1], rights: [0.2, 0.3] },
  ];

  it('adds exactly the envelope formula, for centred, panned and chord notes, in any chunking', () => {
    for (const shape of shapes) {
      for (const voicing of voicings) {
        const note: MixedNote = { ...shape, ...voicing, frames };
        for (const [chunkStart, chunkEnd] of [[0, 4_096], [4_093, 12_000], [-50, 22_050]] as const) {
          const formula = busesOf(chunkEnd - chunkStart);
          const fast = kernelBusesOf(formula);
          mixNote(note, fast, chunkStart, chunkEnd);
          mixByFormula(note, formula, chunkStart, chunkEnd);
          const label = JSON.stringify({ ...shape, lefts: voicing.lefts, chunkStart });
          for (const bus of ['left', 'right', 'centre'] as const) expect(sameSamples(fast[bus].subarray(0, chunkEnd - chunkStart), formula[bus]), `${label} ${bus}`).toBe(true);
        }
      }
    }
  });
});

describe('WavWriter.writeMaster', () => {
  /** The master as a formula: the soft limiter, then rounding half up to 16 bits. */
  const pcmOf = (sample: number): number => Math.floor(softLimit(sample) * 32767 + 32768.5) - 32768;
  const edges = [0, -0, 1e-9, -1e-9, 0.5, -0.5, 1, -1, 2.9999999, -2.9999999, 3, -3, 3.5, -3.5, 40, -40];
  const frames = 1_003;
  const left = Float32Array.from({ length: frames }, (_, i) => edges[i] ?? Math.sin(i * 0.37) * 1.6);
  const right = Float32Array.from({ length: frames }, (_, i) => edges[(i + 5) % 17] ?? Math.cos(i * 0.21) * 2.4);
  const centre = Float32Array.from({ length: frames }, (_, i) => (i % 3 === 0 ? 0 : Math.sin(i * 0.05) * 0.8));

  function written(channels: Float32Array[], gain: number): Int16Array {
    const writer = new WavWriter({ sampleRate: 22050, channels: channels.length }, frames + 7);
    // Two blocks at odd offsets, the first of an odd count: the kernels' pairs start mid-file and one ends half used.
    const block = (from: number, to: number) => kernelBusesOf({ left: channels[0]!.slice(from, to), right: (channels[1] ?? channels[0]!).slice(from, to), centre: centre.slice(from, to) });
    writer.writeMaster(block(0, 501), 3, 501, gain);
    writer.writeMaster(block(501, frames), 504, frames - 501, gain);
    return new Int16Array(writer.buffer.buffer.slice(writer.buffer.byteOffset + WAV_HEADER_BYTES, writer.buffer.byteOffset + writer.buffer.byteLength));
  }

  it('writes softLimit(gain × (channel + centre)) rounded half up, for stereo and mono', () => {
    for (const gain of [0.9, 1, 2.5]) {
      const stereo = written([left, right], gain);
      const mono = written([left], gain);
      for (let i = 0; i < frames; i++) {
        expect([stereo[2 * (i + 3)], stereo[2 * (i + 3) + 1]], `stereo frame ${i} gain ${gain}`).toEqual([pcmOf(gain * (left[i]! + centre[i]!)), pcmOf(gain * (right[i]! + centre[i]!))]);
        expect(mono[i + 3], `mono frame ${i} gain ${gain}`).toBe(pcmOf(gain * (left[i]! + centre[i]!)));
      }
    }
  });
});

describe('local provider: the bytes', () => {
  /** SHA-256 of the WAVs these requests gave before the synthesis loops were rewritten for speed. */
  const pinned: Array<[Partial<GenerationRequest>, LocalProviderOptions, string]> = [
    [{ prompt: 'bench song 12 with drums and piano', style: null, instrumental: false, seed: 12, durationSeconds: 6 }, {}, 'b0fe36729a9e75101614436fae743025f72acb8f52cdc9a7d598a9cd5bc61a91'],
    [{ prompt: 'neon city nights', style: 'synthwave', instrumental: false, seed: 3, durationSeconds: 7 }, { sampleRate: 44100 }, '52ec0b70880e0eddb0e05d12916c8ff5afb8d35f3411a8ae7f484d5a28166a4d'],
    [{ prompt: 'calm ambient evening', style: 'lofi', instrumental: true, seed: 5, durationSeconds: 5 }, { channels: 1, sampleRate: 16000 }, '4ecbeeb6b8b70c89fa5b8b4015b2d379836dec27bc452d417d4ef730c79e7ec0'],
    [{ prompt: 'energetic rock anthem', style: 'metal', instrumental: false, seed: 9, durationSeconds: 5 }, {}, 'd622202f575350db1e64389042200d25490f1d05145b22a4513bc9acccf2d425'],
  ];

  it('are the same as before the loops were rewritten, for stereo, mono and other rates', async () => {
    for (const [request, options, digest] of pinned) {
      const { audio } = await createLocalProvider({ ...options, toneCache: new ToneCache() }).generate(generationRequest(request), recordingOptions());
      expect(createHash('sha256').update(audio).digest('hex'), JSON.stringify(request)).toBe(digest);
    }
  });
});
