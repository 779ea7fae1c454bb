import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  CostExplorerClient,
  GetCostAndUsageCommand,
  GetCostForecastCommand,
} from '@aws-sdk/client-cost-explorer';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { build } from 'esbuild';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { ConfigError } from '../../../functions/platform/errors.ts';

const context = {
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:a360-collect-cost',
  functionName: 'a360-collect-cost',
  awsRequestId: 'req-1',
} as Context;

afterEach(() => vi.unstubAllEnvs());

describe('plan-run handler', () => {
  it('reads its configuration at the first invocation and maps categories to their Lambdas', async () => {
    vi.stubEnv('A360_REGIONS', 'us-east-1,eu-west-1');
    vi.stubEnv('A360_CATEGORIES', 'cost');
    vi.stubEnv('A360_COLLECTOR_FUNCTIONS', JSON.stringify({ cost: 'a360-collect-cost' }));
    const { handler } = await import('../../../functions/handlers/plan-run.ts');
    const plan = await handler({ accountId: '123456789012', date: '2026-11-20' }, context);
    expect(plan).toMatchObject({
      accountId: '123456789012',
      regions: ['us-east-1', 'eu-west-1'],
      window: { period: 'DAILY', start: '2026-11-20', end: '2026-11-21' },
      categories: [{ category: 'cost', functionName: 'a360-collect-cost' }],
    });
  });
});

describe('configuration', () => {
  it('names every missing or invalid variable in one ConfigError', async () => {
    const { loadPlanConfig, loadLoadConfig } = await import('../../../functions/platform/config.ts');
    expect(() => loadPlanConfig({ A360_REGIONS: 'us-east-1,moon-1' })).toThrow(ConfigError);
    expect(() => loadPlanConfig({ A360_REGIONS: 'us-east-1,moon-1' })).toThrow(
      /A360_COLLECTOR_FUNCTIONS is not set.*invalid region names: moon-1|invalid region names: moon-1.*A360_COLLECTOR_FUNCTIONS is not set/,
    );
    expect(() => loadLoadConfig({})).toThrow(
      /A360_BUCKET is not set; A360_DB_CLUSTER_ARN is not set; A360_DB_SECRET_ARN is not set; A360_DLQ_URL is not set/,
    );
  });
});

describe('collect-category handler', () => {
  const s3 = mockClient(S3Client);
  const ce = mockClient(CostExplorerClient);
  afterAll(() => {
    s3.restore();
    ce.restore();
  });

  it('collects its own account with its own role and stages the part in the bucket', async () => {
    vi.stubEnv('A360_BUCKET', 'hub-data');
    vi.stubEnv('A360_KMS_KEY_ID', 'arn:aws:kms:us-east-1:123456789012:key/k');
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'test');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'test');
    vi.stubEnv('AWS_REGION', 'us-east-1');
    s3.on(GetObjectCommand).rejects(
      Object.assign(new Error('none'), { name: 'NoSuchKey', $metadata: { httpStatusCode: 404 } }),
    );
    s3.on(PutObjectCommand).resolves({});
    ce.on(GetCostAndUsageCommand).resolves({
      ResultsByTime: [
        {
          TimePeriod: { Start: '2026-11-20', End: '2026-11-21' },
          Total: { UnblendedCost: { Amount: '1', Unit: 'USD' } },
          Groups: [],
        },
      ],
    });
    ce.on(GetCostForecastCommand).resolves({ ForecastResultsByTime: [] });
    const { handler } = await import('../../../functions/handlers/collect-category.ts');

    const output = await handler(
      {
        runId: 'r-1',
        accountId: '123456789012',
        category: 'cost',
        window: { period: 'DAILY', start: '2026-11-20', end: '2026-11-21' },
        regions: ['us-east-1'],
        executionId: 'arn:aws:states:us-east-1:123456789012:execution:collect:1',
      },
      context,
    );

    expect(output).toEqual({
      category: 'cost',
      status: 'SUCCEEDED',
      rows: 1,
      partKey: 'staging/123456789012/r-1/cost.json',
    });
    const put = s3.commandCalls(PutObjectCommand)[0]?.args[0].input;
    expect(put).toMatchObject({
      Bucket: 'hub-data',
      Key: 'staging/123456789012/r-1/cost.json',
      ServerSideEncryption: 'aws:kms',
    });
  });

  it('throws typed errors for Step Functions instead of returning error payloads', async () => {
    vi.stubEnv('A360_BUCKET', 'hub-data');
    const { handler } = await import('../../../functions/handlers/collect-category.ts');
    await expect(handler({ runId: 'r-1', category: 'cost' }, context)).rejects.toMatchObject({
      name: 'InvalidInputError',
    });
  });
});

describe('Lambda bundles', () => {
  const handlers = readdirSync(fileURLToPath(new URL('../../../functions/handlers/', import.meta.url)));

  it.each(handlers)(
    '%s bundles without any local-only package (interpreter, PGlite, S3 server, pg)',
    async (file) => {
      const result = await build({
        entryPoints: [fileURLToPath(new URL(`../../../functions/handlers/${file}`, import.meta.url))],
        bundle: true,
        platform: 'node',
        format: 'esm',
        target: 'node22',
        write: false,
        metafile: true,
        logLevel: 'silent',
      });
      const inputs = Object.keys(result.metafile.inputs);
      for (const localOnly of [
        'aws-local-stepfunctions',
        '@electric-sql/pglite',
        's3rver',
        'node_modules/pg/',
        'adapters/local/',
      ]) {
        expect(
          inputs.filter((i) => i.includes(localOnly)),
          localOnly,
        ).toEqual([]);
      }
    },
  );
});
