import type { Readable } from 'node:stream';

/**
 * Where audio and covers live: a local directory by default, an S3-compatible bucket in
 * production. Keys are relative paths such as `tracks/ab/<trackId>-<versionId>.wav`; both
 * implementations refuse keys outside the shape checked by `assertStorageKey`
 * (storage.keys.ts), so a key can never name anything outside the store.
 */

/** What is known about an object without reading it. */
export interface ObjectInfo {
  contentType: string;
  /** Bytes in the whole object. */
  size: number;
  /** A strong validator that changes when the content does (quoted, as in HTTP). */
  etag?: string;
  lastModified?: Date;
}

export interface StoredObject {
  /**
   * The bytes asked for. The caller must read it to the end or destroy it: an unread body
   * holds a file descriptor (local) or a socket (S3).
   */
  body: Readable;
  contentType: string;
  /** Bytes in `body`: the whole object, or the length of the range asked for. */
  size: number;
  /** Bytes in the whole object (equals `size` when no range was asked for). */
  totalSize: number;
  /** The range actually served (its end clamped to the last byte); absent for a whole object. */
  range?: ByteRange;
  etag?: string;
  lastModified?: Date;
}

export interface ByteRange {
  /** First byte, inclusive. */
  start: number;
  /** Last byte, inclusive. Past the end of the object it is clamped to the last byte. */
  end: number;
}

export interface ObjectStorage {
  readonly kind: 'local' | 's3';
  /** Stores (or replaces) an object; readers see the old or the new content, never a mix. */
  put(key: string, body: Buffer, contentType: string): Promise<void>;
  /**
   * The object, or a part of it (HTTP Range requests); null when it does not exist.
   * A range starting past the last byte throws StorageRangeError.
   */
  get(key: string, range?: ByteRange): Promise<StoredObject | null>;
  /** Size and type without the body; null when it does not exist. */
  head(key: string): Promise<ObjectInfo | null>;
  /** Deleting a missing object is not an error. */
  delete(key: string): Promise<void>;
}
