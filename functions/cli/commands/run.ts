import { runOrchestrate } from '../../adapters/local/pipeline.ts';
import { CATEGORY_IDS, resolveCategories } from '../../collectors/registry.ts';
import { newRunId } from '../../core/plan-run.ts';
import { InvalidInputError } from '../../platform/errors.ts';
import { parsePeriod, resolveWindow } from '../../platform/period.ts';
import { integerOption, listOption, type ParsedArgs, parseArgs, stringOption } from '../args.ts';
import { stateDirectory } from '../local-environment.ts';
import { RunProgress } from '../progress.ts';
import type { Output } from '../render.ts';
import {
  type AwsSourceHooks,
  openSourceEnvironment,
  parseSource,
  SOURCE_FLAGS,
  SOURCE_OPTIONAL_VALUES,
  SOURCE_USAGE,
  SOURCE_VALUES,
  type Source,
  shellWord,
  sourceArguments,
} from '../source.ts';
import { LiveDisplay } from './live-display.ts';
import { printRunSummary, type RunSummary, summarizeRun } from './summary.ts';

export const RUN_USAGE = `a360 run (--sample [N] | --aws [--role NAME (--accounts id,id | --organization)]) [options]
  Collects accounts through the orchestrate, collect and load state machines into the local bucket and
  database, showing progress, then prints a per-category summary. --sample answers every call with the
  built-in sample organization; --aws reads real AWS accounts with the same collectors, only the credentials
  differ (read-only calls; the current account alone unless --role is given).
${SOURCE_USAGE}
  --categories a,b       only these categories (default: all: ${CATEGORY_IDS.join(', ')})
  --period P             DAILY (default) or MONTHLY
  --date YYYY-MM-DD      the day, or for MONTHLY the month containing it (default yesterday / last month, UTC)
  --concurrency N        accounts in flight at once (default 4)
  --cost-explorer M      organization: the management account (with --aws: the current credentials) answers
                         every account's cost requests at once; per-account: each account asks Cost Explorer
                         itself (default: organization with --sample, per-account with --aws)
  --retry-wait MS        wait before each state machine retry (default with --sample 1000; with --aws the
                         ASL intervals, as in AWS)
  --state-dir DIR        local state: PGlite, bucket, DLQ, log (default .a360)
  --json                 print the summary as JSON
Examples:
  a360 run --sample 20
  a360 run --aws --profile dev
  a360 run --aws --role a360-member-read --organization --regions us-east-1,eu-west-1
Exit status: 0 when every category loaded, 2 when some failed, 1 on error.`;

export interface RunCommandOptions {
  readonly output: Output;
  readonly env: NodeJS.ProcessEnv;
  /** Test seams for --aws (credentials and STS answered below the SDK); the CLI never sets them. */
  readonly aws?: AwsSourceHooks;
}

