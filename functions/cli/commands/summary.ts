import { runSlices, type SliceRow } from '../../core/ledger.ts';
import type { Window } from '../../platform/period.ts';
import type { Sql } from '../../ports.ts';
import { bold, duration, type Output, red, statusWord, table } from '../render.ts';

export interface CategorySummary {
  readonly category: string;
  readonly accounts: number;
  readonly succeeded: number;
  readonly partial: number;
  readonly skipped: number;
  readonly failed: number;
  readonly rows: number;
  readonly apiCalls: number;
  readonly throttled: number;
  /** State machine retries (collect and load attempts beyond the first). */
  readonly retries: number;
}

export interface SliceFailure {
  readonly accountId: string;
  readonly accountName: string | null;
  readonly category: string;
  readonly phase: 'collect' | 'load';
  readonly status: 'FAILED' | 'PARTIAL';
  readonly error: string;
}

export interface RunSummary {
  readonly runId: string;
  readonly window: Window;
  readonly accounts: number;
  readonly elapsedMs: number;
  /** States entered across the run's executions (what Step Functions Standard bills), and per account. */
  readonly transitions: { readonly total: number; readonly perAccount: number } | null;
  /** Cost Explorer requests (billed each): the organization's, made once for the run, and the accounts' own. */
  readonly costExplorer: { readonly organization: number; readonly accounts: number };
  readonly database: string;
  readonly bucket: string;
  readonly categories: readonly CategorySummary[];
  readonly failures: readonly SliceFailure[];
  readonly totals: {
    readonly loaded: number;
    readonly skipped: number;
    readonly partial: number;
    readonly failed: number;
    readonly rows: number;
  };
  readonly executionFailures: readonly string[];
  readonly rerun: string | null;
}

type Outcome = 'SUCCEEDED' | 'PARTIAL' | 'SKIPPED' | 'FAILED' | 'RUNNING';

/** What one account x category ended as, from its collect and load rows. */
export function sliceOutcome(collect: SliceRow | undefined, load: SliceRow | undefined): Outcome {
  if (collect?.status === 'FAILED' || load?.status === 'FAILED') return 'FAILED';
  if (collect?.status === 'SKIPPED') return 'SKIPPED';
  if (!load || load.status === 'RUNNING') return 'RUNNING';
  return collect?.status === 'PARTIAL' ? 'PARTIAL' : 'SUCCEEDED';
}

export async function summarizeRun(
  sql: Sql,
  runId: string,
  info: {
    window: Window;
    elapsedMs: number;
    transitions?: number;
    database: string;
    bucket: string;
    executionFailures: readonly string[];
    rerun: (categories: readonly string[]) => string;
  },
): Promise<RunSummary> {
  const { run, slices } = await runSlices(sql, { runId });
  const bySlice = new Map<string, { collect?: SliceRow; load?: SliceRow }>();
  for (const row of slices) {
    const key = `${row.account_id}|${row.category}`;
    const entry = bySlice.get(key) ?? {};
    entry[row.phase] = row;
    bySlice.set(key, entry);
  }
  const categories = new Map<string, CategorySummary & Record<string, number>>();
  const failures: SliceFailure[] = [];
  for (const [key, { collect, load }] of bySlice) {
    const [accountId, category] = key.split('|') as [string, string];
    const outcome = sliceOutcome(collect, load);
    const summary =
      categories.get(category) ??
      ({
        category,
        accounts: 0,
        succeeded: 0,
        partial: 0,
        skipped: 0,
        failed: 0,
        rows: 0,
        apiCalls: 0,
        throttled: 0,
        retries: 0,
      } as CategorySummary & Record<string, number>);
    const counts = summary as unknown as Record<string, number>;
    counts.accounts = (counts.accounts ?? 0) + 1;
    if (outcome !== 'RUNNING') {
      const field = outcome.toLowerCase();
      counts[field] = (counts[field] ?? 0) + 1;
    }
    counts.rows = (counts.rows ?? 0) + (load?.rows ?? 0);
    counts.apiCalls = (counts.apiCalls ?? 0) + (collect?.api_calls ?? 0);
    counts.throttled = (counts.throttled ?? 0) + (collect?.throttled ?? 0);
    counts.retries =
      (counts.retries ?? 0) +
      Math.max(0, (collect?.attempt ?? 1) - 1) +
      Math.max(0, (load?.attempt ?? 1) - 1);
    categories.set(category, summary);
    for (const row of [collect, load]) {
      if (row?.status === 'FAILED' || row?.status === 'PARTIAL') {
        failures.push({
          accountId,
          accountName: row.account_name,
          category,
          phase: row.phase,
          status: row.status,
          error: `${row.error_name ?? 'Error'}: ${row.error_message ?? ''}`,
        });
      }
    }
  }
  const list = [...categories.values()];
  const failedCategories = [...new Set(failures.map((f) => f.category))];
  return {
    runId,
    window: info.window,
    accounts: new Set(slices.map((s) => s.account_id)).size,
    elapsedMs: info.elapsedMs,
    transitions:
      info.transitions === undefined
        ? null
        : {
            total: info.transitions,
            perAccount: Math.round(
              info.transitions / Math.max(1, new Set(slices.map((s) => s.account_id)).size),
            ),
          },
    costExplorer: {
      organization: Number(run?.cost_explorer_calls ?? 0),
      accounts: slices
        .filter((s) => s.phase === 'collect')
        .reduce((n, s) => n + Number(s.cost_explorer_calls ?? 0), 0),
    },
    database: info.database,
    bucket: info.bucket,
    categories: list,
    failures,
    totals: {
      loaded: list.reduce((n, c) => n + c.succeeded + c.partial, 0),
      skipped: list.reduce((n, c) => n + c.skipped, 0),
      partial: list.reduce((n, c) => n + c.partial, 0),
      failed: list.reduce((n, c) => n + c.failed, 0),
      rows: list.reduce((n, c) => n + c.rows, 0),
    },
    executionFailures: info.executionFailures,
    rerun: failedCategories.length > 0 ? info.rerun(failedCategories) : null,
  };
}

