import type { PipelineDeps } from '../../adapters/local/pipeline.ts';
import { runCollect, runLoad } from '../../adapters/local/pipeline.ts';
import { DEFAULT_SAMPLE_ACCOUNTS, DEFAULT_SAMPLE_REGIONS } from '../../adapters/local/sample-org/index.ts';
import { parseFaults } from '../../adapters/local/sample-org/organization.ts';
import { CATEGORY_IDS, resolveCategories } from '../../collectors/registry.ts';
import type { MergeOutput } from '../../core/merge-snapshot.ts';
import { newRunId, planRun } from '../../core/plan-run.ts';
import { mapLimit } from '../../platform/concurrency.ts';
import { InvalidInputError } from '../../platform/errors.ts';
import { parsePeriod } from '../../platform/period.ts';
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
  });
  try {
    const deps = environment.deps;
    const sample = environment.sample;
    if (!sample) throw new InvalidInputError('no sample organization');
    const accounts = settings.accounts ?? sample.accounts.map((a) => a.id);
    const unknown = accounts.filter((id) => !sample.account(id));
    if (unknown.length > 0)
      throw new InvalidInputError(
        `--accounts names accounts not in the sample organization: ${unknown.join(', ')}`,
      );

    const runId = newRunId(deps.clock.now());
    const plan = planRun(
      {
        clock: deps.clock,
        regions: settings.regions,
        enabledCategories: CATEGORY_IDS,
        collectorFunction: (c) => c,
      },
      {
        accountId: accounts[0],
        period: settings.period,
        date: settings.date,
        categories: settings.categories,
        runId,
      },
    );
    const progress = new RunProgress();
    for (const accountId of accounts)
      progress.expect(
        accountId,
        plan.categories.map((c) => c.category),
      );
    const display = new LiveDisplay(io.output, progress, {
      title: `a360 run ${runId} · ${plan.window.period} ${plan.window.start} · ${accounts.length} sample account${accounts.length === 1 ? '' : 's'}`,
      json: settings.json,
    });
    display.start();
    const failures: string[] = [];
    await mapLimit(accounts, settings.concurrency, async (accountId) => {
      const error = await collectThenLoad(deps, {
        accountId,
        runId,
        settings,
        onEvent: (machine, event) => progress.handle(machine, event),
      });
      if (error) failures.push(`${accountId}: ${error}`);
    });
    display.stop();

    const summary = await summarizeRun(deps.sql, runId, {
      window: plan.window,
      accounts: accounts.length,
      elapsedMs: Date.now() - started,
      database: environment.databaseLabel,
      bucket: environment.bucketLabel,
      executionFailures: failures,
      rerun: (categories) =>
        `npx a360 run --sample ${settings.sampleAccounts} --categories ${categories.join(',')} --period ${plan.window.period} --date ${plan.window.start}`,
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
  return summary.totals.failed > 0 || summary.executionFailures.length > 0 ? 2 : 0;
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
  readonly retryWaitMs: number;
  readonly json: boolean;
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
    retryWaitMs: integerOption(args, 'retry-wait', { min: 0, max: 600_000 }) ?? 1000,
    json: args.options.has('json'),
  };
}

/** One account through `collect` then `load`; returns why an execution itself failed, if it did. */
async function collectThenLoad(
  deps: PipelineDeps,
  options: {
    accountId: string;
    runId: string;
    settings: RunSettings;
    onEvent: (machine: 'collect' | 'load', event: Parameters<RunProgress['handle']>[1]) => void;
  },
): Promise<string | undefined> {
  const { settings } = options;
  const runOptions = { onEvent: options.onEvent, retryIntervalMs: settings.retryWaitMs };
  const collect = await runCollect(
    deps,
    {
      accountId: options.accountId,
      runId: options.runId,
      period: settings.period,
      ...(settings.date ? { date: settings.date } : {}),
      ...(settings.categories ? { categories: settings.categories } : {}),
      regions: settings.regions,
      trigger: 'manual',
      load: false,
    },
    runOptions,
  );
  if (collect.status === 'FAILED') return `collect failed: ${collect.error?.name}: ${collect.error?.cause}`;
  const merged = collect.output as MergeOutput;
  const load = await runLoad(
    deps,
    {
      snapshotKey: merged.snapshotKey,
      categories: merged.categories,
      runId: options.runId,
      trigger: 'manual',
    },
    runOptions,
  );
  // A load that ends in CategoriesFailed is reported per category by the summary; anything else is unexpected.
  if (load.status === 'FAILED' && load.error?.name !== 'CategoriesFailed') {
    return `load failed: ${load.error?.name}: ${load.error?.cause}`;
  }
  return undefined;
}
