import { runOrchestrate } from '../../adapters/local/pipeline.ts';
import { DEFAULT_SAMPLE_ACCOUNTS, DEFAULT_SAMPLE_REGIONS } from '../../adapters/local/sample-org/index.ts';
import { parseFaults } from '../../adapters/local/sample-org/organization.ts';
import { CATEGORY_IDS, resolveCategories } from '../../collectors/registry.ts';
import { newRunId } from '../../core/plan-run.ts';
import { InvalidInputError } from '../../platform/errors.ts';
import { parsePeriod, resolveWindow } from '../../platform/period.ts';
import { integerOption, listOption, type ParsedArgs, parseArgs, stringOption } from '../args.ts';
import { openLocalEnvironment, stateDirectory } from '../local-environment.ts';
import { RunProgress } from '../progress.ts';
import type { Output } from '../render.ts';
import { LiveDisplay } from './live-display.ts';
import { printRunSummary, type RunSummary, summarizeRun } from './summary.ts';

export const RUN_USAGE = `a360 run --sample [N] [options]
  Collects every account of the built-in sample organization through the collect and load state machines
  into the local bucket and database, showing progress, then prints a per-category summary.

  --sample [N]           the sample organization, N accounts (default ${DEFAULT_SAMPLE_ACCOUNTS}, up to 1000)
  --categories a,b       only these categories (default: all: ${CATEGORY_IDS.join(', ')})
  --period P             DAILY (default) or MONTHLY
  --date YYYY-MM-DD      the day, or for MONTHLY the month containing it (default yesterday / last month, UTC)
  --faults c=k[,c=k]     inject sample faults per category: throttle, throttle-always, access-denied,
                         not-enabled, malformed, timeout
  --regions r1,r2        regions for regional categories (default ${DEFAULT_SAMPLE_REGIONS.join(',')})
  --accounts id,id       only these sample accounts
  --concurrency N        accounts in flight at once (default 4)
  --cost-explorer M      organization (default): the management account answers every account's cost
                         requests at once; per-account: each account asks Cost Explorer itself
  --retry-wait MS        wait before each state machine retry (default 1000; the ASL intervals apply in AWS)
  --state-dir DIR        local state: PGlite, bucket, DLQ, log (default .a360)
  --json                 print the summary as JSON
Exit status: 0 when every category loaded, 2 when some failed, 1 on error.`;

export interface RunCommandOptions {
  readonly output: Output;
  readonly env: NodeJS.ProcessEnv;
}

export async function runCommand(argv: readonly string[], io: RunCommandOptions): Promise<number> {
  const args = parseArgs(argv, {
    values: [
      'categories',
      'period',
      'date',
      'faults',
      'regions',
      'accounts',
      'concurrency',
      'cost-explorer',
      'retry-wait',
      'state-dir',
    ],
    flags: ['json'],
    optionalValue: ['sample'],
  });
  if (args.positionals.length > 0)
    throw new InvalidInputError(`unexpected argument "${args.positionals[0]}"`);
  if (!args.options.has('sample')) {
    throw new InvalidInputError(
      'a360 run needs a source: --sample [N] runs the built-in sample organization (collecting real AWS accounts is not available yet)',
    );
  }
  const settings = runSettings(args);
  const started = Date.now();
  const environment = await openLocalEnvironment({
    stateDir: stateDirectory(stringOption(args, 'state-dir'), io.env),
    databaseUrl: io.env.DATABASE_URL,
    regions: settings.regions,
    sample: { accounts: settings.sampleAccounts, faults: settings.faults },
    concurrency: settings.concurrency,
    costExplorer: settings.costExplorer,
  });
  try {
    const deps = environment.deps;
    const sample = environment.sample;
    if (!sample) throw new InvalidInputError('no sample organization');
    const unknown = (settings.accounts ?? []).filter((id) => !sample.account(id));
    if (unknown.length > 0) {
      throw new InvalidInputError(
        `--accounts names accounts not in the sample organization: ${unknown.join(', ')}`,
      );
    }
    const window = resolveWindow(settings.period, settings.date, deps.clock.now());
    const runId = newRunId(deps.clock.now());
    const progress = new RunProgress();
    const display = new LiveDisplay(io.output, progress, {
      title: `a360 run ${runId} · ${window.period} ${window.start} · sample organization of ${settings.sampleAccounts} account${settings.sampleAccounts === 1 ? '' : 's'}`,
      json: settings.json,
    });
    let transitions = 0;
    display.start();
    const execution = await runOrchestrate(
      deps,
      {
        runId,
        period: window.period,
        date: window.start,
        trigger: 'manual',
        ...(settings.categories ? { categories: settings.categories } : {}),
        ...(settings.accounts ? { accounts: settings.accounts } : {}),
      },
      {
        retryIntervalMs: settings.retryWaitMs,
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
      rerun: (categories) =>
        `npx a360 run --sample ${settings.sampleAccounts} --categories ${categories.join(',')} --period ${window.period} --date ${window.start}`,
    });
    if (settings.json) io.output.write(`${JSON.stringify(summary, null, 2)}\n`);
    else printRunSummary(io.output, summary);
    return exitCode(summary);
  } finally {
    await environment.close();
  }
}

export function exitCode(summary: RunSummary): number {
  if (summary.executionFailures.length > 0 && summary.totals.loaded === 0) return 1;
  const incomplete = summary.totals.failed + summary.totals.partial;
  return incomplete > 0 || summary.executionFailures.length > 0 ? 2 : 0;
}

interface RunSettings {
  readonly sampleAccounts: number;
  readonly categories: string[] | undefined;
  readonly period: 'DAILY' | 'MONTHLY';
  readonly date: string | undefined;
  readonly faults: ReturnType<typeof parseFaults>;
  readonly regions: readonly string[];
  readonly accounts: string[] | undefined;
  readonly concurrency: number;
  readonly costExplorer: 'organization' | 'per-account';
  readonly retryWaitMs: number;
  readonly json: boolean;
}

function costExplorerMode(value: string | undefined): 'organization' | 'per-account' {
  if (value === undefined || value === 'organization' || value === 'per-account')
    return value ?? 'organization';
  throw new InvalidInputError(`--cost-explorer takes organization or per-account, got "${value}"`);
}

function runSettings(args: ParsedArgs): RunSettings {
  const sample = args.options.get('sample');
  const sampleAccounts = sample === true ? DEFAULT_SAMPLE_ACCOUNTS : Number(sample);
  if (!Number.isInteger(sampleAccounts) || sampleAccounts < 1 || sampleAccounts > 1000) {
    throw new InvalidInputError(
      `--sample takes a number of accounts from 1 to 1000, got "${String(sample)}"`,
    );
  }
  const categories = listOption(args, 'categories');
  if (categories) resolveCategories(categories);
  return {
    sampleAccounts,
    categories,
    period: parsePeriod(stringOption(args, 'period') ?? 'DAILY'),
    date: stringOption(args, 'date'),
    faults: parseFaults(stringOption(args, 'faults'), CATEGORY_IDS),
    regions: listOption(args, 'regions') ?? [...DEFAULT_SAMPLE_REGIONS],
    accounts: listOption(args, 'accounts'),
    concurrency: integerOption(args, 'concurrency', { min: 1, max: 64 }) ?? 4,
    costExplorer: costExplorerMode(stringOption(args, 'cost-explorer')),
    retryWaitMs: integerOption(args, 'retry-wait', { min: 0, max: 600_000 }) ?? 1000,
    json: args.options.has('json'),
  };
}
