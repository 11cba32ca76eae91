import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalStorage } from '../../../server/infra/storage/local.storage.js';
import { InvalidStorageKeyError, StorageRangeError } from '../../../server/infra/storage/storage.errors.js';
import type { ObjectStorage } from '../../../server/infra/storage/storage.js';
import { startFakeS3 } from './s3rver.harness.js';

interface Implementation {
  storage: ObjectStorage;
  stop: () => Promise<void>;
}

/** Every implementation of ObjectStorage must pass the same suite. */
const implementations: [string, () => Promise<Implementation>][] = [
  [
    'local directory',
    async () => {
      const root = await mkdtemp(join(tmpdir(), 'mv-storage-'));
      return { storage: new LocalStorage(root), stop: () => rm(root, { recursive: true, force: true }) };
    },
  ],
  [
    's3 (s3rver)',
    async () => {
      const fake = await startFakeS3();
      return { storage: fake.storage, stop: fake.stop };
    },
  ],
];

async function readAll(body: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks);
}

/** Each test writes under its own prefix, so tests never see each other's objects. */
function keyFor(name: string): string {
  return `test-${randomUUID()}/${name}`;
}

describe.each(implementations)('ObjectStorage conformance: %s', (_name, start) => {
  let implementation: Implementation;
  let storage: ObjectStorage;
  beforeAll(async () => {
    implementation = await start();
    storage = implementation.storage;
  });
  afterAll(async () => {
    await implementation?.stop();
  });

  describe('put and get', () => {
    it('returns the same bytes and content type that were put', async () => {
      const key = keyFor('song.wav');
      const bytes = randomBytes(70_000);
      await storage.put(key, bytes, 'audio/wav');
      const object = await storage.get(key);
      expect(object).not.toBeNull();
      expect(object!.contentType).toBe('audio/wav');
      expect(object!.size).toBe(bytes.length);
      expect(object!.totalSize).toBe(bytes.length);
      expect(object!.range).toBeUndefined();
      expect((await readAll(object!.body)).equals(bytes)).toBe(true);
    });

    it('keeps a content type that the extension would not give', async () => {
      const key = keyFor('cover.bin');
      await storage.put(key, Buffer.from('not really a png'), 'image/png');
      expect((await storage.head(key))?.contentType).toBe('image/png');
    });

    it('stores an empty object', async () => {
      const key = keyFor('empty.txt');
      await storage.put(key, Buffer.alloc(0), 'text/plain');
      const object = await storage.get(key);
      expect(object?.size).toBe(0);
      expect((await readAll(object!.body)).length).toBe(0);
    });

    it('answers null for a key that was never put', async () => {
      expect(await storage.get(keyFor('missing.wav'))).toBeNull();
      expect(await storage.head(keyFor('missing.wav'))).toBeNull();
    });

    it('answers null for a "directory" that only holds other objects', async () => {
      const key = keyFor('inner/a.wav');
      await storage.put(key, Buffer.from('x'), 'audio/wav');
      const parent = key.slice(0, key.lastIndexOf('/'));
      expect(await storage.get(parent)).toBeNull();
      expect(await storage.head(parent)).toBeNull();
    });
  });

  describe('head', () => {
    it('gives size, type, a validator and a modification date without the body', async () => {
      const key = keyFor('head.mp3');
      await storage.put(key, Buffer.alloc(1234, 7), 'audio/mpeg');
      const info = await storage.head(key);
      expect(info).toMatchObject({ contentType: 'audio/mpeg', size: 1234 });
      expect(info!.etag).toMatch(/^"[^"]+"$/);
      expect(info!.lastModified).toBeInstanceOf(Date);
      expect(Math.abs(info!.lastModified!.getTime() - Date.now())).toBeLessThan(120_000);
    });
  });

  describe('ranged get', () => {
    const bytes = Buffer.from(Array.from({ length: 1000 }, (_, i) => i % 251));
    let key: string;
    beforeAll(async () => {
      key = keyFor('range.wav');
      await storage.put(key, bytes, 'audio/wav');
    });

    it('returns exactly the requested bytes and says which', async () => {
      const object = await storage.get(key, { start: 100, end: 199 });
      expect(object).toMatchObject({ size: 100, totalSize: 1000, range: { start: 100, end: 199 }, contentType: 'audio/wav' });
      expect((await readAll(object!.body)).equals(bytes.subarray(100, 200))).toBe(true);
    });

    it('returns a single byte', async () => {
      const object = await storage.get(key, { start: 999, end: 999 });
      expect((await readAll(object!.body)).equals(bytes.subarray(999))).toBe(true);
    });

    it('clamps a range that runs past the end to the last byte', async () => {
      const object = await storage.get(key, { start: 990, end: 5000 });
      expect(object).toMatchObject({ size: 10, totalSize: 1000, range: { start: 990, end: 999 } });
      expect((await readAll(object!.body)).equals(bytes.subarray(990))).toBe(true);
    });

    it('throws StorageRangeError for a range starting past the end', async () => {
      await expect(storage.get(key, { start: 1000, end: 1100 })).rejects.toBeInstanceOf(StorageRangeError);
    });

    it('answers null for a range of a missing key', async () => {
      expect(await storage.get(keyFor('missing.wav'), { start: 0, end: 10 })).toBeNull();
    });
  });

  describe('overwrite', () => {
    it('replaces bytes, type and validator', async () => {
      const key = keyFor('take.wav');
      await storage.put(key, Buffer.from('first take'), 'audio/wav');
      const before = await storage.head(key);
      await storage.put(key, Buffer.from('the second, longer take'), 'audio/ogg');
      const object = await storage.get(key);
      expect(object?.contentType).toBe('audio/ogg');
      expect((await readAll(object!.body)).toString()).toBe('the second, longer take');
      expect(object!.etag).not.toBe(before!.etag);
    });
  });

  describe('delete', () => {
    it('removes the object and a second delete is not an error', async () => {
      const key = keyFor('gone.wav');
      await storage.put(key, Buffer.from('bye'), 'audio/wav');
      await storage.delete(key);
      expect(await storage.get(key)).toBeNull();
      expect(await storage.head(key)).toBeNull();
      await expect(storage.delete(key)).resolves.toBeUndefined();
    });

    it('deleting a key that never existed is not an error', async () => {
      await expect(storage.delete(keyFor('never.wav'))).resolves.toBeUndefined();
    });
  });

  describe('unsafe keys', () => {
    const unsafe = [
      '../outside.wav',
      'a/../../outside.wav',
      'a/./b.wav',
      '/etc/passwd',
      'a//b.wav',
      'a/b.wav/',
      '',
      'nul\u0000.wav',
      'back\\slash.wav',
      '.hidden',
      'a/.b.meta.json',
      'line\nbreak.wav',
      'trailing.',
      'x'.repeat(600),
    ];

    it.each(unsafe.map((key) => [JSON.stringify(key).slice(0, 40), key]))('refuses %s on every operation', async (_label, key) => {
      await expect(storage.put(key, Buffer.from('x'), 'text/plain')).rejects.toBeInstanceOf(InvalidStorageKeyError);
      await expect(storage.get(key)).rejects.toBeInstanceOf(InvalidStorageKeyError);
      await expect(storage.head(key)).rejects.toBeInstanceOf(InvalidStorageKeyError);
      await expect(storage.delete(key)).rejects.toBeInstanceOf(InvalidStorageKeyError);
    });

    it('refuses a content type that could break a header', async () => {
      await expect(storage.put(keyFor('a.txt'), Buffer.from('x'), 'text/plain\r\nX-Evil: 1')).rejects.toThrow(/content type/);
    });
  });
});

