import type { SampleAccount } from '../accounts.ts';
import {
  regionInventory,
  type SampleFunction,
  type SampleInstance,
  type SampleVolume,
} from '../inventory.ts';
import { Random } from '../random.ts';
import { awsError, paginate, type SampleCall, type ServiceSimulator } from '../simulator.ts';

/**
 * Compute Optimizer recommendations about the shared sample inventory: the same instances, volumes and
 * functions the resource categories list. A resource is recommended on once it has 30 hours of metrics, so a
 * resource replaced overnight drops out and its successor appears a day or so later. The trusted-advisor
 * simulator reads the same facts (`instanceFacts`, `volumeFacts`, `functionFacts`), so both services agree.
 */

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
const HOURS_PER_MONTH = 730;
/** Compute Optimizer needs this much metric history before it recommends on a resource. */
const MIN_HISTORY_MS = 30 * HOUR_MS;
const LOOKBACK_DAYS = 14;
/** Small server pages, so a production region needs several. */
const PAGE_SIZE = { EC2: 5, EBS: 6, Lambda: 4 } as const;
const MAX_RESULTS = 1000;

/** On-demand Linux prices per hour in us-east-1 (USD). */
const INSTANCE_HOURLY: Readonly<Record<string, number>> = {
  't3.small': 0.0208,
  't3.medium': 0.0416,
  't3.large': 0.0832,
  't3.xlarge': 0.1664,
  't4g.medium': 0.0336,
  't4g.large': 0.0672,
  'm6i.large': 0.096,
  'm6i.xlarge': 0.192,
  'm6i.2xlarge': 0.384,
  'm7g.medium': 0.0408,
  'm7g.large': 0.0816,
  'm7g.xlarge': 0.1632,
  'c6g.large': 0.068,
  'c6g.xlarge': 0.136,
  'c6g.2xlarge': 0.272,
  'c7g.xlarge': 0.145,
  'r6g.medium': 0.0504,
  'r6g.large': 0.1008,
  'r6g.xlarge': 0.2016,
};

/** What the region costs relative to us-east-1. */
const REGION_PRICE_FACTOR: Readonly<Record<string, number>> = {
  'us-east-1': 1,
  'us-east-2': 1,
  'us-west-2': 1,
  'eu-west-1': 1.11,
  'eu-central-1': 1.16,
  'ap-southeast-1': 1.24,
  'ap-southeast-2': 1.25,
  'ap-northeast-1': 1.28,
};

export const priceFactor = (region: string) => REGION_PRICE_FACTOR[region] ?? 1.15;

/** What an instance type costs a month in a region (USD). */
export function instanceMonthly(instanceType: string, region: string): number {
  const hourly = INSTANCE_HOURLY[instanceType];
  if (hourly === undefined) throw new Error(`no sample price for ${instanceType}`);
  return hourly * HOURS_PER_MONTH * priceFactor(region);
}

/** EBS storage per GiB-month and provisioned IOPS per IOPS-month in us-east-1 (USD). */
const EBS_GB_MONTH: Readonly<Record<string, number>> = { gp3: 0.08, gp2: 0.1, io2: 0.125, st1: 0.045 };
const IO2_IOPS_MONTH = 0.065;
const GP3_IOPS_MONTH = 0.005;
const GP3_FREE_IOPS = 3000;

/** What a volume costs a month in a region (USD), for a volume type, size and provisioned IOPS. */
export function volumeMonthly(
  volumeType: string,
  sizeGb: number,
  iops: number | null,
  region: string,
): number {
  const storage = (EBS_GB_MONTH[volumeType] ?? 0.1) * sizeGb;
  const provisioned =
    volumeType === 'io2'
      ? (iops ?? 0) * IO2_IOPS_MONTH
      : volumeType === 'gp3'
        ? Math.max(0, (iops ?? GP3_FREE_IOPS) - GP3_FREE_IOPS) * GP3_IOPS_MONTH
        : 0;
  return (storage + provisioned) * priceFactor(region);
}

