import { describe, expect, it } from 'vitest';
import { kernels } from '../../../server/modules/generation/providers/audio/audio.kernels.js';
import { createLocalProvider } from '../../../server/modules/generation/providers/local.provider.js';
import { generationRequest, recordingOptions } from '../../support/fakes/generation-request.js';

describe('audio kernels: memory', () => {
  it('renders at 16, 22.05, 44.1 and 96 kHz without growing the kernels\' memory', async () => {
    // Growing it detaches its old buffer, and one detached buffer makes V8 check every typed
    // array access in the process from then on: the tone synthesis ran at half speed.
    const before = kernels.memory.buffer;
    for (const sampleRate of [16_000, 22_050, 44_100, 96_000]) {
      const { audio } = await createLocalProvider({ sampleRate }).generate(generationRequest({ durationSeconds: 5 }), recordingOptions());
      expect(audio.length, `${sampleRate} Hz`).toBe(44 + 5 * sampleRate * 4);
    }
    expect(kernels.memory.buffer).toBe(before);
    expect(before.byteLength).toBe(4 * 2 ** 20);
  });
});
