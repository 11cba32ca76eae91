import { describe, expect, it } from 'vitest';
import { encodeWav } from '../../../server/modules/generation/providers/audio/wav.encoder.js';
import { readWavInfo } from '../../../server/modules/generation/providers/audio/wav.reader.js';

describe('encodeWav', () => {
  it('writes a 16-bit PCM file whose header and samples read back', () => {
    const left = Float32Array.from([0, 0.5, -0.5, 1]);
    const right = Float32Array.from([1, -1, 0.25, 0]);
    const file = encodeWav([left, right], 8000);
    const info = readWavInfo(file);
    expect(info).toMatchObject({ audioFormat: 1, channels: 2, sampleRate: 8000, bitsPerSample: 16, dataBytes: 16, dataOffset: 44 });
    expect(info.durationSeconds).toBeCloseTo(4 / 8000, 9);
    expect(file.toString('ascii', 0, 4)).toBe('RIFF');
    expect(file.readUInt32LE(4)).toBe(file.length - 8);
    // Interleaved left, right: frame 1 is (0.5, -1).
    expect(file.readInt16LE(44 + 4)).toBe(Math.round(0.5 * 32767));
    expect(file.readInt16LE(44 + 6)).toBe(-32767);
  });

  it('clamps samples outside -1..1 instead of wrapping around', () => {
    const file = encodeWav([Float32Array.from([3, -3])], 8000);
    expect([file.readInt16LE(44), file.readInt16LE(46)]).toEqual([32767, -32767]);
  });
});

describe('readWavInfo', () => {
  it('skips chunks it does not need, such as LIST', () => {
    const plain = encodeWav([new Float32Array(10)], 8000);
    const list = Buffer.concat([Buffer.from('LIST'), Buffer.from([4, 0, 0, 0]), Buffer.from('INFO')]);
    const withList = Buffer.concat([plain.subarray(0, 36), list, plain.subarray(36)]);
    expect(readWavInfo(withList)).toMatchObject({ dataBytes: 20, dataOffset: 56 });
  });

  it('rejects a file that is not a WAV', () => {
    expect(() => readWavInfo(Buffer.from('ID3\u0004 this is an mp3'))).toThrow(/not a RIFF\/WAVE file/);
  });
});