/** Lambda compute per GB-second (USD). */
const LAMBDA_GB_SECOND = { x86_64: 0.0000166667, arm64: 0.0000133334 } as const;

const SMALLER: Readonly<Record<string, readonly string[]>> = {
  't3.medium': ['t3.small', 't4g.medium'],
  't3.large': ['t3.medium', 't4g.large'],
  'm6i.large': ['t3.large', 'm7g.medium'],
  'm6i.xlarge': ['m6i.large', 'm7g.large'],
  'c6g.xlarge': ['c6g.large'],
  'r6g.large': ['r6g.medium'],
  'm7g.large': ['m7g.medium'],
};
const LARGER: Readonly<Record<string, readonly string[]>> = {
  't3.medium': ['t3.large'],
  't3.large': ['t3.xlarge', 'm6i.xlarge'],
  'm6i.large': ['m6i.xlarge'],
  'm6i.xlarge': ['m6i.2xlarge'],
  'c6g.xlarge': ['c6g.2xlarge'],
  'r6g.large': ['r6g.xlarge'],
  'm7g.large': ['m7g.xlarge'],
};
/** Same-size alternatives Compute Optimizer offers an optimized instance (newer or Graviton generations). */
const ALTERNATIVES: Readonly<Record<string, readonly string[]>> = {
  't3.medium': ['t4g.medium'],
  't3.large': ['t4g.large'],
  'm6i.large': ['m7g.large'],
  'm6i.xlarge': ['m7g.xlarge'],
  'c6g.xlarge': ['c7g.xlarge'],
  'r6g.large': [],
  'm7g.large': [],
};

const isGraviton = (instanceType: string) => /^[a-z]\d+g\./.test(instanceType);
const familyOf = (instanceType: string) => instanceType.split('.')[0];
const round = (value: number, digits: number) => Math.round(value * 10 ** digits) / 10 ** digits;

function hasHistory(resource: { createdAt: Date }, now: Date): boolean {
  return resource.createdAt.getTime() + MIN_HISTORY_MS <= now.getTime();
}

/** Compute Optimizer refreshes once a day, early morning UTC, at an account's own minute. */
function lastRefresh(account: SampleAccount, now: Date): Date {
  const minute = new Random(account.id, 'compute-optimizer-refresh').int(150, 330);
  const today = Math.floor(now.getTime() / DAY_MS) * DAY_MS + minute * 60_000;
  return new Date(today <= now.getTime() ? today : today - DAY_MS);
}

function savings(value: number, base: number) {
  const saved = Math.max(0, value);
  return {
    savingsOpportunityPercentage: base > 0 ? round((saved / base) * 100, 2) : 0,
    estimatedMonthlySavings: { currency: 'USD', value: round(saved, 2) },
  };
}

// EC2 ---------------------------------------------------------------------------------------------------

export type InstanceFinding = 'Overprovisioned' | 'Underprovisioned' | 'Optimized';

/** What Compute Optimizer has measured on an instance over its look-back period. */
export interface InstanceFacts {
  readonly finding: InstanceFinding;
  /** Percent, Maximum statistic. */
  readonly cpuMax: number;
  /** Percent, Maximum statistic, when the CloudWatch agent reports memory. */
  readonly memoryMax: number | null;
  readonly networkInMax: number;
  readonly networkOutMax: number;
}

export function instanceFacts(instance: SampleInstance): InstanceFacts {
  const r = new Random(instance.id, 'compute-optimizer');
  const finding = r.weighted<InstanceFinding>(
    ['Overprovisioned', 'Optimized', 'Underprovisioned'],
    [45, 40, 15],
  );
  const [cpuLow, cpuHigh, memLow, memHigh] =
    finding === 'Overprovisioned'
      ? [4, 38, 12, 45]
      : finding === 'Optimized'
        ? [40, 82, 40, 78]
        : [88, 100, 72, 98];
  return {
    finding,
    cpuMax: round(r.float(cpuLow, cpuHigh), 4),
    memoryMax: r.chance(0.55) ? round(r.float(memLow, memHigh), 4) : null,
    networkInMax: round(r.float(2e4, 6e7), 2),
    networkOutMax: round(r.float(1e4, 4e7), 2),
  };
}

