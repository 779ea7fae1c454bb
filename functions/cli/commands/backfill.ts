import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { runOrchestrate } from '../../adapters/local/pipeline.ts';
import { CATEGORY_IDS, resolveCategories } from '../../collectors/registry.ts';
import { backfillCategories, backfillWindows, costExplorerHorizon } from '../../core/backfill.ts';
import { newRunId } from '../../core/plan-run.ts';
import { InvalidInputError } from '../../platform/errors.ts';
import { parsePeriod, type Window } from '../../platform/period.ts';
import { systemClock } from '../../ports.ts';
import { integerOption, listOption, type ParsedArgs, parseArgs, stringOption } from '../args.ts';
import { stateDirectory } from '../local-environment.ts';
import { RunProgress } from '../progress.ts';
import { bold, dim, type Output, statusWord, table } from '../render.ts';
import {
  type AwsSourceHooks,
  openSourceEnvironment,
  parseSource,
  SOURCE_FLAGS,
  SOURCE_OPTIONAL_VALUES,
  SOURCE_USAGE,
  SOURCE_VALUES,
} from '../source.ts';
import { LiveDisplay } from './live-display.ts';
import { summarizeRun } from './summary.ts';

export const BACKFILL_USAGE = `a360 backfill --from YYYY-MM-DD --to YYYY-MM-DD [--period DAILY|MONTHLY] (--sample [N] | --aws ...) [options]
a360 backfill --from YYYY-MM-DD --to YYYY-MM-DD [--period P] --orchestrate ARN
  Collects and loads every window from --from to --to (both included; each day, or each month for MONTHLY),
  oldest first, one orchestrate run per window, showing progress by window. Only categories whose APIs answer
  for the past are collected (Cost Explorer, events, findings by time); inventory-like categories (keys,
  resources, certificates...) describe only the present and are left out. Cost Explorer keeps 13 months.
${SOURCE_USAGE}
  --orchestrate ARN      in AWS: start the hub's orchestrate state machine once per window instead
  --categories a,b       only these categories (of those with history)
  --concurrency N        accounts in flight at once (default 4)
  --retry-wait MS        wait before each state machine retry (default 1000 with --sample)
  --state-dir DIR        local state (default .a360)
  --json                 print the per-window results as JSON
Exit status: 0 when every window loaded completely, 2 when some slices failed, 1 on error.`;

export interface BackfillOptions {
  readonly output: Output;
  readonly env: NodeJS.ProcessEnv;
  readonly aws?: AwsSourceHooks;
}

interface WindowResult {
  readonly window: Window;
  readonly runId: string;
  readonly status: string;
  readonly loaded: number;
  readonly failed: number;
  readonly executionArn?: string;
}

export async function backfillCommand(argv: readonly string[], io: BackfillOptions): Promise<number> {
  const args = parseArgs(argv, {
    values: [
      ...SOURCE_VALUES,
      'from',
      'to',
      'period',
      'categories',
      'concurrency',
      'retry-wait',
      'state-dir',
      'orchestrate',
    ],
    flags: [...SOURCE_FLAGS, 'json'],
    optionalValue: [...SOURCE_OPTIONAL_VALUES],
  });
  if (args.positionals.length > 0)
    throw new InvalidInputError(`unexpected argument "${args.positionals[0]}"`);
  const from = stringOption(args, 'from');
  const to = stringOption(args, 'to');
  if (!from || !to) throw new InvalidInputError('a360 backfill needs --from YYYY-MM-DD and --to YYYY-MM-DD');
  const period = parsePeriod(stringOption(args, 'period') ?? 'DAILY');
  const requested = listOption(args, 'categories');
  if (requested) resolveCategories(requested);
  const categories = backfillCategories(requested ?? CATEGORY_IDS);
  const windows = backfillWindows(period, from, to, systemClock.now());
  const json = args.options.has('json');
  const notes: string[] = [];
  if (categories.currentOnly.length > 0) {
    notes.push(
      `Not backfilled (only current state; a360 run collects them): ${categories.currentOnly.join(', ')}`,
    );
  }
  const horizon = costExplorerHorizon(systemClock.now());
  if ((windows[0]?.start ?? horizon) < horizon) {
    notes.push(
      `Cost Explorer keeps 13 months by default: windows before ${horizon} may fail their cost categories`,
    );
  }
  if (!json) for (const note of notes) io.output.write(`${dim(note)}\n`);

  const orchestrateArn = stringOption(args, 'orchestrate');
  if (orchestrateArn && (args.options.has('sample') || args.options.has('aws'))) {
    throw new InvalidInputError(
      '--orchestrate backfills in AWS through the hub; --sample and --aws backfill into the local store: choose one',
    );
  }
  const results = orchestrateArn
    ? await startInAws(orchestrateArn, windows, categories.collected, args)
    : await runLocally(windows, categories.collected, args, io);
  if (json) {
    io.output.write(
      `${JSON.stringify({ period, from, to, categories, notes, windows: results }, null, 2)}\n`,
    );
  } else {
    io.output.write(
      `\n${table(
        ['window', 'run', orchestrateArn ? 'execution' : 'status', 'slices loaded', 'slices failed'],
        results.map((r) => [
          `${r.window.period} ${r.window.start}`,
          r.runId,
          r.executionArn ?? statusWord(r.status),
          orchestrateArn ? '' : r.loaded,
          orchestrateArn ? '' : r.failed,
        ]),
      )}\n`,
    );
    const failed = results.filter((r) => r.status !== 'SUCCEEDED' && r.status !== 'STARTED');
    io.output.write(
      orchestrateArn
        ? `\n${bold(`Started ${results.length} orchestrate executions`)} ${dim('(the console and a360 rerun --execution follow them)')}\n`
        : failed.length === 0
          ? `\n${bold(`${results.length} windows backfilled`)}: every slice loaded.\n`
          : `\n${bold(`${failed.length} of ${results.length} windows incomplete`)}: a360 rerun --run <run> completes each.\n`,
    );
  }
  return results.every((r) => r.status === 'SUCCEEDED' || r.status === 'STARTED') ? 0 : 2;
}

