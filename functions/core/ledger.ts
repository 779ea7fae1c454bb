import type { Window } from '../platform/period.ts';
import type { Sql, SqlRow } from '../ports.ts';
import { sqlJson } from '../ports.ts';
import type { CategoryStatus } from '../snapshot/snapshot.ts';

export type LedgerStatus = 'RUNNING' | CategoryStatus;
export type Phase = 'collect' | 'load';

export interface LedgerEntry {
  readonly runId: string;
  readonly accountId: string;
  readonly category: string;
  readonly phase: Phase;
  readonly status: LedgerStatus;
  readonly rows?: number;
  readonly apiCalls?: number;
  readonly throttled?: number;
  readonly costExplorerCalls?: number;
  readonly durationMs?: number;
  readonly error?: { readonly name: string; readonly message: string } | null;
  readonly attempt?: number;
  readonly snapshotKey?: string;
  readonly regions?: unknown;
  readonly startedAt?: Date;
  readonly finishedAt?: Date | null;
}

/** Registers a run, or widens its recorded start when an earlier part of it shows up. */
export async function upsertRun(
  sql: Sql,
  run: { runId: string; trigger: string; window: Window; startedAt: Date },
): Promise<void> {
  await sql.execute(
    `INSERT INTO runs (run_id, trigger, period, window_start, window_end, started_at, status)
     VALUES (:run_id, :trigger, :period, CAST(:start AS date), CAST(:end AS date), :started_at, 'RUNNING')
     ON CONFLICT (run_id) DO UPDATE SET started_at = LEAST(runs.started_at, EXCLUDED.started_at)`,
    {
      run_id: run.runId,
      trigger: run.trigger,
      period: run.window.period,
      start: run.window.start,
      end: run.window.end,
      started_at: run.startedAt,
    },
  );
}

export async function recordCategory(sql: Sql, entry: LedgerEntry): Promise<void> {
  await sql.execute(
    `INSERT INTO run_categories (run_id, account_id, category, phase, status, rows, api_calls, throttled,
       cost_explorer_calls, duration_ms, error_name, error_message, attempt, snapshot_key, regions, started_at,
       finished_at)
     VALUES (:run_id, :account_id, :category, :phase, :status, :rows, :api_calls, :throttled,
       :cost_explorer_calls, :duration_ms, :error_name, :error_message, :attempt, :snapshot_key,
       CAST(:regions AS jsonb), :started_at, :finished_at)
     ON CONFLICT (run_id, account_id, category, phase) DO UPDATE SET
       status = EXCLUDED.status, rows = EXCLUDED.rows, api_calls = EXCLUDED.api_calls,
       throttled = EXCLUDED.throttled, cost_explorer_calls = EXCLUDED.cost_explorer_calls,
       duration_ms = EXCLUDED.duration_ms, error_name = EXCLUDED.error_name,
       error_message = EXCLUDED.error_message, attempt = EXCLUDED.attempt, snapshot_key = EXCLUDED.snapshot_key,
       regions = EXCLUDED.regions, started_at = EXCLUDED.started_at, finished_at = EXCLUDED.finished_at`,
    {
      run_id: entry.runId,
      account_id: entry.accountId,
      category: entry.category,
      phase: entry.phase,
      status: entry.status,
      rows: entry.rows ?? 0,
      api_calls: entry.apiCalls ?? 0,
      throttled: entry.throttled ?? 0,
      cost_explorer_calls: entry.costExplorerCalls ?? 0,
      duration_ms: Math.round(entry.durationMs ?? 0),
      error_name: entry.error?.name ?? null,
      error_message: entry.error?.message.slice(0, 4000) ?? null,
      attempt: entry.attempt ?? 1,
      snapshot_key: entry.snapshotKey ?? null,
      regions: entry.regions === undefined ? null : sqlJson(entry.regions),
      started_at: entry.startedAt ?? null,
      finished_at: entry.finishedAt ?? null,
    },
  );
}

/** The attempt a new load of this slice is: one more than the last one recorded. */
export async function nextLoadAttempt(
  sql: Sql,
  runId: string,
  accountId: string,
  category: string,
): Promise<number> {
  const [row] = await sql.query<{ attempt: number }>(
    `SELECT attempt FROM run_categories
     WHERE run_id = :run_id AND account_id = :account_id AND category = :category AND phase = 'load'`,
    { run_id: runId, account_id: accountId, category },
  );
  return (row?.attempt ?? 0) + 1;
}

/**
 * The latest load status of each category of an account's window, across runs: what decides whether a
 * snapshot is completely loaded.
 */
export async function latestLoadStatuses(
  sql: Sql,
  accountId: string,
  window: Window,
): Promise<Map<string, LedgerStatus>> {
  const rows = await sql.query<{ category: string; status: LedgerStatus }>(
    `SELECT DISTINCT ON (rc.category) rc.category, rc.status
     FROM run_categories rc JOIN runs r ON r.run_id = rc.run_id
     WHERE rc.account_id = :account_id AND rc.phase = 'load'
       AND r.period = :period AND r.window_start = CAST(:start AS date)
     ORDER BY rc.category, rc.finished_at DESC NULLS LAST, rc.started_at DESC NULLS LAST`,
    { account_id: accountId, period: window.period, start: window.start },
  );
  return new Map(rows.map((r) => [r.category, r.status]));
}

