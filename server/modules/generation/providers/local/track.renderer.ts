import { WavWriter } from '../audio/wav.encoder.js';
import type { WavFormat } from '../audio/wav.format.js';
import type { MusicPlan } from './music.plan.js';
import { voiceFor, type VoiceRenderer } from './synth.voices.js';

/** Frames rendered between two yields to the event loop: ~0.37 s of audio at 22050 Hz. */
export const CHUNK_FRAMES = 8192;
const MASTER_GAIN = 0.9;

interface ScheduledNote {
  startFrame: number;
  endFrame: number;
  render: VoiceRenderer;
  left: number;
  right: number;
}

/**
 * A soft limiter: loud passages saturate gently instead of clipping. A rational approximation of
 * tanh (within 2 % of it, reaching ±1 at ±3), much cheaper per sample than Math.tanh.
 */
function softLimit(x: number): number {
  if (x >= 3) return 1;
  if (x <= -3) return -1;
  const square = x * x;
  return (x * (27 + square)) / (27 + 9 * square);
}

/**
 * Renders a plan into a 16-bit WAV, chunk by chunk. After each chunk `afterChunk` runs with the
 * frames done so far: the provider reports progress, paces the render and checks cancellation
 * there. Every note is a pure function of time and frame index, so the output does not depend
 * on the chunk size or on how long each await takes: identical plans give identical bytes.
 */
export async function renderTrack(
  plan: MusicPlan,
  format: WavFormat,
  afterChunk: (framesDone: number, totalFrames: number) => Promise<void>,
): Promise<Buffer> {
  const rate = format.sampleRate;
  const totalFrames = Math.round(plan.durationSeconds * rate);
  const writer = new WavWriter(format, totalFrames);
  const setup = { pad: plan.voices.pad, bass: plan.voices.bass, lead: plan.voices.lead, noiseSeed: plan.seed | 0, sampleRate: rate };
  const notes: ScheduledNote[] = plan.events.map((event) => {
    // Constant-power panning: a note keeps its loudness wherever it sits. Mono sums both sides.
    const angle = ((event.pan + 1) * Math.PI) / 4;
    const [left, right] = format.channels === 1 ? [event.gain, event.gain] : [Math.cos(angle) * event.gain * Math.SQRT2, Math.sin(angle) * event.gain * Math.SQRT2];
    const startFrame = Math.round(event.start * rate);
    return { startFrame, endFrame: Math.min(totalFrames, Math.round((event.start + event.length) * rate)), render: voiceFor(event, setup, startFrame), left, right };
  });

  const fadeIn = Math.round(0.02 * rate);
  const fadeOut = Math.round(Math.min(2, plan.durationSeconds * 0.1) * rate);
  const left = new Float64Array(CHUNK_FRAMES);
  const right = new Float64Array(CHUNK_FRAMES);
  const note = new Float64Array(CHUNK_FRAMES);
  let active: ScheduledNote[] = [];
  let next = 0;

  for (let from = 0; from < totalFrames; from += CHUNK_FRAMES) {
    const to = Math.min(totalFrames, from + CHUNK_FRAMES);
    left.fill(0);
    right.fill(0);
    while (next < notes.length && notes[next]!.startFrame < to) active.push(notes[next++]!);
    active = active.filter((note) => note.endFrame > from);
    for (const scheduled of active) {
      const first = Math.max(from, scheduled.startFrame);
      const count = Math.min(to, scheduled.endFrame) - first;
      if (count <= 0) continue;
      scheduled.render(note, 0, count, first);
      const offset = first - from;
      for (let i = 0; i < count; i++) {
        left[offset + i] += note[i] * scheduled.left;
        right[offset + i] += note[i] * scheduled.right;
      }
    }
    for (let frame = from; frame < to; frame++) {
      // Full gain between the fades, without working the fades out for every frame.
      const gain = frame >= fadeIn && frame < totalFrames - fadeOut ? MASTER_GAIN : MASTER_GAIN * Math.min(1, frame / fadeIn, (totalFrames - frame) / fadeOut);
      left[frame - from] = softLimit(gain * left[frame - from]);
      right[frame - from] = softLimit(gain * right[frame - from]);
    }
    writer.setBlock(format.channels === 1 ? [left] : [left, right], from, to - from);
    await afterChunk(to, totalFrames);
  }
  return writer.buffer;
}
