import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { AudioBufferPool } from '../../../server/modules/generation/providers/audio/audio-buffer.pool.js';
import { WavWriter } from '../../../server/modules/generation/providers/audio/wav.encoder.js';
import { createLocalProvider } from '../../../server/modules/generation/providers/local.provider.js';
import { ProviderCancelledError } from '../../../server/modules/generation/providers/provider.errors.js';
import type { GenerationRequest } from '../../../server/modules/generation/providers/provider.js';
import { generationRequest, recordingOptions } from '../../support/fakes/generation-request.js';

const digest = (audio: Buffer): string => createHash('sha256').update(audio).digest('hex');

/** The bytes `request` gives with nothing reused: a provider whose pool keeps nothing. */
async function freshDigest(request: Partial<GenerationRequest>): Promise<string> {
  const { audio } = await createLocalProvider({ bufferPool: new AudioBufferPool(0) }).generate(generationRequest(request), recordingOptions());
  return digest(audio);
}

describe('local provider: released audio', () => {
  const song = { prompt: 'sunny pop about bicycles', seed: 4, durationSeconds: 5 };
  const other = { prompt: 'slow blues at midnight', style: 'blues', seed: 8, durationSeconds: 5 };

  it('serves the next render of the same size, which overwrites every byte an earlier job left there', async () => {
    const pool = new AudioBufferPool();
    const provider = createLocalProvider({ bufferPool: pool });
    const first = await provider.generate(generationRequest(song), recordingOptions());
    first.release?.();
    expect(pool.heldBytes).toBe(first.audio.length);
    first.audio.fill(0xab); // what a stale buffer could hold, at its worst

    const second = await provider.generate(generationRequest(other), recordingOptions());
    expect(second.audio).toBe(first.audio);
    expect(pool.heldBytes).toBe(0);
    expect(digest(second.audio)).toBe(await freshDigest(other));
  });

  it('is given back once however often release is called: two later renders never share a buffer', async () => {
    const pool = new AudioBufferPool();
    const provider = createLocalProvider({ bufferPool: pool });
    const first = await provider.generate(generationRequest(song), recordingOptions());
    first.release?.();
    first.release?.();
    const [a, b] = await Promise.all([provider.generate(generationRequest(song), recordingOptions()), provider.generate(generationRequest(other), recordingOptions())]);
    expect(a.audio).not.toBe(b.audio);
    expect([digest(a.audio), digest(b.audio)]).toEqual([await freshDigest(song), await freshDigest(other)]);
  });

  it('comes back to the pool when the render is cancelled part way', async () => {
    const pool = new AudioBufferPool();
    const options = recordingOptions();
    const cancelling = { ...options, onProgress: (tick: { progress: number }) => (tick.progress > 30 ? options.controller.abort() : undefined) };
    await expect(createLocalProvider({ bufferPool: pool }).generate(generationRequest({ ...song, durationSeconds: 8 }), cancelling)).rejects.toBeInstanceOf(ProviderCancelledError);
    expect(pool.heldBytes).toBe(44 + 8 * 22050 * 2 * 2);
  });
});

describe('AudioBufferPool', () => {
  it('keeps no more than its bound and hands out buffers of exactly the size asked for', () => {
    const pool = new AudioBufferPool(1_000);
    const [a, b] = [pool.take(600), pool.take(600)];
    pool.give(a);
    pool.give(b); // over the bound: dropped
    expect(pool.heldBytes).toBe(600);
    expect(pool.take(400)).not.toBe(a);
    expect(pool.take(600)).toBe(a);
    expect(pool.take(600).length).toBe(600);
  });

  it('refuses a WAV buffer of the wrong size', () => {
    expect(() => new WavWriter({ sampleRate: 22050, channels: 2 }, 100, Buffer.alloc(44 + 399))).toThrow(RangeError);
  });
});