function instanceOptions(instance: SampleInstance, facts: InstanceFacts, region: string, r: Random) {
  const current = instance.instanceType;
  const candidates =
    facts.finding === 'Overprovisioned'
      ? (SMALLER[current] ?? [])
      : facts.finding === 'Underprovisioned'
        ? (LARGER[current] ?? [])
        : [current, ...(ALTERNATIVES[current] ?? [])];
  // Windows does not move from x86 to Graviton.
  const usable = candidates.filter(
    (t) => instance.platform === 'Linux' || isGraviton(t) === isGraviton(current),
  );
  const currentCost = instanceMonthly(current, region);
  return usable.map((instanceType, i) => {
    const crossesArchitecture = isGraviton(instanceType) !== isGraviton(current);
    const sameFamily = familyOf(instanceType) === familyOf(current);
    const shrink = facts.finding === 'Overprovisioned';
    return {
      instanceType,
      rank: i + 1,
      performanceRisk: round(shrink ? r.float(1, 2.5) : r.float(0, 1.2), 1),
      platformDifferences: crossesArchitecture ? ['Architecture'] : [],
      migrationEffort: crossesArchitecture ? 'Medium' : sameFamily ? 'VeryLow' : 'Low',
      savingsOpportunity: savings(currentCost - instanceMonthly(instanceType, region), currentCost),
      projectedUtilizationMetrics: [
        {
          name: 'Cpu',
          statistic: 'Maximum',
          value: round(Math.min(100, facts.cpuMax * (shrink ? r.float(1.6, 2.1) : r.float(0.45, 0.9))), 4),
        },
      ],
    };
  });
}

const CURRENT_RISK: Record<InstanceFinding, readonly string[]> = {
  Overprovisioned: ['VeryLow', 'Low'],
  Optimized: ['Low', 'Medium'],
  Underprovisioned: ['Medium', 'High'],
};

function instanceRecommendation(account: SampleAccount, region: string, instance: SampleInstance, now: Date) {
  const facts = instanceFacts(instance);
  const r = new Random(instance.id, 'compute-optimizer-options');
  const reasons: string[] = [];
  if (facts.finding === 'Overprovisioned') {
    reasons.push('CPUOverprovisioned');
    if (facts.memoryMax !== null && facts.memoryMax < 40) reasons.push('MemoryOverprovisioned');
  } else if (facts.finding === 'Underprovisioned') {
    reasons.push('CPUUnderprovisioned');
    if (facts.memoryMax !== null && facts.memoryMax > 90) reasons.push('MemoryUnderprovisioned');
    if (r.chance(0.3)) reasons.push('NetworkBandwidthUnderprovisioned');
  }
  return {
    instanceArn: `arn:aws:ec2:${region}:${account.id}:instance/${instance.id}`,
    accountId: account.id,
    instanceName: instance.name,
    currentInstanceType: instance.instanceType,
    finding: facts.finding,
    findingReasonCodes: reasons,
    utilizationMetrics: [
      { name: 'Cpu', statistic: 'Maximum', value: facts.cpuMax },
      ...(facts.memoryMax === null ? [] : [{ name: 'Memory', statistic: 'Maximum', value: facts.memoryMax }]),
      { name: 'NETWORK_IN_BYTES_PER_SECOND', statistic: 'Maximum', value: facts.networkInMax },
      { name: 'NETWORK_OUT_BYTES_PER_SECOND', statistic: 'Maximum', value: facts.networkOutMax },
    ],
    lookBackPeriodInDays: LOOKBACK_DAYS,
    recommendationOptions: instanceOptions(instance, facts, region, r),
    recommendationSources: [
      {
        recommendationSourceArn: `arn:aws:ec2:${region}:${account.id}:instance/${instance.id}`,
        recommendationSourceType: 'Ec2Instance',
      },
    ],
    lastRefreshTimestamp: lastRefresh(account, now),
    currentPerformanceRisk: r.pick(CURRENT_RISK[facts.finding]),
    effectiveRecommendationPreferences: {
      cpuVendorArchitectures: ['CURRENT'],
      enhancedInfrastructureMetrics: 'Inactive',
      inferredWorkloadTypes: 'Active',
      lookBackPeriod: 'DAYS_14',
    },
    inferredWorkloadTypes: [],
    instanceState: instance.state,
    idle: facts.finding === 'Overprovisioned' && facts.cpuMax < 5 ? 'True' : 'False',
  };
}

