import { SAMPLE_MANAGEMENT_ACCOUNT_INDEX, type SampleAccount } from '../accounts.ts';
import { Random } from '../random.ts';
import { awsError, paginate, type SampleCall, type ServiceSimulator } from '../simulator.ts';

/** Services with their usage types, each with a share of the account's daily spend and a usage unit. */
const CATALOG: ReadonlyArray<{
  service: string;
  weight: number;
  usage: ReadonlyArray<{ type: string; share: number; unit: string; unitPrice: number }>;
}> = [
  {
    service: 'Amazon Elastic Compute Cloud - Compute',
    weight: 30,
    usage: [
      { type: 'BoxUsage:m6i.large', share: 0.45, unit: 'Hrs', unitPrice: 0.096 },
      { type: 'BoxUsage:t3.medium', share: 0.2, unit: 'Hrs', unitPrice: 0.0416 },
      { type: 'BoxUsage:c6g.xlarge', share: 0.25, unit: 'Hrs', unitPrice: 0.136 },
      { type: 'SpotUsage:m5.xlarge', share: 0.1, unit: 'Hrs', unitPrice: 0.072 },
    ],
  },
  {
    service: 'EC2 - Other',
    weight: 9,
    usage: [
      { type: 'EBS:VolumeUsage.gp3', share: 0.5, unit: 'GB-Mo', unitPrice: 0.08 },
      { type: 'NatGateway-Hours', share: 0.25, unit: 'Hrs', unitPrice: 0.045 },
      { type: 'NatGateway-Bytes', share: 0.15, unit: 'GB', unitPrice: 0.045 },
      { type: 'EBS:SnapshotUsage', share: 0.1, unit: 'GB-Mo', unitPrice: 0.05 },
    ],
  },
  {
    service: 'Amazon Relational Database Service',
    weight: 18,
    usage: [
      { type: 'InstanceUsage:db.r6g.large', share: 0.7, unit: 'Hrs', unitPrice: 0.225 },
      { type: 'RDS:GP3-Storage', share: 0.2, unit: 'GB-Mo', unitPrice: 0.115 },
      { type: 'RDS:ChargedBackupUsage', share: 0.1, unit: 'GB-Mo', unitPrice: 0.095 },
    ],
  },
  {
    service: 'Amazon Simple Storage Service',
    weight: 8,
    usage: [
      { type: 'TimedStorage-ByteHrs', share: 0.7, unit: 'GB-Mo', unitPrice: 0.023 },
      { type: 'Requests-Tier1', share: 0.2, unit: 'Requests', unitPrice: 0.000005 },
      { type: 'Requests-Tier2', share: 0.1, unit: 'Requests', unitPrice: 0.0000004 },
    ],
  },
  {
    service: 'AWS Lambda',
    weight: 4,
    usage: [
      { type: 'Lambda-GB-Second-ARM', share: 0.8, unit: 'Lambda-GB-Second', unitPrice: 0.0000133334 },
      { type: 'Request-ARM', share: 0.2, unit: 'Requests', unitPrice: 0.0000002 },
    ],
  },
  {
    service: 'Amazon DynamoDB',
    weight: 5,
    usage: [
      { type: 'ReadRequestUnits', share: 0.4, unit: 'ReadRequestUnits', unitPrice: 0.00000025 },
      { type: 'WriteRequestUnits', share: 0.4, unit: 'WriteRequestUnits', unitPrice: 0.00000125 },
      { type: 'TimedStorage-ByteHrs', share: 0.2, unit: 'GB-Mo', unitPrice: 0.25 },
    ],
  },
  {
    service: 'Amazon CloudWatch',
    weight: 4,
    usage: [
      { type: 'CW:MetricMonitorUsage', share: 0.5, unit: 'Metrics', unitPrice: 0.3 },
      { type: 'DataProcessing-Bytes', share: 0.35, unit: 'GB', unitPrice: 0.5 },
      { type: 'TimedStorage-ByteHrs', share: 0.15, unit: 'GB-Mo', unitPrice: 0.03 },
    ],
  },
  {
    service: 'Elastic Load Balancing',
    weight: 4,
    usage: [
      { type: 'LoadBalancerUsage', share: 0.6, unit: 'Hrs', unitPrice: 0.0225 },
      { type: 'LCUUsage', share: 0.4, unit: 'LCU-Hrs', unitPrice: 0.008 },
    ],
  },
  {
    service: 'Amazon Virtual Private Cloud',
    weight: 3,
    usage: [
      { type: 'VpcEndpoint-Hours', share: 0.6, unit: 'Hrs', unitPrice: 0.01 },
      { type: 'PublicIPv4:InUseAddress', share: 0.4, unit: 'Hrs', unitPrice: 0.005 },
    ],
  },
  {
    service: 'AWS Key Management Service',
    weight: 1,
    usage: [
      { type: 'KMS-Keys', share: 0.7, unit: 'Keys', unitPrice: 1 },
      { type: 'KMS-Requests', share: 0.3, unit: 'Requests', unitPrice: 0.000003 },
    ],
  },
  {
    service: 'AWS Security Hub',
    weight: 1.5,
    usage: [
      { type: 'PaidComplianceCheck', share: 0.8, unit: 'Checks', unitPrice: 0.001 },
      { type: 'PaidFindingsIngestion', share: 0.2, unit: 'Events', unitPrice: 0.00003 },
    ],
  },
  {
    service: 'Amazon GuardDuty',
    weight: 1.5,
    usage: [{ type: 'PaidEventsAnalyzed', share: 1, unit: 'Events', unitPrice: 0.000004 }],
  },
  {
    service: 'AWS WAF',
    weight: 1,
    usage: [
      { type: 'WebACL', share: 0.4, unit: 'WebACL', unitPrice: 5 },
      { type: 'Rule', share: 0.3, unit: 'Rule', unitPrice: 1 },
      { type: 'Request', share: 0.3, unit: 'Requests', unitPrice: 0.0000006 },
    ],
  },
  {
    service: 'Amazon CloudFront',
    weight: 3,
    usage: [
      { type: 'DataTransfer-Out-Bytes', share: 0.8, unit: 'GB', unitPrice: 0.085 },
      { type: 'Requests-Tier1', share: 0.2, unit: 'Requests', unitPrice: 0.0000075 },
    ],
  },
  {
    service: 'AWS Config',
    weight: 1,
    usage: [{ type: 'ConfigurationItemRecorded', share: 1, unit: 'ConfigurationItem', unitPrice: 0.003 }],
  },
  {
    service: 'AWS CloudTrail',
    weight: 0.5,
    usage: [{ type: 'PaidEventsRecorded', share: 1, unit: 'Events', unitPrice: 0.000002 }],
  },
  {
    service: 'Amazon Route 53',
    weight: 0.5,
    usage: [
      { type: 'HostedZone', share: 0.5, unit: 'HostedZone', unitPrice: 0.5 },
      { type: 'DNS-Queries', share: 0.5, unit: 'Queries', unitPrice: 0.0000004 },
    ],
  },
  {
    service: 'AWS Secrets Manager',
    weight: 0.5,
    usage: [{ type: 'AWSSecretsManager-Secrets', share: 1, unit: 'Secrets', unitPrice: 0.4 }],
  },
  {
    service: 'Amazon Elastic Kubernetes Service',
    weight: 3,
    usage: [{ type: 'AmazonEKS-Hours:perCluster', share: 1, unit: 'Hours', unitPrice: 0.1 }],
  },
];

