import {
  type CostExplorerClient,
  type Expression,
  GetCostAndUsageCommand,
  type GetCostAndUsageCommandOutput,
  type Group,
  type ResultByTime,
} from '@aws-sdk/client-cost-explorer';
import { z } from 'zod';
import { classifyAwsError, required } from '../collectors/aws-errors.ts';
import {
  type CostAndUsageQuery,
  costAndUsageFingerprint,
  isCostExplorerNotEnabled,
  type PrefetchedResponses,
  withoutLinkedAccount,
} from '../collectors/cost-explorer.ts';
import { getCategory } from '../collectors/registry.ts';
import { parsePeriod, resolveWindow } from '../platform/period.ts';
import type { BlobStore, Clock, Log } from '../ports.ts';
import { parseInput } from './input.ts';

/** Where collect-category finds an account's prefetched Cost Explorer answers for a run. */
export function costExplorerPrefetchKey(runId: string, accountId: string): string {
  return `orchestration/${runId}/cost-explorer/${accountId}.json`;
}

export const prefetchFileSchema = z.object({
  mode: z.literal('organization'),
  responses: z.record(z.string(), z.record(z.string(), z.unknown())),
});

export interface PrefetchDeps {
  readonly blobs: BlobStore;
  readonly clock: Clock;
  readonly log: Log;
  /**
   * Cost Explorer of the management account, for the requests of one category; absent when every account
   * queries its own (per-account mode).
   */
  readonly managementCostExplorer?: (category: string) => CostExplorerClient;
}

const prefetchInputSchema = z.object({
  runId: z.string().min(1),
  period: z.string().min(1),
  date: z.string().min(1),
  categories: z.array(z.string()).min(1),
  accountsKey: z.string().min(1),
});

export interface PrefetchOutput {
  readonly mode: 'organization' | 'per-account';
  /** Cost Explorer requests made here, for the whole organization. */
  readonly requests: number;
  /** Account-level requests answered from them. */
  readonly answered: number;
}

const LINKED_ACCOUNT = { Type: 'DIMENSION', Key: 'LINKED_ACCOUNT' } as const;

interface Shape {
  /** The first category that sends requests of this shape. */
  readonly category: string;
  readonly query: CostAndUsageQuery;
  /** Each account's own request of this shape. */
  readonly accounts: Map<string, CostAndUsageQuery>;
}

/** Every page of an organization-wide query, counting the requests. */
async function allPages(
  client: CostExplorerClient,
  query: CostAndUsageQuery,
  counter: { requests: number },
): Promise<ResultByTime[]> {
  const results: ResultByTime[] = [];
  let token: string | undefined;
  do {
    counter.requests += 1;
    const page: GetCostAndUsageCommandOutput = await client.send(
      new GetCostAndUsageCommand({ ...query, ...(token ? { NextPageToken: token } : {}) }),
    );
    results.push(...required(page.ResultsByTime, 'GetCostAndUsage ResultsByTime'));
    token = page.NextPageToken;
  } while (token);
  return results;
}

/** The periods of a result (a period's groups may come on several pages) with every group, in order. */
function byPeriod(results: readonly ResultByTime[]) {
  const periods = new Map<string, { result: ResultByTime; groups: Group[] }>();
  results.forEach((result, i) => {
    const period = required(result.TimePeriod, `GetCostAndUsage ResultsByTime[${i}].TimePeriod`);
    const key = `${required(period.Start, 'TimePeriod.Start')}/${required(period.End, 'TimePeriod.End')}`;
    const entry = periods.get(key) ?? { result, groups: [] };
    entry.groups.push(...(result.Groups ?? []));
    periods.set(key, entry);
  });
  return [...periods.values()];
}

/**
 * What the account's own request would have answered, from an organization-wide result whose groups carry the
 * account: its groups with their keys as the account's request names them, or, for an ungrouped request, the
 * total of its groups (zero for an account without charges).
 */
function accountAnswer(
  query: CostAndUsageQuery,
  periods: ReturnType<typeof byPeriod>,
  groupOf: (group: Group) => { accountId: string; keys: string[] } | undefined,
  accountId: string,
): GetCostAndUsageCommandOutput {
  const grouped = (query.GroupBy ?? []).length > 0;
  const metrics = query.Metrics ?? [];
  return {
    $metadata: {},
    GroupDefinitions: query.GroupBy ?? [],
    DimensionValueAttributes: [],
    ResultsByTime: periods.map(({ result, groups }) => {
      const own = groups.flatMap((group) => {
        const found = groupOf(group);
        return found?.accountId === accountId ? [{ ...group, Keys: found.keys }] : [];
      });
      if (grouped) {
        return { TimePeriod: result.TimePeriod, Total: {}, Groups: own, Estimated: result.Estimated };
      }
      const total = Object.fromEntries(
        metrics.map((metric) => {
          const values = own.map((g) => g.Metrics?.[metric]);
          const amount = values.reduce((sum, v) => sum + Number(v?.Amount ?? 0), 0);
          return [metric, { Amount: String(amount), Unit: values.find((v) => v?.Unit)?.Unit ?? 'USD' }];
        }),
      );
      return { TimePeriod: result.TimePeriod, Total: total, Groups: [], Estimated: result.Estimated };
    }),
  };
}

function and(filter: Expression | undefined, extra: Expression): Expression {
  return filter ? { And: [filter, extra] } : extra;
}

