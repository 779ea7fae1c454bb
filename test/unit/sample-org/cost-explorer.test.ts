import { describe, expect, it } from 'vitest';
import { costExplorerSimulator } from '../../../functions/adapters/local/sample-org/services/cost-explorer.ts';
import { costCollector } from '../../../functions/collectors/cost.ts';
import { ServiceNotEnabledError, SourceAccessError } from '../../../functions/platform/errors.ts';
import { collectFromSample } from '../../support/sample.ts';

const now = new Date('2026-11-26T06:00:00Z');
const daily = { period: 'DAILY' as const, start: '2026-11-25', end: '2026-11-26' };
const simulators = [costExplorerSimulator];

describe('cost collector against the sample organization', () => {
  it('collects a plausible, schema-valid report through the real SDK client', async () => {
    const { result, stats } = await collectFromSample(costCollector, { simulators, window: daily, now });
    expect(costCollector.schema.safeParse(result.payload).success).toBe(true);
    expect(result.payload.current_period_cost).toBeGreaterThan(1);
    expect(result.payload.top_services).toHaveLength(5);
    expect(result.payload.forecast.length).toBeGreaterThan(0);
    expect(stats.apiCalls).toBeGreaterThanOrEqual(3);
  });

  it('is deterministic and varies from day to day', async () => {
    const a = await collectFromSample(costCollector, { simulators, window: daily, now });
    const b = await collectFromSample(costCollector, { simulators, window: daily, now });
    expect(a.result.payload).toEqual(b.result.payload);
    expect(a.result.payload.current_period_cost).not.toBe(a.result.payload.previous_period_cost);
  });

  it('pages through a month of grouped results', async () => {
    const { result, stats } = await collectFromSample(costCollector, {
      simulators,
      window: { period: 'MONTHLY', start: '2026-10-01', end: '2026-11-01' },
      now,
    });
    expect(result.payload.period.granularity).toBe('MONTHLY');
    expect(result.payload.current_period_cost).toBeGreaterThan(
      result.payload.top_services[0]?.cost ?? Infinity,
    );
    expect(stats.apiCalls).toBeGreaterThanOrEqual(3);
  });

  it('answers the not-enabled and access-denied faults as AWS does', async () => {
    await expect(
      collectFromSample(costCollector, {
        simulators,
        window: daily,
        now,
        faults: [{ category: 'cost', kind: 'not-enabled' }],
      }),
    ).rejects.toBeInstanceOf(ServiceNotEnabledError);
    await expect(
      collectFromSample(costCollector, {
        simulators,
        window: daily,
        now,
        faults: [{ category: 'cost', kind: 'access-denied' }],
      }),
    ).rejects.toBeInstanceOf(SourceAccessError);
  });
});
