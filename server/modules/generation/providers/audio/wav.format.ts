/**
 * The canonical 44-byte RIFF/WAVE header for 16-bit PCM: the layout every player and browser
 * reads. Offsets are fixed because the header carries exactly one `fmt ` and one `data` chunk.
 */
export const WAV_HEADER_BYTES = 44;
export const PCM_FORMAT = 1;
export const BITS_PER_SAMPLE = 16;

export interface WavFormat {
  /** Frames per second, e.g. 22050 or 44100. */
  sampleRate: number;
  /** 1 (mono) or 2 (stereo, interleaved left then right). */
  channels: number;
}

/** Bytes of PCM data for `frames` frames in `format`. */
export function pcmBytes(format: WavFormat, frames: number): number {
  return frames * format.channels * (BITS_PER_SAMPLE / 8);
}
