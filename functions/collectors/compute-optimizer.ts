import {
  ComputeOptimizerClient,
  GetEBSVolumeRecommendationsCommand,
  GetEC2InstanceRecommendationsCommand,
  GetLambdaFunctionRecommendationsCommand,
  type GetRecommendationError,
  type InstanceRecommendation,
  type LambdaFunctionRecommendation,
  type SavingsOpportunity,
  type VolumeRecommendation,
} from '@aws-sdk/client-compute-optimizer';
import { z } from 'zod';
import { describeError } from '../platform/errors.ts';
import { classifyAwsError, type NotEnabledMatcher, required } from './aws-errors.ts';
import { collectEachRegion } from './regional.ts';
import { type CollectContext, defineCollector, type RegionOutcome } from './types.ts';

export const RESOURCE_TYPES = ['EC2', 'EBS', 'Lambda'] as const;
export type ResourceType = (typeof RESOURCE_TYPES)[number];

/** The three Get*Recommendations operations accept a maxResults of 0 to 1000. */
const MAX_RESULTS = 1000;

const count = z.number().int().nonnegative();
const measure = z.number().finite();

const recommendationSchema = z.object({
  account_id: z.string().regex(/^\d{12}$/),
  resource_type: z.enum(RESOURCE_TYPES),
  resource_arn: z.string().min(1),
  /** The instance's Name tag, the volume id, the function name. */
  resource_name: z.string().min(1).nullable(),
  region: z.string().min(1),
  /** Optimized, Overprovisioned, Underprovisioned, NotOptimized, Unavailable (Lambda). */
  finding: z.string().min(1),
  finding_reasons: z.array(z.string().min(1)),
  current_instance_type: z.string().nullable(),
  /** Megabytes (Lambda). */
  current_memory_size: count.nullable(),
  current_volume_type: z.string().nullable(),
  /** Gibibytes (EBS). */
  current_volume_size: count.nullable(),
  recommended_instance_type: z.string().nullable(),
  recommended_memory_size: count.nullable(),
  recommended_volume_type: z.string().nullable(),
  recommended_volume_size: count.nullable(),
  /** Of the best-ranked option, before discounts. */
  savings_opportunity_percentage: measure.nullable(),
  /** In `currency` (USD, or CNY in the China regions), despite the seed's name. */
  estimated_monthly_savings_usd: measure.nullable(),
  currency: z.string().min(1).nullable(),
  /** The best-ranked option's performance risk, 0 (very low) to 4 (very high). */
  performance_risk: measure.nullable(),
  /** The current resource's risk of not meeting its workload's needs: VeryLow, Low, Medium, High. */
  current_performance_risk: z.string().min(1).nullable(),
  /** Percent, the Maximum statistic (EC2 CPU). */
  cpu_utilization_max: measure.nullable(),
  /**
   * Percent, the Average statistic of memory where Compute Optimizer returns one: never a mean of maxima. For
   * EC2 the API returns only Maximum statistics, so it is null; for Lambda it is the average memory used per
   * invocation as a share of the function's memory size.
   */
  memory_utilization_avg: measure.nullable(),
  /** The best-ranked option's migration effort (EC2 only: the API has none for EBS and Lambda). */
  migration_effort: z.string().min(1).nullable(),
  lookback_period_days: measure.nullable(),
  last_refresh_timestamp: z.iso.datetime().nullable(),
});

export const computeOptimizerPayloadSchema = z.object({
  recommendations: z.array(recommendationSchema),
});
export type ComputeOptimizerPayload = z.infer<typeof computeOptimizerPayloadSchema>;
export type ComputeOptimizerRecommendation = ComputeOptimizerPayload['recommendations'][number];

/** Compute Optimizer is opted into per account (all regions at once); until then every call says so. */
export const isNotOptedIn: NotEnabledMatcher = ({ name }) => name === 'OptInRequiredException';

interface Page<T> {
  readonly items: readonly T[];
  readonly errors: readonly GetRecommendationError[];
  readonly nextToken: string | undefined;
}

