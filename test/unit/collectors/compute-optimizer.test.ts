import {
  ComputeOptimizerClient,
  GetEBSVolumeRecommendationsCommand,
  GetEC2InstanceRecommendationsCommand,
  GetLambdaFunctionRecommendationsCommand,
  type InstanceRecommendation,
  type LambdaFunctionRecommendation,
  type VolumeRecommendation,
} from '@aws-sdk/client-compute-optimizer';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { computeOptimizerCollector } from '../../../functions/collectors/compute-optimizer.ts';
import { iamActionFor } from '../../../functions/collectors/iam.ts';
import {
  DataContractError,
  SourceAccessError,
  SourceRequestError,
  TransientError,
} from '../../../functions/platform/errors.ts';
import { collectContext, serviceError } from '../../support/collect-context.ts';

const co = mockClient(ComputeOptimizerClient);
afterEach(() => co.reset());
afterAll(() => co.restore());

const accountId = '123456789012';
const window = { period: 'DAILY' as const, start: '2026-11-25', end: '2026-11-26' };
const refreshed = new Date('2026-11-26T03:12:00Z');

type Operation = 'ec2' | 'ebs' | 'lambda';
type Page = { items: object[]; nextToken?: string };
/** Scripted answers per region, operation and token ('first' for the first page), or an error per region. */
type Script = Record<string, Partial<Record<Operation, Record<string, Page> | Error>>>;

const usd = (value: number) => ({ currency: 'USD' as const, value });

function instance(
  region: string,
  id: string,
  overrides: Partial<InstanceRecommendation> = {},
): InstanceRecommendation {
  return {
    instanceArn: `arn:aws:ec2:${region}:${accountId}:instance/${id}`,
    accountId,
    instanceName: `payments-api-${id.slice(-1)}`,
    currentInstanceType: 'm6i.xlarge',
    finding: 'Overprovisioned',
    findingReasonCodes: ['CPUOverprovisioned', 'MemoryOverprovisioned'],
    utilizationMetrics: [
      { name: 'Cpu', statistic: 'Maximum', value: 22.5 },
      { name: 'Memory', statistic: 'Maximum', value: 31.25 },
    ],
    lookBackPeriodInDays: 14,
    recommendationOptions: [
      {
        instanceType: 'm7g.large',
        rank: 2,
        performanceRisk: 2,
        migrationEffort: 'Medium',
        savingsOpportunity: { savingsOpportunityPercentage: 57.5, estimatedMonthlySavings: usd(80.59) },
      },
      {
        instanceType: 'm6i.large',
        rank: 1,
        performanceRisk: 1.5,
        migrationEffort: 'VeryLow',
        savingsOpportunity: { savingsOpportunityPercentage: 50, estimatedMonthlySavings: usd(70.08) },
      },
    ],
    lastRefreshTimestamp: refreshed,
    currentPerformanceRisk: 'VeryLow',
    instanceState: 'running',
    ...overrides,
  };
}

function volume(
  region: string,
  id: string,
  overrides: Partial<VolumeRecommendation> = {},
): VolumeRecommendation {
  return {
    volumeArn: `arn:aws:ec2:${region}:${accountId}:volume/${id}`,
    accountId,
    currentConfiguration: { volumeType: 'gp2', volumeSize: 200, volumeBaselineIOPS: 600, rootVolume: false },
    finding: 'NotOptimized',
    utilizationMetrics: [{ name: 'VolumeReadOpsPerSecond', statistic: 'Maximum', value: 120 }],
    lookBackPeriodInDays: 14,
    volumeRecommendationOptions: [
      {
        configuration: { volumeType: 'gp3', volumeSize: 200, volumeBaselineIOPS: 3000 },
        performanceRisk: 0.5,
        rank: 1,
        savingsOpportunity: { savingsOpportunityPercentage: 20, estimatedMonthlySavings: usd(4) },
      },
    ],
    lastRefreshTimestamp: refreshed,
    currentPerformanceRisk: 'Low',
    ...overrides,
  };
}

function fn(region: string, name: string, overrides: Partial<LambdaFunctionRecommendation> = {}) {
  return {
    functionArn: `arn:aws:lambda:${region}:${accountId}:function:${name}:$LATEST`,
    functionVersion: '$LATEST',
    accountId,
    currentMemorySize: 1024,
    numberOfInvocations: 120_000,
    utilizationMetrics: [
      { name: 'Duration', statistic: 'Maximum', value: 900 },
      { name: 'Duration', statistic: 'Average', value: 250 },
      { name: 'Memory', statistic: 'Maximum', value: 400 },
      { name: 'Memory', statistic: 'Average', value: 256 },
    ],
    lookbackPeriodInDays: 14,
    lastRefreshTimestamp: refreshed,
    finding: 'NotOptimized',
    findingReasonCodes: ['MemoryOverprovisioned'],
    memorySizeRecommendationOptions: [
      {
        rank: 1,
        memorySize: 512,
        savingsOpportunity: { savingsOpportunityPercentage: 47.5, estimatedMonthlySavings: usd(3.21) },
      },
    ],
    currentPerformanceRisk: 'VeryLow',
    ...overrides,
  } satisfies LambdaFunctionRecommendation;
}

