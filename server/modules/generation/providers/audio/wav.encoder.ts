import { endianness } from 'node:os';
import { softLimit } from './soft.limiter.js';
import { BITS_PER_SAMPLE, PCM_FORMAT, WAV_HEADER_BYTES, pcmBytes, type WavFormat } from './wav.format.js';

/**
 * A WAV file being filled in place: the header is written up front (its sizes are known from the
 * frame count), and samples are written frame by frame so a renderer never holds a second copy.
 * The file may go into a reused `buffer` of the right size (see AudioBufferPool): its old bytes
 * are stale, so the writer's user must then write every frame.
 */
export class WavWriter {
  readonly buffer: Buffer;
  private readonly view: DataView;
  /** A direct view of the samples where the CPU is little-endian like WAV (nearly all); faster than DataView. */
  private readonly samples: Int16Array | undefined;
  /** Stereo frames as one 32-bit word each (left in the low half, as little-endian WAV has it): one store per frame. */
  private readonly stereoFrames: Int32Array | undefined;

  constructor(
    readonly format: WavFormat,
    readonly frames: number,
    buffer?: Buffer,
  ) {
    const dataBytes = pcmBytes(format, frames);
    if (buffer && buffer.length !== wavBytes(format, frames)) throw new RangeError(`a WAV of ${frames} frames needs ${wavBytes(format, frames)} bytes, not ${buffer.length}`);
    this.buffer = buffer ?? Buffer.alloc(WAV_HEADER_BYTES + dataBytes);
    this.view = new DataView(this.buffer.buffer, this.buffer.byteOffset, this.buffer.byteLength);
    writeHeader(this.view, format, dataBytes);
    const aligned = (this.buffer.byteOffset + WAV_HEADER_BYTES) % 2 === 0;
    this.samples = endianness() === 'LE' && aligned ? new Int16Array(this.buffer.buffer, this.buffer.byteOffset + WAV_HEADER_BYTES, dataBytes / 2) : undefined;
    const wordAligned = (this.buffer.byteOffset + WAV_HEADER_BYTES) % 4 === 0;
    this.stereoFrames = this.samples && format.channels === 2 && wordAligned ? new Int32Array(this.buffer.buffer, this.buffer.byteOffset + WAV_HEADER_BYTES, frames) : undefined;
  }

  /**
   * Writes `count` frames starting at `frame`, channel c being softLimit(gain × (channels[c][i]
   * + shared[i])): the master bus (a centre heard in every channel, the limiter) and the 16-bit
   * conversion in one pass over the mix, with no copy in between. The limiter keeps samples in
   * -1..1, so nothing needs clamping.
   */
  setLimitedBlock(channels: Float32Array[], shared: Float32Array, frame: number, count: number, gain: number): void {
    const pcm = this.samples;
    if (this.stereoFrames && channels.length === 2) limitStereo(this.stereoFrames, channels[0]!, channels[1]!, shared, frame, count, gain);
    else if (pcm && channels.length === 1) limitMono(pcm, channels[0]!, shared, frame, count, gain);
    else {
      for (let i = 0; i < count; i++) {
        for (let channel = 0; channel < channels.length; channel++) {
          const value = toPcm16(softLimit(gain * (channels[channel]![i]! + shared[i]!)));
          this.view.setInt16(WAV_HEADER_BYTES + ((frame + i) * channels.length + channel) * 2, value, true);
        }
      }
    }
  }

  /** Writes one sample in -1..1 (clamped) for `channel` of `frame`, as 16-bit little-endian. */
  set(frame: number, channel: number, sample: number): void {
    const clamped = sample > 1 ? 1 : sample < -1 ? -1 : sample;
    const index = frame * this.format.channels + channel;
    const value = Math.round(clamped * 32767);
    if (this.samples) this.samples[index] = value;
    else this.view.setInt16(WAV_HEADER_BYTES + index * 2, value, true);
  }
}

