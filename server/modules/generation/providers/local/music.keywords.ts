/**
 * How words in a prompt or style steer the local provider. Each table is a plain lookup so the
 * effect of a word is easy to find and to test: "calm" slows the track, "dark" makes it minor,
 * "piano" chooses a plucked keys lead.
 */

/** Energy each word adds (negative: slower and softer). The sum is clamped to -2..2. */
export const ENERGY_WORDS: Readonly<Record<string, number>> = {
  calm: -1, ambient: -1, chill: -1, relax: -1, relaxing: -1, slow: -1, lofi: -1, peaceful: -1,
  sleep: -2, soft: -1, gentle: -1, meditation: -2, lullaby: -2, dreamy: -1, ballad: -1, quiet: -1,
  epic: 1, energetic: 2, energy: 1, rock: 1, metal: 2, fast: 1, dance: 1, edm: 1, party: 1,
  upbeat: 1, punk: 2, techno: 1, house: 1, drum: 1, dnb: 2, intense: 1, power: 1, hype: 2, workout: 2,
};

/** BPM range for each clamped energy level. */
export const TEMPO_RANGES: Readonly<Record<number, readonly [number, number]>> = {
  [-2]: [56, 68],
  [-1]: [70, 88],
  [0]: [92, 116],
  [1]: [120, 138],
  [2]: [140, 172],
};

export const MINOR_WORDS: ReadonlySet<string> = new Set([
  'sad', 'dark', 'melancholy', 'melancholic', 'minor', 'gloomy', 'lonely', 'night', 'rain', 'sorrow',
  'tragic', 'haunting', 'mysterious', 'eerie', 'grief', 'cold', 'tears', 'moody', 'noir',
]);

export const MAJOR_WORDS: ReadonlySet<string> = new Set([
  'happy', 'bright', 'sunny', 'joy', 'joyful', 'major', 'cheerful', 'summer', 'uplifting', 'love',
  'fun', 'hopeful', 'triumphant', 'celebration', 'sunshine',
]);

export type Waveform = 'sine' | 'triangle' | 'square' | 'saw';

/** A lead timbre: the waveform, whether notes ring and decay (plucked) and the name shown. */
export interface LeadTimbre {
  waveform: Waveform;
  plucked: boolean;
  label: string;
}

/** The first word found in this order picks the lead; otherwise energy decides. */
export const LEAD_WORDS: ReadonlyArray<readonly [string, LeadTimbre]> = [
  ['piano', { waveform: 'triangle', plucked: true, label: 'piano' }],
  ['guitar', { waveform: 'square', plucked: true, label: 'guitar' }],
  ['chiptune', { waveform: 'square', plucked: false, label: 'chip lead' }],
  ['8bit', { waveform: 'square', plucked: false, label: 'chip lead' }],
  ['flute', { waveform: 'sine', plucked: false, label: 'flute' }],
  ['synth', { waveform: 'saw', plucked: false, label: 'synth lead' }],
  ['synthwave', { waveform: 'saw', plucked: false, label: 'synth lead' }],
  ['rock', { waveform: 'square', plucked: true, label: 'guitar' }],
  ['metal', { waveform: 'square', plucked: true, label: 'guitar' }],
  ['edm', { waveform: 'saw', plucked: false, label: 'synth lead' }],
  ['bell', { waveform: 'sine', plucked: true, label: 'bells' }],
  ['harp', { waveform: 'triangle', plucked: true, label: 'harp' }],
];

/** Lead when no word picks one, by clamped energy. */
export const LEAD_BY_ENERGY: Readonly<Record<number, LeadTimbre>> = {
  [-2]: { waveform: 'sine', plucked: false, label: 'soft lead' },
  [-1]: { waveform: 'triangle', plucked: true, label: 'keys' },
  [0]: { waveform: 'triangle', plucked: false, label: 'lead' },
  [1]: { waveform: 'saw', plucked: false, label: 'synth lead' },
  [2]: { waveform: 'square', plucked: true, label: 'guitar' },
};

/** Words that leave the drums out (pads and melody only). */
export const NO_DRUM_WORDS: ReadonlySet<string> = new Set(['ambient', 'meditation', 'sleep', 'lullaby', 'drone', 'acapella']);

/** Lower-case words of a text; hyphens are dropped so "lo-fi" reads as "lofi" and "8-bit" as "8bit". */
export function wordsOf(text: string): string[] {
  return text
    .toLowerCase()
    .replace(/-/g, '')
    .split(/[^a-z0-9]+/)
    .filter((word) => word.length > 0);
}
