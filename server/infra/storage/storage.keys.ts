import { InvalidStorageKeyError } from './storage.errors.js';

/** Longest key accepted; S3 allows 1024 bytes, filesystems ~4096, and ours are short. */
export const MAX_KEY_LENGTH = 512;

/**
 * One path segment: letters, digits, `_`, `-` and `.`, not starting with a dot (so `.`, `..`
 * and hidden names are impossible: the local store keeps its sidecars and temp files under
 * dotted names) and not ending with one (Windows drops trailing dots).
 */
const SEGMENT = /^[A-Za-z0-9_-](?:[A-Za-z0-9._-]{0,126}[A-Za-z0-9_-])?$/;

/**
 * Refuses any key that is not `segment(/segment)*`: no absolute paths, no empty segments,
 * no `..`, no backslashes, NUL or other control characters. The same rule applies to every
 * implementation, so a key that works locally also works on S3 and the other way round.
 */
export function assertStorageKey(key: string): void {
  if (typeof key !== 'string' || key.length === 0) throw new InvalidStorageKeyError(String(key), 'empty');
  if (key.length > MAX_KEY_LENGTH) throw new InvalidStorageKeyError(key, `longer than ${MAX_KEY_LENGTH} characters`);
  if (key.startsWith('/')) throw new InvalidStorageKeyError(key, 'absolute path');
  for (const segment of key.split('/')) {
    if (segment === '..' || segment === '.') throw new InvalidStorageKeyError(key, 'dot segment');
    if (!SEGMENT.test(segment)) {
      throw new InvalidStorageKeyError(key, 'segments are letters, digits, "_", "-" and inner "."');
    }
  }
}

/** Types for objects stored without one (or whose sidecar is gone), by extension. */
const TYPES_BY_EXTENSION: Record<string, string> = {
  wav: 'audio/wav',
  mp3: 'audio/mpeg',
  ogg: 'audio/ogg',
  opus: 'audio/ogg',
  flac: 'audio/flac',
  m4a: 'audio/mp4',
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  webp: 'image/webp',
  json: 'application/json',
  txt: 'text/plain; charset=utf-8',
};

export const DEFAULT_CONTENT_TYPE = 'application/octet-stream';

export function contentTypeForKey(key: string): string {
  const dot = key.lastIndexOf('.');
  if (dot < 0 || dot < key.lastIndexOf('/')) return DEFAULT_CONTENT_TYPE;
  return TYPES_BY_EXTENSION[key.slice(dot + 1).toLowerCase()] ?? DEFAULT_CONTENT_TYPE;
}

/** `type/subtype` with optional `; name=value` parameters; no control characters (it becomes a header). */
const CONTENT_TYPE = /^[A-Za-z0-9!#$&^_.+-]+\/[A-Za-z0-9!#$&^_.+-]+(?:[ \t]*;[ \t]*[A-Za-z0-9!#$&^_.+-]+=(?:[A-Za-z0-9!#$&^_.+-]+|"[ !#-[\]-~]*"))*$/;

export function assertContentType(contentType: string): void {
  if (contentType.length > 200 || !CONTENT_TYPE.test(contentType)) {
    throw new TypeError(`invalid content type ${JSON.stringify(contentType.slice(0, 200))}`);
  }
}

/** A range is whole, non-negative byte offsets with start <= end; anything else is a caller's bug. */
export function assertRange(range: { start: number; end: number }): void {
  const { start, end } = range;
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || start < 0 || end < start) {
    throw new RangeError(`invalid byte range ${start}-${end}`);
  }
}