/** Every page of one Get*Recommendations operation, to the last nextToken. */
async function allPages<T>(
  fetchPage: (token: string | undefined) => Promise<Page<T>>,
): Promise<{ items: T[]; errors: GetRecommendationError[] }> {
  const items: T[] = [];
  const errors: GetRecommendationError[] = [];
  let token: string | undefined;
  do {
    const page = await fetchPage(token);
    items.push(...page.items);
    errors.push(...page.errors);
    token = page.nextToken || undefined;
  } while (token);
  return { items, errors };
}

const paging = (token: string | undefined) => ({
  maxResults: MAX_RESULTS,
  ...(token ? { nextToken: token } : {}),
});

/** The option Compute Optimizer ranks first (rank 1 is the best), or the first one listed. */
function bestOption<T extends { rank?: number | undefined }>(
  options: readonly T[] | undefined,
): T | undefined {
  return [...(options ?? [])].sort((a, b) => (a.rank ?? Infinity) - (b.rank ?? Infinity))[0];
}

function savingsOf(opportunity: SavingsOpportunity | undefined) {
  return {
    savings_opportunity_percentage: opportunity?.savingsOpportunityPercentage ?? null,
    estimated_monthly_savings_usd: opportunity?.estimatedMonthlySavings?.value ?? null,
    currency: opportunity?.estimatedMonthlySavings?.currency ?? null,
  };
}

function metricValue(
  metrics:
    | ReadonlyArray<{
        name?: string | undefined;
        statistic?: string | undefined;
        value?: number | undefined;
      }>
    | undefined,
  name: string,
  statistic: 'Maximum' | 'Average',
): number | null {
  return metrics?.find((m) => m.name === name && m.statistic === statistic)?.value ?? null;
}

const round4 = (value: number) => Math.round(value * 10_000) / 10_000;
const isoOrNull = (date: Date | undefined) => date?.toISOString() ?? null;
const afterLast = (arn: string, separator: string) => arn.slice(arn.lastIndexOf(separator) + 1);

const EMPTY_SHAPE = {
  current_instance_type: null,
  current_memory_size: null,
  current_volume_type: null,
  current_volume_size: null,
  recommended_instance_type: null,
  recommended_memory_size: null,
  recommended_volume_type: null,
  recommended_volume_size: null,
  cpu_utilization_max: null,
  memory_utilization_avg: null,
  migration_effort: null,
} as const;

interface Where {
  readonly accountId: string;
  readonly region: string;
}

export function instanceItem(
  rec: InstanceRecommendation,
  where: Where,
  at: string,
): ComputeOptimizerRecommendation {
  const arn = required(rec.instanceArn, `${at}.instanceArn`);
  const option = bestOption(rec.recommendationOptions);
  return {
    ...EMPTY_SHAPE,
    account_id: rec.accountId ?? where.accountId,
    resource_type: 'EC2',
    resource_arn: arn,
    resource_name: rec.instanceName || afterLast(arn, '/'),
    region: where.region,
    finding: required(rec.finding, `${at}.finding`),
    finding_reasons: rec.findingReasonCodes ?? [],
    current_instance_type: rec.currentInstanceType ?? null,
    recommended_instance_type: option?.instanceType ?? null,
    ...savingsOf(option?.savingsOpportunity),
    performance_risk: option?.performanceRisk ?? null,
    current_performance_risk: rec.currentPerformanceRisk ?? null,
    cpu_utilization_max: metricValue(rec.utilizationMetrics, 'Cpu', 'Maximum'),
    memory_utilization_avg: metricValue(rec.utilizationMetrics, 'Memory', 'Average'),
    migration_effort: option?.migrationEffort ?? null,
    lookback_period_days: rec.lookBackPeriodInDays ?? null,
    last_refresh_timestamp: isoOrNull(rec.lastRefreshTimestamp),
  };
}

