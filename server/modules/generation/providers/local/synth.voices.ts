import type { Waveform } from './music.keywords.js';
import type { NoteEvent } from './music.plan.js';
import type { ToneKind, ToneSpec } from './tone.synth.js';

/** The plan's choice of sound for each voice, and the sample rate the notes are rendered at. */
export interface VoiceSetup {
  pad: Waveform;
  bass: Waveform;
  lead: { waveform: Waveform; plucked: boolean };
  sampleRate: number;
}

/**
 * How one note sounds: its tone (shared with every note of the same pitch and timbre, see
 * tone.synth.ts) and a linear attack and release inside the note's own frames, so no note
 * clicks at either end or spills over. Drums strike at once but still fade out at the end.
 */
export interface NoteShape {
  tone: ToneSpec;
  attackFrames: number;
  releaseFrames: number;
}

/** Attack and release in seconds, by voice. */
const ENVELOPES: Readonly<Record<Exclude<ToneKind, 'pad'>, readonly [number, number]>> = {
  bass: [0.01, 0.05],
  pluck: [0.004, 0.04],
  lead: [0.02, 0.08],
  vocal: [0.06, 0.12],
  kick: [0, 0.03],
  snare: [0, 0.02],
  hat: [0, 0.01],
};
const PAD_RELEASE = 0.3;

/**
 * The shape of a note of `frames` frames. Only what changes the samples goes into the tone's
 * key (drums ignore the pitch, only vocals sing a vowel), so equal sounds share one rendering.
 */
export function noteShape(event: NoteEvent, setup: VoiceSetup, frames: number): NoteShape {
  const rate = setup.sampleRate;
  const f = event.frequency;
  switch (event.voice) {
    case 'pad':
      // A slow swell over up to 0.8 s, shorter for short chords.
      return shaped(toneOf('pad', rate, setup.pad, f), rate, Math.min(0.8, (frames / rate) * 0.3), PAD_RELEASE);
    case 'bass':
      return shaped(toneOf('bass', rate, setup.bass, f), rate, ...ENVELOPES.bass);
    case 'lead': {
      const kind = setup.lead.plucked ? 'pluck' : 'lead';
      return shaped(toneOf(kind, rate, setup.lead.waveform, f), rate, ...ENVELOPES[kind]);
    }
    case 'vocal':
      return shaped(toneOf('vocal', rate, 'sine', f, event.vowel % 3), rate, ...ENVELOPES.vocal);
    case 'kick':
    case 'snare':
    case 'hat':
      return shaped(toneOf(event.voice, rate), rate, ...ENVELOPES[event.voice]);
  }
}

function toneOf(kind: ToneKind, sampleRate: number, waveform: Waveform = 'sine', frequency = 0, vowel = 0): ToneSpec {
  return { key: `${kind}:${waveform}:${frequency}:${vowel}@${sampleRate}`, kind, waveform, frequency, vowel, sampleRate };
}

function shaped(tone: ToneSpec, rate: number, attack: number, release: number): NoteShape {
  return { tone, attackFrames: Math.round(attack * rate), releaseFrames: Math.round(release * rate) };
}