const REGION_PREFIX: Record<string, string> = {
  'us-east-1': 'USE1',
  'us-east-2': 'USE2',
  'us-west-2': 'USW2',
  'eu-west-1': 'EUW1',
  'eu-central-1': 'EUC1',
  'ap-southeast-1': 'APS1',
  'ap-southeast-2': 'APS2',
  'ap-northeast-1': 'APN1',
};

/** Spend per day in USD for a scale-1 account. */
const BASE_DAILY_SPEND = 120;
const GROUP_PAGE_SIZE = 20;
const DAY_MS = 86_400_000;

interface UsageLine {
  readonly service: string;
  readonly usageType: string;
  readonly unit: string;
  readonly unitPrice: number;
  /** Expected daily cost of this line. */
  readonly daily: number;
}

const linesCache = new Map<string, UsageLine[]>();

/** The services an account uses (not every account uses everything) and their expected daily cost. */
export function usageLines(account: SampleAccount, regions: readonly string[]): UsageLine[] {
  const cacheKey = `${account.id}|${regions.join(',')}`;
  const cached = linesCache.get(cacheKey);
  if (cached) return cached;
  const random = new Random(account.id, 'ce-lines');
  const totalWeight = CATALOG.reduce((sum, s) => sum + s.weight, 0);
  const lines: UsageLine[] = [];
  const homePrefix = REGION_PREFIX[regions[0] ?? 'us-east-1'] ?? 'USE1';
  for (const entry of CATALOG) {
    if (account.environment === 'sandbox' && random.chance(0.5)) continue;
    if (
      !['AWS Key Management Service', 'AWS CloudTrail', 'AWS Config'].includes(entry.service) &&
      random.chance(0.12)
    )
      continue;
    const serviceDaily =
      (BASE_DAILY_SPEND * account.scale * entry.weight * random.float(0.5, 1.6)) / totalWeight;
    for (const usage of entry.usage) {
      const region = random.chance(0.7) ? homePrefix : (REGION_PREFIX[random.pick(regions)] ?? homePrefix);
      lines.push({
        service: entry.service,
        usageType: `${region}-${usage.type}`,
        unit: usage.unit,
        unitPrice: usage.unitPrice,
        daily: serviceDaily * usage.share,
      });
    }
  }
  if (account.environment !== 'sandbox') {
    lines.push({ service: 'Tax', usageType: 'Tax', unit: 'N/A', unitPrice: 1, daily: 0 });
  }
  linesCache.set(cacheKey, lines);
  return lines;
}