// EBS ---------------------------------------------------------------------------------------------------

export type VolumeFinding = 'Optimized' | 'NotOptimized';

/** What Compute Optimizer concludes about a volume, and the configuration it recommends. */
export interface VolumeFacts {
  readonly finding: VolumeFinding;
  readonly recommendedType: string;
  readonly recommendedIops: number | null;
  readonly currentMonthly: number;
  readonly recommendedMonthly: number;
}

export function volumeFacts(volume: SampleVolume, region: string): VolumeFacts {
  const r = new Random(volume.id, 'compute-optimizer');
  const currentMonthly = volumeMonthly(volume.volumeType, volume.sizeGb, volume.iops, region);
  // gp2 is always cheaper as gp3; io2 is often over-provisioned for what it serves.
  const toGp3 = volume.volumeType === 'gp2' || (volume.volumeType === 'io2' && r.chance(0.7));
  if (!toGp3) {
    return {
      finding: 'Optimized',
      recommendedType: volume.volumeType,
      recommendedIops: volume.iops,
      currentMonthly,
      recommendedMonthly: currentMonthly,
    };
  }
  const recommendedIops = Math.max(GP3_FREE_IOPS, Math.min(16_000, volume.iops ?? GP3_FREE_IOPS));
  return {
    finding: 'NotOptimized',
    recommendedType: 'gp3',
    recommendedIops,
    currentMonthly,
    recommendedMonthly: volumeMonthly('gp3', volume.sizeGb, recommendedIops, region),
  };
}

const BASELINE_THROUGHPUT: Readonly<Record<string, number>> = { gp3: 125, gp2: 128, io2: 500, st1: 40 };

function volumeConfiguration(volumeType: string, sizeGb: number, iops: number | null, root: boolean) {
  const baselineIops = iops ?? (volumeType === 'gp2' ? Math.max(100, Math.min(16_000, sizeGb * 3)) : 500);
  return {
    volumeType,
    volumeSize: sizeGb,
    volumeBaselineIOPS: baselineIops,
    volumeBurstIOPS: volumeType === 'gp2' ? Math.max(3000, baselineIops) : baselineIops,
    volumeBaselineThroughput: BASELINE_THROUGHPUT[volumeType] ?? 125,
    volumeBurstThroughput: volumeType === 'st1' ? 250 : (BASELINE_THROUGHPUT[volumeType] ?? 125),
    rootVolume: root,
  };
}

