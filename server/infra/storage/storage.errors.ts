/** Thrown by every storage method for a key that is not a safe relative path (see storage.keys.ts). */
export class InvalidStorageKeyError extends Error {
  constructor(readonly key: string, reason: string) {
    super(`invalid storage key ${JSON.stringify(key.slice(0, 200))}: ${reason}`);
    this.name = 'InvalidStorageKeyError';
  }
}

/** Thrown by `get` when a range starts past the last byte of the object (HTTP 416). */
export class StorageRangeError extends Error {
  constructor(readonly size: number) {
    super(`range starts past the end of a ${size}-byte object`);
    this.name = 'StorageRangeError';
  }
}
