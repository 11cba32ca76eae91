import { Readable } from 'node:stream';
import { DeleteObjectCommand, GetObjectCommand, HeadObjectCommand, PutObjectCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import type { ByteRange, ObjectInfo, ObjectStorage, StoredObject } from './storage.js';
import { StorageRangeError } from './storage.errors.js';
import { assertContentType, assertRange, assertStorageKey, DEFAULT_CONTENT_TYPE } from './storage.keys.js';

export interface S3StorageOptions {
  /** The bucket holding every object; it must exist. */
  bucket: string;
  /** Region used for signing. Default `us-east-1` (what most S3-compatible servers expect). */
  region?: string;
  /** Endpoint of an S3-compatible server (MinIO, R2, s3rver); omitted for AWS itself. */
  endpoint?: string;
  /** `http://host/bucket/key` instead of `http://bucket.host/key`; most non-AWS servers need it. Default false. */
  forcePathStyle?: boolean;
  /** Static credentials; omitted, the SDK's default chain (env, profile, instance role) is used. */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /** Give up on a request after this long. Default 30 000 ms. */
  requestTimeoutMs?: number;
  /** Attempts per request, transient errors retried by the SDK with backoff. Default 3. */
  maxAttempts?: number;
}

/** Objects in an S3-compatible bucket, keyed exactly as given (after the shared key check). */
export class S3Storage implements ObjectStorage {
  readonly kind = 's3' as const;
  private readonly client: S3Client;
  private readonly bucket: string;

  constructor(options: S3StorageOptions) {
    this.bucket = options.bucket;
    this.client = new S3Client({
      region: options.region ?? 'us-east-1',
      ...(options.endpoint && { endpoint: options.endpoint }),
      forcePathStyle: options.forcePathStyle ?? false,
      ...(options.credentials && { credentials: options.credentials }),
      maxAttempts: options.maxAttempts ?? 3,
      requestHandler: { connectionTimeout: 5_000, requestTimeout: options.requestTimeoutMs ?? 30_000 },
      // The SDK's default CRC32 trailers (aws-chunked uploads) are refused by several
      // S3-compatible servers; checksums are only sent where an operation requires them.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
  }

  async put(key: string, body: Buffer, contentType: string): Promise<void> {
    assertStorageKey(key);
    assertContentType(contentType);
    await this.client.send(
      new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: body, ContentType: contentType, ContentLength: body.length }),
    );
  }

  async get(key: string, range?: ByteRange): Promise<StoredObject | null> {
    assertStorageKey(key);
    if (range) assertRange(range);
    let output;
    try {
      output = await this.client.send(
        new GetObjectCommand({ Bucket: this.bucket, Key: key, ...(range && { Range: `bytes=${range.start}-${range.end}` }) }),
      );
    } catch (error) {
      if (isMissing(error)) return null;
      if (statusOf(error) === 416) throw new StorageRangeError(await this.sizeOf(key));
      throw error;
    }
    const body = output.Body;
    if (!(body instanceof Readable)) throw new Error('S3 answered without a readable body');
    const size = output.ContentLength ?? 0;
    // A ranged answer says the whole size in Content-Range ("bytes 0-99/12345").
    const parsed = /^bytes (\d+)-(\d+)\/(\d+)$/.exec(output.ContentRange ?? '');
    const served = parsed ? { start: Number(parsed[1]), end: Number(parsed[2]) } : undefined;
    const totalSize = parsed ? Number(parsed[3]) : size;
    return {
      body,
      contentType: output.ContentType ?? DEFAULT_CONTENT_TYPE,
      size,
      totalSize,
      // A server that ignored the Range header answered the whole object: say so.
      ...(range && served && { range: served }),
      ...(output.ETag && { etag: output.ETag }),
      ...(output.LastModified && { lastModified: output.LastModified }),
    };
  }

  async head(key: string): Promise<ObjectInfo | null> {
    assertStorageKey(key);
    try {
      const output = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      return {
        contentType: output.ContentType ?? DEFAULT_CONTENT_TYPE,
        size: output.ContentLength ?? 0,
        ...(output.ETag && { etag: output.ETag }),
        ...(output.LastModified && { lastModified: output.LastModified }),
      };
    } catch (error) {
      if (isMissing(error)) return null;
      throw error;
    }
  }

  async delete(key: string): Promise<void> {
    assertStorageKey(key);
    try {
      await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }));
    } catch (error) {
      // S3 answers 204 for a missing key; some compatible servers answer 404.
      if (!isMissing(error)) throw error;
    }
  }

  /** Closes the client's sockets. */
  close(): void {
    this.client.destroy();
  }

  private async sizeOf(key: string): Promise<number> {
    return (await this.head(key))?.size ?? 0;
  }
}

function statusOf(error: unknown): number | undefined {
  return error instanceof S3ServiceException ? error.$metadata.httpStatusCode : undefined;
}

/**
 * NoSuchKey from GET, a bare 404 "NotFound" from HEAD (which has no body to name the error).
 * A missing bucket is a configuration error and is thrown, except on HEAD where S3 cannot say.
 */
function isMissing(error: unknown): boolean {
  if (!(error instanceof S3ServiceException) || error.name === 'NoSuchBucket') return false;
  return error.name === 'NoSuchKey' || error.name === 'NotFound' || statusOf(error) === 404;
}