function volumeRecommendation(account: SampleAccount, region: string, volume: SampleVolume, now: Date) {
  const facts = volumeFacts(volume, region);
  const r = new Random(volume.id, 'compute-optimizer-options');
  const root = volume.sizeGb <= 30;
  return {
    volumeArn: `arn:aws:ec2:${region}:${account.id}:volume/${volume.id}`,
    accountId: account.id,
    currentConfiguration: volumeConfiguration(volume.volumeType, volume.sizeGb, volume.iops, root),
    finding: facts.finding,
    utilizationMetrics: [
      { name: 'VolumeReadOpsPerSecond', statistic: 'Maximum', value: round(r.float(5, 2500), 2) },
      { name: 'VolumeWriteOpsPerSecond', statistic: 'Maximum', value: round(r.float(5, 2500), 2) },
      { name: 'VolumeReadBytesPerSecond', statistic: 'Maximum', value: round(r.float(1e4, 8e7), 2) },
      { name: 'VolumeWriteBytesPerSecond', statistic: 'Maximum', value: round(r.float(1e4, 8e7), 2) },
    ],
    lookBackPeriodInDays: LOOKBACK_DAYS,
    volumeRecommendationOptions: [
      {
        configuration: volumeConfiguration(facts.recommendedType, volume.sizeGb, facts.recommendedIops, root),
        performanceRisk: round(facts.finding === 'Optimized' ? r.float(0, 0.5) : r.float(0.5, 2), 1),
        rank: 1,
        savingsOpportunity: savings(facts.currentMonthly - facts.recommendedMonthly, facts.currentMonthly),
      },
    ],
    lastRefreshTimestamp: lastRefresh(account, now),
    currentPerformanceRisk: r.pick(['VeryLow', 'Low']),
  };
}

// Lambda ------------------------------------------------------------------------------------------------

export type FunctionFinding = 'Optimized' | 'NotOptimized' | 'Unavailable';

/** What Compute Optimizer has measured on a function, and the memory size it recommends. */
export interface FunctionFacts {
  readonly finding: FunctionFinding;
  readonly reasons: readonly string[];
  /** Invocations over the look-back period. */
  readonly invocations: number;
  readonly durationAvgMs: number;
  readonly durationMaxMs: number;
  readonly memoryAvgMb: number;
  readonly memoryMaxMb: number;
  readonly recommendedMemoryMb: number | null;
  readonly currentMonthly: number;
  readonly recommendedMonthly: number;
}

const MEMORY_SIZES = [128, 256, 512, 768, 1024, 1536, 1769, 2048, 3008, 4096, 6144] as const;

function functionMonthly(
  fn: SampleFunction,
  memoryMb: number,
  invocations: number,
  durationMs: number,
): number {
  const perMonth = (invocations * 30) / LOOKBACK_DAYS;
  return perMonth * (durationMs / 1000) * (memoryMb / 1024) * LAMBDA_GB_SECOND[fn.architecture];
}

export function functionFacts(fn: SampleFunction): FunctionFacts {
  const r = new Random(fn.arn, fn.createdAt.getTime(), 'compute-optimizer');
  const kind = r.weighted(
    ['optimized', 'over', 'under', 'insufficient', 'inconclusive'] as const,
    [45, 30, 8, 12, 5],
  );
  const invocations = kind === 'insufficient' ? r.int(0, 49) : Math.round(10 ** r.float(2.5, 6.7));
  const durationAvgMs = round(r.float(15, Math.min(fn.timeoutSeconds * 1000 * 0.6, 4000)), 2);
  const durationMaxMs = round(Math.min(fn.timeoutSeconds * 1000, durationAvgMs * r.float(1.5, 4)), 2);
  const usedShare =
    kind === 'over' ? r.float(0.12, 0.38) : kind === 'under' ? r.float(0.86, 0.97) : r.float(0.42, 0.8);
  const memoryAvgMb = round(fn.memoryMb * usedShare, 2);
  const memoryMaxMb = round(
    Math.min(fn.memoryMb, memoryAvgMb * (kind === 'under' ? r.float(1.03, 1.2) : r.float(1.05, 1.3))),
    2,
  );
  const currentMonthly = functionMonthly(fn, fn.memoryMb, invocations, durationAvgMs);
  const measured = { invocations, durationAvgMs, durationMaxMs, memoryAvgMb, memoryMaxMb, currentMonthly };
  if (kind === 'insufficient' || kind === 'inconclusive') {
    return {
      ...measured,
      finding: 'Unavailable',
      reasons: [kind === 'insufficient' ? 'InsufficientData' : 'Inconclusive'],
      recommendedMemoryMb: null,
      recommendedMonthly: currentMonthly,
    };
  }
  // Over: the smallest size that leaves headroom over the peak (a little slower with less CPU). Under: the
  // next size up (faster with more CPU).
  const resized =
    kind === 'over'
      ? MEMORY_SIZES.find((size) => size >= memoryMaxMb * 1.25 && size < fn.memoryMb)
      : kind === 'under'
        ? MEMORY_SIZES.find((size) => size > fn.memoryMb)
        : undefined;
  if (resized === undefined) {
    return {
      ...measured,
      finding: 'Optimized',
      reasons: [],
      recommendedMemoryMb: fn.memoryMb,
      recommendedMonthly: currentMonthly,
    };
  }
  return {
    ...measured,
    finding: 'NotOptimized',
    reasons: [kind === 'over' ? 'MemoryOverprovisioned' : 'MemoryUnderprovisioned'],
    recommendedMemoryMb: resized,
    recommendedMonthly: functionMonthly(
      fn,
      resized,
      invocations,
      durationAvgMs * (kind === 'over' ? 1.05 : 0.8),
    ),
  };
}

