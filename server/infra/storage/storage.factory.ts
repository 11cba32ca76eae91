import { LocalStorage } from './local.storage.js';
import type { S3StorageOptions } from './s3.storage.js';
import type { ObjectStorage } from './storage.js';

export interface StorageOptions {
  /** Directory for the local store (STORAGE_DIR, default `.data/storage`); used when `s3` is absent. */
  dir: string;
  /** S3 settings; present (with a bucket) means objects go to S3 instead of `dir`. */
  s3?: S3StorageOptions;
}

/**
 * The store the process uses: S3 when a bucket is configured, else the local directory.
 * The AWS SDK is loaded only for S3 (it adds ~170 ms to every process start otherwise).
 */
export async function createStorage(options: StorageOptions): Promise<ObjectStorage> {
  if (!options.s3?.bucket) return new LocalStorage(options.dir);
  const { S3Storage } = await import('./s3.storage.js');
  return new S3Storage(options.s3);
}

/** A configuration problem; the message names the variable (the config loader shows it as one line). */
export class StorageSettingsError extends Error {
  override name = 'StorageSettingsError';
}

type Env = Record<string, string | undefined>;

/**
 * S3 settings from the environment, or undefined when S3_BUCKET is unset (local storage):
 * S3_BUCKET, S3_REGION (default us-east-1), S3_ENDPOINT (http or https URL, for S3-compatible
 * servers), S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY (both or neither; neither uses the AWS
 * default credential chain), S3_FORCE_PATH_STYLE (1/true; default true when S3_ENDPOINT is set,
 * since most compatible servers need path-style addressing).
 */
export function s3OptionsFromEnv(env: Env): S3StorageOptions | undefined {
  const bucket = env.S3_BUCKET?.trim();
  if (!bucket) {
    const stray = ['S3_ENDPOINT', 'S3_ACCESS_KEY_ID', 'S3_SECRET_ACCESS_KEY'].find((name) => env[name]);
    if (stray) throw new StorageSettingsError(`${stray} is set but S3_BUCKET is not; set S3_BUCKET or remove the S3 settings`);
    return undefined;
  }
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket)) {
    throw new StorageSettingsError(`S3_BUCKET must be a bucket name (3-63 lowercase letters, digits, "." or "-"), got "${bucket}"`);
  }
  const endpoint = env.S3_ENDPOINT?.trim() || undefined;
  if (endpoint !== undefined) {
    let protocol = '';
    try {
      protocol = new URL(endpoint).protocol;
    } catch {
      // Reported below.
    }
    if (protocol !== 'http:' && protocol !== 'https:') throw new StorageSettingsError(`S3_ENDPOINT must be an http or https URL, got "${endpoint}"`);
  }
  const accessKeyId = env.S3_ACCESS_KEY_ID || undefined;
  const secretAccessKey = env.S3_SECRET_ACCESS_KEY || undefined;
  if ((accessKeyId === undefined) !== (secretAccessKey === undefined)) {
    throw new StorageSettingsError('S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY must be set together');
  }
  const pathStyle = env.S3_FORCE_PATH_STYLE?.trim().toLowerCase();
  if (pathStyle !== undefined && pathStyle !== '' && !['1', '0', 'true', 'false'].includes(pathStyle)) {
    throw new StorageSettingsError(`S3_FORCE_PATH_STYLE must be 1, 0, true or false, got "${env.S3_FORCE_PATH_STYLE}"`);
  }
  return {
    bucket,
    region: env.S3_REGION?.trim() || 'us-east-1',
    ...(endpoint && { endpoint }),
    forcePathStyle: pathStyle ? pathStyle === '1' || pathStyle === 'true' : endpoint !== undefined,
    ...(accessKeyId && secretAccessKey && { credentials: { accessKeyId, secretAccessKey } }),
  };
}
