import type { Waveform } from './music.keywords.js';
import type { NoteEvent } from './music.plan.js';
import { noiseAt } from './random.source.js';

const TWO_PI = 2 * Math.PI;

/** One cycle of a sine, sampled finely enough that linear interpolation is inaudible. */
const SINE_TABLE_SIZE = 4096;
const SINE_TABLE = Float64Array.from({ length: SINE_TABLE_SIZE + 1 }, (_, i) => Math.sin((TWO_PI * i) / SINE_TABLE_SIZE));

/** sin(2π·cycle) for cycle in [0, 1), from the table: several times cheaper than Math.sin per sample. */
function tableSine(cycle: number): number {
  const position = cycle * SINE_TABLE_SIZE;
  const index = position | 0;
  const low = SINE_TABLE[index]!;
  return low + (SINE_TABLE[index + 1]! - low) * (position - index);
}

/** One cycle of `waveform` at `phase` (in cycles); -1..1. */
export function oscillator(waveform: Waveform, phase: number): number {
  const cycle = phase - Math.floor(phase);
  switch (waveform) {
    case 'sine':
      return tableSine(cycle);
    case 'triangle':
      return 4 * Math.abs(cycle - 0.5) - 1;
    case 'square':
      return cycle < 0.5 ? 0.6 : -0.6; // quieter: a square is much louder than a sine at equal peak
    case 'saw':
      return 0.8 * (2 * cycle - 1);
  }
}

/** Linear attack and release inside the note's own length, so no note clicks or spills over. */
function envelope(t: number, length: number, attack: number, release: number): number {
  const rise = t < attack ? t / attack : 1;
  const remaining = length - t;
  return remaining < release ? rise * Math.max(0, remaining / release) : rise;
}

/** Formant centres (Hz) of the vowels a vocal note sings: "ah", "oo", "ee". */
const VOWEL_FORMANTS = [
  [730, 1090],
  [300, 870],
  [270, 2290],
] as const;
const VOCAL_HARMONICS = 8;

/**
 * Writes `count` samples of one note into `out` from `offset`; sample i is at frame `frame + i`.
 * A whole block per call, so each voice's loop stays monomorphic and fast: one call per sample
 * through a shared call site was most of the render time.
 */
export type VoiceRenderer = (out: Float64Array, offset: number, count: number, frame: number) => void;

export interface VoiceSetup {
  pad: Waveform;
  bass: Waveform;
  lead: { waveform: Waveform; plucked: boolean };
  noiseSeed: number;
  sampleRate: number;
}

/**
 * Builds the renderer of one note starting at `startFrame`. Everything a voice needs per note
 * (harmonic weights of a vowel, waveform) is worked out here once, not per sample. The time of
 * a sample is always (frame - startFrame) / rate, so a note sounds the same whatever the blocks.
 */
