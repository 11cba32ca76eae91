import type { Waveform } from './music.keywords.js';
import { noiseAt } from './random.source.js';

/**
 * Tones are synthesised in whole blocks of this many frames, counted from the tone's first
 * frame. Decays are worked out exactly (Math.exp) at the start of each block and by one multiply
 * per frame inside it, so a sample depends only on its index: a tone rendered in one go and one
 * extended block by block later hold the same numbers.
 */
export const TONE_BLOCK_FRAMES = 1024;

/** What synthesises a tone; a voice may use different ones (a lead is plucked or sustained). */
export type ToneKind = 'pad' | 'bass' | 'pluck' | 'lead' | 'vocal' | 'kick' | 'snare' | 'hat';

/**
 * A note's sound before its envelope and gain: a pure function of these fields and the time
 * since the note began, so every note with the same key can share one rendering.
 */
export interface ToneSpec {
  /** Equal keys, equal samples: the tone cache's key. */
  key: string;
  kind: ToneKind;
  waveform: Waveform;
  /** Hz; the drums have their own pitch and use 0. */
  frequency: number;
  /** 0 "ah", 1 "oo", 2 "ee" for a vocal; 0 for the others. */
  vowel: number;
  sampleRate: number;
}

/**
 * Drum hits and the vocal's breath are noise from this one seed, indexed from the note's start:
 * like a drum machine, every hit of the kit plays the same sample (and is rendered once).
 */
const KIT_NOISE_SEED = 0x5eed_d12f;

const TWO_PI = 2 * Math.PI;

/** One cycle of a sine, sampled finely enough that linear interpolation is inaudible. */
const SINE_TABLE_SIZE = 4096;
const SINE_TABLE = Float64Array.from({ length: SINE_TABLE_SIZE + 1 }, (_, i) => Math.sin((TWO_PI * i) / SINE_TABLE_SIZE));

/** sin(2π·cycle) for cycle in [0, 1), from the table: several times cheaper than Math.sin. */
function sine(cycle: number): number {
  const position = cycle * SINE_TABLE_SIZE;
  const index = position | 0;
  const low = SINE_TABLE[index]!;
  return low + (SINE_TABLE[index + 1]! - low) * (position - index);
}

/** The fractional part: where in its cycle a phase (in cycles) is. */
function wrap(phase: number): number {
  return phase - Math.floor(phase);
}

/** One cycle of `waveform` at `cycle` in [0, 1); -1..1. The same shapes as addWave's loops. */
function oscillator(waveform: Waveform, cycle: number): number {
  switch (waveform) {
    case 'sine':
      return sine(cycle);
    case 'triangle':
      return 4 * Math.abs(cycle - 0.5) - 1;
    case 'square':
      return cycle < 0.5 ? 0.6 : -0.6; // quieter: a square is much louder than a sine at equal peak
    case 'saw':
      return 0.8 * (2 * cycle - 1);
  }
}

/** Formant centres (Hz) of the vowels a vocal note sings: "ah", "oo", "ee". */
const VOWEL_FORMANTS = [
  [730, 1090],
  [300, 870],
  [270, 2290],
] as const;
/** Harmonics a vocal note sings; renderVocal's recurrence is written out for exactly this many. */
const VOCAL_HARMONICS = 8;

/**
 * Writes frames [from, to) of `tone` into `out` (zeros there on entry); both are multiples of
 * TONE_BLOCK_FRAMES. Frame i of the tone is i / sampleRate seconds after the note began.
 */