export function printRunSummary(output: Output, summary: RunSummary): void {
  const rows = summary.categories.map((c) => [
    c.category,
    c.accounts,
    c.succeeded,
    c.partial,
    c.skipped,
    c.failed,
    c.rows,
    c.apiCalls,
    c.throttled,
    c.retries,
  ]);
  output.write(
    `${bold(`Run ${summary.runId}`)}: ${summary.window.period} ${summary.window.start} to ${summary.window.end} (exclusive), ${summary.accounts} account${summary.accounts === 1 ? '' : 's'}, ${duration(summary.elapsedMs)}\n\n`,
  );
  output.write(
    `${table(['category', 'accounts', 'loaded', 'partial', 'skipped', 'failed', 'rows', 'api calls', 'throttled', 'retries'], rows)}\n\n`,
  );
  output.write(
    `${summary.totals.loaded} account x category slices loaded (${summary.totals.rows} rows), ${summary.totals.skipped} skipped (service not enabled), ${summary.totals.failed === 0 ? '0 failed' : red(`${summary.totals.failed} failed`)}.\n`,
  );
  if (summary.failures.length > 0) {
    output.write(`\n${bold('Failed')}:\n`);
    for (const failure of summary.failures) {
      output.write(
        `  ${failure.accountId}${failure.accountName && failure.accountName !== failure.accountId ? ` (${failure.accountName})` : ''} ${failure.category} ${failure.phase}: ${statusWord(failure.status)} ${failure.error}\n`,
      );
    }
    output.write(
      `Their snapshots stay in data/ until complete. Rerun just these with:\n  ${summary.rerun}\n`,
    );
  }
  for (const failure of summary.executionFailures) output.write(`${red('Execution failed')}: ${failure}\n`);
  if (summary.transitions) {
    output.write(
      `State transitions: ${summary.transitions.total} (${summary.transitions.perAccount} per account-run across orchestrate, collect and load)\n`,
    );
  }
  const { organization, accounts } = summary.costExplorer;
  output.write(
    `Cost Explorer requests: ${organization + accounts} (${organization} for the organization, ${accounts} by accounts; ${(
      (organization + accounts) / Math.max(1, summary.accounts)
    ).toFixed(1)} per account-run)\n`,
  );
  output.write(
    `\nSnapshots: ${summary.bucket}\nDatabase:  ${summary.database}\nNext:      npx a360 status    npx a360 query "SELECT * FROM cost_reports LIMIT 5"\n`,
  );
}
