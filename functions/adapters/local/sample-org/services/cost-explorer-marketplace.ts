import type { Environment, SampleAccount } from '../accounts.ts';
import { Random } from '../random.ts';
import { awsError, paginate, type SampleCall } from '../simulator.ts';
import { costExplorerSimulator, dimensionValues, lineCost, visibleAccounts } from './cost-explorer.ts';

/**
 * AWS Marketplace spend in Cost Explorer. Marketplace charges have BILLING_ENTITY "AWS Marketplace" (every
 * other charge "AWS") and their SERVICE is the product's name. `costExplorerMarketplaceOperations` answers
 * GetCostAndUsage requests that filter on BILLING_ENTITY and passes every other request to the Cost Explorer
 * simulator, which knows no Marketplace charges.
 */

export const MARKETPLACE_BILLING_ENTITY = 'AWS Marketplace';

const DAY_MS = 86_400_000;
/** Groups per page: small, so a month of a few products needs several pages. */
const GROUP_PAGE_SIZE = 3;

interface Product {
  /** The SERVICE dimension value: the product's title as billed. */
  readonly name: string;
  /** The pricing dimension the usage type names. */
  readonly dimension: string;
  readonly unit: string;
  readonly unitPrice: number;
  /** Daily spend range in USD for a scale-1 account. */
  readonly daily: readonly [number, number];
  /** Where it is typically bought; others buy it less often. */
  readonly environments: readonly Environment[];
}

const CATALOG: readonly Product[] = [
  {
    name: 'Datadog Pro (Pay-As-You-Go)',
    dimension: 'infra_hosts',
    unit: 'Hosts',
    unitPrice: 0.5,
    daily: [8, 40],
    environments: ['production', 'staging', 'development', 'management'],
  },
  {
    name: 'CrowdStrike Falcon Cloud Security',
    dimension: 'protected_workloads',
    unit: 'Workloads',
    unitPrice: 0.32,
    daily: [6, 30],
    environments: ['production', 'security', 'staging'],
  },
  {
    name: 'Snowflake Data Cloud',
    dimension: 'compute_credits',
    unit: 'Credits',
    unitPrice: 3,
    daily: [25, 180],
    environments: ['production', 'development'],
  },
  {
    name: 'MongoDB Atlas (pay-as-you-go)',
    dimension: 'atlas_usage',
    unit: 'Units',
    unitPrice: 0.01,
    daily: [5, 70],
    environments: ['production', 'staging', 'development'],
  },
  {
    name: 'VM-Series Next-Generation Firewall (PAYG Bundle 2)',
    dimension: 'vm_series_hours',
    unit: 'Hrs',
    unitPrice: 1.47,
    daily: [30, 70],
    environments: ['production'],
  },
  {
    name: 'Splunk Cloud Platform',
    dimension: 'ingest_gb',
    unit: 'GB',
    unitPrice: 0.15,
    daily: [20, 90],
    environments: ['security', 'management'],
  },
  {
    name: 'Confluent Cloud (Pay as you go)',
    dimension: 'confluent_units',
    unit: 'Units',
    unitPrice: 0.02,
    daily: [10, 60],
    environments: ['production', 'staging'],
  },
  {
    name: 'GitLab Ultimate',
    dimension: 'seats',
    unit: 'Seats',
    unitPrice: 3.25,
    daily: [3, 15],
    environments: ['management', 'development'],
  },
];

const COUNT: Record<Environment, readonly [number, number]> = {
  management: [1, 2],
  security: [1, 2],
  production: [2, 4],
  staging: [1, 3],
  development: [1, 2],
  sandbox: [0, 0],
};

/** A Marketplace subscription of an account: the product, its spend and when it started (and ended). */
export interface MarketplaceSubscription {
  readonly product: Product;
  /** Expected daily cost, in the Cost Explorer simulator's line shape (for `lineCost`). */
  readonly line: {
    readonly service: string;
    readonly usageType: string;
    readonly unit: string;
    readonly unitPrice: number;
    readonly daily: number;
  };
  readonly startDay: string;
  readonly endDay: string | null;
}

