import { audioBufferPool, type AudioBufferPool } from '../audio/audio-buffer.pool.js';
import { kernelChunk } from '../audio/audio.kernels.js';
import { WavWriter, wavBytes } from '../audio/wav.encoder.js';
import type { WavFormat } from '../audio/wav.format.js';
import type { MusicPlan } from './music.plan.js';
import { mixNote, type ChunkBuses, type MixedNote } from './note.mixer.js';
import { noteShape, type VoiceSetup } from './synth.voices.js';
import { toneCache as processToneCache, type ToneCache } from './tone.cache.js';
import type { ToneSpec } from './tone.synth.js';

/** Audio rendered between two yields to the event loop: short enough to cancel promptly. */
export const CHUNK_SECONDS = 1;
const MASTER_GAIN = 0.9;

interface ScheduledNote extends MixedNote {
  tones: ToneSpec[];
}

/** What renders share across jobs in a process. */
export interface RenderResources {
  /** Rendered tones (default: the process-wide cache). */
  toneCache: ToneCache;
  /** Where the file's buffer comes from, and goes back to when a render stops part way (default: the process-wide pool). */
  buffers: AudioBufferPool;
}

const processResources: RenderResources = { toneCache: processToneCache, buffers: audioBufferPool };

/**
 * Renders a plan into a 16-bit WAV, chunk by chunk. After each chunk `afterChunk` runs with the
 * frames done so far: the provider reports progress, paces the render and checks cancellation
 * there. Each note is its tone (rendered once per process and kept in `toneCache`) under an
 * envelope, both functions of the frame index alone: the bytes depend on the plan and format
 * only, never on chunk size, timing or what the cache already held. The file is written into a
 * buffer from `resources.buffers`, every frame of it; if `afterChunk` throws (a cancel), the
 * buffer goes back there.
 */
export async function renderTrack(
  plan: MusicPlan,
  format: WavFormat,
  afterChunk: (framesDone: number, totalFrames: number) => Promise<void>,
  resources: RenderResources = processResources,
): Promise<Buffer> {
  const totalFrames = Math.round(plan.durationSeconds * format.sampleRate);
  const writer = new WavWriter(format, totalFrames, resources.buffers.take(wavBytes(format, totalFrames)));
  try {
    await renderInto(writer, plan, afterChunk, resources.toneCache);
  } catch (error) {
    resources.buffers.give(writer.buffer);
    throw error;
  }
  return writer.buffer;
}

/** Every frame of the plan into `writer`, chunk by chunk. */
async function renderInto(writer: WavWriter, plan: MusicPlan, afterChunk: (framesDone: number, totalFrames: number) => Promise<void>, toneCache: ToneCache): Promise<void> {
  const { format, frames: totalFrames } = writer;
  const rate = format.sampleRate;
  const notes = scheduleNotes(plan, format, totalFrames);
  const chunkFrames = Math.max(1, Math.floor(CHUNK_SECONDS * rate));
  const fadeIn = Math.round(0.02 * rate);
  const fadeOut = Math.round(Math.min(2, plan.durationSeconds * 0.1) * rate);
  let active: ScheduledNote[] = [];
  let next = 0;

  for (let from = 0; from < totalFrames; from += chunkFrames) {
    const to = Math.min(totalFrames, from + chunkFrames);
    // One chunk's memory serves every render in the process: a chunk is mixed and written out
    // with no await in between, so no render sees another's samples.
    const buses = kernelChunk;
    buses.clear(to - from);
    while (next < notes.length && notes[next]!.startFrame < to) {
      const note = notes[next++]!;
      note.samples = note.tones.map((tone) => toneCache.samples(tone, note.frames));
      active.push(note);
    }
    active = active.filter((note) => note.startFrame + note.frames > from);
    for (const note of active) mixNote(note, buses, from, to);
    for (let frame = Math.max(from, totalFrames - fadeOut); frame < to; frame++) fade(buses, frame - from, (totalFrames - frame) / fadeOut);
    for (let frame = from; frame < Math.min(to, fadeIn); frame++) fade(buses, frame - from, frame / fadeIn);
    // Mono mixes chords into `right` as well and never reads it: one set of mixing loops.
    writer.writeMaster(buses, from, to - from, MASTER_GAIN);
    await afterChunk(to, totalFrames);
  }
}

function fade({ left, right, centre }: ChunkBuses, index: number, gain: number): void {
  left[index] = left[index]! * gain;
  right[index] = right[index]! * gain;
  centre[index] = centre[index]! * gain;
}

/**
 * Every note of the plan in frames, with its shape and its gain into each channel. The three
 * pad notes of a bar start and end together under one envelope: they become one chord, mixed
 * in one pass.
 */
function scheduleNotes(plan: MusicPlan, format: WavFormat, totalFrames: number): ScheduledNote[] {
  const rate = format.sampleRate;
  const setup: VoiceSetup = { pad: plan.voices.pad, bass: plan.voices.bass, lead: plan.voices.lead, sampleRate: rate };
  const notes: ScheduledNote[] = [];
  let chord: ScheduledNote | undefined;
  for (const event of plan.events) {
    const startFrame = Math.round(event.start * rate);
    const frames = Math.min(totalFrames, Math.round((event.start + event.length) * rate)) - startFrame;
    if (frames <= 0) continue;
    const [left, right] = format.channels === 1 ? [event.gain, event.gain] : panGains(event.pan, event.gain);
    const { tone, attackFrames, releaseFrames } = noteShape(event, setup, frames);
    if (event.voice === 'pad' && chord?.startFrame === startFrame && chord.frames === frames && chord.tones.length < 3) {
      chord.tones.push(tone);
      chord.lefts.push(left);
      chord.rights.push(right);
      continue;
    }
    const note: ScheduledNote = { startFrame, frames, attackFrames, releaseFrames, tones: [tone], samples: [], lefts: [left], rights: [right] };
    chord = event.voice === 'pad' ? note : chord;
    notes.push(note);
  }
  return notes;
}

/**
 * Constant-power panning: a note keeps its loudness wherever it sits. The centre gets exactly
 * equal gains (cos and sin of π/4 differ in the last bit), which sends it to the centre bus.
 */
function panGains(pan: number, gain: number): [number, number] {
  if (pan === 0) return [gain, gain];
  const angle = ((pan + 1) * Math.PI) / 4;
  return [Math.cos(angle) * gain * Math.SQRT2, Math.sin(angle) * gain * Math.SQRT2];
}
