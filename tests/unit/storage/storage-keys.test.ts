import { describe, expect, it } from 'vitest';
import { InvalidStorageKeyError } from '../../../server/infra/storage/storage.errors.js';
import { assertContentType, assertStorageKey, contentTypeForKey } from '../../../server/infra/storage/storage.keys.js';

describe('assertStorageKey', () => {
  it.each(['tracks/0b6c5f4e-1c2d-4a0b-9a7e-000000000001/v1.wav', 'covers/c.png', 'a', 'a_b-c.d.e', 'x/y/z/w.mp3'])('accepts %s', (key) => {
    expect(() => assertStorageKey(key)).not.toThrow();
  });

  it.each([
    ['..', 'parent'],
    ['a/..', 'trailing parent'],
    ['../a', 'leading parent'],
    ['a/../b', 'inner parent'],
    ['./a', 'current dir'],
    ['/abs', 'absolute'],
    ['a//b', 'empty segment'],
    ['a/', 'trailing slash'],
    ['a\\b', 'backslash'],
    ['C:/x', 'drive letter'],
    ['a\u0000b', 'NUL'],
    ['a b', 'space'],
    ['.env', 'hidden'],
    ['é.wav', 'non-ASCII'],
    ['a.', 'trailing dot'],
    ['%2e%2e/x', 'percent-encoded'],
  ])('refuses %j (%s)', (key) => {
    expect(() => assertStorageKey(key)).toThrow(InvalidStorageKeyError);
  });
});

describe('contentTypeForKey', () => {
  it('knows audio and image extensions and defaults to octet-stream', () => {
    expect(contentTypeForKey('a/b.WAV')).toBe('audio/wav');
    expect(contentTypeForKey('a/b.mp3')).toBe('audio/mpeg');
    expect(contentTypeForKey('a/b.jpg')).toBe('image/jpeg');
    expect(contentTypeForKey('a.dir/b')).toBe('application/octet-stream');
    expect(contentTypeForKey('a/b.xyz')).toBe('application/octet-stream');
  });
});

describe('assertContentType', () => {
  it('accepts types with parameters and refuses header-breaking ones', () => {
    expect(() => assertContentType('audio/wav')).not.toThrow();
    expect(() => assertContentType('text/plain; charset=utf-8')).not.toThrow();
    expect(() => assertContentType('text/plain\r\nSet-Cookie: x=1')).toThrow(TypeError);
    expect(() => assertContentType('text/plain;\ncharset=utf-8')).toThrow(TypeError);
    expect(() => assertContentType('audio')).toThrow(TypeError);
  });
});