/** Cost of a line on one day: weekday rhythm, a slow trend and noise, all deterministic. */
export function lineCost(account: SampleAccount, line: UsageLine, day: string): number {
  if (line.service === 'Tax') return 0;
  const random = new Random(account.id, line.usageType, line.service, day);
  const date = new Date(`${day}T00:00:00Z`);
  const weekday = date.getUTCDay();
  const weekly = weekday === 0 || weekday === 6 ? 0.82 : 1.04;
  const trend = 1 + ((date.getTime() / DAY_MS) % 365) / 3650;
  const spike = random.chance(0.02) ? random.float(1.5, 3) : 1;
  return line.daily * weekly * trend * spike * random.float(0.85, 1.15);
}

function daysBetween(start: string, end: string): string[] {
  const days: string[] = [];
  for (let t = Date.parse(`${start}T00:00:00Z`); t < Date.parse(`${end}T00:00:00Z`); t += DAY_MS) {
    days.push(new Date(t).toISOString().slice(0, 10));
  }
  return days;
}

function periods(start: string, end: string, granularity: string): Array<{ Start: string; End: string }> {
  const days = daysBetween(start, end);
  if (granularity === 'DAILY') {
    return days.map((day) => ({ Start: day, End: daysBetween(day, end)[1] ?? end }));
  }
  const out: Array<{ Start: string; End: string }> = [];
  for (const day of days) {
    const last = out.at(-1);
    if (last && last.Start.slice(0, 7) === day.slice(0, 7)) continue;
    const next = new Date(Date.UTC(Number(day.slice(0, 4)), Number(day.slice(5, 7)), 1))
      .toISOString()
      .slice(0, 10);
    out.push({ Start: day, End: next < end ? next : end });
  }
  return out;
}

function money(amount: number): { Amount: string; Unit: string } {
  return { Amount: amount.toFixed(10), Unit: 'USD' };
}

function validationError(message: string): Error {
  return awsError('ValidationException', message);
}