export function voiceFor(event: NoteEvent, setup: VoiceSetup, startFrame: number): VoiceRenderer {
  const f = event.frequency;
  const length = event.length;
  const rate = setup.sampleRate;
  const seed = setup.noiseSeed;
  switch (event.voice) {
    case 'pad': {
      const attack = Math.min(0.8, length * 0.3);
      const waveform = setup.pad;
      return (out, offset, count, frame) => {
        for (let i = 0; i < count; i++) {
          const t = (frame + i - startFrame) / rate;
          // Two slightly detuned oscillators beat against each other: a cheap chorus.
          out[offset + i] = (oscillator(waveform, f * t) + 0.6 * oscillator(waveform, f * 1.006 * t)) * envelope(t, length, attack, 0.3);
        }
      };
    }
    case 'bass': {
      const waveform = setup.bass;
      return (out, offset, count, frame) => {
        for (let i = 0; i < count; i++) {
          const t = (frame + i - startFrame) / rate;
          out[offset + i] = oscillator(waveform, f * t) * envelope(t, length, 0.01, 0.05) * (0.6 + 0.4 * Math.exp(-3 * t));
        }
      };
    }
    case 'lead': {
      const { waveform, plucked } = setup.lead;
      if (plucked) {
        return (out, offset, count, frame) => {
          for (let i = 0; i < count; i++) {
            const t = (frame + i - startFrame) / rate;
            out[offset + i] = oscillator(waveform, f * t) * envelope(t, length, 0.004, 0.04) * Math.exp(-4 * t);
          }
        };
      }
      return (out, offset, count, frame) => {
        for (let i = 0; i < count; i++) {
          const t = (frame + i - startFrame) / rate;
          out[offset + i] = oscillator(waveform, f * t + (0.003 * f * Math.sin(TWO_PI * 5 * t)) / (TWO_PI * 5)) * envelope(t, length, 0.02, 0.08);
        }
      };
    }
    case 'vocal': {
      const weights = Float64Array.from(vowelWeights(f, event.vowel));
      return (out, offset, count, frame) => {
        for (let i = 0; i < count; i++) {
          const t = (frame + i - startFrame) / rate;
          // Vibrato grows in after the onset, as a singer's does; the phase integrates the pitch wobble.
          const depth = 0.007 * Math.min(1, t / 0.3);
          const phase = f * t - (depth * f * Math.cos(TWO_PI * 5.5 * t)) / (TWO_PI * 5.5);
          // sin((k+1)x) = 2cos(x)sin(kx) - sin((k-1)x): every harmonic from one sine and one cosine.
          const x = TWO_PI * (phase - Math.floor(phase));
          const twoCos = 2 * Math.cos(x);
          let previous = 0;
          let current = Math.sin(x);
          let sample = 0;
          for (let k = 0; k < VOCAL_HARMONICS; k++) {
            sample += weights[k]! * current;
            const following = twoCos * current - previous;
            previous = current;
            current = following;
          }
          out[offset + i] = (sample + 0.03 * noiseAt(frame + i, seed)) * envelope(t, length, 0.06, 0.12);
        }
      };
    }
    case 'kick':
      return (out, offset, count, frame) => {
        for (let i = 0; i < count; i++) {
          const t = (frame + i - startFrame) / rate;
          // A sine falling from ~155 Hz to 45 Hz; the phase is the integral of that sweep.
          out[offset + i] = Math.sin(TWO_PI * (45 * t + (110 * (1 - Math.exp(-28 * t))) / 28)) * Math.exp(-9 * t);
        }
      };
    case 'snare':
      return (out, offset, count, frame) => {
        for (let i = 0; i < count; i++) {
          const t = (frame + i - startFrame) / rate;
          out[offset + i] = 0.7 * noiseAt(frame + i, seed) * Math.exp(-18 * t) + 0.4 * Math.sin(TWO_PI * 190 * t) * Math.exp(-22 * t);
        }
      };
    case 'hat':
      return (out, offset, count, frame) => {
        for (let i = 0; i < count; i++) {
          const t = (frame + i - startFrame) / rate;
          // The difference of neighbouring noise samples keeps only the hiss: a crude high-pass.
          out[offset + i] = 0.5 * (noiseAt(frame + i, seed) - noiseAt(frame + i - 1, seed)) * Math.exp(-55 * t);
        }
      };
  }
}

/** Harmonic amplitudes that make a pitched buzz sound like a vowel: peaks near its formants. */
function vowelWeights(frequency: number, vowel: number): number[] {
  const formants = VOWEL_FORMANTS[vowel % VOWEL_FORMANTS.length]!;
  const weights: number[] = [];
  for (let k = 1; k <= VOCAL_HARMONICS; k++) {
    const hz = k * frequency;
    const peak = formants.reduce((sum, centre) => sum + Math.exp(-(((hz - centre) / 220) ** 2)), 0);
    weights.push((0.35 / k + peak) / 2);
  }
  return weights;
}