function functionRecommendation(account: SampleAccount, fn: SampleFunction, now: Date) {
  const facts = functionFacts(fn);
  const r = new Random(fn.arn, fn.createdAt.getTime(), 'compute-optimizer-options');
  const options =
    facts.recommendedMemoryMb === null
      ? []
      : [
          {
            rank: 1,
            memorySize: facts.recommendedMemoryMb,
            projectedUtilizationMetrics: [
              { name: 'Duration', statistic: 'LowerBound', value: round(facts.durationAvgMs * 0.8, 2) },
              { name: 'Duration', statistic: 'Expected', value: round(facts.durationAvgMs, 2) },
              { name: 'Duration', statistic: 'UpperBound', value: round(facts.durationMaxMs, 2) },
            ],
            savingsOpportunity: savings(
              facts.currentMonthly - facts.recommendedMonthly,
              facts.currentMonthly,
            ),
          },
        ];
  return {
    functionArn: `${fn.arn}:$LATEST`,
    functionVersion: '$LATEST',
    accountId: account.id,
    currentMemorySize: fn.memoryMb,
    numberOfInvocations: facts.invocations,
    utilizationMetrics: [
      { name: 'Duration', statistic: 'Maximum', value: facts.durationMaxMs },
      { name: 'Duration', statistic: 'Average', value: facts.durationAvgMs },
      { name: 'Memory', statistic: 'Maximum', value: facts.memoryMaxMb },
      { name: 'Memory', statistic: 'Average', value: facts.memoryAvgMb },
    ],
    lookbackPeriodInDays: LOOKBACK_DAYS,
    lastRefreshTimestamp: lastRefresh(account, now),
    finding: facts.finding,
    findingReasonCodes: facts.reasons,
    memorySizeRecommendationOptions: options,
    ...(facts.finding === 'Unavailable'
      ? {}
      : {
          currentPerformanceRisk:
            facts.reasons[0] === 'MemoryUnderprovisioned'
              ? r.pick(['Medium', 'High'])
              : r.pick(['VeryLow', 'Low']),
        }),
  };
}

// Operations --------------------------------------------------------------------------------------------

function invalidParameter(message: string): Error {
  return awsError('InvalidParameterValueException', message);
}

/** Personal sandboxes are left out of the organization's Compute Optimizer opt-in. */
function isOptedIn(account: SampleAccount): boolean {
  return account.environment !== 'sandbox';
}

function notOptedIn(): Error {
  return awsError('OptInRequiredException', 'Aws account is not registered for recommendation', {
    status: 403,
  });
}

