import { runSlices, type SliceRow, windowSlices } from '../../core/ledger.ts';
import { InvalidInputError } from '../../platform/errors.ts';
import { isoDay } from '../../platform/period.ts';
import { type ParsedArgs, parseArgs, stringOption } from '../args.ts';
import { openDatabase, stateDirectory } from '../local-environment.ts';
import { bold, dim, duration, type Output, statusWord, table } from '../render.ts';
import { sliceOutcome } from './summary.ts';

export const STATUS_USAGE = `a360 status [--run ID] [--account ID] [--json]
  The ledger as an account x category table: collect and load status, rows, duration, API calls, throttled
  calls, attempts and error. Without --run: the latest state of the most recent run's window, across runs
  (a rerun's success replaces the earlier failure). With --run: exactly that run's rows.`;

export async function statusCommand(
  argv: readonly string[],
  io: { output: Output; env: NodeJS.ProcessEnv },
): Promise<number> {
  const args: ParsedArgs = parseArgs(argv, { values: ['run', 'account', 'state-dir'], flags: ['json'] });
  if (args.positionals.length > 0)
    throw new InvalidInputError(`unexpected argument "${args.positionals[0]}"`);
  const accountId = stringOption(args, 'account');
  const database = await openDatabase({
    stateDir: stateDirectory(stringOption(args, 'state-dir'), io.env),
    databaseUrl: io.env.DATABASE_URL,
  });
  try {
    const runId = stringOption(args, 'run');
    const { run } = await runSlices(database.sql, runId ? { runId } : {}).catch(() => ({ run: undefined }));
    if (!run) {
      if (runId) throw new InvalidInputError(`no run ${runId} in the ledger`);
      io.output.write('The ledger is empty: nothing has run yet. Try: npx a360 run --sample\n');
      return 0;
    }
    const window = { period: run.period as 'DAILY' | 'MONTHLY', start: asDay(run.window_start) };
    const slices = runId
      ? (await runSlices(database.sql, { runId, ...(accountId ? { accountId } : {}) })).slices
      : await windowSlices(database.sql, window, accountId);
    const rows = pairSlices(slices);
    if (args.options.has('json')) {
      io.output.write(`${JSON.stringify({ run, window, slices: rows }, null, 2)}\n`);
      return 0;
    }
    io.output.write(
      `${bold(runId ? `Run ${runId}` : `Window ${window.period} ${window.start}`)} ${dim(`(latest run ${run.run_id as string}, ${run.status as string})`)}\n\n`,
    );
    io.output.write(
      `${table(
        [
          'account',
          'name',
          'category',
          'collect',
          'load',
          'rows',
          'duration',
          'api calls',
          'throttled',
          'attempts',
          'error',
        ],
        rows.map((r) => [
          r.accountId,
          r.accountName ?? '',
          r.category,
          statusWord(r.collect?.status),
          statusWord(r.load?.status),
          r.load?.rows ?? 0,
          duration((r.collect?.duration_ms ?? 0) + (r.load?.duration_ms ?? 0)),
          r.collect?.api_calls ?? 0,
          r.collect?.throttled ?? 0,
          `${r.collect?.attempt ?? 0}/${r.load?.attempt ?? 0}`,
          r.error ?? '',
        ]),
      )}\n`,
    );
    const outcomes = rows.map((r) => sliceOutcome(r.collect, r.load));
    const failed = outcomes.filter((o) => o === 'FAILED').length;
    io.output.write(
      `\n${outcomes.length - failed} of ${outcomes.length} account x category slices complete${failed ? `, ${failed} failed` : ''}.\n`,
    );
    return 0;
  } finally {
    await database.release();
  }
}

interface PairedSlice {
  accountId: string;
  accountName: string | null;
  category: string;
  collect: SliceRow | undefined;
  load: SliceRow | undefined;
  error: string | null;
}

function pairSlices(slices: readonly SliceRow[]): PairedSlice[] {
  const byKey = new Map<string, PairedSlice>();
  for (const row of slices) {
    const key = `${row.account_id}|${row.category}`;
    const entry = byKey.get(key) ?? {
      accountId: row.account_id,
      accountName: row.account_name,
      category: row.category,
      collect: undefined,
      load: undefined,
      error: null,
    };
    entry[row.phase] = row;
    if (row.status === 'FAILED' || (row.status === 'SKIPPED' && row.error_message)) {
      entry.error = `${row.phase}: ${row.error_name ?? ''}: ${row.error_message ?? ''}`;
    }
    byKey.set(key, entry);
  }
  return [...byKey.values()];
}

function asDay(value: unknown): string {
  return value instanceof Date ? isoDay(value) : String(value);
}