export function renderTone(tone: ToneSpec, out: Float32Array, from: number, to: number): void {
  const rate = tone.sampleRate;
  const step = tone.frequency / rate; // cycles per frame
  const waveform = tone.waveform;
  switch (tone.kind) {
    case 'pad':
      // Two slightly detuned oscillators beat against each other: a cheap chorus.
      addWave(out, from, to, waveform, step, 1);
      addWave(out, from, to, waveform, (tone.frequency * 1.006) / rate, 0.6);
      return;
    case 'bass':
      // A pluck at the start that settles to 60 % of it.
      addWave(out, from, to, waveform, step, 1);
      for (let block = from, ratio = Math.exp(-3 / rate); block < to; block += TONE_BLOCK_FRAMES) {
        let decay = blockDecay(3, block, rate);
        for (let i = block; i < block + TONE_BLOCK_FRAMES; i++, decay *= ratio) out[i] = out[i]! * (0.6 + 0.4 * decay);
      }
      return;
    case 'pluck':
      addWave(out, from, to, waveform, step, 1);
      for (let block = from, ratio = Math.exp(-4 / rate); block < to; block += TONE_BLOCK_FRAMES) {
        let decay = blockDecay(4, block, rate);
        for (let i = block; i < block + TONE_BLOCK_FRAMES; i++, decay *= ratio) out[i] = out[i]! * decay;
      }
      return;
    case 'lead': {
      // A 5 Hz vibrato of 0.3 %: the phase is the integral of the wobbling pitch.
      const depth = (0.003 * tone.frequency) / (TWO_PI * 5);
      const vibrato = 5 / rate;
      for (let i = from; i < to; i++) out[i] = oscillator(waveform, wrap(i * step + depth * sine(wrap(i * vibrato))));
      return;
    }
    case 'vocal':
      renderVocal(tone, out, from, to);
      return;
    case 'kick':
      // A sine falling from ~155 Hz to 45 Hz; the phase is the integral of that sweep.
      for (let block = from; block < to; block += TONE_BLOCK_FRAMES) {
        let sweep = blockDecay(28, block, rate);
        let decay = blockDecay(9, block, rate);
        const [sweepRatio, ratio] = [Math.exp(-28 / rate), Math.exp(-9 / rate)];
        for (let i = block; i < block + TONE_BLOCK_FRAMES; i++, sweep *= sweepRatio, decay *= ratio) {
          out[i] = sine(wrap((45 * i) / rate + (110 * (1 - sweep)) / 28)) * decay;
        }
      }
      return;
    case 'snare':
      for (let block = from; block < to; block += TONE_BLOCK_FRAMES) {
        let rattle = blockDecay(18, block, rate);
        let body = blockDecay(22, block, rate);
        const [rattleRatio, bodyRatio] = [Math.exp(-18 / rate), Math.exp(-22 / rate)];
        for (let i = block; i < block + TONE_BLOCK_FRAMES; i++, rattle *= rattleRatio, body *= bodyRatio) {
          out[i] = 0.7 * noiseAt(i, KIT_NOISE_SEED) * rattle + 0.4 * sine(wrap((190 * i) / rate)) * body;
        }
      }
      return;
    case 'hat':
      for (let block = from, ratio = Math.exp(-55 / rate); block < to; block += TONE_BLOCK_FRAMES) {
        let decay = blockDecay(55, block, rate);
        let previous = noiseAt(block - 1, KIT_NOISE_SEED);
        for (let i = block; i < block + TONE_BLOCK_FRAMES; i++, decay *= ratio) {
          // The difference of neighbouring noise samples keeps only the hiss: a crude high-pass.
          const noise = noiseAt(i, KIT_NOISE_SEED);
          out[i] = 0.5 * (noise - previous) * decay;
          previous = noise;
        }
      }
      return;
  }
}

/**
 * out[i] += amplitude × `waveform` at i·step cycles, for i in [from, to). One loop per waveform,
 * so the choice is made once per tone rather than once per sample.
 */