/** The account the request is about: the caller's, or (for the management account) the one it names. */
function targetAccount(call: SampleCall): SampleAccount {
  const ids: unknown = call.input.accountIds;
  if (ids === undefined) return call.account;
  if (!Array.isArray(ids) || ids.length !== 1) {
    throw invalidParameter('Only one account ID can be specified per request.');
  }
  const target = call.accounts.find((a) => a.id === ids[0]);
  if (ids[0] === call.account.id) return call.account;
  if (call.account.environment !== 'management' || !target) {
    throw awsError(
      'AccessDeniedException',
      `User: arn:aws:sts::${call.account.id}:assumed-role/a360-member-read/a360 is not authorized to get recommendations of account ${String(ids[0])}`,
      { status: 403 },
    );
  }
  return target;
}

interface Filter {
  readonly name: string;
  readonly values: readonly string[];
}

/** Checks the filters as Compute Optimizer does; returns a predicate over a recommendation. */
function filterOf<R extends { finding: string }>(
  raw: unknown,
  accessors: Readonly<Record<string, (rec: R) => readonly string[]>>,
): (rec: R) => boolean {
  if (raw === undefined) return () => true;
  if (!Array.isArray(raw)) throw invalidParameter('filters must be a list');
  const filters = raw as Filter[];
  for (const filter of filters) {
    if (!accessors[filter.name]) {
      throw invalidParameter(
        `Value '${filter.name}' at 'filters.name' failed to satisfy constraint: Member must satisfy enum value set: [${Object.keys(accessors).join(', ')}]`,
      );
    }
    if (!Array.isArray(filter.values) || filter.values.length === 0) {
      throw invalidParameter(`The filter ${filter.name} needs at least one value.`);
    }
  }
  return (rec) =>
    filters.every((f) =>
      (accessors[f.name] as (rec: R) => readonly string[])(rec).some((v) => f.values.includes(v)),
    );
}

function pageOf<R>(call: SampleCall, items: readonly R[], serverPage: number, request: unknown) {
  const { maxResults, nextToken } = call.input;
  if (
    maxResults !== undefined &&
    (!Number.isInteger(maxResults) || maxResults < 0 || maxResults > MAX_RESULTS)
  ) {
    throw invalidParameter(
      `1 validation error detected: Value '${maxResults}' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to ${MAX_RESULTS}`,
    );
  }
  return paginate(items, {
    token: nextToken,
    // A server may return fewer than asked for; 0 asks for the default.
    pageSize: Math.min(serverPage, maxResults || serverPage),
    request,
    invalidToken: () => invalidParameter('The nextToken is not valid.'),
  });
}

/** The recommendations of every kind in a region, as Compute Optimizer would have them at `call.now`. */
function regionRecommendations(account: SampleAccount, call: SampleCall) {
  const inventory = regionInventory(account, call.region, call.regions, call.now);
  const attached = inventory.volumes.filter((v) => v.instanceId !== null);
  return {
    instances: inventory.instances
      .filter((i) => hasHistory(i, call.now))
      .map((i) => instanceRecommendation(account, call.region, i, call.now))
      .sort((a, b) => a.instanceArn.localeCompare(b.instanceArn)),
    volumes: attached
      .filter((v) => hasHistory(v, call.now))
      .map((v) => volumeRecommendation(account, call.region, v, call.now))
      .sort((a, b) => a.volumeArn.localeCompare(b.volumeArn)),
    functions: inventory.functions
      .filter((f) => hasHistory(f, call.now))
      .map((f) => functionRecommendation(account, f, call.now))
      .sort((a, b) => a.functionArn.localeCompare(b.functionArn)),
  };
}

function requireOptIn(call: SampleCall): SampleAccount {
  if (!isOptedIn(call.account)) throw notOptedIn();
  return targetAccount(call);
}

function arnsFilter(raw: unknown, what: string): ((arn: string) => boolean) | null {
  if (raw === undefined) return null;
  if (!Array.isArray(raw)) throw invalidParameter(`${what} must be a list`);
  return (arn) => (raw as string[]).includes(arn);
}