const KEYS = {
  ec2: 'instanceRecommendations',
  ebs: 'volumeRecommendations',
  lambda: 'lambdaFunctionRecommendations',
};

function serve(script: Script) {
  const answer =
    (operation: Operation) =>
    async (input: { nextToken?: string }, getClient: () => { config: { region: () => Promise<string> } }) => {
      const region = await getClient().config.region();
      const pages = script[region]?.[operation];
      if (pages instanceof Error) throw pages;
      const page = pages?.[input.nextToken ?? 'first'];
      if (!page) throw new Error(`no scripted page for ${region} ${operation} ${input.nextToken}`);
      return { [KEYS[operation]]: page.items, ...(page.nextToken ? { nextToken: page.nextToken } : {}) };
    };
  co.on(GetEC2InstanceRecommendationsCommand).callsFake(answer('ec2'));
  co.on(GetEBSVolumeRecommendationsCommand).callsFake(answer('ebs'));
  co.on(GetLambdaFunctionRecommendationsCommand).callsFake(answer('lambda'));
}

const one = (items: object[]): Record<string, Page> => ({ first: { items } });

async function callsByRegion() {
  const calls: Array<{ region: string; command: string; input: unknown }> = [];
  for (const call of co.calls()) {
    calls.push({
      region: await (call.thisValue as ComputeOptimizerClient).config.region(),
      command: call.args[0].constructor.name,
      input: call.args[0].input,
    });
  }
  return calls;
}

