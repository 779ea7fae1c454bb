import type { Sql } from '../../ports.ts';
import { accountFilter, dateFilter, type Filters } from '../filters.ts';
import { bars, num, reader, round, shape } from './common.ts';

type Row = Record<string, string | number | boolean | null>;

/**
 * Runs of the ledger (`runs`, `run_categories`) that touched the filtered accounts, with a window starting in
 * the date range: their slices, failures, rows and duration.
 */
const RUNS = `
SELECT r.run_id, r.trigger, r.period, r.window_start, r.window_end, r.started_at, r.finished_at, r.status,
       round(CAST(extract(epoch FROM r.finished_at - r.started_at) AS numeric), 1) AS duration_seconds,
       count(DISTINCT rc.account_id) AS accounts,
       count(*) FILTER (WHERE rc.phase = 'collect') AS slices,
       count(*) FILTER (WHERE rc.status = 'FAILED') AS failed,
       count(*) FILTER (WHERE rc.status = 'PARTIAL') AS partial,
       count(*) FILTER (WHERE rc.status = 'SKIPPED') AS skipped,
       coalesce(sum(rc.rows) FILTER (WHERE rc.phase = 'load'), 0) AS rows_loaded
FROM runs r
JOIN run_categories rc ON rc.run_id = r.run_id
WHERE ${accountFilter('rc')} AND ${dateFilter('r.window_start')}
GROUP BY r.run_id, r.trigger, r.period, r.window_start, r.window_end, r.started_at, r.finished_at, r.status
ORDER BY r.started_at DESC, r.run_id DESC
LIMIT 50`;

/** Average and longest collect and load time per category, over the same runs. */
const CATEGORY_DURATIONS = `
SELECT rc.category,
       round(avg(rc.duration_ms) FILTER (WHERE rc.phase = 'collect')) AS collect_ms,
       round(avg(rc.duration_ms) FILTER (WHERE rc.phase = 'load')) AS load_ms,
       max(rc.duration_ms) AS longest_ms
FROM run_categories rc
JOIN runs r ON r.run_id = rc.run_id
WHERE ${accountFilter('rc')} AND ${dateFilter('r.window_start')}
GROUP BY rc.category
ORDER BY rc.category`;

/** The latest state of every account x category (view_data_completeness). */
const COMPLETENESS = `
SELECT d.account_id, d.account_name, d.category, coalesce(d.latest_status, 'NEVER RUN') AS latest_status,
       d.latest_run_id, d.latest_window_start, d.latest_error, d.last_loaded_window_start, d.last_loaded_age_hours
FROM view_data_completeness d
WHERE ${accountFilter('d')}
ORDER BY d.account_name, d.account_id, d.category`;

/** Failed, partial and explained skipped slices (view_acct_log_messages), with the slice's state now. */
const FAILURES = `
SELECT m.created_at, m.run_id, r.window_start, m.account_id, m.account_name, m.category, m.phase,
       m.message_type, m.message, d.latest_status AS status_now
FROM view_acct_log_messages m
JOIN runs r ON r.run_id = m.run_id
LEFT JOIN view_data_completeness d ON d.account_id = m.account_id AND d.category = m.category
WHERE ${accountFilter('m')} AND ${dateFilter('r.window_start')}
ORDER BY m.created_at DESC, m.run_id, m.account_id, m.category
LIMIT 200`;

export async function operationsPage(sql: Sql, filters: Filters) {
  const db = reader(sql, filters);
  const [runs, durations, completeness, failures] = await Promise.all([
    db.rows(RUNS),
    db.rows(CATEGORY_DURATIONS),
    db.rows(COMPLETENESS),
    db.rows(FAILURES),
  ]);
  const runRows = shape(runs, [
    'duration_seconds',
    'accounts',
    'slices',
    'failed',
    'partial',
    'skipped',
    'rows_loaded',
  ]).map(
    (run): Row => ({
      ...run,
      rerun:
        (run.failed as number) > 0 || (run.partial as number) > 0
          ? `npx a360 rerun --run ${run.run_id}`
          : null,
    }),
  );
  const chronological = [...runRows].reverse();
  const statusCounts = new Map<string, number>();
  for (const row of completeness) {
    const status = String(row.latest_status);
    statusCounts.set(status, (statusCounts.get(status) ?? 0) + 1);
  }
  const failureRows = shape(failures, []).map(
    (f): Row => ({
      ...f,
      rerun:
        f.message_type === 'ERROR' || /PARTIAL/.test(String(f.message))
          ? `npx a360 rerun --run ${f.run_id}`
          : null,
    }),
  );
  return {
    kpis: {
      runs: runRows.length,
      lastRun: runRows[0]?.run_id ?? null,
      lastRunStatus: runRows[0]?.status ?? null,
      slices: completeness.length,
      succeeded: statusCounts.get('SUCCEEDED') ?? 0,
      failing: (statusCounts.get('FAILED') ?? 0) + (statusCounts.get('PARTIAL') ?? 0),
      failures: failureRows.filter((f) => f.message_type === 'ERROR').length,
    },
    runs: runRows,
    runDurations: {
      labels: chronological.map((r) => `${r.window_start} ${r.period} (${String(r.run_id).slice(-6)})`),
      datasets: [
        { label: 'Duration (s)', data: chronological.map((r) => (r.duration_seconds as number | null) ?? 0) },
      ],
    },
    categoryDurations: {
      labels: durations.map((r) => String(r.category)),
      datasets: [
        { label: 'Collect (ms, average)', data: durations.map((r) => round(num(r.collect_ms) ?? 0, 0)) },
        { label: 'Load (ms, average)', data: durations.map((r) => round(num(r.load_ms) ?? 0, 0)) },
      ],
    },
    statusCounts: bars(
      [...statusCounts.entries()].map(([status, slices]) => ({ status, slices })),
      'status',
      'slices',
      'Account x category slices',
    ),
    completeness: shape(completeness, ['last_loaded_age_hours']),
    failures: failureRows,
  };
}
