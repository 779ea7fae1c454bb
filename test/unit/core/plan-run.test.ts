import { describe, expect, it } from 'vitest';
import { CATEGORY_IDS } from '../../../functions/collectors/registry.ts';
import { newRunId, type PlanDeps, planRun } from '../../../functions/core/plan-run.ts';
import { InvalidInputError } from '../../../functions/platform/errors.ts';

const NOW = new Date('2026-11-26T21:05:12.345Z');
const ACCOUNT = '123456789012';

function deps(overrides: Partial<PlanDeps> = {}): PlanDeps {
  return {
    clock: { now: () => NOW },
    regions: ['us-east-1', 'eu-west-1'],
    enabledCategories: ['service-usage', 'cost'],
    collectorFunction: (category) => `a360-collect-${category}`,
    ...overrides,
  };
}

function invalid(input: unknown, planDeps: PlanDeps = deps()): InvalidInputError {
  try {
    planRun(planDeps, input);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidInputError);
    return error as InvalidInputError;
  }
  throw new Error('expected an InvalidInputError, but planRun succeeded');
}

describe('planRun', () => {
  it('plans yesterday for the account, every enabled category in registry order, the default regions', () => {
    const plan = planRun(deps(), { accountId: ACCOUNT });
    expect(plan).toEqual({
      runId: expect.stringMatching(/^r-20261126T210512Z-[0-9a-f]+$/),
      trigger: 'manual',
      accountId: ACCOUNT,
      window: { period: 'DAILY', start: '2026-11-25', end: '2026-11-26' },
      regions: ['us-east-1', 'eu-west-1'],
      snapshotKey: `data/${ACCOUNT}/2026-11-25_DAILY.json`,
      startedAt: '2026-11-26T21:05:12.345Z',
      load: true,
      categories: [
        { category: 'cost', functionName: 'a360-collect-cost' },
        { category: 'service-usage', functionName: 'a360-collect-service-usage' },
      ],
    });
  });

  it('resolves a MONTHLY period case-insensitively and a date to its calendar month', () => {
    const plan = planRun(deps(), { accountId: ACCOUNT, period: 'monthly', date: '2026-10-15' });
    expect(plan.window).toEqual({ period: 'MONTHLY', start: '2026-10-01', end: '2026-11-01' });
    expect(plan.snapshotKey).toBe(`data/${ACCOUNT}/2026-10-01_MONTHLY.json`);
  });

  it('defaults a MONTHLY plan to last month', () => {
    const plan = planRun(deps(), { accountId: ACCOUNT, period: 'MONTHLY' });
    expect(plan.window).toEqual({ period: 'MONTHLY', start: '2026-10-01', end: '2026-11-01' });
  });

  it('allows the current month, whose start is not in the future', () => {
    const plan = planRun(deps(), { accountId: ACCOUNT, period: 'MONTHLY', date: '2026-11-26' });
    expect(plan.window.start).toBe('2026-11-01');
  });

  it('keeps requested categories in registry order and drops duplicates', () => {
    const plan = planRun(deps(), {
      accountId: ACCOUNT,
      categories: ['service-usage', 'cost', 'service-usage', 'cost'],
    });
    expect(plan.categories.map((c) => c.category)).toEqual(['cost', 'service-usage']);
    expect(CATEGORY_IDS.indexOf('cost')).toBeLessThan(CATEGORY_IDS.indexOf('service-usage'));
  });

  it('collects only the requested categories, and only the enabled ones when none are requested', () => {
    expect(
      planRun(deps(), { accountId: ACCOUNT, categories: ['service-usage'] }).categories.map(
        (c) => c.category,
      ),
    ).toEqual(['service-usage']);
    expect(
      planRun(deps({ enabledCategories: ['cost'] }), { accountId: ACCOUNT }).categories.map(
        (c) => c.category,
      ),
    ).toEqual(['cost']);
  });

  it('takes regions, run id, trigger and load from the input', () => {
    const plan = planRun(deps(), {
      accountId: ACCOUNT,
      regions: ['ap-southeast-2', 'us-gov-west-1'],
      runId: 'r-rerun-1',
      trigger: 'rerun',
      load: false,
    });
    expect(plan).toMatchObject({
      regions: ['ap-southeast-2', 'us-gov-west-1'],
      runId: 'r-rerun-1',
      trigger: 'rerun',
      load: false,
    });
  });

  it('rejects an invalid account id, naming the field', () => {
    const error = invalid({ accountId: '12345' });
    expect(error.message).toBe('invalid collect input: accountId: must be a 12-digit AWS account id');
    expect(invalid({ accountId: '1234567890123' }).message).toContain('accountId: ');
    expect(invalid({ accountId: 123456789012 }).message).toContain('accountId: ');
    expect(invalid({}).message).toContain('accountId: ');
  });

  it('rejects input that is not an object', () => {
    expect(invalid(null).message).toMatch(/^invalid collect input: \(root\): /);
    expect(invalid('123456789012').message).toMatch(/^invalid collect input: \(root\): /);
  });

  it('rejects an unknown category, listing the known ones', () => {
    const error = invalid({ accountId: ACCOUNT, categories: ['cost', 'nope'] });
    expect(error.message).toBe(`unknown category "nope"; known categories: ${CATEGORY_IDS.join(', ')}`);
    expect(error.message).toContain('cost, service-usage');
  });

  it('rejects several unknown categories in one message', () => {
    expect(invalid({ accountId: ACCOUNT, categories: ['a', 'b'] }).message).toMatch(
      /^unknown categories "a", "b"; known categories: /,
    );
  });

  it('rejects a date in the future', () => {
    expect(invalid({ accountId: ACCOUNT, date: '2026-11-27' }).message).toBe(
      'date 2026-11-27 is in the future',
    );
    expect(invalid({ accountId: ACCOUNT, period: 'MONTHLY', date: '2026-12-01' }).message).toBe(
      'date 2026-12-01 is in the future',
    );
  });

  it('rejects an invalid date, naming the value', () => {
    expect(invalid({ accountId: ACCOUNT, date: '2026-02-30' }).message).toContain('"2026-02-30"');
    expect(invalid({ accountId: ACCOUNT, date: '2026-13-01' }).message).toContain('"2026-13-01"');
    expect(invalid({ accountId: ACCOUNT, date: '2026-1-1' }).message).toContain('"2026-1-1"');
  });

  it('rejects a bad period, naming the field and the periods', () => {
    expect(invalid({ accountId: ACCOUNT, period: 'WEEKLY' }).message).toBe(
      'invalid collect input: period: must be one of DAILY, MONTHLY',
    );
    expect(invalid({ accountId: ACCOUNT, period: 1 }).message).toContain('period: ');
  });

  it('rejects bad regions, run ids, triggers and load flags, naming the field', () => {
    expect(invalid({ accountId: ACCOUNT, regions: ['us-east-1', 'US-EAST-1'] }).message).toContain(
      'regions[1]: must be an AWS region name',
    );
    expect(invalid({ accountId: ACCOUNT, regions: [] }).message).toContain('regions: ');
    expect(invalid({ accountId: ACCOUNT, runId: 'r 1' }).message).toContain('runId: ');
    expect(invalid({ accountId: ACCOUNT, runId: 'x'.repeat(81) }).message).toContain('runId: ');
    expect(invalid({ accountId: ACCOUNT, trigger: 'cron' }).message).toContain('trigger: ');
    expect(invalid({ accountId: ACCOUNT, load: 'yes' }).message).toContain('load: ');
  });

  it('names every wrong field in one error', () => {
    const message = invalid({ accountId: 'x', period: 'WEEKLY', trigger: 'cron' }).message;
    expect(message).toContain('accountId: ');
    expect(message).toContain('period: ');
    expect(message).toContain('trigger: ');
  });
});

describe('newRunId', () => {
  it('stamps the UTC second of now', () => {
    expect(newRunId(NOW)).toMatch(/^r-20261126T210512Z-[0-9a-f]+$/);
  });

  it('fits the run id that planRun accepts as input', () => {
    const runId = newRunId(NOW);
    expect(planRun(deps(), { accountId: ACCOUNT, runId }).runId).toBe(runId);
  });

  it('sorts as text in the order of the times it was made at', () => {
    const times = [
      '2025-12-31T23:59:59.999Z',
      '2026-01-01T00:00:00.000Z',
      '2026-01-01T00:00:01.000Z',
      '2026-01-01T00:01:00.000Z',
      '2026-02-01T00:00:00.000Z',
      '2026-11-26T21:05:12.345Z',
      '2027-01-01T00:00:00.000Z',
    ];
    const ids = times.map((t) => newRunId(new Date(t)));
    expect([...ids].reverse().sort()).toEqual(ids);
  });

  it('is unique across 1000 calls at the same instant', () => {
    const ids = new Set(Array.from({ length: 1000 }, () => newRunId(NOW)));
    expect(ids.size).toBe(1000);
  });
});