describe('compute-optimizer collector', () => {
  it('pages every kind to the end in every region and keeps the best-ranked option', async () => {
    serve({
      'us-east-1': {
        ec2: {
          first: { items: [instance('us-east-1', 'i-0a1')], nextToken: 'ec2-2' },
          'ec2-2': { items: [instance('us-east-1', 'i-0a2', { finding: 'Optimized' })] },
        },
        ebs: {
          first: { items: [volume('us-east-1', 'vol-0b1')], nextToken: 'ebs-2' },
          'ebs-2': { items: [], nextToken: 'ebs-3' },
          'ebs-3': { items: [volume('us-east-1', 'vol-0b2')] },
        },
        lambda: {
          first: { items: [fn('us-east-1', 'payments-worker')], nextToken: 'fn-2' },
          'fn-2': { items: [fn('us-east-1', 'payments-api')] },
        },
      },
      'eu-west-1': { ec2: one([]), ebs: one([]), lambda: one([fn('eu-west-1', 'payments-ingest')]) },
    });

    const result = await computeOptimizerCollector.collect(collectContext({ window }));

    const calls = await callsByRegion();
    const east = calls.filter((c) => c.region === 'us-east-1');
    expect(
      east.filter((c) => c.command === 'GetEC2InstanceRecommendationsCommand').map((c) => c.input),
    ).toEqual([{ maxResults: 1000 }, { maxResults: 1000, nextToken: 'ec2-2' }]);
    expect(
      east.filter((c) => c.command === 'GetEBSVolumeRecommendationsCommand').map((c) => c.input),
    ).toEqual([
      { maxResults: 1000 },
      { maxResults: 1000, nextToken: 'ebs-2' },
      { maxResults: 1000, nextToken: 'ebs-3' },
    ]);
    expect(
      east.filter((c) => c.command === 'GetLambdaFunctionRecommendationsCommand').map((c) => c.input),
    ).toEqual([{ maxResults: 1000 }, { maxResults: 1000, nextToken: 'fn-2' }]);
    expect(calls.filter((c) => c.region === 'eu-west-1')).toHaveLength(3);

    expect(result.regions).toEqual({
      'us-east-1': { status: 'SUCCEEDED' },
      'eu-west-1': { status: 'SUCCEEDED' },
    });
    expect(result.skippedReason).toBeUndefined();
    expect(result.rows).toBe(7);
    const recs = result.payload.recommendations;
    expect(recs.map((r) => [r.region, r.resource_type, r.resource_name])).toEqual([
      ['eu-west-1', 'Lambda', 'payments-ingest'],
      ['us-east-1', 'EC2', 'payments-api-1'],
      ['us-east-1', 'EC2', 'payments-api-2'],
      ['us-east-1', 'EBS', 'vol-0b1'],
      ['us-east-1', 'EBS', 'vol-0b2'],
      ['us-east-1', 'Lambda', 'payments-api'],
      ['us-east-1', 'Lambda', 'payments-worker'],
    ]);
    expect(recs[1]).toEqual({
      account_id: accountId,
      resource_type: 'EC2',
      resource_arn: 'arn:aws:ec2:us-east-1:123456789012:instance/i-0a1',
      resource_name: 'payments-api-1',
      region: 'us-east-1',
      finding: 'Overprovisioned',
      finding_reasons: ['CPUOverprovisioned', 'MemoryOverprovisioned'],
      current_instance_type: 'm6i.xlarge',
      current_memory_size: null,
      current_volume_type: null,
      current_volume_size: null,
      recommended_instance_type: 'm6i.large',
      recommended_memory_size: null,
      recommended_volume_type: null,
      recommended_volume_size: null,
      savings_opportunity_percentage: 50,
      estimated_monthly_savings_usd: 70.08,
      currency: 'USD',
      performance_risk: 1.5,
      current_performance_risk: 'VeryLow',
      cpu_utilization_max: 22.5,
      // Only a Maximum statistic of memory: no average to report.
      memory_utilization_avg: null,
      migration_effort: 'VeryLow',
      lookback_period_days: 14,
      last_refresh_timestamp: '2026-11-26T03:12:00.000Z',
    });
    expect(recs[3]).toMatchObject({
      resource_arn: 'arn:aws:ec2:us-east-1:123456789012:volume/vol-0b1',
      finding: 'NotOptimized',
      finding_reasons: [],
      current_volume_type: 'gp2',
      current_volume_size: 200,
      recommended_volume_type: 'gp3',
      recommended_volume_size: 200,
      estimated_monthly_savings_usd: 4,
      performance_risk: 0.5,
      cpu_utilization_max: null,
      memory_utilization_avg: null,
      migration_effort: null,
    });
    expect(recs[6]).toMatchObject({
      resource_arn: 'arn:aws:lambda:us-east-1:123456789012:function:payments-worker:$LATEST',
      finding_reasons: ['MemoryOverprovisioned'],
      current_memory_size: 1024,
      recommended_memory_size: 512,
      savings_opportunity_percentage: 47.5,
      estimated_monthly_savings_usd: 3.21,
      // The Average statistic (256 MB) of 1024 MB, not the Maximum (400 MB).
      memory_utilization_avg: 25,
      cpu_utilization_max: null,
      performance_risk: null,
      migration_effort: null,
    });
    expect(computeOptimizerCollector.schema.safeParse(result.payload).success).toBe(true);
  });

  it('reports the Average statistic of memory when the API returns one, never a maximum', async () => {
    serve({
      'us-east-1': {
        ec2: one([
          instance('us-east-1', 'i-0c1', {
            utilizationMetrics: [
              { name: 'Memory', statistic: 'Maximum', value: 80 },
              { name: 'Memory', statistic: 'Average', value: 35.5 },
              { name: 'Cpu', statistic: 'Average', value: 12 },
            ],
            recommendationOptions: [],
            instanceName: '',
          }),
        ]),
        ebs: one([]),
        lambda: one([fn('us-east-1', 'x', { utilizationMetrics: [], finding: 'Unavailable' })]),
      },
    });
    const result = await computeOptimizerCollector.collect(
      collectContext({ window, regions: ['us-east-1'] }),
    );
    expect(result.payload.recommendations[0]).toMatchObject({
      resource_name: 'i-0c1',
      memory_utilization_avg: 35.5,
      cpu_utilization_max: null,
      recommended_instance_type: null,
      estimated_monthly_savings_usd: null,
      currency: null,
    });
    expect(result.payload.recommendations[1]).toMatchObject({
      finding: 'Unavailable',
      memory_utilization_avg: null,
    });
  });

  it('records a kind that fails in a region, keeps the other kinds, and marks the region FAILED', async () => {
    serve({
      'us-east-1': {
        ec2: one([instance('us-east-1', 'i-0a1')]),
        ebs: one([volume('us-east-1', 'vol-0b1')]),
        lambda: serviceError('ThrottlingException', 'Rate exceeded'),
      },
      'eu-west-1': { ec2: one([]), ebs: one([]), lambda: one([fn('eu-west-1', 'payments-ingest')]) },
    });
    const result = await computeOptimizerCollector.collect(collectContext({ window }));
    expect(result.regions?.['eu-west-1']).toEqual({ status: 'SUCCEEDED' });
    expect(result.regions?.['us-east-1']).toEqual({
      status: 'FAILED',
      error: {
        name: 'TransientError',
        message: 'Lambda recommendations failed (EC2, EBS kept): ThrottlingException: Rate exceeded',
      },
    });
    expect(result.payload.recommendations.map((r) => `${r.region} ${r.resource_type}`)).toEqual([
      'eu-west-1 Lambda',
      'us-east-1 EC2',
      'us-east-1 EBS',
    ]);
  });

  it('is SKIPPED, not zero recommendations, when the account is not opted in', async () => {
    const notOptedIn = serviceError(
      'OptInRequiredException',
      'Aws account is not registered for recommendation',
      403,
    );
    serve({
      'us-east-1': { ec2: notOptedIn, ebs: notOptedIn, lambda: notOptedIn },
      'eu-west-1': { ec2: notOptedIn, ebs: notOptedIn, lambda: notOptedIn },
    });
    const result = await computeOptimizerCollector.collect(collectContext({ window }));
    expect(result.skippedReason).toBe(
      'OptInRequiredException: Aws account is not registered for recommendation',
    );
    expect(Object.values(result.regions ?? {}).map((r) => r.status)).toEqual(['SKIPPED', 'SKIPPED']);
    expect(result.payload.recommendations).toEqual([]);
  });

  it('returns no recommendations, and is not SKIPPED, for an opted-in account without any', async () => {
    serve({
      'us-east-1': { ec2: one([]), ebs: one([]), lambda: one([]) },
      'eu-west-1': { ec2: one([]), ebs: one([]), lambda: one([]) },
    });
    const result = await computeOptimizerCollector.collect(collectContext({ window }));
    expect(result).toMatchObject({ payload: { recommendations: [] }, rows: 0 });
    expect(result.skippedReason).toBeUndefined();
  });

  it.each([
    [
      'AccessDeniedException',
      'not authorized to perform: compute-optimizer:GetEC2InstanceRecommendations',
      403,
      SourceAccessError,
    ],
    ['ThrottlingException', 'Rate exceeded', 400, TransientError],
    ['InternalServerException', 'Internal error', 500, TransientError],
    ['ServiceUnavailableException', 'Service unavailable', 503, TransientError],
    ['InvalidParameterValueException', 'The nextToken is not valid.', 400, SourceRequestError],
  ])('classifies %s in every kind and region as %s', async (name, message, status, type) => {
    const error = serviceError(name, message, status);
    serve({
      'us-east-1': { ec2: error, ebs: error, lambda: error },
      'eu-west-1': { ec2: error, ebs: error, lambda: error },
    });
    await expect(computeOptimizerCollector.collect(collectContext({ window }))).rejects.toBeInstanceOf(type);
  });

  it('rejects recommendations without the resource ARN, naming it; a region with only some kinds broken keeps the rest', async () => {
    const noArn = instance('us-east-1', 'i-0a1', { instanceArn: undefined });
    serve({
      'us-east-1': { ec2: one([noArn]), ebs: one([volume('us-east-1', 'vol-0b1')]), lambda: one([]) },
      'eu-west-1': {
        ec2: one([{ ...noArn }]),
        ebs: one([volume('eu-west-1', 'vol-0b9', { volumeArn: undefined })]),
        lambda: one([fn('eu-west-1', 'f', { functionArn: undefined })]),
      },
    });
    const error = await computeOptimizerCollector
      .collect(collectContext({ window, regions: ['eu-west-1'] }))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DataContractError);
    expect((error as Error).message).toContain(
      'GetEC2InstanceRecommendations (eu-west-1) instanceRecommendations[0].instanceArn',
    );

    const partial = await computeOptimizerCollector.collect(collectContext({ window }));
    expect(partial.regions?.['us-east-1']).toMatchObject({
      status: 'FAILED',
      error: { name: 'DataContractError', message: expect.stringContaining('EC2 recommendations failed') },
    });
    expect(partial.payload.recommendations.map((r) => r.resource_name)).toEqual(['vol-0b1']);
  });

  it('declares exactly the IAM actions of the commands it sends', async () => {
    serve({
      'us-east-1': { ec2: one([]), ebs: one([]), lambda: one([]) },
      'eu-west-1': { ec2: one([]), ebs: one([]), lambda: one([]) },
    });
    await computeOptimizerCollector.collect(collectContext({ window }));
    const sent = new Set(
      co
        .calls()
        .map((c) =>
          iamActionFor(
            '@aws-sdk/client-compute-optimizer',
            c.args[0].constructor.name.replace(/Command$/, ''),
          ),
        ),
    );
    expect([...computeOptimizerCollector.actions].sort()).toEqual([...sent].sort());
    expect(computeOptimizerCollector.scope).toBe('regional');
    expect(computeOptimizerCollector.tables).toEqual(['compute_optimizer']);
  });
});
