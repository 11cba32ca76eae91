import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { assertStorageKey } from '../../../server/infra/storage/storage.keys.js';
import { trackAudioKey } from '../../../server/modules/tracks/track-audio.key.js';

describe('trackAudioKey', () => {
  it("files a version's audio by its track in one of 256 shared directories", () => {
    const trackId = randomUUID();
    const [first, second] = [trackAudioKey(trackId, randomUUID(), 'wav'), trackAudioKey(trackId, randomUUID(), 'mp3')];
    expect(first).toMatch(new RegExp(`^tracks/${trackId.slice(0, 2)}/${trackId}-[0-9a-f-]{36}\\.wav$`));
    expect(second.endsWith('.mp3')).toBe(true);
    // Both versions of the track share one directory; no directory per track.
    expect(first.split('/').slice(0, 2)).toEqual(second.split('/').slice(0, 2));
    expect(first.split('/')).toHaveLength(3);
    expect(() => assertStorageKey(first)).not.toThrow();
  });

  it('gives different versions different keys', () => {
    const trackId = randomUUID();
    expect(trackAudioKey(trackId, randomUUID(), 'wav')).not.toBe(trackAudioKey(trackId, randomUUID(), 'wav'));
  });
});
