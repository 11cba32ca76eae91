import { randomBytes } from 'node:crypto';
import { closeSync, constants, fsync, open as openCallback, openSync, unlinkSync, write, type BigIntStats } from 'node:fs';
import { mkdir, open, readFile, rename, unlink, type FileHandle } from 'node:fs/promises';
import { promisify } from 'node:util';
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path';
import type { ByteRange, ObjectInfo, ObjectStorage, StoredObject } from './storage.js';
import { StorageRangeError } from './storage.errors.js';
import { assertContentType, assertRange, assertStorageKey, contentTypeForKey } from './storage.keys.js';

/**
 * Objects as plain files under a root directory: `<root>/<key>`. A content type other than the
 * one the key's extension implies sits beside the object in a dotted sidecar,
 * `<dir>/.<name>.meta.json`; dotted names cannot be keys, so a sidecar or a temp file never
 * collides with an object.
 *
 * Writes are atomic: the bytes go to a temp file in the same directory, are fsynced and renamed
 * over the object, so a reader sees the old file or the new one, never half of either. The
 * sidecar is renamed first: a new object is never visible without its type.
 *
 * A write of a new object into a directory this process has written to before makes four trips
 * to the thread pool (open, the bytes written through to the disk with O_DSYNC, rename, the
 * directory's fsync) where it once made ten; into a new directory, mkdir and the fsyncs of the
 * directories above that changed come on top. Each trip costs more than a quick call, and a
 * worker stores a file per job. Calls that can wait on the file system's journal stay off the
 * event loop; closing a file and opening a directory to fsync it do not wait, and run
 * synchronously.
 */
export class LocalStorage implements ObjectStorage {
  readonly kind = 'local' as const;
  readonly root: string;

  /**
   * Directories this process made or found while writing: a write into one skips mkdir (a trip
   * to the thread pool). One removed behind the process's back is made again on the next write.
   */
  private readonly knownDirectories = new Set<string>();

  /** @param root the directory holding everything (created on first write); relative to the cwd. */
  constructor(root: string) {
    this.root = resolve(root);
  }

  async put(key: string, body: Buffer, contentType: string): Promise<void> {
    const path = this.pathOf(key);
    assertContentType(contentType);
    const dir = dirname(path);
    const known = this.knownDirectories.has(dir);
    try {
      await this.putInto(key, path, body, contentType, known);
    } catch (error) {
      // The directory went away since this process last wrote there: forget it and make it again.
      if (!known || !isCode(error, 'ENOENT')) throw error;
      this.knownDirectories.delete(dir);
      await this.putInto(key, path, body, contentType, false);
    }
  }

  private async putInto(key: string, path: string, body: Buffer, contentType: string, directoryKnown: boolean): Promise<void> {
    // The first directory mkdir made, if it made any: it and those below it are new, and hold
    // nothing yet (no sidecar of an earlier write to remove).
    const created = directoryKnown ? undefined : await mkdir(dirname(path), { recursive: true });
    if (!directoryKnown) this.rememberDirectory(dirname(path));
    if (contentType === contentTypeForKey(key)) return this.putTypedByExtension(path, body, created);
    const meta = Buffer.from(JSON.stringify({ contentType } satisfies Sidecar));
    const metaTemp = await writeTemp(path, meta);
    const dataTemp = await writeTemp(path, body).catch(async (error: unknown) => {
      await unlink(metaTemp).catch(() => undefined);
      throw error;
    });
    try {
      await rename(metaTemp, sidecarOf(path));
      await rename(dataTemp, path);
    } catch (error) {
      await Promise.allSettled([unlink(metaTemp), unlink(dataTemp)]);
      throw error;
    }
    await syncDirectories(path, created);
  }

  private rememberDirectory(dir: string): void {
    // Bounded: a store written into many directories starts over rather than grow without end.
    if (this.knownDirectories.size >= MAX_KNOWN_DIRECTORIES) this.knownDirectories.clear();
    this.knownDirectories.add(dir);
  }

  /**
   * The common case (a track's .wav, a cover's .png): the extension already says the type, so
   * no sidecar is written, which halves the files, renames and fsyncs of a write. A sidecar left
   * by an earlier write of the key with another type goes first: looked for synchronously,
   * because a name that does not exist (nearly always) is answered from the directory cache, far
   * quicker than a trip to the thread pool.
   */
  private async putTypedByExtension(path: string, body: Buffer, created: string | undefined): Promise<void> {
    const dataTemp = await writeTemp(path, body);
    try {
      if (created === undefined) unlinkIfExistsSync(sidecarOf(path));
      await rename(dataTemp, path);
    } catch (error) {
      await unlink(dataTemp).catch(() => undefined);
      throw error;
    }
    await syncDirectories(path, created);
  }

  async get(key: string, range?: ByteRange): Promise<StoredObject | null> {
    const path = this.pathOf(key);
    if (range) assertRange(range);
    const handle = await openIfExists(path);
    if (!handle) return null;
    try {
      const stats = await handle.stat({ bigint: true });
      if (!stats.isFile()) {
        await handle.close();
        return null;
      }
      const info = await describe(path, key, stats);
      const total = info.size;
      let served: ByteRange | undefined;
      if (range) {
        if (range.start >= total) throw new StorageRangeError(total);
        served = { start: range.start, end: Math.min(range.end, total - 1) };
      }
      // The stream owns the handle from here and closes it when it ends or is destroyed.
      const body = handle.createReadStream(served ? { start: served.start, end: served.end } : {});
      const size = served ? served.end - served.start + 1 : total;
      return { ...info, body, size, totalSize: total, ...(served && { range: served }) };
    } catch (error) {
      await handle.close();
      throw error;
    }
  }

