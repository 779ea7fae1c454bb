import { CostExplorerClient, GetCostAndUsageCommand } from '@aws-sdk/client-cost-explorer';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { iamActionFor } from '../../../functions/collectors/iam.ts';
import { marketplaceCollector } from '../../../functions/collectors/marketplace.ts';
import {
  DataContractError,
  ServiceNotEnabledError,
  SourceAccessError,
  TransientError,
} from '../../../functions/platform/errors.ts';
import { collectContext, serviceError } from '../../support/collect-context.ts';

const ce = mockClient(CostExplorerClient);
afterEach(() => ce.reset());
afterAll(() => ce.restore());

const monthly = { period: 'MONTHLY' as const, start: '2026-10-01', end: '2026-11-01' };
const daily = { period: 'DAILY' as const, start: '2026-11-25', end: '2026-11-26' };
const usd = (amount: string) => ({ UnblendedCost: { Amount: amount, Unit: 'USD' } });
const filter = {
  And: [
    { Dimensions: { Key: 'LINKED_ACCOUNT', Values: ['123456789012'] } },
    { Dimensions: { Key: 'BILLING_ENTITY', Values: ['AWS Marketplace'] } },
  ],
};

describe('marketplace collector', () => {
  it('pages the Marketplace charges of the window by product, and records each period', async () => {
    ce.on(GetCostAndUsageCommand)
      .resolvesOnce({
        ResultsByTime: [
          {
            TimePeriod: { Start: '2026-10-01', End: '2026-11-01' },
            Total: {},
            Groups: [
              { Keys: ['Datadog Pro (Pay-As-You-Go)'], Metrics: usd('612.4000000000') },
              { Keys: ['Snowflake Data Cloud'], Metrics: usd('4210.0000000001') },
            ],
            Estimated: false,
          },
        ],
        NextPageToken: 'page-2',
      })
      .resolvesOnce({
        ResultsByTime: [
          {
            TimePeriod: { Start: '2026-10-01', End: '2026-11-01' },
            Total: {},
            Groups: [{ Keys: ['MongoDB Atlas (pay-as-you-go)'], Metrics: usd('-12.5') }],
            Estimated: false,
          },
        ],
      });

    const result = await marketplaceCollector.collect(collectContext({ window: monthly }));

    const calls = ce.commandCalls(GetCostAndUsageCommand);
    expect(calls).toHaveLength(2);
    expect(calls[0]?.args[0].input).toEqual({
      TimePeriod: { Start: '2026-10-01', End: '2026-11-01' },
      Granularity: 'MONTHLY',
      Metrics: ['UnblendedCost'],
      GroupBy: [{ Type: 'DIMENSION', Key: 'SERVICE' }],
      Filter: filter,
    });
    expect(calls[1]?.args[0].input).toEqual({ ...calls[0]?.args[0].input, NextPageToken: 'page-2' });
    expect(result.rows).toBe(3);
    expect(result.payload).toEqual({
      account_id: '123456789012',
      period: { start: '2026-10-01', end: '2026-11-01', granularity: 'MONTHLY' },
      products: [
        {
          product_code: 'Snowflake Data Cloud',
          product_name: 'Snowflake Data Cloud',
          cost_consumed: 4210.0000000001,
          currency: 'USD',
          period_start: '2026-10-01',
          period_end: '2026-11-01',
          status: 'FINAL',
        },
        {
          product_code: 'Datadog Pro (Pay-As-You-Go)',
          product_name: 'Datadog Pro (Pay-As-You-Go)',
          cost_consumed: 612.4,
          currency: 'USD',
          period_start: '2026-10-01',
          period_end: '2026-11-01',
          status: 'FINAL',
        },
        {
          product_code: 'MongoDB Atlas (pay-as-you-go)',
          product_name: 'MongoDB Atlas (pay-as-you-go)',
          cost_consumed: -12.5,
          currency: 'USD',
          period_start: '2026-10-01',
          period_end: '2026-11-01',
          status: 'FINAL',
        },
      ],
    });
    expect(marketplaceCollector.schema.safeParse(result.payload).success).toBe(true);
  });

  it('marks figures Cost Explorer still estimates, and asks for a daily window day by day', async () => {
    ce.on(GetCostAndUsageCommand).resolves({
      ResultsByTime: [
        {
          TimePeriod: { Start: '2026-11-25', End: '2026-11-26' },
          Total: {},
          Groups: [{ Keys: ['GitLab Ultimate'], Metrics: usd('9.75') }],
          Estimated: true,
        },
      ],
    });
    const result = await marketplaceCollector.collect(collectContext({ window: daily }));
    expect(ce.commandCalls(GetCostAndUsageCommand)[0]?.args[0].input.Granularity).toBe('DAILY');
    expect(result.payload.products).toEqual([
      expect.objectContaining({ product_code: 'GitLab Ultimate', cost_consumed: 9.75, status: 'ESTIMATED' }),
    ]);
  });

  it('returns no products, and is not SKIPPED, for an account without Marketplace charges', async () => {
    ce.on(GetCostAndUsageCommand).resolves({
      ResultsByTime: [{ TimePeriod: { Start: '2026-11-25', End: '2026-11-26' }, Total: {}, Groups: [] }],
    });
    const result = await marketplaceCollector.collect(collectContext({ window: daily }));
    expect(result).toEqual({
      payload: {
        account_id: '123456789012',
        period: { start: '2026-11-25', end: '2026-11-26', granularity: 'DAILY' },
        products: [],
      },
      rows: 0,
    });
  });

  it.each([
    ['AccessDeniedException', 'User not enabled for cost explorer access', 400, ServiceNotEnabledError],
    ['AccessDeniedException', 'not authorized to perform: ce:GetCostAndUsage', 403, SourceAccessError],
    ['LimitExceededException', 'Rate exceeded', 400, TransientError],
    ['InternalServerException', 'boom', 500, TransientError],
  ])('classifies %s (%s)', async (name, message, status, type) => {
    ce.on(GetCostAndUsageCommand).rejects(serviceError(name, message, status));
    await expect(marketplaceCollector.collect(collectContext({ window: daily }))).rejects.toBeInstanceOf(
      type,
    );
  });

  it.each([
    [{ Total: {}, Groups: [] }, 'ResultsByTime[0].TimePeriod'],
    [
      { TimePeriod: { Start: '2026-11-25', End: '2026-11-26' }, Groups: [{ Metrics: usd('1') }] },
      'ResultsByTime[0].Groups[0].Keys[0]',
    ],
    [
      { TimePeriod: { Start: '2026-11-25', End: '2026-11-26' }, Groups: [{ Keys: ['GitLab Ultimate'] }] },
      'ResultsByTime[0].Groups[0].Metrics.UnblendedCost.Amount',
    ],
  ])(
    'rejects a response without the fields the API reference promises (%#), naming the field',
    async (entry, path) => {
      ce.on(GetCostAndUsageCommand).resolves({ ResultsByTime: [entry] });
      const error = await marketplaceCollector
        .collect(collectContext({ window: daily }))
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DataContractError);
      expect((error as Error).message).toContain(path);
    },
  );

  it('declares exactly the IAM actions of the commands it sends', async () => {
    ce.on(GetCostAndUsageCommand).resolves({ ResultsByTime: [] });
    await marketplaceCollector.collect(collectContext({ window: daily }));
    const sent = new Set(
      ce
        .calls()
        .map((c) =>
          iamActionFor('@aws-sdk/client-cost-explorer', c.args[0].constructor.name.replace(/Command$/, '')),
        ),
    );
    expect([...marketplaceCollector.actions].sort()).toEqual([...sent].sort());
    expect(marketplaceCollector.scope).toBe('global');
    expect(marketplaceCollector.tables).toEqual(['marketplace_usage']);
  });
});