/** The size of a whole WAV file (header and samples) of `frames` frames. */
export function wavBytes(format: WavFormat, frames: number): number {
  return WAV_HEADER_BYTES + pcmBytes(format, frames);
}

/** Encodes whole channels of -1..1 samples (all the same length) into a WAV file. */
export function encodeWav(channels: Float32Array[], sampleRate: number): Buffer {
  const frames = channels[0]?.length ?? 0;
  const writer = new WavWriter({ sampleRate, channels: channels.length }, frames);
  for (let frame = 0; frame < frames; frame++) {
    for (let channel = 0; channel < channels.length; channel++) writer.set(frame, channel, channels[channel]![frame]!);
  }
  return writer.buffer;
}

/**
 * The stereo master: one pass over the frames, left and right packed into one store each, four
 * frames a turn (fewer loop steps and array checks per frame: about 15 % faster in V8).
 */
function limitStereo(frames: Int32Array, left: Float32Array, right: Float32Array, shared: Float32Array, frame: number, count: number, gain: number): void {
  let i = 0;
  for (; i + 4 <= count; i += 4) {
    const at = frame + i;
    frames[at] = stereoWord(left[i]!, right[i]!, shared[i]!, gain);
    frames[at + 1] = stereoWord(left[i + 1]!, right[i + 1]!, shared[i + 1]!, gain);
    frames[at + 2] = stereoWord(left[i + 2]!, right[i + 2]!, shared[i + 2]!, gain);
    frames[at + 3] = stereoWord(left[i + 3]!, right[i + 3]!, shared[i + 3]!, gain);
  }
  for (; i < count; i++) frames[frame + i] = stereoWord(left[i]!, right[i]!, shared[i]!, gain);
}

/**
 * One limited frame as a little-endian 32-bit word: left in the low half, right in the high.
 * Both halves are offset binary (0..65535) until the last step: flipping bit 15 of each is
 * subtracting 32768 modulo 2^16, so the word is exactly toPcm16's pair.
 */
function stereoWord(left: number, right: number, centre: number, gain: number): number {
  return (offsetPcm16(softLimit(gain * (left + centre))) | (offsetPcm16(softLimit(gain * (right + centre))) << 16)) ^ 0x8000_8000;
}

function limitMono(pcm: Int16Array, source: Float32Array, shared: Float32Array, frame: number, count: number, gain: number): void {
  for (let i = 0; i < count; i++) pcm[frame + i] = toPcm16(softLimit(gain * (source[i]! + shared[i]!)));
}

/**
 * A sample in -1..1 as a 16-bit value, rounded half up like Math.round: shifted to be positive
 * so that `| 0` truncates as floor does. Several times faster than Math.round in V8.
 */
function toPcm16(sample: number): number {
  return offsetPcm16(sample) - 32768;
}

/** toPcm16 + 32768: 1..65535 for a sample in -1..1. */
function offsetPcm16(sample: number): number {
  return (sample * 32767 + 32768.5) | 0;
}

function writeHeader(view: DataView, format: WavFormat, dataBytes: number): void {
  const blockAlign = format.channels * (BITS_PER_SAMPLE / 8);
  writeAscii(view, 0, 'RIFF');
  view.setUint32(4, WAV_HEADER_BYTES - 8 + dataBytes, true);
  writeAscii(view, 8, 'WAVE');
  writeAscii(view, 12, 'fmt ');
  view.setUint32(16, 16, true); // size of the PCM fmt chunk
  view.setUint16(20, PCM_FORMAT, true);
  view.setUint16(22, format.channels, true);
  view.setUint32(24, format.sampleRate, true);
  view.setUint32(28, format.sampleRate * blockAlign, true); // byte rate
  view.setUint16(32, blockAlign, true);
  view.setUint16(34, BITS_PER_SAMPLE, true);
  writeAscii(view, 36, 'data');
  view.setUint32(40, dataBytes, true);
}

function writeAscii(view: DataView, offset: number, text: string): void {
  for (let i = 0; i < text.length; i++) view.setUint8(offset + i, text.charCodeAt(i));
}