export function volumeItem(
  rec: VolumeRecommendation,
  where: Where,
  at: string,
): ComputeOptimizerRecommendation {
  const arn = required(rec.volumeArn, `${at}.volumeArn`);
  const option = bestOption(rec.volumeRecommendationOptions);
  return {
    ...EMPTY_SHAPE,
    account_id: rec.accountId ?? where.accountId,
    resource_type: 'EBS',
    resource_arn: arn,
    resource_name: afterLast(arn, '/'),
    region: where.region,
    finding: required(rec.finding, `${at}.finding`),
    // The EBS API gives no finding reason codes.
    finding_reasons: [],
    current_volume_type: rec.currentConfiguration?.volumeType ?? null,
    current_volume_size: rec.currentConfiguration?.volumeSize ?? null,
    recommended_volume_type: option?.configuration?.volumeType ?? null,
    recommended_volume_size: option?.configuration?.volumeSize ?? null,
    ...savingsOf(option?.savingsOpportunity),
    performance_risk: option?.performanceRisk ?? null,
    current_performance_risk: rec.currentPerformanceRisk ?? null,
    lookback_period_days: rec.lookBackPeriodInDays ?? null,
    last_refresh_timestamp: isoOrNull(rec.lastRefreshTimestamp),
  };
}

export function functionItem(
  rec: LambdaFunctionRecommendation,
  where: Where,
  at: string,
): ComputeOptimizerRecommendation {
  const arn = required(rec.functionArn, `${at}.functionArn`);
  const option = bestOption(rec.memorySizeRecommendationOptions);
  const memorySize = rec.currentMemorySize ?? null;
  const memoryUsed = metricValue(rec.utilizationMetrics, 'Memory', 'Average');
  return {
    ...EMPTY_SHAPE,
    account_id: rec.accountId ?? where.accountId,
    resource_type: 'Lambda',
    resource_arn: arn,
    // arn:aws:lambda:<region>:<account>:function:<name>[:<qualifier>]
    resource_name: arn.split(':')[6] ?? arn,
    region: where.region,
    finding: required(rec.finding, `${at}.finding`),
    finding_reasons: rec.findingReasonCodes ?? [],
    current_memory_size: memorySize,
    recommended_memory_size: option?.memorySize ?? null,
    ...savingsOf(option?.savingsOpportunity),
    // Lambda options carry no performance risk.
    performance_risk: null,
    current_performance_risk: rec.currentPerformanceRisk ?? null,
    memory_utilization_avg:
      memoryUsed !== null && memorySize ? round4((memoryUsed / memorySize) * 100) : null,
    lookback_period_days: rec.lookbackPeriodInDays ?? null,
    last_refresh_timestamp: isoOrNull(rec.lastRefreshTimestamp),
  };
}

interface SourceResult {
  readonly items: ComputeOptimizerRecommendation[];
  readonly errors: GetRecommendationError[];
}

/** One kind of recommendation in one region. */
interface Source {
  readonly type: ResourceType;
  collect(client: ComputeOptimizerClient, where: Where): Promise<SourceResult>;
}

const SOURCES: readonly Source[] = [
  {
    type: 'EC2',
    async collect(client, where) {
      const { items, errors } = await allPages(async (token) => {
        const page = await client.send(new GetEC2InstanceRecommendationsCommand(paging(token)));
        return {
          items: page.instanceRecommendations ?? [],
          errors: page.errors ?? [],
          nextToken: page.nextToken,
        };
      });
      const at = `GetEC2InstanceRecommendations (${where.region}) instanceRecommendations`;
      return { items: items.map((r, i) => instanceItem(r, where, `${at}[${i}]`)), errors };
    },
  },
  {
    type: 'EBS',
    async collect(client, where) {
      const { items, errors } = await allPages(async (token) => {
        const page = await client.send(new GetEBSVolumeRecommendationsCommand(paging(token)));
        return {
          items: page.volumeRecommendations ?? [],
          errors: page.errors ?? [],
          nextToken: page.nextToken,
        };
      });
      const at = `GetEBSVolumeRecommendations (${where.region}) volumeRecommendations`;
      return { items: items.map((r, i) => volumeItem(r, where, `${at}[${i}]`)), errors };
    },
  },
  {
    type: 'Lambda',
    async collect(client, where) {
      const { items } = await allPages(async (token) => {
        const page = await client.send(new GetLambdaFunctionRecommendationsCommand(paging(token)));
        return { items: page.lambdaFunctionRecommendations ?? [], errors: [], nextToken: page.nextToken };
      });
      const at = `GetLambdaFunctionRecommendations (${where.region}) lambdaFunctionRecommendations`;
      return { items: items.map((r, i) => functionItem(r, where, `${at}[${i}]`)), errors: [] };
    },
  },
];