export async function runCommand(argv: readonly string[], io: RunCommandOptions): Promise<number> {
  const args = parseArgs(argv, {
    values: [
      ...SOURCE_VALUES,
      'categories',
      'period',
      'date',
      'concurrency',
      'cost-explorer',
      'retry-wait',
      'state-dir',
    ],
    flags: [...SOURCE_FLAGS, 'json'],
    optionalValue: [...SOURCE_OPTIONAL_VALUES],
  });
  if (args.positionals.length > 0)
    throw new InvalidInputError(`unexpected argument "${args.positionals[0]}"`);
  const settings = runSettings(args, io.env);
  const source = settings.source;
  const started = Date.now();
  const environment = await openSourceEnvironment(source, {
    stateDir: stateDirectory(stringOption(args, 'state-dir'), io.env),
    databaseUrl: io.env.DATABASE_URL,
    concurrency: settings.concurrency,
    costExplorer: settings.costExplorer,
    aws: io.aws,
  });
  try {
    const deps = environment.deps;
    const window = resolveWindow(settings.period, settings.date, deps.clock.now());
    const runId = newRunId(deps.clock.now());
    const progress = new RunProgress();
    const display = new LiveDisplay(io.output, progress, {
      title: `a360 run ${runId} · ${window.period} ${window.start} · ${environment.sourceLabel}`,
      json: settings.json,
    });
    let transitions = 0;
    display.start();
    // The sample's --accounts narrows its organization; for AWS the environment's account source has them.
    const accounts = source.kind === 'sample' ? source.accountIds : undefined;
    const execution = await runOrchestrate(
      deps,
      {
        runId,
        period: window.period,
        date: window.start,
        trigger: 'manual',
        ...(settings.categories ? { categories: settings.categories } : {}),
        ...(accounts ? { accounts: [...accounts] } : {}),
      },
      {
        ...(settings.retryWaitMs === undefined ? {} : { retryIntervalMs: settings.retryWaitMs }),
        onEvent: (machine, event) => {
          if (event.type === 'StateEntered') transitions += 1;
          progress.handle(machine, event);
        },
      },
    );
    display.stop();

    // RunIncomplete is the orchestration's own verdict on failed categories; the summary lists them.
    const failures =
      execution.status === 'FAILED' && execution.error?.name !== 'RunIncomplete'
        ? [`orchestrate failed: ${execution.error?.name}: ${execution.error?.cause}`]
        : [];
    const summary = await summarizeRun(deps.sql, runId, {
      window,
      elapsedMs: Date.now() - started,
      transitions,
      database: environment.databaseLabel,
      bucket: environment.bucketLabel,
      executionFailures: failures,
      rerun: () => rerunCommandLine(runId, source),
    });
    if (settings.json) io.output.write(`${JSON.stringify(summary, null, 2)}\n`);
    else printRunSummary(io.output, summary);
    return exitCode(summary);
  } finally {
    await environment.close();
  }
}

/** The command that reruns exactly the failed slices of the run, reading the same accounts again. */
export function rerunCommandLine(runId: string, source: Source): string {
  const words = ['--run', runId, ...(source.kind === 'aws' ? sourceArguments(source) : [])];
  return `npx a360 rerun ${words.map(shellWord).join(' ')}`;
}

export function exitCode(summary: RunSummary): number {
  if (summary.executionFailures.length > 0 && summary.totals.loaded === 0) return 1;
  const incomplete = summary.totals.failed + summary.totals.partial;
  return incomplete > 0 || summary.executionFailures.length > 0 ? 2 : 0;
}

interface RunSettings {
  readonly source: Source;
  readonly categories: string[] | undefined;
  readonly period: 'DAILY' | 'MONTHLY';
  readonly date: string | undefined;
  readonly concurrency: number;
  /** `undefined`: the source's default. */
  readonly costExplorer: 'organization' | 'per-account' | undefined;
  /** `undefined`: the ASL intervals. */
  readonly retryWaitMs: number | undefined;
  readonly json: boolean;
}

function costExplorerMode(value: string | undefined): 'organization' | 'per-account' | undefined {
  if (value === undefined || value === 'organization' || value === 'per-account') return value;
  throw new InvalidInputError(`--cost-explorer takes organization or per-account, got "${value}"`);
}

function runSettings(args: ParsedArgs, env: NodeJS.ProcessEnv): RunSettings {
  const source = parseSource(args, env);
  const categories = listOption(args, 'categories');
  if (categories) resolveCategories(categories);
  const retryWait = integerOption(args, 'retry-wait', { min: 0, max: 600_000 });
  return {
    source,
    categories,
    period: parsePeriod(stringOption(args, 'period') ?? 'DAILY'),
    date: stringOption(args, 'date'),
    concurrency: integerOption(args, 'concurrency', { min: 1, max: 64 }) ?? 4,
    costExplorer: costExplorerMode(stringOption(args, 'cost-explorer')),
    // Locally the sample's retries need not wait for real; real accounts get the ASL's backoff.
    retryWaitMs: retryWait ?? (source.kind === 'sample' ? 1000 : undefined),
    json: args.options.has('json'),
  };
}
