import { endianness } from 'node:os';
import { kernels, type KernelChunk } from './audio.kernels.js';
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

  constructor(
    readonly format: WavFormat,
    readonly frames: number,
    buffer?: Buffer,
  ) {
    const dataBytes = pcmBytes(format, frames);
    const size = WAV_HEADER_BYTES + dataBytes;
    if (buffer && buffer.length !== size) throw new RangeError(`a WAV of ${frames} frames needs ${size} bytes, not ${buffer.length}`);
    this.buffer = buffer ?? Buffer.alloc(size);
    this.view = new DataView(this.buffer.buffer, this.buffer.byteOffset, this.buffer.byteLength);
    writeHeader(this.view, format, dataBytes);
    const aligned = (this.buffer.byteOffset + WAV_HEADER_BYTES) % 2 === 0;
    this.samples = endianness() === 'LE' && aligned ? new Int16Array(this.buffer.buffer, this.buffer.byteOffset + WAV_HEADER_BYTES, dataBytes / 2) : undefined;
  }

  /**
   * Writes `count` frames starting at `frame` from a chunk's buses: channel c is softLimit(gain
   * × (bus c + centre)) rounded half up to 16 bits (mono reads `left` only). That is the master
   * bus (a centre heard in every channel, the limiter) and the 16-bit conversion, in one pass by
   * the kernels, then one copy into the file. The limiter keeps samples in -1..1, so nothing
   * needs clamping.
   */
  writeMaster(buses: KernelChunk, frame: number, count: number, gain: number): void {
    const { channels } = this.format;
    if (channels === 2) kernels.limit_stereo(buses.leftAt, buses.rightAt, buses.centreAt, buses.pcmAt, count, gain);
    else if (channels === 1) kernels.limit_mono(buses.leftAt, buses.centreAt, buses.pcmAt, count, gain);
    else throw new RangeError(`the master writes 1 or 2 channels, not ${channels}`);
    this.buffer.set(buses.pcm(count * channels * 2), WAV_HEADER_BYTES + frame * channels * 2);
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
