import type { Window } from '../platform/period.ts';
import type { Sql } from '../ports.ts';
import { snapshotKey } from '../snapshot/snapshot.ts';
import { type SliceRow, windowSlices } from './ledger.ts';

/** One execution that reruns some failed slices of one account: exactly the input a DLQ message carries. */
export interface Rerun {
  readonly accountId: string;
  readonly stateMachine: 'collect' | 'load';
  readonly categories: readonly string[];
  readonly input: Record<string, unknown>;
}

export interface RunReruns {
  readonly runId: string;
  readonly window: Pick<Window, 'period' | 'start'>;
  readonly reruns: readonly Rerun[];
}

const RECOLLECT = new Set(['FAILED', 'PARTIAL', 'RUNNING']);

/**
 * The executions that complete a run, from the ledger: for each account x category the run touched, its latest
 * state in the window (a later rerun's success counts). A collection that FAILED, was PARTIAL or never finished is
 * collected again (`collect` with those categories merges them into the snapshot and loads them); a collection
 * that succeeded or was skipped but whose load FAILED or never finished is loaded again from the stored snapshot.
 * One `collect` and at most one `load` per account.
 */
export async function planReruns(sql: Sql, runId: string): Promise<RunReruns | undefined> {
  const [run] = await sql.query<{ period: string; window_start: Date | string }>(
    'SELECT period, window_start FROM runs WHERE run_id = :run_id',
    { run_id: runId },
  );
  if (!run) return undefined;
  const window = {
    period: run.period as Window['period'],
    start: run.window_start instanceof Date ? run.window_start.toISOString().slice(0, 10) : run.window_start,
  };
  const touched = new Set(
    (
      await sql.query<{ account_id: string; category: string }>(
        'SELECT DISTINCT account_id, category FROM run_categories WHERE run_id = :run_id',
        { run_id: runId },
      )
    ).map((r) => `${r.account_id}|${r.category}`),
  );
  const slices = new Map<string, { collect?: SliceRow; load?: SliceRow }>();
  for (const row of await windowSlices(sql, window)) {
    const key = `${row.account_id}|${row.category}`;
    if (!touched.has(key)) continue;
    slices.set(key, { ...slices.get(key), [row.phase]: row });
  }

  const byAccount = new Map<string, { recollect: string[]; reload: string[]; snapshotKey: string }>();
  for (const [key, { collect, load }] of slices) {
    const [accountId = '', category = ''] = key.split('|');
    const entry = byAccount.get(accountId) ?? {
      recollect: [],
      reload: [],
      snapshotKey: snapshotKey(accountId, { ...window, end: window.start }),
    };
    if (!collect || RECOLLECT.has(collect.status)) entry.recollect.push(category);
    else if (!load || load.status === 'FAILED' || load.status === 'RUNNING') entry.reload.push(category);
    else continue;
    const stored = (collect?.snapshot_key as string | null | undefined) ?? undefined;
    if (stored) entry.snapshotKey = stored.replace(/^loaded\//, 'data/');
    byAccount.set(accountId, entry);
  }

  const reruns: Rerun[] = [];
  for (const [accountId, { recollect, reload, snapshotKey: key }] of [...byAccount].sort(([a], [b]) =>
    a.localeCompare(b),
  )) {
    if (recollect.length > 0) {
      const categories = recollect.sort();
      reruns.push({
        accountId,
        stateMachine: 'collect',
        categories,
        input: { accountId, period: window.period, date: window.start, categories, trigger: 'rerun' },
      });
    }
    if (reload.length > 0) {
      const categories = reload.sort();
      reruns.push({
        accountId,
        stateMachine: 'load',
        categories,
        input: { snapshotKey: key, categories, trigger: 'rerun' },
      });
    }
  }
  return { runId, window, reruns };
}

/**
 * Folds reruns of the same snapshot into one execution each (their categories joined): two executions merging
 * into one snapshot at once would race, and one execution is cheaper. A load of the whole snapshot absorbs the
 * loads of some of its categories.
 */
export function mergeReruns<T extends Pick<Rerun, 'stateMachine' | 'input'>>(
  reruns: readonly T[],
): Array<{ rerun: Rerun; from: T[] }> {
  const groups = new Map<string, { rerun: Rerun; from: T[] }>();
  for (const item of reruns) {
    const input = item.input;
    const key =
      item.stateMachine === 'collect'
        ? `collect|${input.accountId}|${input.period}|${input.date}`
        : `load|${String(input.snapshotKey).replace(/^loaded\//, 'data/')}`;
    const categories = Array.isArray(input.categories) ? (input.categories as string[]) : undefined;
    const group = groups.get(key);
    if (!group) {
      groups.set(key, {
        rerun: {
          accountId: String(
            input.accountId ?? /^(?:data|loaded)\/(\d{12})\//.exec(String(input.snapshotKey))?.[1] ?? '',
          ),
          stateMachine: item.stateMachine,
          categories: categories ?? [],
          input: { ...input },
        },
        from: [item],
      });
      continue;
    }
    group.from.push(item);
    const known = Array.isArray(group.rerun.input.categories)
      ? (group.rerun.input.categories as string[])
      : undefined;
    // No category list means every category: it stays so.
    const joined = known && categories ? [...new Set([...known, ...categories])].sort() : undefined;
    const { categories: _dropped, ...rest } = group.rerun.input;
    group.rerun = {
      ...group.rerun,
      categories: joined ?? [],
      input: joined ? { ...rest, categories: joined } : rest,
    };
  }
  return [...groups.values()];
}