/** The values a filter requires of a dimension (alone or inside a top-level `And`), if it names it. */
// biome-ignore lint/suspicious/noExplicitAny: the CE filter expression is recursive and loosely typed
export function dimensionValues(filter: any, key: string): string[] | undefined {
  if (!filter) return undefined;
  if (filter.Dimensions?.Key === key) return filter.Dimensions.Values ?? [];
  for (const child of filter.And ?? []) {
    const found = dimensionValues(child, key);
    if (found) return found;
  }
  return undefined;
}

function linkedAccounts(filter: unknown): string[] | undefined {
  return dimensionValues(filter, 'LINKED_ACCOUNT');
}

/**
 * Whose charges a request sees: the management account sees every account of the organization, any other
 * account only its own; a LINKED_ACCOUNT filter narrows that.
 */
export function visibleAccounts(call: SampleCall, filter: unknown): SampleAccount[] {
  const named = linkedAccounts(filter);
  const seen = call.account.index === SAMPLE_MANAGEMENT_ACCOUNT_INDEX ? call.accounts : [call.account];
  return seen.filter((a) => named === undefined || named.includes(a.id));
}

/** GetCostAndUsage group keys the sample organization answers. */
export const GROUP_KEYS = ['SERVICE', 'USAGE_TYPE', 'LINKED_ACCOUNT'];

function getCostAndUsage(call: SampleCall): object {
  const { TimePeriod, Granularity, Metrics, GroupBy, Filter, NextPageToken } = call.input;
  if (!TimePeriod?.Start || !TimePeriod?.End || TimePeriod.Start >= TimePeriod.End) {
    throw validationError('Start date (and hour) should be before end date (and hour)');
  }
  if (!['DAILY', 'MONTHLY', 'HOURLY'].includes(Granularity)) throw validationError('Granularity is invalid');
  if (!Array.isArray(Metrics) || Metrics.length === 0) throw validationError('Metrics are required');
  const groupKeys: string[] = (GroupBy ?? []).map((g: { Type: string; Key: string }) => g.Key);
  if (groupKeys.length > 2) throw validationError('You can group by up to two dimensions');
  if (groupKeys.some((k) => !GROUP_KEYS.includes(k))) {
    throw validationError(`the sample organization groups by ${GROUP_KEYS.join(', ')} only`);
  }
  const services = dimensionValues(Filter, 'SERVICE');
  const lines = visibleAccounts(call, Filter).flatMap((account) =>
    usageLines(account, call.regions)
      .filter((line) => services === undefined || services.includes(line.service))
      .map((line) => ({ account, line })),
  );

  const results = periods(TimePeriod.Start, TimePeriod.End, Granularity).map((period) => {
    const days = daysBetween(period.Start, period.End);
    const groups = new Map<string, { keys: string[]; cost: number; quantity: number; unit: string }>();
    let total = 0;
    let quantity = 0;
    for (const { account, line } of lines) {
      const cost = days.reduce((sum, day) => sum + lineCost(account, line, day), 0);
      const used = line.unitPrice > 0 ? cost / line.unitPrice : 0;
      total += cost;
      quantity += used;
      if (groupKeys.length === 0) continue;
      const keys = groupKeys.map((k) =>
        k === 'SERVICE' ? line.service : k === 'USAGE_TYPE' ? line.usageType : account.id,
      );
      const id = keys.join('\u0000');
      const group = groups.get(id) ?? { keys, cost: 0, quantity: 0, unit: line.unit };
      group.cost += cost;
      group.quantity += used;
      groups.set(id, group);
    }
    const metricValues = (cost: number, used: number, unit: string) =>
      Object.fromEntries(
        Metrics.map((m: string) => [
          m,
          m === 'UsageQuantity' ? { Amount: used.toFixed(6), Unit: unit } : money(cost),
        ]),
      );
    const estimated = Date.parse(`${period.End}T00:00:00Z`) > call.now.getTime() - 2 * DAY_MS;
    return {
      TimePeriod: period,
      Total: groupKeys.length === 0 ? metricValues(total, quantity, 'N/A') : {},
      Groups: [...groups.values()].map((g) => ({
        Keys: g.keys,
        Metrics: metricValues(g.cost, g.quantity, g.unit),
      })),
      Estimated: estimated,
    };
  });

  // AWS pages grouped results by splitting the groups of the periods across pages.
  type Group = (typeof results)[number]['Groups'][number];
  const flat = results.flatMap(
    (r, i): Array<{ i: number; group: Group | null }> =>
      r.Groups.length === 0 ? [{ i, group: null }] : r.Groups.map((group) => ({ i, group })),
  );
  const { page, nextToken } = paginate(flat, {
    token: NextPageToken,
    pageSize: GROUP_PAGE_SIZE,
    request: { TimePeriod, Granularity, Metrics, GroupBy, Filter },
    invalidToken: () => awsError('InvalidNextTokenException', 'The pagination token is invalid.'),
  });
  const byPeriod = new Map<number, (typeof results)[number]>();
  for (const { i, group } of page) {
    const result = results[i] as (typeof results)[number];
    const entry = byPeriod.get(i) ?? { ...result, Groups: [] };
    if (group) entry.Groups.push(group);
    byPeriod.set(i, entry);
  }
  return {
    ResultsByTime: [...byPeriod.values()],
    GroupDefinitions: (GroupBy ?? []).map((g: { Type: string; Key: string }) => ({
      Type: g.Type,
      Key: g.Key,
    })),
    DimensionValueAttributes: [],
    ...(nextToken ? { NextPageToken: nextToken } : {}),
  };
}