const isoDay = (time: number) => new Date(time).toISOString().slice(0, 10);

/**
 * The account's Marketplace subscriptions over time. The first starts within three weeks of the account
 * joining and runs on; the others start later and some are cancelled after a few months.
 */
export function marketplaceSubscriptions(account: SampleAccount): MarketplaceSubscription[] {
  const random = new Random(account.id, 'marketplace');
  const [low, high] = COUNT[account.environment];
  const wanted = random.int(low, high);
  const preferred = CATALOG.filter((p) => p.environments.includes(account.environment));
  const others = CATALOG.filter((p) => !p.environments.includes(account.environment));
  const chosen: Product[] = [];
  while (chosen.length < wanted) {
    const pool = (
      random.chance(0.85) && preferred.some((p) => !chosen.includes(p)) ? preferred : others
    ).filter((p) => !chosen.includes(p));
    if (pool.length === 0) break;
    chosen.push(random.pick(pool));
  }
  const joined = account.joinedAt.getTime();
  return chosen.map((product, i) => {
    const start = i === 0 ? joined + random.int(0, 20) * DAY_MS : joined + random.int(30, 900) * DAY_MS;
    const cancelled = i > 0 && random.chance(0.2);
    const [min, max] = product.daily;
    return {
      product,
      line: {
        service: product.name,
        usageType: `MP:${product.dimension}`,
        unit: product.unit,
        unitPrice: product.unitPrice,
        daily: random.float(min, max) * Math.max(0.4, Math.min(account.scale, 4)),
      },
      startDay: isoDay(start),
      endDay: cancelled ? isoDay(start + random.int(60, 240) * DAY_MS) : null,
    };
  });
}

/** A subscription's cost on one day: nothing outside the subscription, Cost Explorer's daily rhythm inside. */
export function marketplaceCost(
  account: SampleAccount,
  subscription: MarketplaceSubscription,
  day: string,
): number {
  if (day < subscription.startDay || (subscription.endDay !== null && day >= subscription.endDay)) return 0;
  return lineCost(account, subscription.line, day);
}

function validationError(message: string): Error {
  return awsError('ValidationException', message);
}

function daysBetween(start: string, end: string): string[] {
  const days: string[] = [];
  for (let t = Date.parse(`${start}T00:00:00Z`); t < Date.parse(`${end}T00:00:00Z`); t += DAY_MS) {
    days.push(isoDay(t));
  }
  return days;
}

/** The periods of a window: each day, or each calendar month cut to the window. */
function periods(start: string, end: string, granularity: string): Array<{ Start: string; End: string }> {
  const days = daysBetween(start, end);
  if (granularity === 'DAILY') return days.map((day, i) => ({ Start: day, End: days[i + 1] ?? end }));
  const out: Array<{ Start: string; End: string }> = [];
  for (const day of days) {
    if (out.at(-1)?.Start.slice(0, 7) === day.slice(0, 7)) continue;
    const next = isoDay(Date.UTC(Number(day.slice(0, 4)), Number(day.slice(5, 7)), 1));
    out.push({ Start: day, End: next < end ? next : end });
  }
  return out;
}

/**
 * GetCostAndUsage of Marketplace charges (the caller's, or every account's for the management account), grouped
 * by SERVICE (the product), LINKED_ACCOUNT, both, or not at all.
 */
