import {
  CostExplorerClient,
  GetCostAndUsageCommand,
  type GetCostAndUsageCommandInput,
} from '@aws-sdk/client-cost-explorer';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createClientFactory } from '../../../functions/adapters/aws/clients.ts';
import { managementCostExplorer } from '../../../functions/cli/local-environment.ts';
import {
  costAndUsageFingerprint,
  type PrefetchedResponses,
} from '../../../functions/collectors/cost-explorer.ts';
import { getCategory } from '../../../functions/collectors/registry.ts';
import type { CallStats } from '../../../functions/collectors/types.ts';
import {
  costExplorerPrefetchKey,
  prefetchCostExplorer,
} from '../../../functions/core/prefetch-cost-explorer.ts';
import type { Window } from '../../../functions/platform/period.ts';
import { silentLog } from '../../support/collect-context.ts';
import { MemoryBlobStore } from '../../support/memory-blob-store.ts';
import { testPipeline } from '../../support/pipeline.ts';

const now = new Date('2026-11-26T06:00:00Z');
const clock = { now: () => now };

async function planFor(blobs: MemoryBlobStore, accounts: readonly string[], runId = 'r-prefetch') {
  await blobs.put(
    `orchestration/${runId}/accounts.json`,
    JSON.stringify(accounts.map((accountId) => ({ accountId, accountName: null, products: [] }))),
  );
  return { runId, accountsKey: `orchestration/${runId}/accounts.json` };
}

