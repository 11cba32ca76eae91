import type { LeadTimbre, Waveform } from './music.keywords.js';

/** Which synthesiser voice plays a note; see synth.voices.ts for how each one sounds. */
export type VoiceKind = 'pad' | 'bass' | 'lead' | 'vocal' | 'kick' | 'snare' | 'hat';

/** One note of the score, in seconds; the renderer turns it into frames. */
export interface NoteEvent {
  voice: VoiceKind;
  start: number;
  length: number;
  /** Hz; ignored by the drums, which have their own pitch. */
  frequency: number;
  /** Linear amplitude before the master bus. */
  gain: number;
  /** -1 (left) .. 1 (right). */
  pan: number;
  /** 0 "ah", 1 "oo", 2 "ee": the vowel a vocal note sings. */
  vowel: number;
}

/** Everything the local provider decided about a track, before a single sample is rendered. */
export interface MusicPlan {
  seed: number;
  tempo: number;
  /** Pitch class name of the tonic, e.g. `F#`. */
  key: string;
  scale: 'major' | 'minor';
  /** Clamped -2..2: how calm (negative) or energetic (positive) the words asked for. */
  energy: number;
  /** Roman numerals of the four-bar loop, e.g. ['i', 'VI', 'III', 'VII']. */
  progression: string[];
  instruments: string[];
  voices: { pad: Waveform; bass: Waveform; lead: LeadTimbre; drums: boolean; vocal: boolean };
  durationSeconds: number;
  events: NoteEvent[];
}
