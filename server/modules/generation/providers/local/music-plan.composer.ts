import {
  ENERGY_WORDS, LEAD_BY_ENERGY, LEAD_WORDS, MAJOR_WORDS, MINOR_WORDS, NO_DRUM_WORDS, TEMPO_RANGES, wordsOf,
  type LeadTimbre, type Waveform,
} from './music.keywords.js';
import type { MusicPlan, NoteEvent } from './music.plan.js';
import { RandomSource, seedOf } from './random.source.js';
import { composeScore, type ScoreSettings } from './score.composer.js';

export interface CompositionRequest {
  prompt: string;
  style: string | null;
  instrumental: boolean;
  durationSeconds: number;
  seed: number;
}

const KEY_NAMES = ['C', 'C#', 'D', 'Eb', 'E', 'F', 'F#', 'G', 'Ab', 'A', 'Bb', 'B'] as const;

/** Four-bar loops as 0-based scale degrees; common pop and film progressions for each mode. */
const PROGRESSIONS: Readonly<Record<'major' | 'minor', ReadonlyArray<readonly number[]>>> = {
  major: [[0, 4, 5, 3], [0, 3, 4, 3], [5, 3, 0, 4], [0, 5, 3, 4], [0, 2, 3, 4]],
  minor: [[0, 5, 2, 6], [0, 3, 4, 0], [0, 6, 5, 6], [0, 3, 5, 4], [0, 5, 3, 6]],
};

/** Triad quality on each degree: M major, m minor, d diminished. */
const QUALITIES = { major: 'MmmMMmd', minor: 'mdMmmMM' } as const;
const NUMERALS = ['I', 'II', 'III', 'IV', 'V', 'VI', 'VII'] as const;

/**
 * Decides tempo, key, mode, instruments and the whole score from the words of the prompt and
 * style and a seed hashed from (prompt, style, seed). Keywords set the character (see
 * music.keywords.ts); the hash picks everything the words leave open, so two prompts with the
 * same mood still get different songs.
 */
export function composeMusic(request: CompositionRequest): MusicPlan {
  const words = wordsOf(`${request.prompt} ${request.style ?? ''}`);
  const seed = seedOf(request.prompt, request.style ?? '', String(request.seed));
  const random = new RandomSource(seed);

  const energy = Math.max(-2, Math.min(2, words.reduce((sum, word) => sum + (ENERGY_WORDS[word] ?? 0), 0)));
  const [slowest, fastest] = TEMPO_RANGES[energy]!;
  const tempo = slowest + random.int(fastest - slowest + 1);
  const minorVotes = words.filter((word) => MINOR_WORDS.has(word)).length;
  const majorVotes = words.filter((word) => MAJOR_WORDS.has(word)).length;
  const scale = minorVotes > majorVotes ? 'minor' : majorVotes > minorVotes ? 'major' : random.chance(0.5) ? 'minor' : 'major';
  const root = random.int(12);
  const degrees = random.pick(PROGRESSIONS[scale]);

  const lead = pickLead(words, energy);
  const pad: Waveform = energy <= -1 ? 'sine' : energy >= 1 ? 'saw' : 'triangle';
  const bass: Waveform = energy >= 2 ? 'square' : 'triangle';
  const drums = !words.some((word) => NO_DRUM_WORDS.has(word));
  const vocal = !request.instrumental;

  const settings: ScoreSettings = { tempo, root, scale, degrees: [...degrees], energy, drums, vocal, durationSeconds: request.durationSeconds };
  const events: NoteEvent[] = composeScore(settings, random);

  return {
    seed,
    tempo,
    key: KEY_NAMES[root]!,
    scale,
    energy,
    progression: degrees.map((degree) => numeral(degree, scale)),
    instruments: [`${pad} pad`, `${bass} bass`, `${lead.label} (${lead.waveform})`, ...(drums ? ['drums'] : []), ...(vocal ? ['vocal'] : [])],
    voices: { pad, bass, lead, drums, vocal },
    durationSeconds: request.durationSeconds,
    events,
  };
}

function pickLead(words: string[], energy: number): LeadTimbre {
  for (const [word, timbre] of LEAD_WORDS) if (words.includes(word)) return timbre;
  return LEAD_BY_ENERGY[energy]!;
}

function numeral(degree: number, scale: 'major' | 'minor'): string {
  const quality = QUALITIES[scale][degree];
  const name = NUMERALS[degree]!;
  return quality === 'M' ? name : quality === 'm' ? name.toLowerCase() : `${name.toLowerCase()}°`;
}
