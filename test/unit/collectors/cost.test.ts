import {
  CostExplorerClient,
  GetCostAndUsageCommand,
  GetCostForecastCommand,
} from '@aws-sdk/client-cost-explorer';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { costCollector } from '../../../functions/collectors/cost.ts';
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

const window = { period: 'DAILY' as const, start: '2026-11-25', end: '2026-11-26' };
const usd = (amount: string) => ({ Amount: amount, Unit: 'USD' });

function servicePages() {
  ce.on(GetCostAndUsageCommand, { GroupBy: [{ Type: 'DIMENSION', Key: 'SERVICE' }] })
    .resolvesOnce({
      ResultsByTime: [
        {
          TimePeriod: { Start: '2026-11-25', End: '2026-11-26' },
          Total: {},
          Groups: [
            { Keys: ['Amazon Elastic Compute Cloud - Compute'], Metrics: { UnblendedCost: usd('100.5') } },
            { Keys: ['AWS Lambda'], Metrics: { UnblendedCost: usd('2.25') } },
          ],
          Estimated: true,
        },
      ],
      NextPageToken: 'page-2',
    })
    .resolvesOnce({
      ResultsByTime: [
        {
          TimePeriod: { Start: '2026-11-25', End: '2026-11-26' },
          Total: {},
          Groups: [{ Keys: ['Amazon Simple Storage Service'], Metrics: { UnblendedCost: usd('7.25') } }],
          Estimated: true,
        },
      ],
    });
}

describe('cost collector', () => {
  it('pages through every service group, totals them and compares with the previous day', async () => {
    servicePages();
    ce.on(GetCostAndUsageCommand, { TimePeriod: { Start: '2026-11-24', End: '2026-11-25' } }).resolves({
      ResultsByTime: [
        { TimePeriod: { Start: '2026-11-24', End: '2026-11-25' }, Total: { UnblendedCost: usd('100') } },
      ],
    });
    ce.on(GetCostForecastCommand).resolves({
      ForecastResultsByTime: [
        {
          TimePeriod: { Start: '2026-11-26', End: '2026-12-01' },
          MeanValue: '500',
          PredictionIntervalLowerBound: '450',
          PredictionIntervalUpperBound: '550',
        },
      ],
    });

    const result = await costCollector.collect(collectContext({ window }));

    const calls = ce.commandCalls(GetCostAndUsageCommand, {
      GroupBy: [{ Type: 'DIMENSION', Key: 'SERVICE' }],
    });
    expect(calls).toHaveLength(2);
    expect(calls[0]?.args[0].input).toEqual({
      TimePeriod: { Start: '2026-11-25', End: '2026-11-26' },
      Granularity: 'DAILY',
      Metrics: ['UnblendedCost'],
      GroupBy: [{ Type: 'DIMENSION', Key: 'SERVICE' }],
      Filter: { Dimensions: { Key: 'LINKED_ACCOUNT', Values: ['123456789012'] } },
    });
    expect(calls[1]?.args[0].input.NextPageToken).toBe('page-2');
    expect(ce.commandCalls(GetCostForecastCommand)[0]?.args[0].input).toEqual({
      TimePeriod: { Start: '2026-11-26', End: '2027-01-01' },
      Metric: 'UNBLENDED_COST',
      Granularity: 'MONTHLY',
      Filter: { Dimensions: { Key: 'LINKED_ACCOUNT', Values: ['123456789012'] } },
      PredictionIntervalLevel: 80,
    });
    expect(result.payload).toMatchObject({
      current_period_cost: 110,
      previous_period_cost: 100,
      cost_difference: 10,
      cost_difference_percentage: 10,
      services_count: 3,
      estimated: true,
      top_services: [
        { service: 'Amazon Elastic Compute Cloud - Compute', cost: 100.5 },
        { service: 'Amazon Simple Storage Service', cost: 7.25 },
        { service: 'AWS Lambda', cost: 2.25 },
      ],
      forecast: [
        {
          period: { start: '2026-11-26', end: '2026-12-01' },
          amount: 500,
          lower_bound: 450,
          upper_bound: 550,
        },
      ],
      forecast_note: null,
    });
    expect(costCollector.schema.safeParse(result.payload).success).toBe(true);
  });

  it('asks for no forecast for a window before this month, and says why', async () => {
    ce.on(GetCostAndUsageCommand).resolves({
      ResultsByTime: [
        {
          TimePeriod: { Start: '2026-09-01', End: '2026-10-01' },
          Total: { UnblendedCost: usd('0') },
          Groups: [],
        },
      ],
    });
    const result = await costCollector.collect(
      collectContext({ window: { period: 'MONTHLY', start: '2026-09-01', end: '2026-10-01' } }),
    );
    expect(ce.commandCalls(GetCostForecastCommand)).toHaveLength(0);
    expect(result.payload.forecast).toEqual([]);
    expect(result.payload.forecast_note).toMatch(/forecasts only from today/);
    expect(result.payload.cost_difference_percentage).toBe(0);
  });

  it('records a young account without forecast history instead of failing', async () => {
    servicePages();
    ce.on(GetCostAndUsageCommand, { TimePeriod: { Start: '2026-11-24', End: '2026-11-25' } }).resolves({
      ResultsByTime: [
        { TimePeriod: { Start: '2026-11-24', End: '2026-11-25' }, Total: { UnblendedCost: usd('1') } },
      ],
    });
    ce.on(GetCostForecastCommand).rejects(
      serviceError('DataUnavailableException', 'Insufficient amount of historical data'),
    );
    const result = await costCollector.collect(collectContext({ window }));
    expect(result.payload.forecast_note).toMatch(/Insufficient amount of historical data/);
  });

  it.each([
    ['AccessDeniedException', 'User not enabled for cost explorer access', ServiceNotEnabledError],
    ['AccessDeniedException', 'not authorized to perform: ce:GetCostAndUsage', SourceAccessError],
    ['ThrottlingException', 'Rate exceeded', TransientError],
    ['InternalServerException', 'boom', TransientError],
  ])('classifies %s (%s)', async (name, message, type) => {
    ce.on(GetCostAndUsageCommand).rejects(
      serviceError(name, message, name.startsWith('Internal') ? 500 : 400),
    );
    ce.on(GetCostForecastCommand).resolves({ ForecastResultsByTime: [] });
    await expect(costCollector.collect(collectContext({ window }))).rejects.toBeInstanceOf(type);
  });

  it('rejects a response without the fields the API reference promises, naming the field', async () => {
    ce.on(GetCostAndUsageCommand).resolves({
      ResultsByTime: [{ Total: { UnblendedCost: usd('1') }, Groups: [] }],
    });
    ce.on(GetCostForecastCommand).resolves({ ForecastResultsByTime: [] });
    const error = await costCollector.collect(collectContext({ window })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DataContractError);
    expect((error as Error).message).toContain('ResultsByTime[0].TimePeriod');
  });
});