/** One orchestrate run per window through the local state machines, oldest first, in one progress display. */
async function runLocally(
  windows: readonly Window[],
  categories: readonly string[],
  args: ParsedArgs,
  io: BackfillOptions,
): Promise<WindowResult[]> {
  const source = parseSource(args, io.env);
  const environment = await openSourceEnvironment(source, {
    stateDir: stateDirectory(stringOption(args, 'state-dir'), io.env),
    databaseUrl: io.env.DATABASE_URL,
    concurrency: integerOption(args, 'concurrency', { min: 1, max: 64 }) ?? 4,
    aws: io.aws,
  });
  try {
    const deps = environment.deps;
    const retryWait =
      integerOption(args, 'retry-wait', { min: 0, max: 600_000 }) ??
      (source.kind === 'sample' ? 1000 : undefined);
    const accounts = source.kind === 'sample' ? source.accountIds : undefined;
    const progress = new RunProgress();
    const display = new LiveDisplay(io.output, progress, {
      title: `a360 backfill · ${windows.length} ${windows[0]?.period} windows from ${windows[0]?.start} · ${environment.sourceLabel}`,
      json: args.options.has('json'),
    });
    const results: WindowResult[] = [];
    display.start();
    try {
      for (const [index, window] of windows.entries()) {
        display.setStage(`window ${index + 1} of ${windows.length}: ${window.period} ${window.start}`);
        const runId = newRunId(deps.clock.now());
        const started = Date.now();
        const execution = await runOrchestrate(
          deps,
          {
            runId,
            period: window.period,
            date: window.start,
            trigger: 'backfill',
            categories: [...categories],
            ...(accounts ? { accounts: [...accounts] } : {}),
          },
          {
            ...(retryWait === undefined ? {} : { retryIntervalMs: retryWait }),
            onEvent: (machine, event) => progress.handle(machine, event),
          },
        );
        const summary = await summarizeRun(deps.sql, runId, {
          window,
          elapsedMs: Date.now() - started,
          database: environment.databaseLabel,
          bucket: environment.bucketLabel,
          executionFailures: [],
          rerun: () => `npx a360 rerun --run ${runId}`,
        });
        // Every window collects the same accounts: the first tells the ETA how many account-runs are ahead.
        if (index === 0) display.expect(summary.accounts * windows.length);
        const failed = summary.totals.failed + summary.totals.partial;
        // RunIncomplete is orchestrate's verdict on failed slices; any other failure is the run's own.
        const runFailed = execution.status === 'FAILED' && execution.error?.name !== 'RunIncomplete';
        results.push({
          window,
          runId,
          status: runFailed ? 'FAILED' : failed > 0 ? 'PARTIAL' : 'SUCCEEDED',
          loaded: summary.totals.loaded,
          failed,
        });
      }
    } finally {
      display.stop();
    }
    return results;
  } finally {
    await environment.close();
  }
}

/** In AWS: one execution of the hub's orchestrate per window, started in order; each collects its window. */
async function startInAws(
  orchestrateArn: string,
  windows: readonly Window[],
  categories: readonly string[],
  args: ParsedArgs,
): Promise<WindowResult[]> {
  const match = /^arn:aws[a-z-]*:states:([a-z0-9-]+):\d{12}:stateMachine:[A-Za-z0-9_-]+-orchestrate$/.exec(
    orchestrateArn,
  );
  if (!match) {
    throw new InvalidInputError(
      `--orchestrate must be the ARN of the hub's orchestrate state machine (the OrchestrateStateMachineArn output), got "${orchestrateArn}"`,
    );
  }
  const sfn = new SFNClient({ region: match[1] as string });
  const accounts = listOption(args, 'accounts');
  const results: WindowResult[] = [];
  for (const window of windows) {
    const runId = newRunId(new Date());
    const started = await sfn.send(
      new StartExecutionCommand({
        stateMachineArn: orchestrateArn,
        name: runId,
        input: JSON.stringify({
          runId,
          period: window.period,
          date: window.start,
          trigger: 'backfill',
          categories,
          ...(accounts ? { accounts } : {}),
        }),
      }),
    );
    results.push({
      window,
      runId,
      status: 'STARTED',
      loaded: 0,
      failed: 0,
      ...(started.executionArn ? { executionArn: started.executionArn } : {}),
    });
  }
  return results;
}