describe('LocalStorage on disk', () => {
  let base: string;
  beforeAll(async () => {
    base = await mkdtemp(join(tmpdir(), 'mv-storage-disk-'));
  });
  afterAll(async () => {
    await rm(base, { recursive: true, force: true });
  });

  it('never touches a file beside the root, whatever the key', async () => {
    const root = join(base, 'root');
    const storage = new LocalStorage(root);
    await writeFile(join(base, 'secret.txt'), 'do not read');
    await expect(storage.get('../secret.txt')).rejects.toBeInstanceOf(InvalidStorageKeyError);
    await expect(storage.delete('../secret.txt')).rejects.toBeInstanceOf(InvalidStorageKeyError);
    expect((await readdir(base)).sort()).toEqual(['secret.txt']);
  });

  it('leaves no temp files behind and keeps a type the extension does not imply in a dotted sidecar', async () => {
    const root = join(base, 'tidy');
    const storage = new LocalStorage(root);
    await storage.put('tracks/t1/v1.wav', Buffer.from('RIFF'), 'audio/x-wav');
    expect((await readdir(join(root, 'tracks/t1'))).sort()).toEqual(['.v1.wav.meta.json', 'v1.wav']);
    expect((await storage.head('tracks/t1/v1.wav'))?.contentType).toBe('audio/x-wav');
    // The type the extension implies needs no sidecar; the earlier one goes.
    await storage.put('tracks/t1/v1.wav', Buffer.from('RIFF2'), 'audio/wav');
    expect(await readdir(join(root, 'tracks/t1'))).toEqual(['v1.wav']);
    expect((await storage.head('tracks/t1/v1.wav'))?.contentType).toBe('audio/wav');
    await storage.put('tracks/t1/v1.wav', Buffer.from('RIFF3'), 'audio/x-wav');
    expect((await storage.head('tracks/t1/v1.wav'))?.contentType).toBe('audio/x-wav');
    await storage.delete('tracks/t1/v1.wav');
    expect(await readdir(join(root, 'tracks/t1'))).toEqual([]);
  });

  it('writes into a directory again after it was removed behind its back', async () => {
    const root = join(base, 'regrown');
    const storage = new LocalStorage(root);
    await storage.put('tracks/ab/one.wav', Buffer.from('one'), 'audio/wav');
    await rm(join(root, 'tracks/ab'), { recursive: true });
    await storage.put('tracks/ab/two.wav', Buffer.from('two'), 'audio/wav');
    const stored = await storage.get('tracks/ab/two.wav');
    expect(await readAll(stored!.body)).toEqual(Buffer.from('two'));
    expect(await storage.get('tracks/ab/one.wav')).toBeNull();
  });

  it('falls back to the extension when the sidecar is gone', async () => {
    const root = join(base, 'plain');
    const storage = new LocalStorage(root);
    await storage.put('covers/c.png', Buffer.from('png'), 'image/x-png');
    await rm(join(root, 'covers/.c.png.meta.json'));
    expect((await storage.head('covers/c.png'))?.contentType).toBe('image/png');
  });

  it('gives every concurrent reader a whole version while a key is rewritten', async () => {
    const storage = new LocalStorage(join(base, 'atomic'));
    const versions = [Buffer.alloc(1_000_000, 1), Buffer.alloc(1_500_000, 2)];
    await storage.put('a.bin', versions[0]!, 'application/octet-stream');
    let writing = true;
    const writer = (async () => {
      for (let i = 1; i <= 30; i += 1) await storage.put('a.bin', versions[i % 2]!, 'application/octet-stream');
      writing = false;
    })();
    // Readers run for exactly as long as the writer does.
    const reader = async () => {
      const seen: Buffer[] = [];
      while (writing) seen.push(await storage.get('a.bin').then((object) => readAll(object!.body)));
      return seen;
    };
    const [, ...seen] = await Promise.all([writer, reader(), reader(), reader()]);
    const reads = seen.flat();
    expect(reads.length).toBeGreaterThan(0);
    for (const read of reads) expect(versions.some((version) => version.equals(read))).toBe(true);
  });
});