describe('prefetchCostExplorer against Cost Explorer (aws-sdk-client-mock)', () => {
  const ce = mockClient(CostExplorerClient);
  afterEach(() => ce.reset());
  afterAll(() => ce.restore());
  const client = new CostExplorerClient({
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  const A = '111111111111';
  const B = '222222222222';
  const C = '333333333333';
  const cost = (amount: number) => ({ UnblendedCost: { Amount: String(amount), Unit: 'USD' } });
  const day = { Start: '2026-11-25', End: '2026-11-26' };
  const previousDay = { Start: '2026-11-24', End: '2026-11-25' };

  it('asks once per request shape for every account, through every page, and answers each account alone', async () => {
    const sent: GetCostAndUsageCommandInput[] = [];
    ce.on(GetCostAndUsageCommand).callsFake((input: GetCostAndUsageCommandInput) => {
      sent.push(input);
      const keys = (input.GroupBy ?? []).map((g) => g.Key);
      if (keys.join() === 'SERVICE,LINKED_ACCOUNT' && !input.Filter && !input.NextPageToken) {
        return {
          ResultsByTime: [
            {
              TimePeriod: day,
              Groups: [
                { Keys: ['Amazon EC2', A], Metrics: cost(10) },
                { Keys: ['AWS Lambda', A], Metrics: cost(1) },
              ],
              Estimated: true,
            },
          ],
          NextPageToken: 'p2',
        };
      }
      if (keys.join() === 'SERVICE,LINKED_ACCOUNT' && !input.Filter) {
        return {
          ResultsByTime: [
            { TimePeriod: day, Groups: [{ Keys: ['Amazon EC2', B], Metrics: cost(5) }], Estimated: true },
          ],
        };
      }
      if (keys.join() === 'LINKED_ACCOUNT') {
        return {
          ResultsByTime: [
            {
              TimePeriod: previousDay,
              Groups: [
                { Keys: [A], Metrics: cost(9) },
                { Keys: [B], Metrics: cost(4) },
              ],
              Estimated: false,
            },
          ],
        };
      }
      // Marketplace: nobody bought anything.
      return { ResultsByTime: [{ TimePeriod: day, Groups: [], Estimated: true }] };
    });
    const blobs = new MemoryBlobStore();
    const plan = await planFor(blobs, [A, B, C]);
    const output = await prefetchCostExplorer(
      { blobs, clock, log: silentLog, managementCostExplorer: () => client },
      { ...plan, period: 'DAILY', date: '2026-11-25', categories: ['cost', 'marketplace', 'service-usage'] },
    );
    // cost: 2 pages + 1, marketplace: 1, service usage: 2 services for 3 accounts = 2 requests.
    expect(output).toEqual({ mode: 'organization', requests: 6, answered: 12 });
    expect(sent.every((input) => !JSON.stringify(input.Filter ?? {}).includes('LINKED_ACCOUNT'))).toBe(true);
    const byService = sent.filter(
      (i) => (i.GroupBy ?? []).map((g) => g.Key).join() === 'SERVICE,LINKED_ACCOUNT',
    );
    expect(byService.filter((i) => !i.Filter).map((i) => i.NextPageToken)).toEqual([undefined, 'p2']);
    const serviceUsageRequests = sent.filter((i) => (i.GroupBy ?? []).some((g) => g.Key === 'USAGE_TYPE'));
    expect(serviceUsageRequests).toEqual([
      expect.objectContaining({
        Filter: { Dimensions: { Key: 'SERVICE', Values: ['AWS Lambda'] } },
        GroupBy: [
          { Type: 'DIMENSION', Key: 'LINKED_ACCOUNT' },
          { Type: 'DIMENSION', Key: 'USAGE_TYPE' },
        ],
      }),
      expect.objectContaining({ Filter: { Dimensions: { Key: 'SERVICE', Values: ['Amazon EC2'] } } }),
    ]);

    const window: Window = { period: 'DAILY', start: '2026-11-25', end: '2026-11-26' };
    const answersOf = async (accountId: string) =>
      (
        JSON.parse((await blobs.get(costExplorerPrefetchKey('r-prefetch', accountId))) as string) as {
          responses: PrefetchedResponses;
        }
      ).responses;
    const [services, previous] = getCategory('cost').collector.costAndUsageQueries?.(A, window) ?? [];
    const forA = await answersOf(A);
    expect(forA[costAndUsageFingerprint(services as object)]?.ResultsByTime).toEqual([
      {
        TimePeriod: day,
        Total: {},
        Groups: [
          { Keys: ['Amazon EC2'], Metrics: cost(10) },
          { Keys: ['AWS Lambda'], Metrics: cost(1) },
        ],
        Estimated: true,
      },
    ]);
    expect(forA[costAndUsageFingerprint(previous as object)]?.ResultsByTime).toEqual([
      { TimePeriod: previousDay, Total: cost(9), Groups: [], Estimated: false },
    ]);
    // An account without charges gets what Cost Explorer gives it: empty groups, a zero total.
    const forC = await answersOf(C);
    const [servicesC, previousC] = getCategory('cost').collector.costAndUsageQueries?.(C, window) ?? [];
    expect(forC[costAndUsageFingerprint(servicesC as object)]?.ResultsByTime?.[0]?.Groups).toEqual([]);
    expect(forC[costAndUsageFingerprint(previousC as object)]?.ResultsByTime?.[0]?.Total).toEqual(cost(0));
  });

  it('leaves a two-dimension request to the accounts when asking per value would cost more', async () => {
    ce.on(GetCostAndUsageCommand).callsFake((input: GetCostAndUsageCommandInput) => ({
      ResultsByTime: [
        {
          TimePeriod: { Start: input.TimePeriod?.Start, End: input.TimePeriod?.End },
          Groups: (input.GroupBy ?? []).some((g) => g.Key === 'SERVICE')
            ? [
                { Keys: ['Amazon EC2', A], Metrics: cost(1) },
                { Keys: ['AWS Lambda', A], Metrics: cost(1) },
                { Keys: ['Amazon S3', A], Metrics: cost(1) },
              ]
            : [],
          Estimated: false,
        },
      ],
    }));
    const blobs = new MemoryBlobStore();
    const plan = await planFor(blobs, [A, B]);
    const output = await prefetchCostExplorer(
      { blobs, clock, log: silentLog, managementCostExplorer: () => client },
      { ...plan, period: 'DAILY', date: '2026-11-25', categories: ['cost', 'service-usage'] },
    );
    expect(output).toMatchObject({ requests: 2, answered: 4 });
    expect(ce.commandCalls(GetCostAndUsageCommand)).toHaveLength(2);
  });

  it('does nothing in per-account mode', async () => {
    const blobs = new MemoryBlobStore();
    const plan = await planFor(blobs, [A]);
    expect(
      await prefetchCostExplorer(
        { blobs, clock, log: silentLog },
        { ...plan, period: 'DAILY', date: '2026-11-25', categories: ['cost'] },
      ),
    ).toEqual({ mode: 'per-account', requests: 0, answered: 0 });
    expect(await blobs.list('orchestration/r-prefetch/cost-explorer/')).toEqual([]);
    expect(ce.commandCalls(GetCostAndUsageCommand)).toHaveLength(0);
  });
});

describe('organization answers equal what each account gets itself (sample organization)', () => {
  const pipeline = testPipeline(undefined as never, { accounts: 30, now });
  const management = pipeline.sample.accounts[0]?.id as string;
  const clientOptions = pipeline.sample.clientOptions();

  async function collect(
    category: string,
    accountId: string,
    window: Window,
    prefetched?: PrefetchedResponses,
  ) {
    const stats: CallStats = { apiCalls: 0, throttled: 0, costExplorerCalls: 0 };
    const clients = createClientFactory(
      clientOptions,
      { accountId, category, runId: 'r' },
      stats,
      prefetched,
    );
    const result = await getCategory(category).collector.collect({
      accountId,
      window,
      regions: ['us-east-1'],
      homeRegion: 'us-east-1',
      clients,
      costExplorer: prefetched ? 'organization' : 'per-account',
      now,
      log: silentLog,
    });
    return { payload: result.payload, stats };
  }

  /** Money summed in another order differs in the last binary digits: compare to the cent's millionth. */
  const rounded = (value: unknown): unknown =>
    JSON.parse(JSON.stringify(value), (_k, v) => (typeof v === 'number' ? Math.round(v * 1e6) / 1e6 : v));

  it.each([
    ['DAILY', { period: 'DAILY', start: '2026-10-15', end: '2026-10-16' }],
    ['MONTHLY', { period: 'MONTHLY', start: '2026-10-01', end: '2026-11-01' }],
  ] as const)(
    '%s: cost, service usage and Marketplace, with no request of their own but the monthly forecast',
    async (_p, window) => {
      const blobs = new MemoryBlobStore();
      const ids = pipeline.sample.accounts.map((a) => a.id);
      const plan = await planFor(blobs, ids);
      const output = await prefetchCostExplorer(
        {
          blobs,
          clock,
          log: silentLog,
          managementCostExplorer: managementCostExplorer(clientOptions, management),
        },
        {
          ...plan,
          period: window.period,
          date: window.start,
          categories: ['cost', 'service-usage', 'marketplace'],
        },
      );
      let ownRequests = 0;
      for (const accountId of ids) {
        const file = JSON.parse(
          (await blobs.get(costExplorerPrefetchKey(plan.runId, accountId))) as string,
        ) as {
          responses: PrefetchedResponses;
        };
        for (const category of ['cost', 'service-usage', 'marketplace']) {
          const own = await collect(category, accountId, window);
          const organization = await collect(category, accountId, window, file.responses);
          expect(rounded(organization.payload), `${category} ${accountId}`).toEqual(rounded(own.payload));
          // Only the forecast is left to the account, and only the MONTHLY run asks for it.
          const forecasts = category === 'cost' && window.period === 'MONTHLY' ? 1 : 0;
          expect(organization.stats.costExplorerCalls, `${category} ${accountId}`).toBe(forecasts);
          ownRequests += own.stats.costExplorerCalls ?? 0;
        }
      }
      // The sample pages grouped answers 20 groups at a time (Cost Explorer's page size is not documented), so
      // the organization's answers take many pages; still fewer requests than every account asking.
      expect(output.requests).toBeLessThan(ownRequests);
    },
  );
});
