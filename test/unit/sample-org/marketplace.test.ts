import {
  CostExplorerClient,
  GetCostAndUsageCommand,
  type GetCostAndUsageCommandInput,
} from '@aws-sdk/client-cost-explorer';
import { describe, expect, it } from 'vitest';
import { createClientFactory } from '../../../functions/adapters/aws/clients.ts';
import { SampleOrganization } from '../../../functions/adapters/local/sample-org/organization.ts';
import { costExplorerSimulator } from '../../../functions/adapters/local/sample-org/services/cost-explorer.ts';
import {
  costExplorerMarketplaceOperations,
  marketplaceSubscriptions,
} from '../../../functions/adapters/local/sample-org/services/cost-explorer-marketplace.ts';
import type { ServiceSimulator } from '../../../functions/adapters/local/sample-org/simulator.ts';
import { marketplaceCollector, marketplaceFilter } from '../../../functions/collectors/marketplace.ts';
import {
  DataContractError,
  ServiceNotEnabledError,
  SourceAccessError,
} from '../../../functions/platform/errors.ts';
import { collectFromSample, SAMPLE_REGIONS } from '../../support/sample.ts';

const now = new Date('2026-11-26T06:00:00Z');
const daily = { period: 'DAILY' as const, start: '2026-11-25', end: '2026-11-26' };
const october = { period: 'MONTHLY' as const, start: '2026-10-01', end: '2026-11-01' };
/** The Cost Explorer simulator as it is wired: its operations with the Marketplace ones merged over them. */
const costExplorer: ServiceSimulator = {
  ...costExplorerSimulator,
  operations: { ...costExplorerSimulator.operations, ...costExplorerMarketplaceOperations },
};
const simulators = [costExplorer];
const CATALOG = [
  'Datadog Pro (Pay-As-You-Go)',
  'CrowdStrike Falcon Cloud Security',
  'Snowflake Data Cloud',
  'MongoDB Atlas (pay-as-you-go)',
  'VM-Series Next-Generation Firewall (PAYG Bundle 2)',
  'Splunk Cloud Platform',
  'Confluent Cloud (Pay as you go)',
  'GitLab Ultimate',
];