function marketplaceCostAndUsage(call: SampleCall): object {
  const { TimePeriod, Granularity, Metrics, GroupBy, Filter, NextPageToken } = call.input;
  if (!TimePeriod?.Start || !TimePeriod?.End || TimePeriod.Start >= TimePeriod.End) {
    throw validationError('Start date (and hour) should be before end date (and hour)');
  }
  if (!['DAILY', 'MONTHLY'].includes(Granularity)) throw validationError('Granularity is invalid');
  if (!Array.isArray(Metrics) || Metrics.length === 0) throw validationError('Metrics are required');
  const groupKeys: string[] = (GroupBy ?? []).map((g: { Type: string; Key: string }) => g.Key);
  if (groupKeys.some((k) => k !== 'SERVICE' && k !== 'LINKED_ACCOUNT')) {
    throw validationError(
      'the sample organization groups Marketplace charges by SERVICE and LINKED_ACCOUNT only',
    );
  }
  const products = dimensionValues(Filter, 'SERVICE');
  const subscriptions = visibleAccounts(call, Filter).flatMap((account) =>
    marketplaceSubscriptions(account)
      .filter((s) => products === undefined || products.includes(s.product.name))
      .map((s) => ({ account, s })),
  );

  const results = periods(TimePeriod.Start, TimePeriod.End, Granularity).map((period) => {
    const days = daysBetween(period.Start, period.End);
    const costs = subscriptions
      .map(({ account, s }) => ({
        account,
        s,
        cost: days.reduce((sum, day) => sum + marketplaceCost(account, s, day), 0),
      }))
      // Cost Explorer has no group for a product without charges in the period.
      .filter(({ cost }) => cost > 0);
    const metrics = (cost: number, quantity: number, unit: string) =>
      Object.fromEntries(
        Metrics.map((m: string) => [
          m,
          m === 'UsageQuantity'
            ? { Amount: quantity.toFixed(6), Unit: unit }
            : { Amount: cost.toFixed(10), Unit: 'USD' },
        ]),
      );
    const total = costs.reduce((sum, c) => sum + c.cost, 0);
    return {
      TimePeriod: period,
      Total: groupKeys.length === 0 ? metrics(total, 0, 'N/A') : {},
      Groups:
        groupKeys.length === 0
          ? []
          : [
              ...costs
                .reduce((groups, { account, s, cost }) => {
                  // One group per distinct key: the same product of several accounts adds up unless grouped by account.
                  const keys = groupKeys.map((k) => (k === 'SERVICE' ? s.product.name : account.id));
                  const id = keys.join('\u0000');
                  const group = groups.get(id) ?? { keys, cost: 0, quantity: 0, unit: s.product.unit };
                  group.cost += cost;
                  group.quantity += cost / s.product.unitPrice;
                  groups.set(id, group);
                  return groups;
                }, new Map<string, { keys: string[]; cost: number; quantity: number; unit: string }>())
                .values(),
            ]
              .sort((a, b) => a.keys.join('\u0000').localeCompare(b.keys.join('\u0000')))
              .map((g) => ({ Keys: g.keys, Metrics: metrics(g.cost, g.quantity, g.unit) })),
      Estimated: Date.parse(`${period.End}T00:00:00Z`) > call.now.getTime() - 2 * DAY_MS,
    };
  });

  // As AWS does, the groups of the periods are split across pages; a period without groups still appears.
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
    const entry = byPeriod.get(i) ?? { ...(results[i] as (typeof results)[number]), Groups: [] };
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

const costAndUsage = costExplorerSimulator.operations.GetCostAndUsage as (call: SampleCall) => object;

/**
 * GetCostAndUsage with BILLING_ENTITY understood: "AWS Marketplace" is answered here; any other request (no
 * BILLING_ENTITY filter, or "AWS" only) by the Cost Explorer simulator. To wire: the CostExplorer simulator's
 * operations with these merged over them.
 */
export const costExplorerMarketplaceOperations: Readonly<Record<string, (call: SampleCall) => object>> = {
  GetCostAndUsage(call) {
    const entities = dimensionValues(call.input.Filter, 'BILLING_ENTITY');
    return entities?.includes(MARKETPLACE_BILLING_ENTITY)
      ? marketplaceCostAndUsage(call)
      : costAndUsage(call);
  },
};
