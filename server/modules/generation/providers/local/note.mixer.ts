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
 * The buses of one chunk. A note heard equally on both sides (most of them: bass, kick, vocal)
 * goes to `centre` only, one multiply-add a frame instead of two; the master adds the centre to
 * both sides while it limits and encodes (see WavWriter.setLimitedBlock).
 */
export interface ChunkBuses {
  left: Float32Array;
  right: Float32Array;
  centre: Float32Array;
}

/**
 * Adds the part of `note` in frames [chunkStart, chunkEnd) of the track into the chunk's buses,
 * from its rendered tones (frame i of the note is samples[i]) under its envelope: a linear rise
 * over the attack, flat, a linear fall over the release, so no note clicks at either end. Each
 * stretch is one loop whose gain is linear in i. The envelope at frame i depends on i alone,
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
  if (from < attack) mixStretch(note, buses, at, from, Math.min(to, attack), 1 / attack, 0);
  if (Math.max(from, attack) < Math.min(to, fallFrom)) mixSustain(note, buses, at, Math.max(from, attack), Math.min(to, fallFrom));
  if (to > fallFrom) mixStretch(note, buses, at, Math.max(from, fallFrom), to, -1 / release, frames / release);
}

/**
 * Frames [from, to) of the note's rise or fall, at envelope gain slope·i + offset. The loops are
 * plain functions of typed arrays and numbers: V8 keeps them tight (the same loop in a closure,
 * over captured variables, ran four times slower).
 */
function mixStretch(note: MixedNote, buses: ChunkBuses, at: number, from: number, to: number, slope: number, offset: number): void {
  const { samples, lefts, rights } = note;
  if (samples.length === 3) {
    mixChord(samples as [Float32Array, Float32Array, Float32Array], lefts as Gains, rights as Gains, buses.left, buses.right, at, from, to, slope, offset);
    return;
  }
  for (let n = 0; n < samples.length; n++) {
    const [tone, toLeft, toRight] = [samples[n]!, lefts[n]!, rights[n]!];
    if (toLeft === toRight) mixCentred(tone, toLeft, buses.centre, at, from, to, slope, offset);
    else mixPanned(tone, toLeft, toRight, buses.left, buses.right, at, from, to, slope, offset);
  }
}

type Gains = [number, number, number];

/**
 * Frames [from, to) of the flat middle of the note, where most frames of most notes are. Its
 * envelope, 0·i + 1, is exactly 1 and x·1 is exactly x: leaving the envelope out gives the same
 * bits as mixStretch would, with less work per frame.
 */
function mixSustain(note: MixedNote, buses: ChunkBuses, at: number, from: number, to: number): void {
  const { samples, lefts, rights } = note;
  if (samples.length === 3) {
    sustainChord(samples as [Float32Array, Float32Array, Float32Array], lefts as Gains, rights as Gains, buses.left, buses.right, at, from, to);
    return;
  }
  for (let n = 0; n < samples.length; n++) {
    const [tone, toLeft, toRight] = [samples[n]!, lefts[n]!, rights[n]!];
    if (toLeft === toRight) sustainCentred(tone, toLeft, buses.centre, at, from, to);
    else sustainPanned(tone, toLeft, toRight, buses.left, buses.right, at, from, to);
  }
}

/**
 * The commonest loop of a render (bass, kick and vocal notes), four frames a turn: fewer loop
 * steps and array checks per frame, about a third faster in V8. Each frame takes the same sum.
 * (The panned and chord loops below measured slower unrolled, so they are not.)
 */
function sustainCentred(tone: Float32Array, gain: number, centre: Float32Array, at: number, from: number, to: number): void {
  let i = from;
  for (; i + 4 <= to; i += 4) {
    const j = at + i;
    centre[j] += tone[i]! * gain;
    centre[j + 1] += tone[i + 1]! * gain;
    centre[j + 2] += tone[i + 2]! * gain;
    centre[j + 3] += tone[i + 3]! * gain;
  }
  for (; i < to; i++) centre[at + i] += tone[i]! * gain;
}

function sustainPanned(tone: Float32Array, toLeft: number, toRight: number, left: Float32Array, right: Float32Array, at: number, from: number, to: number): void {
  for (let i = from; i < to; i++) {
    const sample = tone[i]!;
    left[at + i] += sample * toLeft;
    right[at + i] += sample * toRight;
  }
}

function sustainChord(
  [a, b, c]: [Float32Array, Float32Array, Float32Array], [la, lb, lc]: Gains, [ra, rb, rc]: Gains,
  left: Float32Array, right: Float32Array, at: number, from: number, to: number,
): void {
  for (let i = from; i < to; i++) {
    const x = a[i]!;
    const y = b[i]!;
    const z = c[i]!;
    left[at + i] += x * la + y * lb + z * lc;
    right[at + i] += x * ra + y * rb + z * rc;
  }
}

function mixCentred(tone: Float32Array, gain: number, centre: Float32Array, at: number, from: number, to: number, slope: number, offset: number): void {
  for (let i = from; i < to; i++) centre[at + i] += tone[i]! * (gain * (slope * i + offset));
}

function mixPanned(tone: Float32Array, toLeft: number, toRight: number, left: Float32Array, right: Float32Array, at: number, from: number, to: number, slope: number, offset: number): void {
  for (let i = from; i < to; i++) {
    const sample = tone[i]! * (slope * i + offset);
    left[at + i] += sample * toLeft;
    right[at + i] += sample * toRight;
  }
}

function mixChord(
  [a, b, c]: [Float32Array, Float32Array, Float32Array], [la, lb, lc]: Gains, [ra, rb, rc]: Gains,
  left: Float32Array, right: Float32Array, at: number, from: number, to: number, slope: number, offset: number,
): void {
  for (let i = from; i < to; i++) {
    const gain = slope * i + offset;
    const x = a[i]! * gain;
    const y = b[i]! * gain;
    const z = c[i]! * gain;
    left[at + i] += x * la + y * lb + z * lc;
    right[at + i] += x * ra + y * rb + z * rc;
  }
}

/**
 * A note too short for its attack and release (cut by the end of the track): each frame takes
 * both the rise and the fall. Rare and short, so one plain loop per tone.
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