describe('marketplace collector against the sample organization', () => {
  it("collects a production account's Marketplace products with their daily cost", async () => {
    const { result, account } = await collectFromSample(marketplaceCollector, {
      simulators,
      window: daily,
      now,
    });
    expect(account.environment).toBe('production');
    expect(marketplaceCollector.schema.safeParse(result.payload).success).toBe(true);
    // The snapshot carries it as JSON: nothing is lost on the way.
    expect(JSON.parse(JSON.stringify(result.payload))).toEqual(result.payload);
    const products = result.payload.products;
    expect(products.length).toBeGreaterThanOrEqual(1);
    expect(products.length).toBeLessThanOrEqual(4);
    for (const p of products) {
      expect(CATALOG).toContain(p.product_name);
      expect(p.product_code).toBe(p.product_name);
      expect(p.cost_consumed).toBeGreaterThan(1);
      expect(p.cost_consumed).toBeLessThan(2000);
      // The day before "now" is still estimated.
      expect(p).toMatchObject({
        currency: 'USD',
        period_start: '2026-11-25',
        period_end: '2026-11-26',
        status: 'ESTIMATED',
      });
    }
    // Every product the account subscribes to on that day, and no other.
    const active = marketplaceSubscriptions(account).filter(
      (s) => s.startDay <= '2026-11-25' && (s.endDay === null || s.endDay > '2026-11-25'),
    );
    expect(products.map((p) => p.product_code).sort()).toEqual(active.map((s) => s.product.name).sort());
  });

  it('agrees with itself: a month is the sum of its days, and final once the month is over', async () => {
    const { result, account, org } = await collectFromSample(marketplaceCollector, {
      simulators,
      window: october,
      now,
    });
    const client = createClientFactory(
      org.clientOptions(),
      { accountId: account.id, category: 'marketplace', runId: 'r-direct' },
      { apiCalls: 0, throttled: 0 },
    ).client(CostExplorerClient, 'us-east-1');
    const byDay = new Map<string, number>();
    let token: string | undefined;
    do {
      const page = await client.send(
        new GetCostAndUsageCommand({
          TimePeriod: { Start: october.start, End: october.end },
          Granularity: 'DAILY',
          Metrics: ['UnblendedCost'],
          GroupBy: [{ Type: 'DIMENSION', Key: 'SERVICE' }],
          Filter: marketplaceFilter(account.id),
          ...(token ? { NextPageToken: token } : {}),
        }),
      );
      for (const r of page.ResultsByTime ?? []) {
        for (const g of r.Groups ?? []) {
          const key = g.Keys?.[0] as string;
          byDay.set(key, (byDay.get(key) ?? 0) + Number(g.Metrics?.UnblendedCost?.Amount));
        }
      }
      token = page.NextPageToken;
    } while (token);
    expect(result.payload.products.length).toBe(byDay.size);
    for (const p of result.payload.products) {
      expect(p.status).toBe('FINAL');
      expect(p.cost_consumed).toBeCloseTo(byDay.get(p.product_code) ?? Number.NaN, 6);
    }
  });

  it('has rows for at least 18 of the first 20 accounts, and one account needs several pages', async () => {
    let withRows = 0;
    let paged = 0;
    for (let accountIndex = 0; accountIndex < 20; accountIndex++) {
      const { result, stats } = await collectFromSample(marketplaceCollector, {
        simulators,
        window: daily,
        now,
        accounts: 20,
        accountIndex,
      });
      expect(result.payload.products.length).toBeLessThanOrEqual(4);
      if (result.payload.products.length > 0) withRows += 1;
      if (stats.apiCalls >= 2) paged += 1;
    }
    expect(withRows).toBeGreaterThanOrEqual(18);
    expect(paged).toBeGreaterThan(0);
  });

  it('answers the not-enabled, access-denied and malformed faults as Cost Explorer does', async () => {
    const fault = (kind: 'not-enabled' | 'access-denied' | 'malformed') =>
      collectFromSample(marketplaceCollector, {
        simulators,
        window: daily,
        now,
        faults: [{ category: 'marketplace', kind }],
      }).catch((e: unknown) => e);
    expect(await fault('not-enabled')).toBeInstanceOf(ServiceNotEnabledError);
    expect(await fault('access-denied')).toBeInstanceOf(SourceAccessError);
    const malformed = await fault('malformed');
    expect(malformed).toBeInstanceOf(DataContractError);
    expect((malformed as Error).message).toContain('ResultsByTime[0].TimePeriod');
  });

  describe('GetCostAndUsage with the Marketplace operations merged in', () => {
    const org = new SampleOrganization({
      accounts: 12,
      regions: SAMPLE_REGIONS,
      simulators,
      clock: { now: () => now },
    });
    const account = org.accounts[6];
    if (!account) throw new Error('no sample account');
    const client = createClientFactory(
      org.clientOptions(),
      { accountId: account.id, category: 'marketplace', runId: 'r-direct' },
      { apiCalls: 0, throttled: 0 },
    ).client(CostExplorerClient, 'us-east-1');
    const send = (input: GetCostAndUsageCommandInput) => client.send(new GetCostAndUsageCommand(input));
    const base = {
      TimePeriod: { Start: '2026-11-25', End: '2026-11-26' },
      Granularity: 'DAILY' as const,
      Metrics: ['UnblendedCost'],
      GroupBy: [{ Type: 'DIMENSION' as const, Key: 'SERVICE' }],
    };
    const services = async (input: GetCostAndUsageCommandInput) =>
      ((await send(input)).ResultsByTime?.[0]?.Groups ?? []).map((g) => g.Keys?.[0]);

    it('leaves every other request to the Cost Explorer simulator', async () => {
      const linked = { Dimensions: { Key: 'LINKED_ACCOUNT' as const, Values: [account.id] } };
      const all = await services({ ...base, Filter: linked });
      expect(all).toContain('Amazon Elastic Compute Cloud - Compute');
      const awsOnly = await services({
        ...base,
        Filter: { And: [linked, { Dimensions: { Key: 'BILLING_ENTITY', Values: ['AWS'] } }] },
      });
      expect(awsOnly).toEqual(all);
      const marketplace = await services({ ...base, Filter: marketplaceFilter(account.id) });
      expect(marketplace.length).toBeGreaterThan(0);
      expect(marketplace.every((name) => CATALOG.includes(name as string))).toBe(true);
    });

    it('answers nothing for another account and rejects what Cost Explorer rejects', async () => {
      expect(await services({ ...base, Filter: marketplaceFilter('000000000000') })).toEqual([]);
      await expect(
        send({ ...base, Filter: marketplaceFilter(account.id), NextPageToken: 'not-a-token' }),
      ).rejects.toMatchObject({ name: 'InvalidNextTokenException' });
      await expect(
        send({
          ...base,
          TimePeriod: { Start: '2026-11-26', End: '2026-11-25' },
          Filter: marketplaceFilter(account.id),
        }),
      ).rejects.toMatchObject({ name: 'ValidationException' });
      await expect(
        send({ ...base, GroupBy: [{ Type: 'DIMENSION', Key: 'AZ' }], Filter: marketplaceFilter(account.id) }),
      ).rejects.toMatchObject({ name: 'ValidationException' });
    });
  });
});
