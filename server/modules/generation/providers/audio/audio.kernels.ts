import { AUDIO_KERNELS_WASM } from './audio.kernels.wasm.js';

/**
 * The local provider's inner loops in WebAssembly (audio.kernels.wat): mixing a note into a
 * chunk and the master. They give the same bits as the TypeScript formulas, two frames per
 * instruction, about 1.5 to 4 times faster than the same loops in JavaScript.
 *
 * Everything a kernel reads or writes lives in its linear memory, laid out by KernelChunk.
 * Pointers are byte offsets there; counts are frames.
 */
export interface AudioKernels {
  memory: WebAssembly.Memory;
  sustain_centred(tone: number, centre: number, count: number, gain: number): void;
  sustain_panned(tone: number, left: number, right: number, count: number, toLeft: number, toRight: number): void;
  sustain_chord(a: number, b: number, c: number, left: number, right: number, count: number, la: number, lb: number, lc: number, ra: number, rb: number, rc: number): void;
  ramp_centred(tone: number, centre: number, count: number, i0: number, gain: number, slope: number, offset: number): void;
  ramp_panned(tone: number, left: number, right: number, count: number, i0: number, toLeft: number, toRight: number, slope: number, offset: number): void;
  ramp_chord(
    a: number, b: number, c: number, left: number, right: number, count: number, i0: number,
    la: number, lb: number, lc: number, ra: number, rb: number, rc: number, slope: number, offset: number,
  ): void;
  limit_stereo(left: number, right: number, centre: number, out: number, count: number, gain: number): void;
  limit_mono(source: number, centre: number, out: number, count: number, gain: number): void;
}

/** Compiled once per process: the module is a few kilobytes, so compiling it synchronously is quick. */
export const kernels = new WebAssembly.Instance(new WebAssembly.Module(Buffer.from(AUDIO_KERNELS_WASM, 'base64'))).exports as unknown as AudioKernels;

const PAGE_BYTES = 65_536;
/** Tone slots: a chord has three tones. */
export const TONE_SLOTS = 3;
/** Room left after every region: a kernel may read one float past its last frame, and regions start 16-byte aligned. */
const SLACK_BYTES = 16;

/**
 * One chunk of a render in the kernels' memory: the three buses it is mixed into (views
 * `left`, `right`, `centre` and their pointers), a slot per chord tone that a note's samples
 * are copied to (the tone cache keeps them in ordinary memory), and the 16-bit PCM the master
 * writes. One per process: a chunk is mixed and written out with no await in between, so
 * renders take turns.
 */
export class KernelChunk {
  left = new Float32Array(0);
  right = new Float32Array(0);
  centre = new Float32Array(0);
  leftAt = 0;
  rightAt = 0;
  centreAt = 0;
  readonly toneAt: number[] = [];
  pcmAt = 0;
  private capacity = -1;

  /** Makes room for chunks of `frames` frames, growing the memory if needed, and zeroes the buses' first `frames`. */
  clear(frames: number): void {
    if (frames > this.capacity) this.layOut(frames);
    this.left.fill(0, 0, frames);
    this.right.fill(0, 0, frames);
    this.centre.fill(0, 0, frames);
  }

  /** Copies frames [from, to) of `samples` into tone slot `slot`; returns the pointer to frame `from` there. */
  placeTone(slot: number, samples: Float32Array, from: number, to: number): number {
    const at = this.toneAt[slot]!;
    new Float32Array(kernels.memory.buffer, at, to - from).set(samples.subarray(from, to));
    return at;
  }

  /** The PCM the master wrote for `bytes` bytes, as a view (valid until the memory grows). */
  pcm(bytes: number): Uint8Array {
    return new Uint8Array(kernels.memory.buffer, this.pcmAt, bytes);
  }

  private layOut(frames: number): void {
    const region = Math.ceil((frames * 4 + SLACK_BYTES) / 16) * 16;
    const pcmBytes = frames * 2 * 2 + SLACK_BYTES;
    const needed = region * (3 + TONE_SLOTS) + pcmBytes;
    const memory = kernels.memory;
    // Only past about 140 kHz: see the memory's size in audio.kernels.wat for why growing is avoided.
    if (needed > memory.buffer.byteLength) memory.grow(Math.ceil((needed - memory.buffer.byteLength) / PAGE_BYTES));
    [this.leftAt, this.rightAt, this.centreAt] = [0, region, 2 * region];
    for (let slot = 0; slot < TONE_SLOTS; slot++) this.toneAt[slot] = (3 + slot) * region;
    this.pcmAt = (3 + TONE_SLOTS) * region;
    this.left = new Float32Array(memory.buffer, this.leftAt, frames);
    this.right = new Float32Array(memory.buffer, this.rightAt, frames);
    this.centre = new Float32Array(memory.buffer, this.centreAt, frames);
    this.capacity = frames;
  }
}

/** The chunk of this process, shared by every render in it. */
export const kernelChunk = new KernelChunk();