function getCostForecast(call: SampleCall): object {
  const { TimePeriod, Metric, Granularity, Filter, PredictionIntervalLevel } = call.input;
  const today = call.now.toISOString().slice(0, 10);
  if (!TimePeriod?.Start || !TimePeriod?.End || TimePeriod.Start >= TimePeriod.End) {
    throw validationError('Start date should be before end date');
  }
  if (TimePeriod.Start < today) throw validationError(`Start date must be equal to or later than ${today}`);
  if (!Metric) throw validationError('Metric is required');
  if (!['DAILY', 'MONTHLY'].includes(Granularity))
    throw validationError('Granularity must be DAILY or MONTHLY');
  if (call.now.getTime() - call.account.joinedAt.getTime() < 30 * DAY_MS) {
    throw awsError(
      'DataUnavailableException',
      'Insufficient amount of historical data to generate forecast.',
    );
  }
  const accounts = linkedAccounts(Filter);
  const lines =
    accounts === undefined || accounts.includes(call.account.id)
      ? usageLines(call.account, call.regions)
      : [];
  const spread = (100 - (PredictionIntervalLevel ?? 80)) / 400 + 0.05;
  let total = 0;
  const results = periods(TimePeriod.Start, TimePeriod.End, Granularity).map((period) => {
    const mean = daysBetween(period.Start, period.End).reduce(
      (sum, day) => sum + lines.reduce((s, line) => s + lineCost(call.account, line, day), 0),
      0,
    );
    total += mean;
    return {
      TimePeriod: period,
      MeanValue: mean.toFixed(10),
      PredictionIntervalLowerBound: (mean * (1 - spread)).toFixed(10),
      PredictionIntervalUpperBound: (mean * (1 + spread)).toFixed(10),
    };
  });
  return { Total: money(total), ForecastResultsByTime: results };
}

export const costExplorerSimulator: ServiceSimulator = {
  service: 'CostExplorer',
  operations: { GetCostAndUsage: getCostAndUsage, GetCostForecast: getCostForecast },
  notEnabled: () =>
    awsError('AccessDeniedException', 'User not enabled for cost explorer access', { status: 400 }),
  malform(operation, output) {
    const copy = structuredClone(output) as Record<string, unknown>;
    if (operation === 'GetCostAndUsage') {
      const first = (copy.ResultsByTime as Array<Record<string, unknown>> | undefined)?.[0];
      if (first) delete first.TimePeriod;
    } else {
      delete copy.ForecastResultsByTime;
    }
    return copy;
  },
};
