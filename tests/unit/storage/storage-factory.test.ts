import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createStorage, s3OptionsFromEnv, StorageSettingsError } from '../../../server/infra/storage/storage.factory.js';
import { type S3Storage } from '../../../server/infra/storage/s3.storage.js';

describe('createStorage', () => {
  it('uses the local directory when no bucket is configured', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mv-factory-'));
    try {
      const storage = await createStorage({ dir });
      expect(storage.kind).toBe('local');
      await storage.put('a.txt', Buffer.from('hi'), 'text/plain');
      expect((await storage.head('a.txt'))?.size).toBe(2);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('uses S3 when a bucket is configured', async () => {
    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
    const storage = await createStorage({ dir: '.data/storage', s3: { bucket: 'media', endpoint: 'http://127.0.0.1:9', forcePathStyle: true } });
    expect(storage.kind).toBe('s3');
    (storage as S3Storage).close();
  });
});

describe('s3OptionsFromEnv', () => {
  it('is undefined without S3_BUCKET (local storage)', () => {
    expect(s3OptionsFromEnv({})).toBeUndefined();
  });

  it('reads every setting, defaulting region and path style from the endpoint', () => {
    expect(
      s3OptionsFromEnv({ S3_BUCKET: 'media', S3_ENDPOINT: 'http://minio:9000', S3_ACCESS_KEY_ID: 'id', S3_SECRET_ACCESS_KEY: 'secret' }),
    ).toEqual({
      bucket: 'media',
      region: 'us-east-1',
      endpoint: 'http://minio:9000',
      forcePathStyle: true,
      credentials: { accessKeyId: 'id', secretAccessKey: 'secret' },
    });
    expect(s3OptionsFromEnv({ S3_BUCKET: 'media', S3_REGION: 'eu-west-1' })).toEqual({ bucket: 'media', region: 'eu-west-1', forcePathStyle: false });
    expect(s3OptionsFromEnv({ S3_BUCKET: 'media', S3_ENDPOINT: 'https://r2.example', S3_FORCE_PATH_STYLE: '0' })?.forcePathStyle).toBe(false);
  });

  it('names the variable at fault in one line', () => {
    expect(() => s3OptionsFromEnv({ S3_ENDPOINT: 'http://minio:9000' })).toThrow(/S3_ENDPOINT is set but S3_BUCKET is not/);
    expect(() => s3OptionsFromEnv({ S3_BUCKET: 'Bad_Bucket' })).toThrow(/S3_BUCKET must be/);
    expect(() => s3OptionsFromEnv({ S3_BUCKET: 'media', S3_ENDPOINT: 'minio:9000' })).toThrow(/S3_ENDPOINT must be an http or https URL/);
    expect(() => s3OptionsFromEnv({ S3_BUCKET: 'media', S3_ACCESS_KEY_ID: 'id' })).toThrow(/must be set together/);
    expect(() => s3OptionsFromEnv({ S3_BUCKET: 'media', S3_FORCE_PATH_STYLE: 'yes' })).toThrow(StorageSettingsError);
  });
});
