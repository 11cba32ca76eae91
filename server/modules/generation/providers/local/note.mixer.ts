import { kernels, type KernelChunk } from '../audio/audio.kernels.js';

/**
 * Where a note (or a chord: tones sounding together under one envelope) sits in the track, how
 * it is shaped, and its gain into each channel: gain and pan together, one pair per tone.
 */
export interface MixedNote {
  startFrame: number;
  frames: number;
  attackFrames: number;
  releaseFrames: number;
  /** One tone, or several under one envelope (a pad chord: three, mixed in one pass). */
  samples: Float32Array[];
  lefts: number[];
  rights: number[];
}

/**
 * A chunk's buses, in the kernels' memory (audio/audio.kernels.ts). A note heard equally on both
 * sides (most of them: bass, kick, vocal) goes to `centre` only, one multiply-add a frame
 * instead of two; the master adds the centre to both sides while it limits and encodes (see
 * WavWriter.writeMaster).
 */
export type ChunkBuses = KernelChunk;

/**
 * Adds the part of `note` in frames [chunkStart, chunkEnd) of the track into the chunk's buses,
 * from its rendered tones (frame i of the note is samples[i]) under its envelope: a linear rise
 * over the attack, flat, a linear fall over the release, so no note clicks at either end. Each
 * stretch is one kernel whose gain is linear in i. The envelope at frame i depends on i alone,
 * never on where the chunk boundaries fall.
 */
export function mixNote(note: MixedNote, buses: ChunkBuses, chunkStart: number, chunkEnd: number): void {
  const { frames, attackFrames: attack, releaseFrames: release } = note;
  const from = Math.max(chunkStart, note.startFrame) - note.startFrame;
  const to = Math.min(chunkEnd, note.startFrame + frames) - note.startFrame;
  if (to <= from) return;
  const at = note.startFrame - chunkStart; // chunk index of the note's frame 0
  const fallFrom = frames - release;
  if (attack > fallFrom) {
    mixOverlapping(note, buses, at, from, to);
    return;
  }
  const placed: PlacedNote = { note, buses, at, from, tones: note.samples.map((samples, slot) => buses.placeTone(slot, samples, from, to)) };
  if (from < attack) mixStretch(placed, from, Math.min(to, attack), 1 / attack, 0);
  if (Math.max(from, attack) < Math.min(to, fallFrom)) mixSustain(placed, Math.max(from, attack), Math.min(to, fallFrom));
  if (to > fallFrom) mixStretch(placed, Math.max(from, fallFrom), to, -1 / release, frames / release);
}

/** A note whose frames [from, to) sit in the kernels' tone slots (`tones`: the pointer to frame `from` of each). */
interface PlacedNote {
  note: MixedNote;
  buses: ChunkBuses;
  /** Chunk index of the note's frame 0. */
  at: number;
  from: number;
  tones: number[];
}

/** Pointers to frame `i` of the note in its tone slot `n` and in a bus. */
const toneAt = (placed: PlacedNote, n: number, i: number): number => placed.tones[n]! + (i - placed.from) * 4;
const busAt = (placed: PlacedNote, bus: number, i: number): number => bus + (placed.at + i) * 4;

/** Frames [from, to) of the note's rise or fall, at envelope gain slope·i + offset. */
function mixStretch(placed: PlacedNote, from: number, to: number, slope: number, offset: number): void {
  const { note: { lefts, rights }, buses } = placed;
  const [left, right, count] = [busAt(placed, buses.leftAt, from), busAt(placed, buses.rightAt, from), to - from];
  if (placed.tones.length === 3) {
    const [la, lb, lc] = lefts as Gains;
    const [ra, rb, rc] = rights as Gains;
    kernels.ramp_chord(toneAt(placed, 0, from), toneAt(placed, 1, from), toneAt(placed, 2, from), left, right, count, from, la, lb, lc, ra, rb, rc, slope, offset);
    return;
  }
  for (let n = 0; n < placed.tones.length; n++) {
    const [tone, toLeft, toRight] = [toneAt(placed, n, from), lefts[n]!, rights[n]!];
    if (toLeft === toRight) kernels.ramp_centred(tone, busAt(placed, buses.centreAt, from), count, from, toLeft, slope, offset);
    else kernels.ramp_panned(tone, left, right, count, from, toLeft, toRight, slope, offset);
  }
}

type Gains = [number, number, number];

/**
 * Frames [from, to) of the flat middle of the note, where most frames of most notes are. Its
 * envelope, 0·i + 1, is exactly 1 and x·1 is exactly x: leaving the envelope out gives the same
 * bits as mixStretch would, with less work per frame.
 */
function mixSustain(placed: PlacedNote, from: number, to: number): void {
  const { note: { lefts, rights }, buses } = placed;
  const [left, right, count] = [busAt(placed, buses.leftAt, from), busAt(placed, buses.rightAt, from), to - from];
  if (placed.tones.length === 3) {
    const [la, lb, lc] = lefts as Gains;
    const [ra, rb, rc] = rights as Gains;
    kernels.sustain_chord(toneAt(placed, 0, from), toneAt(placed, 1, from), toneAt(placed, 2, from), left, right, count, la, lb, lc, ra, rb, rc);
    return;
  }
  for (let n = 0; n < placed.tones.length; n++) {
    const [tone, toLeft, toRight] = [toneAt(placed, n, from), lefts[n]!, rights[n]!];
    if (toLeft === toRight) kernels.sustain_centred(tone, busAt(placed, buses.centreAt, from), count, toLeft);
    else kernels.sustain_panned(tone, left, right, count, toLeft, toRight);
  }
}

/**
 * A note too short for its attack and release (cut by the end of the track): each frame takes
 * both the rise and the fall. Rare and short, so one plain loop per tone, in TypeScript.
 */
function mixOverlapping(note: MixedNote, { left, right }: ChunkBuses, at: number, from: number, to: number): void {
  const { frames, attackFrames: attack, releaseFrames: release } = note;
  for (let n = 0; n < note.samples.length; n++) {
    const [tone, toLeft, toRight] = [note.samples[n]!, note.lefts[n]!, note.rights[n]!];
    for (let i = from; i < to; i++) {
      const gain = (i < attack ? i / attack : 1) * (i > frames - release ? (frames - i) / release : 1);
      left[at + i] += tone[i]! * gain * toLeft;
      right[at + i] += tone[i]! * gain * toRight;
    }
  }
}
