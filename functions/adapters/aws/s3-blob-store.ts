import {
  CopyObjectCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  PutObjectCommand,
  paginateListObjectsV2,
  type S3Client,
} from '@aws-sdk/client-s3';
import { isThrottling, isTransientFailure } from '../../collectors/aws-errors.ts';
import { TransientError } from '../../platform/errors.ts';
import type { BlobStore } from '../../ports.ts';

export interface S3BlobStoreOptions {
  readonly client: S3Client;
  readonly bucket: string;
  /** Objects are written with SSE-KMS under this key (and an S3 Bucket Key, to cut KMS calls). */
  readonly kmsKeyId?: string;
  /** MaxKeys per ListObjectsV2 page; S3's own default (1000) when unset. */
  readonly pageSize?: number;
}

/** The subset of an SDK v3 error (or a Node network error) we read. */
interface S3ErrorLike {
  name?: string;
  message?: string;
  code?: string;
  $fault?: 'client' | 'server';
  $metadata?: { httpStatusCode?: number };
}

export function createS3BlobStore(options: S3BlobStoreOptions): BlobStore {
  const { client, bucket, kmsKeyId, pageSize } = options;
  const encryption = kmsKeyId
    ? { ServerSideEncryption: 'aws:kms' as const, SSEKMSKeyId: kmsKeyId, BucketKeyEnabled: true }
    : {};

  return {
    location: `s3://${bucket}`,

    async put(key, body, contentType = 'application/json') {
      try {
        await client.send(
          new PutObjectCommand({
            Bucket: bucket,
            Key: key,
            Body: body,
            ContentType: contentType,
            ...encryption,
          }),
        );
      } catch (error) {
        throw mapS3Error(error, 'PutObject', bucket, key);
      }
    },

    async get(key) {
      try {
        const output = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
        return (await output.Body?.transformToString()) ?? '';
      } catch (error) {
        if (isNoSuchKey(error)) return undefined;
        throw mapS3Error(error, 'GetObject', bucket, key);
      }
    },

    async list(prefix) {
      const keys: string[] = [];
      try {
        const pages = paginateListObjectsV2(
          { client, ...(pageSize ? { pageSize } : {}) },
          { Bucket: bucket, Prefix: prefix },
        );
        for await (const page of pages) {
          for (const object of page.Contents ?? []) if (object.Key !== undefined) keys.push(object.Key);
        }
      } catch (error) {
        throw mapS3Error(error, 'ListObjectsV2', bucket, `${prefix}*`);
      }
      return keys.sort();
    },

    async move(fromKey, toKey) {
      try {
        await client.send(
          new CopyObjectCommand({
            Bucket: bucket,
            Key: toKey,
            CopySource: copySource(bucket, fromKey),
            ...encryption,
          }),
        );
      } catch (error) {
        throw mapS3Error(error, 'CopyObject', bucket, `${fromKey} -> ${toKey}`);
      }
      await deleteObject(client, bucket, fromKey);
    },

    delete: (key) => deleteObject(client, bucket, key),
  };
}

async function deleteObject(client: S3Client, bucket: string, key: string): Promise<void> {
  try {
    await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
  } catch (error) {
    throw mapS3Error(error, 'DeleteObject', bucket, key);
  }
}

/**
 * `bucket/key`, URL-encoded as the CopyObject reference requires. Each segment is encoded on its own so the
 * `/` separators stay literal; `encodeURIComponent` also escapes `=`, `+` and `&`, which `encodeURI` keeps.
 */
function copySource(bucket: string, key: string): string {
  return `${bucket}/${key.split('/').map(encodeURIComponent).join('/')}`;
}

/** A 404 without a NoSuchKey body can still be a missing key (HEAD-style answers); a missing bucket is not. */
function isNoSuchKey(error: unknown): boolean {
  const e = (error ?? {}) as S3ErrorLike;
  return e.name === 'NoSuchKey' || (e.$metadata?.httpStatusCode === 404 && e.name !== 'NoSuchBucket');
}

/** Throttling (SlowDown), 5xx and network failures are retryable; the rest keeps S3's error as `cause`. */
function mapS3Error(error: unknown, operation: string, bucket: string, key: string): Error {
  const e = (error ?? {}) as S3ErrorLike;
  const detail = `${e.name ?? 'Error'}: ${e.message ?? String(error)}`;
  const where = `S3 ${operation} s3://${bucket}/${key}`;
  if (isThrottling(error) || isTransientFailure(error)) {
    return new TransientError(`${where}: ${detail}`, { cause: error });
  }
  return new Error(`${where} failed: ${detail}`, { cause: error });
}