  async head(key: string): Promise<ObjectInfo | null> {
    const path = this.pathOf(key);
    const handle = await openIfExists(path);
    if (!handle) return null;
    try {
      const stats = await handle.stat({ bigint: true });
      return stats.isFile() ? await describe(path, key, stats) : null;
    } finally {
      await handle.close();
    }
  }

  async delete(key: string): Promise<void> {
    const path = this.pathOf(key);
    // The object first: a reader never finds the object with its type already gone.
    await unlinkIfExists(path);
    await unlinkIfExists(sidecarOf(path));
  }

  /** The file for a key; a key that would leave the root is refused twice (shape, then path). */
  private pathOf(key: string): string {
    assertStorageKey(key);
    const path = join(this.root, key);
    const inside = relative(this.root, path);
    if (inside === '' || inside.startsWith('..') || isAbsolute(inside)) {
      throw new Error(`storage key resolved outside the root: ${key}`);
    }
    return path;
  }
}

interface Sidecar {
  contentType: string;
}

function sidecarOf(path: string): string {
  return join(dirname(path), `.${basename(path)}.meta.json`);
}

/** Directories a LocalStorage remembers as existing, at most (see knownDirectories). */
const MAX_KNOWN_DIRECTORIES = 10_000;

const openAt = promisify(openCallback);
const writeAt = promisify(write);
const fsyncOf = promisify(fsync);
/** A new file whose writes return once the data (and what finds it) is on the disk: write and fdatasync in one call. */
const NEW_DURABLE_FILE = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_DSYNC;

/** Writes bytes to a fresh temp file beside `path`, durably; returns the temp file's path. */
async function writeTemp(path: string, bytes: Buffer): Promise<string> {
  const temp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  const fd = await openAt(temp, NEW_DURABLE_FILE, 0o644);
  try {
    for (let offset = 0; offset < bytes.length; ) offset += (await writeAt(fd, bytes, offset, bytes.length - offset, offset)).bytesWritten;
  } catch (error) {
    closeSync(fd);
    await unlink(temp).catch(() => undefined);
    throw error;
  }
  closeSync(fd);
  return temp;
}

/**
 * Makes the new object's name durable: its directory, and when mkdir made directories for it,
 * each of those and the directory that holds the first (a new directory's own entry lives in
 * its parent, and some file systems, ext4 without a journal among them, do not write it with
 * the child's fsync). In parallel: each is a trip to the thread pool.
 */
async function syncDirectories(path: string, created: string | undefined): Promise<void> {
  const dirs = [dirname(path)];
  if (created !== undefined) {
    for (let dir = dirname(path); dir !== created && dirname(dir) !== dir; dir = dirname(dir)) dirs.push(dirname(dir));
    dirs.push(dirname(created));
  }
  await Promise.all(dirs.map(syncDirectory));
}

/** Makes the renames durable too; some platforms cannot open a directory, which is fine. */
async function syncDirectory(dir: string): Promise<void> {
  let fd: number | undefined;
  try {
    fd = openSync(dir, constants.O_RDONLY);
    await fsyncOf(fd);
  } catch {
    // Best effort only: the data itself is already on the disk.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

async function openIfExists(path: string): Promise<FileHandle | null> {
  try {
    return await open(path, constants.O_RDONLY);
  } catch (error) {
    // ENOTDIR: a key whose parent is an object ("a.wav/b"), which cannot exist either.
    if (isCode(error, 'ENOENT') || isCode(error, 'ENOTDIR')) return null;
    throw error;
  }
}

function unlinkIfExistsSync(path: string): void {
  try {
    unlinkSync(path);
  } catch (error) {
    if (!isCode(error, 'ENOENT') && !isCode(error, 'ENOTDIR')) throw error;
  }
}

async function unlinkIfExists(path: string): Promise<void> {
  try {
    await unlink(path);
  } catch (error) {
    if (!isCode(error, 'ENOENT') && !isCode(error, 'ENOTDIR')) throw error;
  }
}

async function describe(path: string, key: string, stats: BigIntStats): Promise<ObjectInfo> {
  return {
    contentType: await readContentType(path, key),
    size: Number(stats.size),
    // Inode, size and modification time in nanoseconds, read from the open file: it describes
    // exactly the bytes this handle serves, and a rename-replace (a new inode) always changes it.
    etag: `"${stats.ino.toString(16)}-${stats.size.toString(16)}-${stats.mtimeNs.toString(16)}"`,
    lastModified: stats.mtime,
  };
}

async function readContentType(path: string, key: string): Promise<string> {
  try {
    const parsed = JSON.parse(await readFile(sidecarOf(path), 'utf8')) as Partial<Sidecar>;
    if (typeof parsed.contentType === 'string') return parsed.contentType;
  } catch {
    // A missing or damaged sidecar falls back to the extension.
  }
  return contentTypeForKey(key);
}

function isCode(error: unknown, code: string): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === code;
}
