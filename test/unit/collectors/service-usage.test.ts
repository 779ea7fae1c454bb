import { CostExplorerClient, GetCostAndUsageCommand, type ResultByTime } from '@aws-sdk/client-cost-explorer';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { serviceUsageCollector } from '../../../functions/collectors/service-usage.ts';
import {
  DataContractError,
  ServiceNotEnabledError,
  SourceAccessError,
  SourceRequestError,
  TransientError,
} from '../../../functions/platform/errors.ts';
import { collectContext, serviceError } from '../../support/collect-context.ts';

const ce = mockClient(CostExplorerClient);
afterEach(() => ce.reset());
afterAll(() => ce.restore());

const window = { period: 'DAILY' as const, start: '2026-11-25', end: '2026-11-26' };
const day = { Start: '2026-11-25', End: '2026-11-26' };

function group(service: string, usageType: string, cost: string, quantity: string, unit: string) {
  return {
    Keys: [service, usageType],
    Metrics: {
      UnblendedCost: { Amount: cost, Unit: 'USD' },
      UsageQuantity: { Amount: quantity, Unit: unit },
    },
  };
}

/** Two pages; the day's groups are split across them, as Cost Explorer does. */
function twoPages() {
  ce.on(GetCostAndUsageCommand)
    .resolvesOnce({
      ResultsByTime: [
        {
          TimePeriod: day,
          Total: {},
          Groups: [
            group('AWS Lambda', 'USE1-Lambda-GB-Second-ARM', '2.25', '168750.5', 'Lambda-GB-Second'),
            group('Amazon Elastic Compute Cloud - Compute', 'BoxUsage:m6i.large', '110.592', '1152', 'Hrs'),
          ],
          Estimated: true,
        },
      ],
      GroupDefinitions: [
        { Type: 'DIMENSION', Key: 'SERVICE' },
        { Type: 'DIMENSION', Key: 'USAGE_TYPE' },
      ],
      NextPageToken: 'page-2',
    })
    .resolvesOnce({
      ResultsByTime: [
        {
          TimePeriod: day,
          Total: {},
          Groups: [
            group('Amazon Simple Storage Service', 'TimedStorage-ByteHrs', '7.1234567891', '309.72', 'GB-Mo'),
            group('Tax', 'Tax', '0', '0', 'N/A'),
            group('AWS Support (Business)', 'EUW1-Credit', '-3.5', '0', 'N/A'),
          ],
          Estimated: true,
        },
      ],
    });
}