function addWave(out: Float32Array, from: number, to: number, waveform: Waveform, step: number, amplitude: number): void {
  switch (waveform) {
    case 'sine':
      for (let i = from; i < to; i++) {
        // The wave first, then the sum: the same bits as `out[i] += amplitude * sine(...)`, but V8
        // compiles this order into a loop about twice as fast.
        const wave = sine(wrap(i * step));
        out[i] += amplitude * wave;
      }
      return;
    case 'triangle':
      for (let i = from; i < to; i++) out[i] += amplitude * (4 * Math.abs(wrap(i * step) - 0.5) - 1);
      return;
    case 'square':
      for (let i = from; i < to; i++) out[i] += wrap(i * step) < 0.5 ? 0.6 * amplitude : -0.6 * amplitude;
      return;
    case 'saw':
      for (let i = from; i < to; i++) out[i] += amplitude * 0.8 * (2 * wrap(i * step) - 1);
      return;
  }
}

/** exp(-k·t) at the first frame of a block. */
function blockDecay(k: number, block: number, rate: number): number {
  return Math.exp((-k * block) / rate);
}

/** 2π × the vocal vibrato's 5.5 Hz: dividing by it integrates the pitch wobble into phase. */
const VOCAL_VIBRATO_DIVISOR = TWO_PI * 5.5;
/** Seconds over which the vibrato grows to its full depth. */
const VOCAL_VIBRATO_ONSET = 0.3;

/**
 * The arithmetic per frame is the one the tone has always been rendered with (the tone cache
 * and the WAVs depend on its exact bits); only its shape is written for speed: the harmonic
 * series unrolled over named weights, and the vibrato's growth skipped once it is complete.
 */
function renderVocal(tone: ToneSpec, out: Float32Array, from: number, to: number): void {
  const f = tone.frequency;
  const rate = tone.sampleRate;
  const [w1, w2, w3, w4, w5, w6, w7, w8] = vowelWeights(f, tone.vowel);
  const wobble = 5.5 / rate;
  for (let i = from; i < to; i++) {
    const t = i / rate;
    // Vibrato grows in after the onset, as a singer's does; the phase integrates the pitch wobble.
    // From the onset on, t / 0.3 >= 1 and min(1, t / 0.3) is exactly 1: no division needed.
    const depth = t < VOCAL_VIBRATO_ONSET ? 0.007 * (t / VOCAL_VIBRATO_ONSET) : 0.007;
    const cycle = wrap(f * t - (depth * f * sine(wrap(i * wobble + 0.25))) / VOCAL_VIBRATO_DIVISOR);
    // sin((k+1)x) = 2cos(x)sin(kx) - sin((k-1)x): every harmonic from one sine and one cosine.
    const twoCos = 2 * sine(wrap(cycle + 0.25));
    const h1 = sine(cycle);
    const h2 = twoCos * h1; // minus sin(0·x), which is 0: x − 0 is exactly x
    const h3 = twoCos * h2 - h1;
    const h4 = twoCos * h3 - h2;
    const h5 = twoCos * h4 - h3;
    const h6 = twoCos * h5 - h4;
    const h7 = twoCos * h6 - h5;
    const h8 = twoCos * h7 - h6;
    const sample = 0 + w1 * h1 + w2 * h2 + w3 * h3 + w4 * h4 + w5 * h5 + w6 * h6 + w7 * h7 + w8 * h8;
    out[i] = sample + 0.03 * noiseAt(i, KIT_NOISE_SEED);
  }
}

/** Harmonic amplitudes that make a pitched buzz sound like a vowel: peaks near its formants. */
function vowelWeights(frequency: number, vowel: number): Float64Array {
  const formants = VOWEL_FORMANTS[vowel % VOWEL_FORMANTS.length]!;
  const weights = new Float64Array(VOCAL_HARMONICS);
  for (let k = 1; k <= VOCAL_HARMONICS; k++) {
    const hz = k * frequency;
    const peak = formants.reduce((sum, centre) => sum + Math.exp(-(((hz - centre) / 220) ** 2)), 0);
    weights[k - 1] = (0.35 / k + peak) / 2;
  }
  return weights;
}