/**
 * The step of `orchestrate` that makes the organization's Cost Explorer requests once. Every category that
 * declares its GetCostAndUsage requests (cost, service usage, Marketplace) asks the management account once
 * per request shape, grouped by linked account as well, and each account's answers are written for its
 * collectors, which then send nothing for them. A request grouped by two dimensions (Cost Explorer allows no
 * third) is asked once per value of its first dimension, and only when that is fewer requests than asking
 * per account. Without a management-account client, every account asks for itself (per-account mode).
 */
export async function prefetchCostExplorer(deps: PrefetchDeps, input: unknown): Promise<PrefetchOutput> {
  const request = parseInput(prefetchInputSchema, input, 'prefetch-cost-explorer');
  const clientFor = deps.managementCostExplorer;
  if (!clientFor) return { mode: 'per-account', requests: 0, answered: 0 };
  const window = resolveWindow(parsePeriod(request.period), request.date, deps.clock.now());
  const planned = z
    .array(z.object({ accountId: z.string() }))
    .parse(JSON.parse((await deps.blobs.get(request.accountsKey)) ?? '[]'))
    .map((a) => a.accountId);

  const shapes = new Map<string, Shape>();
  for (const category of request.categories) {
    const queriesOf = getCategory(category).collector.costAndUsageQueries;
    if (!queriesOf) continue;
    for (const accountId of planned) {
      for (const query of queriesOf(accountId, window)) {
        const split = withoutLinkedAccount(query.Filter);
        if (split?.accountId !== accountId) continue;
        const { Filter: _filter, ...others } = query;
        const shape: CostAndUsageQuery = split.rest ? { ...others, Filter: split.rest } : others;
        const key = costAndUsageFingerprint(shape);
        const entry = shapes.get(key) ?? { category, query: shape, accounts: new Map() };
        entry.accounts.set(accountId, query);
        shapes.set(key, entry);
      }
    }
  }

  const counter = { requests: 0 };
  const answers = new Map<string, Record<string, GetCostAndUsageCommandOutput>>(
    planned.map((id) => [id, {}]),
  );
  const answer = (
    shape: Shape,
    periods: ReturnType<typeof byPeriod>,
    groupOf: (group: Group) => { accountId: string; keys: string[] } | undefined,
  ) => {
    for (const [accountId, query] of shape.accounts) {
      const own = answers.get(accountId) as Record<string, GetCostAndUsageCommandOutput>;
      own[costAndUsageFingerprint(query)] = accountAnswer(query, periods, groupOf, accountId);
    }
  };
  /** Values of a dimension per shape without it, learnt from results already fetched (e.g. SERVICE). */
  const known = new Map<string, Set<string>>();

  try {
    const ordered = [...shapes.values()].sort(
      (a, b) => (a.query.GroupBy ?? []).length - (b.query.GroupBy ?? []).length,
    );
    for (const shape of ordered) {
      const client = clientFor(shape.category);
      const groupBy = shape.query.GroupBy ?? [];
      if (groupBy.length <= 1) {
        const results = await allPages(
          client,
          { ...shape.query, GroupBy: [...groupBy, LINKED_ACCOUNT] },
          counter,
        );
        const periods = byPeriod(results);
        answer(shape, periods, (group) => {
          const keys = group.Keys ?? [];
          const accountId = keys[keys.length - 1];
          return accountId === undefined ? undefined : { accountId, keys: keys.slice(0, -1) };
        });
        if (groupBy.length === 1) {
          const { GroupBy: _g, Metrics: _m, ...where } = shape.query;
          const values = new Set(periods.flatMap((p) => p.groups.map((g) => g.Keys?.[0] ?? '')));
          known.set(`${groupBy[0]?.Key}|${costAndUsageFingerprint(where)}`, values);
        }
        continue;
      }
      const [first, second] = groupBy as [(typeof groupBy)[number], (typeof groupBy)[number]];
      const { GroupBy: _g, Metrics: _m, ...where } = shape.query;
      const values = known.get(`${first.Key}|${costAndUsageFingerprint(where)}`);
      // Unknown values, or more requests than the accounts asking for themselves: leave it to them.
      if (!values || values.size >= shape.accounts.size) continue;
      const results: ResultByTime[] = [];
      for (const value of [...values].sort()) {
        const dimension = { Dimensions: { Key: first.Key, Values: [value] } } as Expression;
        const part = await allPages(
          client,
          { ...shape.query, Filter: and(shape.query.Filter, dimension), GroupBy: [LINKED_ACCOUNT, second] },
          counter,
        );
        results.push(
          ...part.map((r) => ({
            ...r,
            Groups: (r.Groups ?? []).map((g) => ({ ...g, Keys: [...(g.Keys ?? []), value] })),
          })),
        );
      }
      answer(shape, byPeriod(results), (group) => {
        const [accountId, secondKey, value] = group.Keys ?? [];
        return accountId === undefined || secondKey === undefined || value === undefined
          ? undefined
          : { accountId, keys: [value, secondKey] };
      });
    }
  } catch (error) {
    throw classifyAwsError(error, isCostExplorerNotEnabled);
  }

  let answered = 0;
  for (const [accountId, responses] of answers) {
    answered += Object.keys(responses).length;
    await deps.blobs.put(
      costExplorerPrefetchKey(request.runId, accountId),
      JSON.stringify({ mode: 'organization', responses } satisfies {
        mode: 'organization';
        responses: PrefetchedResponses;
      }),
    );
  }
  deps.log.info('prefetched Cost Explorer for the organization', {
    runId: request.runId,
    accounts: planned.length,
    requests: counter.requests,
    answered,
  });
  return { mode: 'organization', requests: counter.requests, answered };
}
