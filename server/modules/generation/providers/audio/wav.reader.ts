/** What a WAV file says about itself; enough to check a track is playable and how long it is. */
export interface WavInfo {
  audioFormat: number;
  channels: number;
  sampleRate: number;
  bitsPerSample: number;
  /** Bytes of sample data in the `data` chunk. */
  dataBytes: number;
  /** Where the sample data starts in the file. */
  dataOffset: number;
  durationSeconds: number;
}

/**
 * Reads a RIFF/WAVE header, walking its chunks (so files with extra chunks such as `LIST` parse
 * too). Throws on anything that is not a WAV with a `fmt ` and a `data` chunk.
 */
export function readWavInfo(file: Buffer): WavInfo {
  if (file.length < 12 || file.toString('ascii', 0, 4) !== 'RIFF' || file.toString('ascii', 8, 12) !== 'WAVE') {
    throw new Error('not a RIFF/WAVE file');
  }
  let offset = 12;
  let fmt: Omit<WavInfo, 'dataBytes' | 'dataOffset' | 'durationSeconds'> | undefined;
  while (offset + 8 <= file.length) {
    const id = file.toString('ascii', offset, offset + 4);
    const size = file.readUInt32LE(offset + 4);
    const body = offset + 8;
    if (id === 'fmt ') {
      fmt = {
        audioFormat: file.readUInt16LE(body),
        channels: file.readUInt16LE(body + 2),
        sampleRate: file.readUInt32LE(body + 4),
        bitsPerSample: file.readUInt16LE(body + 14),
      };
    } else if (id === 'data') {
      if (!fmt) throw new Error('WAV data chunk before fmt chunk');
      const dataBytes = Math.min(size, file.length - body);
      const bytesPerSecond = fmt.sampleRate * fmt.channels * (fmt.bitsPerSample / 8);
      return { ...fmt, dataBytes, dataOffset: body, durationSeconds: dataBytes / bytesPerSecond };
    }
    offset = body + size + (size % 2); // chunks are padded to an even length
  }
  throw new Error('WAV file has no data chunk');
}