/** Recomputes a run's status from its slices: any failure makes it PARTIAL, or FAILED if nothing succeeded. */
export async function settleRun(sql: Sql, runId: string, finishedAt: Date): Promise<LedgerStatus> {
  const [row] = await sql.query<{ failed: number; partial: number; ok: number }>(
    `SELECT count(*) FILTER (WHERE status = 'FAILED') AS failed,
            count(*) FILTER (WHERE status = 'PARTIAL') AS partial,
            count(*) FILTER (WHERE status IN ('SUCCEEDED', 'PARTIAL')) AS ok
     FROM run_categories WHERE run_id = :run_id`,
    { run_id: runId },
  );
  const failed = row?.failed ?? 0;
  const ok = row?.ok ?? 0;
  const status: LedgerStatus =
    failed > 0
      ? ok > 0
        ? 'PARTIAL'
        : 'FAILED'
      : (row?.partial ?? 0) > 0
        ? 'PARTIAL'
        : ok > 0
          ? 'SUCCEEDED'
          : 'SKIPPED';
  await sql.execute(`UPDATE runs SET status = :status, finished_at = :finished_at WHERE run_id = :run_id`, {
    status,
    finished_at: finishedAt,
    run_id: runId,
  });
  return status;
}

export interface SliceRow extends SqlRow {
  run_id: string;
  account_id: string;
  account_name: string | null;
  category: string;
  phase: Phase;
  status: LedgerStatus;
  rows: number;
  api_calls: number;
  throttled: number;
  cost_explorer_calls: number;
  duration_ms: number;
  error_name: string | null;
  error_message: string | null;
  attempt: number;
  finished_at: Date | null;
}

/** Every slice row of a run (or of the latest run), for `a360 status`. */
export async function runSlices(
  sql: Sql,
  filter: { runId?: string; accountId?: string },
): Promise<{ run: SqlRow | undefined; slices: SliceRow[] }> {
  const [run] = await sql.query(
    filter.runId
      ? 'SELECT * FROM runs WHERE run_id = :run_id'
      : 'SELECT * FROM runs ORDER BY started_at DESC, run_id DESC LIMIT 1',
    filter.runId ? { run_id: filter.runId } : {},
  );
  if (!run) return { run: undefined, slices: [] };
  const slices = await sql.query<SliceRow>(
    `SELECT rc.*, a.account_name FROM run_categories rc LEFT JOIN accounts a ON a.id = rc.account_id
     WHERE rc.run_id = :run_id ${filter.accountId ? 'AND rc.account_id = :account_id' : ''}
     ORDER BY rc.account_id, rc.category, rc.phase`,
    { run_id: run.run_id as string, ...(filter.accountId ? { account_id: filter.accountId } : {}) },
  );
  return { run, slices };
}

/**
 * The state of a window: for each account x category, the rows of the latest run that touched it (a rerun's
 * success replaces the earlier failure, and a failed recollection is not hidden by an older load). A run that
 * only reloaded keeps showing the collection it loaded.
 */
export async function windowSlices(
  sql: Sql,
  window: Pick<Window, 'period' | 'start'>,
  accountId?: string,
): Promise<SliceRow[]> {
  const rows = await sql.query<SliceRow & { run_started_at: Date }>(
    `SELECT rc.*, a.account_name, r.started_at AS run_started_at
     FROM run_categories rc JOIN runs r ON r.run_id = rc.run_id LEFT JOIN accounts a ON a.id = rc.account_id
     WHERE r.period = :period AND r.window_start = CAST(:start AS date)
       ${accountId ? 'AND rc.account_id = :account_id' : ''}`,
    { period: window.period, start: window.start, ...(accountId ? { account_id: accountId } : {}) },
  );
  const when = (row: SliceRow & { run_started_at: Date }) =>
    (row.finished_at ?? row.run_started_at).getTime() * 1e3 + (row.phase === 'load' ? 1 : 0);
  const bySlice = new Map<string, Array<SliceRow & { run_started_at: Date }>>();
  for (const row of rows) {
    const key = `${row.account_id}|${row.category}`;
    bySlice.set(key, [...(bySlice.get(key) ?? []), row]);
  }
  const result: SliceRow[] = [];
  for (const slice of bySlice.values()) {
    const newest = slice.reduce((a, b) => (when(b) > when(a) ? b : a));
    const ofRun = slice.filter((r) => r.run_id === newest.run_id);
    if (!ofRun.some((r) => r.phase === 'collect')) {
      const collects = slice.filter((r) => r.phase === 'collect');
      if (collects.length > 0) ofRun.unshift(collects.reduce((a, b) => (when(b) > when(a) ? b : a)));
    }
    for (const { run_started_at: _, ...row } of ofRun) result.push(row as SliceRow);
  }
  return result.sort(
    (a, b) =>
      a.account_id.localeCompare(b.account_id) ||
      a.category.localeCompare(b.category) ||
      a.phase.localeCompare(b.phase),
  );
}
