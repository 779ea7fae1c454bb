import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CopyObjectCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  NoSuchBucket,
  NoSuchKey,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createS3BlobStore } from '../../functions/adapters/aws/s3-blob-store.ts';
import { type LocalS3, startLocalS3 } from '../../functions/adapters/local/s3-server.ts';
import { TransientError } from '../../functions/platform/errors.ts';
import type { BlobStore } from '../../functions/ports.ts';

const BUCKET = 'snapshots';
/** Characters S3 keys allow but URLs and CopySource headers treat specially. */
const ODD_KEY = 'parts/account=123/cat+egory/a b & c, ü.json';

const directories: string[] = [];

async function tempDirectory(): Promise<string> {
  const directory = await mkdtemp(join(tmpdir(), 'a360-s3-'));
  directories.push(directory);
  return directory;
}

afterAll(async () => {
  await Promise.all(directories.map((directory) => rm(directory, { recursive: true, force: true })));
});

describe('BlobStore contract: createS3BlobStore over startLocalS3', () => {
  let s3: LocalS3;
  let store: BlobStore;

  beforeAll(async () => {
    s3 = await startLocalS3({ directory: await tempDirectory(), bucket: BUCKET });
    store = createS3BlobStore({ client: s3.client, bucket: s3.bucket });
  });

  afterAll(() => s3?.stop());

  it('names its location', () => {
    expect(store.location).toBe(`s3://${BUCKET}`);
    expect(s3.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('round-trips a body, including non-ASCII text', async () => {
    const body = JSON.stringify({ name: 'Zürich – 東京 🚀', n: 1 });
    await store.put('roundtrip/small.json', body);
    expect(await store.get('roundtrip/small.json')).toBe(body);
  });

  it('round-trips a 2 MB body byte for byte', async () => {
    const line = `${'x'.repeat(60)} é€\n`;
    const body = line.repeat(Math.ceil((2 * 1024 * 1024) / Buffer.byteLength(line)));
    expect(Buffer.byteLength(body)).toBeGreaterThanOrEqual(2 * 1024 * 1024);
    await store.put('roundtrip/large.ndjson', body, 'application/x-ndjson');
    expect(await store.get('roundtrip/large.ndjson')).toBe(body);
  });

  it('answers undefined for a missing key', async () => {
    expect(await store.get('missing/nothing.json')).toBeUndefined();
  });

  it('lists every key under a prefix across pages, sorted, without other prefixes', async () => {
    const keys = Array.from({ length: 25 }, (_, i) => `list/r1/part-${String(i).padStart(3, '0')}.json`);
    // Written out of order, so the sort is the store's doing.
    for (const key of [...keys].reverse()) await store.put(key, '{}');
    await store.put('list/r10/part-000.json', '{}');
    await store.put('list/r2/part-000.json', '{}');
    await store.put('other/r1/part-000.json', '{}');

    let pages = 0;
    s3.client.middlewareStack.add(
      (next, context) => (args) => {
        if (context.commandName === 'ListObjectsV2Command') pages += 1;
        return next(args);
      },
      { step: 'initialize', name: 'countListPages' },
    );
    try {
      const paged = createS3BlobStore({ client: s3.client, bucket: BUCKET, pageSize: 4 });
      const listed = await paged.list('list/r1/');
      expect(listed).toEqual(keys);
      expect(new Set(listed).size).toBe(25);
      expect(pages).toBe(7);
    } finally {
      s3.client.middlewareStack.remove('countListPages');
    }
    expect(await store.list('list/')).toHaveLength(27);
    expect(await store.list('nothing-here/')).toEqual([]);
  });

  it('moves an object: the source is gone and the target holds the same body', async () => {
    await store.put('move/from.json', '{"a":1}');
    await store.move('move/from.json', 'move/to.json');
    expect(await store.get('move/from.json')).toBeUndefined();
    expect(await store.get('move/to.json')).toBe('{"a":1}');
  });

  it('rejects a move of a missing source and leaves nothing behind', async () => {
    await expect(store.move('move/missing.json', 'move/target.json')).rejects.toThrow(
      /CopyObject s3:\/\/snapshots\/move\/missing\.json -> move\/target\.json/,
    );
    expect(await store.list('move/missing')).toEqual([]);
    expect(await store.get('move/target.json')).toBeUndefined();
  });

  it('deletes an object, and deleting a missing key succeeds', async () => {
    await store.put('delete/me.json', '{}');
    await store.delete('delete/me.json');
    expect(await store.get('delete/me.json')).toBeUndefined();
    await expect(store.delete('delete/me.json')).resolves.toBeUndefined();
  });

  it('handles keys with =, +, &, commas, spaces and non-ASCII characters', async () => {
    await store.put(ODD_KEY, '"odd"');
    expect(await store.get(ODD_KEY)).toBe('"odd"');
    expect(await store.list('parts/account=123/')).toEqual([ODD_KEY]);

    const moved = `${ODD_KEY}.moved`;
    await store.move(ODD_KEY, moved);
    expect(await store.get(ODD_KEY)).toBeUndefined();
    expect(await store.get(moved)).toBe('"odd"');
    await store.delete(moved);
    expect(await store.list('parts/')).toEqual([]);
  });
});

describe('startLocalS3 restarted on the same directory', () => {
  it('finds the bucket and its objects again, on the port it is given', async () => {
    const directory = await tempDirectory();
    const first = await startLocalS3({ directory, bucket: BUCKET });
    const port = Number(new URL(first.endpoint).port);
    try {
      const store = createS3BlobStore({ client: first.client, bucket: BUCKET });
      await store.put('kept/a.json', '{"kept":true}');
      await store.put(ODD_KEY, '"odd"');
    } finally {
      await first.stop();
    }

    // The bucket already exists in the directory this time.
    const second = await startLocalS3({ directory, bucket: BUCKET, port });
    try {
      expect(second.endpoint).toBe(first.endpoint);
      const store = createS3BlobStore({ client: second.client, bucket: BUCKET });
      expect(await store.get('kept/a.json')).toBe('{"kept":true}');
      expect(await store.list('')).toEqual(['kept/a.json', ODD_KEY]);
    } finally {
      await second.stop();
    }
  });
});

describe('createS3BlobStore requests (mocked S3)', () => {
  const client = new S3Client({ region: 'eu-west-1' });
  const s3 = mockClient(client);
  const kmsKeyId = 'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
  const store = createS3BlobStore({ client, bucket: BUCKET, kmsKeyId });

  afterEach(() => s3.reset());
  afterAll(() => s3.restore());

  it('puts with SSE-KMS and a Bucket Key when a KMS key is configured', async () => {
    s3.on(PutObjectCommand).resolves({});
    await store.put('runs/r1/part.json', '{}');
    expect(s3.commandCalls(PutObjectCommand).map((call) => call.args[0].input)).toEqual([
      {
        Bucket: BUCKET,
        Key: 'runs/r1/part.json',
        Body: '{}',
        ContentType: 'application/json',
        ServerSideEncryption: 'aws:kms',
        SSEKMSKeyId: kmsKeyId,
        BucketKeyEnabled: true,
      },
    ]);
  });

  it('puts without SSE fields when no KMS key is configured, with the given content type', async () => {
    s3.on(PutObjectCommand).resolves({});
    await createS3BlobStore({ client, bucket: BUCKET }).put('a.csv', 'x', 'text/csv');
    expect(s3.commandCalls(PutObjectCommand)[0]?.args[0].input).toEqual({
      Bucket: BUCKET,
      Key: 'a.csv',
      Body: 'x',
      ContentType: 'text/csv',
    });
  });

  it('copies with a URL-encoded CopySource (per segment) and the SSE settings, then deletes the source', async () => {
    s3.on(CopyObjectCommand).resolves({}).on(DeleteObjectCommand).resolves({});
    await store.move(ODD_KEY, 'parts/done.json');
    expect(s3.calls().map((call) => call.args[0].constructor.name)).toEqual([
      'CopyObjectCommand',
      'DeleteObjectCommand',
    ]);
    expect(s3.commandCalls(CopyObjectCommand)[0]?.args[0].input).toEqual({
      Bucket: BUCKET,
      Key: 'parts/done.json',
      CopySource: `${BUCKET}/parts/account%3D123/cat%2Begory/a%20b%20%26%20c%2C%20%C3%BC.json`,
      ServerSideEncryption: 'aws:kms',
      SSEKMSKeyId: kmsKeyId,
      BucketKeyEnabled: true,
    });
    expect(s3.commandCalls(DeleteObjectCommand)[0]?.args[0].input).toEqual({ Bucket: BUCKET, Key: ODD_KEY });
  });

  it('deletes nothing when the copy fails', async () => {
    const denied = new S3ServiceException({
      name: 'AccessDenied',
      $fault: 'client',
      $metadata: { httpStatusCode: 403 },
      message: 'Access Denied',
    });
    s3.on(CopyObjectCommand).rejects(denied);
    const error = await store.move('a.json', 'b.json').catch((e: unknown) => e);
    expect(error).not.toBeInstanceOf(TransientError);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toBe(
      `S3 CopyObject s3://${BUCKET}/a.json -> b.json failed: AccessDenied: Access Denied`,
    );
    expect((error as Error).cause).toBe(denied);
    expect(s3.commandCalls(DeleteObjectCommand)).toHaveLength(0);
  });

  it('turns SlowDown (503) into a TransientError naming the S3 error and the key', async () => {
    const slowDown = new S3ServiceException({
      name: 'SlowDown',
      $fault: 'server',
      $metadata: { httpStatusCode: 503 },
      message: 'Please reduce your request rate.',
    });
    s3.on(PutObjectCommand).rejects(slowDown);
    const error = await store.put('runs/r1/part.json', '{}').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransientError);
    expect((error as TransientError).message).toBe(
      `S3 PutObject s3://${BUCKET}/runs/r1/part.json: SlowDown: Please reduce your request rate.`,
    );
    expect((error as TransientError).cause).toBe(slowDown);
  });

  it('turns 500s and network errors into TransientError', async () => {
    const internal = new S3ServiceException({
      name: 'InternalError',
      $fault: 'server',
      $metadata: { httpStatusCode: 500 },
      message: 'We encountered an internal error.',
    });
    s3.on(GetObjectCommand).rejects(internal);
    await expect(store.get('a.json')).rejects.toBeInstanceOf(TransientError);
    const reset = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    s3.on(ListObjectsV2Command).rejects(reset);
    await expect(store.list('runs/')).rejects.toThrow(
      /^S3 ListObjectsV2 s3:\/\/snapshots\/runs\/\*: Error: socket hang up$/,
    );
    await expect(store.list('runs/')).rejects.toBeInstanceOf(TransientError);
  });

  it('answers undefined for NoSuchKey, but a missing bucket is an error', async () => {
    s3.on(GetObjectCommand, { Key: 'missing.json' })
      .rejects(
        new NoSuchKey({ $metadata: { httpStatusCode: 404 }, message: 'The specified key does not exist.' }),
      )
      .on(GetObjectCommand, { Key: 'no-bucket.json' })
      .rejects(
        new NoSuchBucket({ $metadata: { httpStatusCode: 404 }, message: 'The bucket does not exist.' }),
      );
    expect(await store.get('missing.json')).toBeUndefined();
    await expect(store.get('no-bucket.json')).rejects.toThrow(
      `S3 GetObject s3://${BUCKET}/no-bucket.json failed: NoSuchBucket: The bucket does not exist.`,
    );
  });
});