interface RegionRecommendations {
  readonly items: ComputeOptimizerRecommendation[];
  /** The kinds whose collection failed while others in the region succeeded. */
  readonly failures: ReadonlyArray<{ readonly type: ResourceType; readonly error: unknown }>;
}

/**
 * The three kinds of one region, each on its own: a kind that fails is recorded and the others are kept. When
 * every kind fails, the region fails with the first error as AWS gave it (not opted in, an opt-in region,
 * access denied), for collectEachRegion to classify.
 */
async function collectRegion(ctx: CollectContext, region: string): Promise<RegionRecommendations> {
  const client = ctx.clients.client(ComputeOptimizerClient, region);
  const where = { accountId: ctx.accountId, region };
  const settled = await Promise.allSettled(SOURCES.map((source) => source.collect(client, where)));
  const items: ComputeOptimizerRecommendation[] = [];
  const failures: Array<{ type: ResourceType; error: unknown }> = [];
  settled.forEach((outcome, i) => {
    const source = SOURCES[i] as Source;
    if (outcome.status === 'rejected') {
      failures.push({ type: source.type, error: outcome.reason });
      return;
    }
    items.push(...outcome.value.items);
    if (outcome.value.errors.length > 0) {
      ctx.log.warn('Compute Optimizer could not recommend on some resources', {
        region,
        resourceType: source.type,
        errors: outcome.value.errors.map((e) => `${e.identifier}: ${e.code}: ${e.message}`),
      });
    }
  });
  if (failures.length === SOURCES.length) throw failures[0]?.error;
  return { items, failures };
}

/** A region where some kinds failed is FAILED (its unseen rows stay), with what failed and why. */
function partialOutcome(failures: RegionRecommendations['failures']): RegionOutcome {
  const first = classifyAwsError(failures[0]?.error, isNotOptedIn);
  const kept = RESOURCE_TYPES.filter((t) => !failures.some((f) => f.type === t));
  return {
    status: 'FAILED',
    error: {
      name: first.name,
      message: `${failures.map((f) => f.type).join(', ')} recommendations failed (${kept.join(', ')} kept): ${describeError(first).message}`,
    },
  };
}

const order = (a: ComputeOptimizerRecommendation, b: ComputeOptimizerRecommendation) =>
  a.region.localeCompare(b.region) ||
  RESOURCE_TYPES.indexOf(a.resource_type) - RESOURCE_TYPES.indexOf(b.resource_type) ||
  a.resource_arn.localeCompare(b.resource_arn);

export const computeOptimizerCollector = defineCollector({
  id: 'compute-optimizer',
  title: 'Compute Optimizer: EC2 instance, EBS volume and Lambda function recommendations',
  scope: 'regional',
  actions: [
    'compute-optimizer:GetEC2InstanceRecommendations',
    'compute-optimizer:GetEBSVolumeRecommendations',
    'compute-optimizer:GetLambdaFunctionRecommendations',
  ],
  // Compute Optimizer checks these on the caller to show recommendations of each kind (User Guide,
  // "Controlling access with AWS Identity and Access Management").
  dependentActions: [
    'ec2:DescribeInstances',
    'ec2:DescribeVolumes',
    'lambda:ListFunctions',
    'lambda:ListProvisionedConcurrencyConfigs',
  ],
  tables: ['compute_optimizer'],
  schema: computeOptimizerPayloadSchema,
  async collect(ctx) {
    const collected = await collectEachRegion(ctx, (region) => collectRegion(ctx, region), isNotOptedIn);
    const regions: Record<string, RegionOutcome> = { ...collected.regions };
    for (const { region, value } of collected.results) {
      if (value.failures.length > 0) regions[region] = partialOutcome(value.failures);
    }
    const recommendations = collected.results.flatMap((r) => r.value.items).sort(order);
    return {
      payload: { recommendations },
      rows: recommendations.length,
      regions,
      ...(collected.skippedReason === undefined ? {} : { skippedReason: collected.skippedReason }),
    };
  },
});