function getEc2InstanceRecommendations(call: SampleCall): object {
  const account = requireOptIn(call);
  const { instanceArns, filters, accountIds } = call.input;
  type Rec = ReturnType<typeof instanceRecommendation>;
  const keep = filterOf<Rec>(filters, {
    Finding: (rec) => [rec.finding],
    FindingReasonCodes: (rec) => rec.findingReasonCodes,
    RecommendationSourceType: (rec) => rec.recommendationSources.map((s) => s.recommendationSourceType),
    InferredWorkloadTypes: (rec) => rec.inferredWorkloadTypes,
  });
  const byArn = arnsFilter(instanceArns, 'instanceArns');
  const items = regionRecommendations(account, call).instances.filter(
    (rec) => keep(rec) && (byArn === null || byArn(rec.instanceArn)),
  );
  const { page, nextToken } = pageOf(call, items, PAGE_SIZE.EC2, { instanceArns, filters, accountIds });
  return { instanceRecommendations: page, errors: [], ...(nextToken ? { nextToken } : {}) };
}

function getEbsVolumeRecommendations(call: SampleCall): object {
  const account = requireOptIn(call);
  const { volumeArns, filters, accountIds } = call.input;
  type Rec = ReturnType<typeof volumeRecommendation>;
  const keep = filterOf<Rec>(filters, { Finding: (rec) => [rec.finding] });
  const byArn = arnsFilter(volumeArns, 'volumeArns');
  const items = regionRecommendations(account, call).volumes.filter(
    (rec) => keep(rec) && (byArn === null || byArn(rec.volumeArn)),
  );
  const { page, nextToken } = pageOf(call, items, PAGE_SIZE.EBS, { volumeArns, filters, accountIds });
  return { volumeRecommendations: page, errors: [], ...(nextToken ? { nextToken } : {}) };
}

function getLambdaFunctionRecommendations(call: SampleCall): object {
  const account = requireOptIn(call);
  const { functionArns, filters, accountIds } = call.input;
  type Rec = ReturnType<typeof functionRecommendation>;
  const keep = filterOf<Rec>(filters, {
    Finding: (rec) => [rec.finding],
    FindingReasonCode: (rec) => rec.findingReasonCodes,
  });
  // An unqualified function ARN means its $LATEST version.
  const byArn = arnsFilter(
    Array.isArray(functionArns)
      ? (functionArns as string[]).map((arn) => (arn.split(':').length === 7 ? `${arn}:$LATEST` : arn))
      : functionArns,
    'functionArns',
  );
  const items = regionRecommendations(account, call).functions.filter(
    (rec) => keep(rec) && (byArn === null || byArn(rec.functionArn)),
  );
  const { page, nextToken } = pageOf(call, items, PAGE_SIZE.Lambda, { functionArns, filters, accountIds });
  return { lambdaFunctionRecommendations: page, ...(nextToken ? { nextToken } : {}) };
}

const LISTS: Readonly<Record<string, [string, string]>> = {
  GetEC2InstanceRecommendations: ['instanceRecommendations', 'instanceArn'],
  GetEBSVolumeRecommendations: ['volumeRecommendations', 'volumeArn'],
  GetLambdaFunctionRecommendations: ['lambdaFunctionRecommendations', 'functionArn'],
};

export const computeOptimizerSimulator: ServiceSimulator = {
  service: 'ComputeOptimizer',
  operations: {
    GetEC2InstanceRecommendations: getEc2InstanceRecommendations,
    GetEBSVolumeRecommendations: getEbsVolumeRecommendations,
    GetLambdaFunctionRecommendations: getLambdaFunctionRecommendations,
  },
  notEnabled: () => notOptedIn(),
  malform(operation, output) {
    const copy = structuredClone(output) as Record<string, unknown>;
    const [list, arn] = LISTS[operation] ?? [];
    if (list && arn) {
      const first = (copy[list] as Array<Record<string, unknown>> | undefined)?.[0];
      if (first) delete first[arn];
    }
    return copy;
  },
};
