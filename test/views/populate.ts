import { runOrchestrate } from '../../functions/adapters/local/pipeline.ts';
import type { Fault } from '../../functions/adapters/local/sample-org/organization.ts';
import { addDays } from '../../functions/platform/period.ts';
import type { Sql } from '../../functions/ports.ts';
import { testPipeline } from '../support/pipeline.ts';

/** The last collected day of the populated database; the daily runs cover it and the two days before. */
export const LAST_DAY = '2026-11-24';
export const DAYS = [addDays(LAST_DAY, -2), addDays(LAST_DAY, -1), LAST_DAY] as const;
/** The monthly run's month. */
export const MONTH = '2026-10-01';
/** The sample organization's size: its first accounts include suspended ones, which are not collected. */
export const ACCOUNTS = 5;

/** Period facts: what the monthly run and the earlier days collect (with the findings, for their lifecycle). */
const PERIOD_CATEGORIES = ['account', 'cost', 'service-usage', 'reservations', 'config', 'marketplace'];
const FINDING_CATEGORIES = ['security-hub', 'guardduty', 'inspector'];

/** The run ids the populated database holds. */
export const RUNS = {
  monthly: 'r-views-monthly',
  daily: DAYS.map((day) => `r-views-${day}`),
  faulty: 'r-views-faulty',
} as const;

/** The faulty run collects two categories: one fails (access denied), one is skipped (no support plan). */
export const FAILING_CATEGORY = 'support-cases';
export const SKIPPED_CATEGORY = 'trusted-advisor';
const FAULTS: readonly Fault[] = [
  { category: FAILING_CATEGORY, kind: 'access-denied' },
  { category: SKIPPED_CATEGORY, kind: 'not-enabled' },
];

const at = (day: string, time = '06:00:00') => new Date(`${day}T${time}Z`);

async function orchestrate(
  sql: Sql,
  now: Date,
  input: Record<string, unknown>,
  faults: readonly Fault[] = [],
): Promise<string> {
  const pipeline = testPipeline(sql, { accounts: ACCOUNTS, now, faults });
  const execution = await runOrchestrate(pipeline.deps, input, { retryIntervalMs: 0 });
  return execution.status;
}

/**
 * Fills a migrated database through the real pipeline (orchestrate, collect, load over the sample
 * organization): a MONTHLY run of last month, DAILY runs of three consecutive days (each collected the next
 * morning, so current-state rows move on day by day; every category on the last day), then a run of two
 * categories with faults, so the ledger holds a FAILED and a SKIPPED slice after their successful ones.
 */
export async function populate(sql: Sql): Promise<void> {
  const statuses = [
    await orchestrate(sql, at('2026-11-02'), {
      runId: RUNS.monthly,
      period: 'MONTHLY',
      date: MONTH,
      categories: PERIOD_CATEGORIES,
    }),
  ];
  for (const [i, day] of DAYS.entries()) {
    // Every category on the last day; the days before, what trends and lifecycles need (keeps it fast).
    const categories = day === LAST_DAY ? {} : { categories: [...PERIOD_CATEGORIES, ...FINDING_CATEGORIES] };
    statuses.push(
      await orchestrate(sql, at(addDays(day, 1)), { runId: RUNS.daily[i], date: day, ...categories }),
    );
  }
  const failing = await orchestrate(
    sql,
    at(addDays(LAST_DAY, 1), '07:00:00'),
    { runId: RUNS.faulty, date: LAST_DAY, categories: FAULTS.map((f) => f.category) },
    FAULTS,
  );
  if (statuses.some((s) => s !== 'SUCCEEDED') || failing !== 'FAILED') {
    throw new Error(`unexpected run outcomes: ${[...statuses, failing].join(', ')}`);
  }
}
