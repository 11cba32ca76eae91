import type { NoteEvent, VoiceKind } from './music.plan.js';
import type { RandomSource } from './random.source.js';

/** What the score is built from; decided by music-plan.composer.ts. */
export interface ScoreSettings {
  tempo: number;
  /** Pitch class of the tonic, 0 = C. */
  root: number;
  scale: 'major' | 'minor';
  /** The four-bar loop as 0-based scale degrees. */
  degrees: number[];
  energy: number;
  drums: boolean;
  vocal: boolean;
  durationSeconds: number;
}

const INTERVALS = { major: [0, 2, 4, 5, 7, 9, 11], minor: [0, 2, 3, 5, 7, 8, 10] } as const;

/** Drum hits as sixteenth steps of a 4/4 bar, from calm to driving. */
const DRUM_PATTERNS: Readonly<Record<'low' | 'mid' | 'high', Readonly<Record<'kick' | 'snare' | 'hat', readonly number[]>>>> = {
  low: { kick: [0, 8], snare: [], hat: [4, 12] },
  mid: { kick: [0, 7, 10], snare: [4, 12], hat: [0, 2, 4, 6, 8, 10, 12, 14] },
  high: { kick: [0, 4, 8, 12], snare: [4, 12], hat: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15] },
};

/** Lead rhythms as eighth-note lengths that fill one bar; busier ones are used at higher energy. */
const LEAD_RHYTHMS: Readonly<Record<'calm' | 'mid' | 'busy', ReadonlyArray<readonly number[]>>> = {
  calm: [[4, 4], [2, 2, 4], [6, 2], [8]],
  mid: [[2, 2, 2, 2], [3, 1, 2, 2], [2, 1, 1, 4], [1, 1, 2, 2, 2]],
  busy: [[1, 1, 1, 1, 2, 2], [1, 1, 2, 1, 1, 2], [2, 1, 1, 1, 1, 2], [1, 1, 1, 1, 1, 1, 1, 1]],
};

/** Sung rhythms in beats: longer notes than the lead, like a vocal line. */
const VOCAL_RHYTHMS: ReadonlyArray<readonly number[]> = [[2, 2], [1, 1, 2], [3, 1], [4], [1, 1, 1, 1]];

/** Random-walk steps in scale degrees: mostly small moves, an occasional leap. */
const MELODY_STEPS = [-3, -2, -1, -1, 0, 1, 1, 2, 3] as const;

const midiToHz = (midi: number): number => 440 * 2 ** ((midi - 69) / 12);

/**
 * Writes the score: a pad chord and a bass line per bar, drums, a lead melody walking the scale
 * (landing on chord tones on the downbeat) and, for songs with vocals, a sung line that the
 * lead answers every fourth bar. The first bar is an intro without drums or melody.
 */
export function composeScore(settings: ScoreSettings, random: RandomSource): NoteEvent[] {
  const { tempo, root, scale, degrees, energy, durationSeconds } = settings;
  const intervals = INTERVALS[scale];
  const pitch = (base: number, degree: number): number => {
    const octave = Math.floor(degree / 7);
    return midiToHz(base + root + 12 * octave + intervals[((degree % 7) + 7) % 7]!);
  };
  const beat = 60 / tempo;
  const bar = beat * 4;
  const bars = Math.ceil(durationSeconds / bar);
  const events: NoteEvent[] = [];
  const add = (voice: VoiceKind, start: number, length: number, frequency: number, gain: number, pan: number, vowel = 0): void => {
    if (start < durationSeconds) events.push({ voice, start, length: Math.min(length, durationSeconds - start), frequency, gain, pan, vowel });
  };

  const drums = energy <= -1 ? DRUM_PATTERNS.low : energy >= 1 ? DRUM_PATTERNS.high : DRUM_PATTERNS.mid;
  const leadRhythms = energy <= -1 ? LEAD_RHYTHMS.calm : energy >= 1 ? LEAD_RHYTHMS.busy : LEAD_RHYTHMS.mid;
  let melody = 7 + random.int(5); // scale degree above middle C's octave
  let sung = 4 + random.int(4);

  for (let index = 0; index < bars; index++) {
    const start = index * bar;
    const degree = degrees[index % degrees.length]!;
    const chord = [degree, degree + 2, degree + 4];
    chord.forEach((tone, voice) => add('pad', start, bar * 1.02, pitch(48, tone), 0.1, (voice - 1) * 0.5));

    const bassNotes = energy <= -1 ? [[0, 4]] : energy >= 1 ? [[0, 1], [1, 1], [2, 1], [3, 1]] : [[0, 2], [2, 2]];
    bassNotes.forEach(([at, beats], n) => add('bass', start + at! * beat, beats! * beat * 0.95, pitch(36, n % 2 === 1 && energy >= 0 ? degree + 4 : degree), 0.32, 0));

    if (settings.drums && (index > 0 || bars <= 2)) {
      const step = beat / 4;
      drums.kick.forEach((at) => add('kick', start + at * step, 0.35, 0, 0.55, 0));
      drums.snare.forEach((at) => add('snare', start + at * step, 0.25, 0, 0.32, -0.1));
      drums.hat.forEach((at) => add('hat', start + at * step, 0.08, 0, at % 4 === 0 ? 0.2 : 0.12, 0.3));
    }

    const vocalBar = settings.vocal && index > 0 && index % 4 !== 3;
    if (index > 0 && !vocalBar) {
      let at = start;
      for (const [n, eighths] of random.pick(leadRhythms).entries()) {
        melody = n === 0 ? nearestChordTone(melody, chord) : Math.max(4, Math.min(16, melody + random.pick(MELODY_STEPS)));
        const length = eighths * (beat / 2);
        if (!random.chance(0.12)) add('lead', at, length * 0.9, pitch(60, melody - 7), settings.vocal ? 0.14 : 0.18, 0.25);
        at += length;
      }
    }
    if (vocalBar) {
      let at = start;
      for (const [n, beats] of random.pick(VOCAL_RHYTHMS).entries()) {
        sung = n === 0 ? nearestChordTone(sung, chord) : Math.max(0, Math.min(11, sung + random.pick(MELODY_STEPS)));
        if (!(n > 0 && random.chance(0.15))) add('vocal', at, beats * beat * 0.92, pitch(55, sung - 5), 0.2, 0, random.int(3));
        at += beats * beat;
      }
    }
  }
  return events.sort((a, b) => a.start - b.start);
}

/** The chord tone (in any octave) closest to `degree`, so phrases start consonant. */
function nearestChordTone(degree: number, chord: number[]): number {
  let best = degree;
  let distance = Infinity;
  for (const tone of chord) {
    for (let octave = -2; octave <= 2; octave++) {
      const candidate = (tone % 7) + octave * 7;
      if (Math.abs(candidate - degree) < distance) [best, distance] = [candidate, Math.abs(candidate - degree)];
    }
  }
  return best;
}
