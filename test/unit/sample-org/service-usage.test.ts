import { describe, expect, it } from 'vitest';
import {
  costExplorerSimulator,
  usageLines,
} from '../../../functions/adapters/local/sample-org/services/cost-explorer.ts';
import { serviceUsageCollector } from '../../../functions/collectors/service-usage.ts';
import {
  DataContractError,
  ServiceNotEnabledError,
  SourceAccessError,
} from '../../../functions/platform/errors.ts';
import { collectFromSample, SAMPLE_REGIONS } from '../../support/sample.ts';

const now = new Date('2026-11-26T06:00:00Z');
const daily = { period: 'DAILY' as const, start: '2026-11-25', end: '2026-11-26' };
const simulators = [costExplorerSimulator];
/** identity-prod: a production account with more (service, usage type) lines than one page holds. */
const production = 7;

describe('service-usage collector against the sample organization', () => {
  it('pages a production account through the real SDK client to every usage line', async () => {
    const { result, stats, account } = await collectFromSample(serviceUsageCollector, {
      simulators,
      window: daily,
      now,
      accountIndex: production,
    });
    expect(account.environment).toBe('production');
    const lines = usageLines(account, SAMPLE_REGIONS);
    expect(lines).toHaveLength(43);
    // 43 groups at 20 a page.
    expect(stats.apiCalls).toBe(3);
    expect(serviceUsageCollector.schema.safeParse(result.payload).success).toBe(true);
    expect(result.rows).toBe(43);
    expect(result.payload.services.map((s) => `${s.service}|${s.usage_types}`).sort()).toEqual(
      lines.map((l) => `${l.service}|${l.usageType}`).sort(),
    );
    for (const item of result.payload.services) {
      expect(item).toMatchObject({ date_from: '2026-11-25', date_to: '2026-11-26', currency: 'USD' });
    }
    const ec2 = result.payload.services.filter((s) => s.service === 'Amazon Elastic Compute Cloud - Compute');
    expect(ec2.length).toBeGreaterThan(0);
    for (const s of ec2) {
      expect(s.cost).toBeGreaterThan(0);
      expect(s.utilization_unit).toBe('Hrs');
    }
    expect(result.payload.services.find((s) => s.service === 'Tax')).toMatchObject({
      cost: 0,
      utilization: 0,
    });
  });

  it('is deterministic and varies from day to day', async () => {
    const options = { simulators, window: daily, now, accountIndex: production };
    const a = await collectFromSample(serviceUsageCollector, options);
    const b = await collectFromSample(serviceUsageCollector, options);
    expect(a.result.payload).toEqual(b.result.payload);
    const dayBefore = await collectFromSample(serviceUsageCollector, {
      ...options,
      window: { period: 'DAILY', start: '2026-11-24', end: '2026-11-25' },
    });
    const costOf = (payload: typeof a.result.payload) => payload.services.reduce((sum, s) => sum + s.cost, 0);
    expect(costOf(dayBefore.result.payload)).not.toBe(costOf(a.result.payload));
  });

  it('collects a month as one MONTHLY period per line, over several pages', async () => {
    const { result, stats } = await collectFromSample(serviceUsageCollector, {
      simulators,
      window: { period: 'MONTHLY', start: '2026-10-01', end: '2026-11-01' },
      now,
      accountIndex: production,
    });
    expect(stats.apiCalls).toBe(3);
    expect(result.payload.services).toHaveLength(43);
    for (const item of result.payload.services) {
      expect([item.date_from, item.date_to]).toEqual(['2026-10-01', '2026-11-01']);
    }
  });

  it('answers the not-enabled, access-denied and malformed faults as AWS does', async () => {
    const fault = (kind: 'not-enabled' | 'access-denied' | 'malformed') =>
      collectFromSample(serviceUsageCollector, {
        simulators,
        window: daily,
        now,
        faults: [{ category: 'service-usage', kind }],
      });
    await expect(fault('not-enabled')).rejects.toBeInstanceOf(ServiceNotEnabledError);
    await expect(fault('access-denied')).rejects.toBeInstanceOf(SourceAccessError);
    const malformed = await fault('malformed').catch((e: unknown) => e);
    expect(malformed).toBeInstanceOf(DataContractError);
    expect((malformed as Error).message).toContain('ResultsByTime[0].TimePeriod');
  });
});
