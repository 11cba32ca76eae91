import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import S3rver from 's3rver';
import { S3Storage, type S3StorageOptions } from '../../../server/infra/storage/s3.storage.js';

export interface FakeS3 {
  /** Options that reach the fake's bucket, as a deployment would set them. */
  options: S3StorageOptions;
  /** A storage client for the bucket; closed by stop(). */
  storage: S3Storage;
  stop: () => Promise<void>;
}

/**
 * s3rver (a local server speaking the S3 REST wire format) on 127.0.0.1, a free port and a
 * temp directory, with one bucket already created; stop() removes everything.
 */
export async function startFakeS3(bucket = 'musicverse-test'): Promise<FakeS3> {
  // The SDK warns once per process that its 2027 releases need Node 22; noise in test output.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  const directory = await mkdtemp(join(tmpdir(), 'mv-s3rver-'));
  const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory, configureBuckets: [{ name: bucket, configs: [] }] });
  const { port } = await server.run();
  const options: S3StorageOptions = {
    bucket,
    region: 'us-east-1',
    endpoint: `http://127.0.0.1:${port}`,
    forcePathStyle: true,
    // s3rver checks signatures made with these well-known credentials.
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    maxAttempts: 1,
  };
  const storage = new S3Storage(options);
  return {
    options,
    storage,
    stop: async () => {
      storage.close();
      await server.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}
