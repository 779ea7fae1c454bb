import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { S3Client } from '@aws-sdk/client-s3';

/** The part of s3rver 3.7.1 we use (CommonJS, no types). */
interface S3rverOptions {
  address: string;
  port: number;
  silent: boolean;
  directory: string;
  configureBuckets: ReadonlyArray<{ name: string }>;
}

/** s3rver is a Koa application; its middleware list is composed when it starts listening. */
interface S3rverInstance {
  readonly middleware: Array<(context: KoaContext, next: () => Promise<void>) => Promise<void>>;
  run(): Promise<AddressInfo>;
  close(): Promise<void>;
}

interface KoaContext {
  readonly headers: Record<string, string | string[] | undefined>;
}

type S3rverClass = new (options: S3rverOptions) => S3rverInstance;

export interface LocalS3Options {
  readonly directory: string;
  readonly bucket: string;
  /** 0 (the default) picks a free port. */
  readonly port?: number;
}

export interface LocalS3 {
  readonly endpoint: string;
  readonly bucket: string;
  /** Configured for s3rver: path-style, fixed credentials, checksums only when an operation requires them. */
  readonly client: S3Client;
  stop(): Promise<void>;
}

const require = createRequire(import.meta.url);

/**
 * A local S3 on 127.0.0.1, storing objects under `directory`. Starting again on the same directory finds
 * the bucket and its objects as they were.
 */
export async function startLocalS3(options: LocalS3Options): Promise<LocalS3> {
  installDesPatch();
  const S3rver = require('s3rver') as S3rverClass;
  const server = new S3rver({
    address: '127.0.0.1',
    port: options.port ?? 0,
    silent: true,
    directory: options.directory,
    configureBuckets: [{ name: options.bucket }],
  });
  server.middleware.unshift(decodeCopySource);
  const { port } = await server.run();
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new S3Client({
    region: 'us-east-1',
    endpoint,
    // Virtual-host style would need `<bucket>.<host>` to resolve (`bucket.localhost` does not).
    forcePathStyle: true,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    // The default sends streamed bodies as aws-chunked with a checksum trailer, which s3rver stores verbatim.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  return {
    endpoint,
    bucket: options.bucket,
    client,
    async stop() {
      client.destroy();
      await server.close();
    },
  };
}

/**
 * S3 reads `x-amz-copy-source` as a URL-encoded `bucket/key`, but s3rver decodes it with `decodeURI`, which
 * leaves `%3D`, `%2B`, `%26`, `%2C`... encoded, so a copy of a key with `=` or `+` finds nothing. Re-encoded
 * with `encodeURI`, which `decodeURI` reverses exactly.
 */
async function decodeCopySource(context: KoaContext, next: () => Promise<void>): Promise<void> {
  const source = context.headers['x-amz-copy-source'];
  if (typeof source === 'string') {
    context.headers['x-amz-copy-source'] = encodeURI(decodeURIComponent(source));
  }
  await next();
}

type CipherFactory = (algorithm: string, key: Uint8Array, ...rest: unknown[]) => unknown;

const DES_PATCH = Symbol.for('a360.s3rver.desPatch');

/**
 * s3rver encrypts ListObjectsV2 continuation tokens with single DES, which OpenSSL 3 no longer offers, so any
 * truncated listing fails with a 500. 2-key 3DES with K1 = K2 computes exactly DES, and OpenSSL 3 still has
 * it. Patched on the shared `crypto` module (that s3rver requires), once per process: the symbol survives
 * this module being loaded again (test isolation).
 */
function installDesPatch(): void {
  const crypto = require('node:crypto') as Record<'createCipheriv' | 'createDecipheriv', CipherFactory> & {
    [DES_PATCH]?: true;
  };
  if (crypto[DES_PATCH]) return;
  for (const name of ['createCipheriv', 'createDecipheriv'] as const) {
    const original = crypto[name];
    crypto[name] = (algorithm, key, ...rest) =>
      algorithm === 'des'
        ? original('des-ede-cbc', Buffer.concat([key, key]), ...rest)
        : original(algorithm, key, ...rest);
  }
  crypto[DES_PATCH] = true;
}