describe('service-usage collector', () => {
  it('asks Cost Explorer for cost and usage by service and usage type, and pages to the end', async () => {
    twoPages();
    const result = await serviceUsageCollector.collect(collectContext({ window }));

    const calls = ce.commandCalls(GetCostAndUsageCommand);
    expect(calls).toHaveLength(2);
    expect(calls[0]?.args[0].input).toEqual({
      TimePeriod: { Start: '2026-11-25', End: '2026-11-26' },
      Granularity: 'DAILY',
      Metrics: ['UnblendedCost', 'UsageQuantity'],
      GroupBy: [
        { Type: 'DIMENSION', Key: 'SERVICE' },
        { Type: 'DIMENSION', Key: 'USAGE_TYPE' },
      ],
      Filter: { Dimensions: { Key: 'LINKED_ACCOUNT', Values: ['123456789012'] } },
    });
    expect(calls[1]?.args[0].input).toEqual({ ...calls[0]?.args[0].input, NextPageToken: 'page-2' });

    const item = { date_from: '2026-11-25', date_to: '2026-11-26', currency: 'USD' };
    expect(result.payload).toEqual({
      account_id: '123456789012',
      period: { start: '2026-11-25', end: '2026-11-26', granularity: 'DAILY' },
      services: [
        {
          ...item,
          service: 'Amazon Elastic Compute Cloud - Compute',
          usage_types: 'BoxUsage:m6i.large',
          cost: 110.592,
          utilization: 1152,
          utilization_unit: 'Hrs',
        },
        {
          ...item,
          service: 'Amazon Simple Storage Service',
          usage_types: 'TimedStorage-ByteHrs',
          cost: 7.1234567891,
          utilization: 309.72,
          utilization_unit: 'GB-Mo',
        },
        {
          ...item,
          service: 'AWS Lambda',
          usage_types: 'USE1-Lambda-GB-Second-ARM',
          cost: 2.25,
          utilization: 168750.5,
          utilization_unit: 'Lambda-GB-Second',
        },
        { ...item, service: 'Tax', usage_types: 'Tax', cost: 0, utilization: 0, utilization_unit: 'N/A' },
        {
          ...item,
          service: 'AWS Support (Business)',
          usage_types: 'EUW1-Credit',
          cost: -3.5,
          utilization: 0,
          utilization_unit: 'N/A',
        },
      ],
    });
    expect(result.rows).toBe(5);
    expect(serviceUsageCollector.schema.safeParse(result.payload).success).toBe(true);
  });

  it('collects a month with MONTHLY granularity', async () => {
    const month = { Start: '2026-10-01', End: '2026-11-01' };
    ce.on(GetCostAndUsageCommand).resolves({
      ResultsByTime: [
        {
          TimePeriod: month,
          Total: {},
          Groups: [group('AWS Lambda', 'Request-ARM', '1', '5000000', 'Requests')],
        },
      ],
    });
    const result = await serviceUsageCollector.collect(
      collectContext({ window: { period: 'MONTHLY', start: '2026-10-01', end: '2026-11-01' } }),
    );
    expect(ce.commandCalls(GetCostAndUsageCommand)[0]?.args[0].input).toMatchObject({
      TimePeriod: month,
      Granularity: 'MONTHLY',
    });
    expect(result.payload.period).toEqual({ start: '2026-10-01', end: '2026-11-01', granularity: 'MONTHLY' });
    expect(result.payload.services).toEqual([
      {
        service: 'AWS Lambda',
        usage_types: 'Request-ARM',
        date_from: '2026-10-01',
        date_to: '2026-11-01',
        cost: 1,
        currency: 'USD',
        utilization: 5000000,
        utilization_unit: 'Requests',
      },
    ]);
  });

  it('records an account without usage as zero items, not as an error', async () => {
    ce.on(GetCostAndUsageCommand).resolves({
      ResultsByTime: [{ TimePeriod: day, Total: {}, Groups: [], Estimated: false }],
    });
    const result = await serviceUsageCollector.collect(collectContext({ window }));
    expect(result.payload.services).toEqual([]);
    expect(result.rows).toBe(0);
    expect(result.skippedReason).toBeUndefined();
  });

  it.each([
    ['AccessDeniedException', 'User not enabled for cost explorer access', 400, ServiceNotEnabledError],
    ['AccessDeniedException', 'not authorized to perform: ce:GetCostAndUsage', 403, SourceAccessError],
    ['LimitExceededException', 'Rate exceeded', 400, TransientError],
    ['InvalidNextTokenException', 'The pagination token is invalid.', 400, SourceRequestError],
    ['BillExpirationException', 'The requested report expired.', 400, SourceRequestError],
    ['InternalServerException', 'boom', 500, TransientError],
  ])('classifies %s (%s)', async (name, message, status, type) => {
    ce.on(GetCostAndUsageCommand).rejects(serviceError(name, message, status));
    const error = await serviceUsageCollector.collect(collectContext({ window })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(type);
    expect((error as Error).message).toContain(message);
  });

  it('classifies an error on a later page the same way', async () => {
    ce.on(GetCostAndUsageCommand)
      .resolvesOnce({ ResultsByTime: [{ TimePeriod: day, Groups: [] }], NextPageToken: 'page-2' })
      .rejectsOnce(serviceError('RequestChangedException', 'Your request parameters changed between pages.'));
    await expect(serviceUsageCollector.collect(collectContext({ window }))).rejects.toBeInstanceOf(
      SourceRequestError,
    );
    expect(ce.commandCalls(GetCostAndUsageCommand)).toHaveLength(2);
  });

  it.each<[ResultByTime, string]>([
    [{ Total: {}, Groups: [] }, 'ResultsByTime[0].TimePeriod'],
    [{ TimePeriod: { Start: '2026-11-25', End: undefined }, Groups: [] }, 'ResultsByTime[0].TimePeriod.End'],
    [
      {
        TimePeriod: day,
        Groups: [{ Keys: ['AWS Lambda'], Metrics: group('a', 'b', '1', '1', 'x').Metrics }],
      },
      'Groups[0].Keys[1]',
    ],
    [
      {
        TimePeriod: day,
        Groups: [
          { Keys: ['AWS Lambda', 'Request'], Metrics: { UnblendedCost: { Amount: '1', Unit: 'USD' } } },
        ],
      },
      'Groups[0].Metrics.UsageQuantity.Amount',
    ],
  ])(
    'rejects a response without the fields the API reference promises (%#), naming the field',
    async (result, path) => {
      ce.on(GetCostAndUsageCommand).resolves({ ResultsByTime: [result] });
      const error = await serviceUsageCollector.collect(collectContext({ window })).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DataContractError);
      expect((error as Error).message).toContain(path);
    },
  );

  it('rejects an amount that is not a number', async () => {
    ce.on(GetCostAndUsageCommand).resolves({
      ResultsByTime: [{ TimePeriod: day, Groups: [group('AWS Lambda', 'Request', 'n/a', '1', 'Requests')] }],
    });
    await expect(serviceUsageCollector.collect(collectContext({ window }))).rejects.toBeInstanceOf(
      DataContractError,
    );
  });
});
