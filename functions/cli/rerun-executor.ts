import { type PipelineDeps, runCollect, runLoad } from '../adapters/local/pipeline.ts';
import { sampleAccounts } from '../adapters/local/sample-org/accounts.ts';
import { DEFAULT_SAMPLE_REGIONS } from '../adapters/local/sample-org/index.ts';
import type { Rerun } from '../core/reruns.ts';
import { InvalidInputError } from '../platform/errors.ts';
import { integerOption, listOption, type ParsedArgs, stringOption } from './args.ts';
import { LiveDisplay } from './commands/live-display.ts';
import { type LocalEnvironment, openLocalEnvironment, stateDirectory } from './local-environment.ts';
import { RunProgress } from './progress.ts';
import type { Output } from './render.ts';
import { openSourceEnvironment, parseSource, SOURCE_FLAGS, SOURCE_VALUES } from './source.ts';

export interface RerunOutcome {
  readonly rerun: Rerun;
  /** SUCCEEDED when the execution and the load it started succeeded. */
  readonly status: string;
  readonly error?: string;
}

/** The largest sample organization a local rerun may need (`a360 run --sample` allows 1000 accounts). */
const MAX_SAMPLE_ACCOUNTS = 1000;

/**
 * The size of the sample organization that holds these accounts: the sample's accounts do not depend on its size
 * (account i is the same in an organization of 5 or of 500), so the smallest that contains them all will do.
 */
export function sampleSizeFor(
  accountIds: readonly string[],
  regions: readonly string[] = DEFAULT_SAMPLE_REGIONS,
): number {
  const index = new Map(sampleAccounts(MAX_SAMPLE_ACCOUNTS, regions).map((a) => [a.id, a.index]));
  const foreign = accountIds.filter((id) => !index.has(id));
  if (foreign.length > 0) {
    throw new InvalidInputError(
      `accounts ${foreign.slice(0, 5).join(', ')}${foreign.length > 5 ? ` and ${foreign.length - 5} more` : ''} are not in the sample organization: a run of real accounts reruns with the options that read them (a360 rerun --run ID --aws ...)`,
    );
  }
  return Math.max(1, ...accountIds.map((id) => (index.get(id) ?? 0) + 1));
}

/** The source options of a local rerun: those of `a360 run` but the faults (a rerun runs clean). */
export const RERUN_SOURCE_VALUES = SOURCE_VALUES.filter((v) => v !== 'faults');
export const RERUN_SOURCE_FLAGS = SOURCE_FLAGS;

/**
 * Where reruns of these accounts run locally: real accounts again with the run's `--aws` options, otherwise the
 * smallest sample organization that holds them (in `--regions`, default the sample's). Retries wait as `run`'s do.
 */
export async function openRerunEnvironment(
  accountIds: readonly string[],
  args: ParsedArgs,
  env: NodeJS.ProcessEnv,
): Promise<{ environment: LocalEnvironment; retryIntervalMs: number | undefined }> {
  const aws = args.options.has('aws');
  const local = {
    stateDir: stateDirectory(stringOption(args, 'state-dir'), env),
    databaseUrl: env.DATABASE_URL,
  };
  const regions = listOption(args, 'regions') ?? [...DEFAULT_SAMPLE_REGIONS];
  const environment = aws
    ? await openSourceEnvironment(parseSource(args, env), local)
    : await openLocalEnvironment({
        ...local,
        regions,
        sample: { accounts: sampleSizeFor(accountIds, regions), faults: [] },
      });
  const retryWait = integerOption(args, 'retry-wait', { min: 0, max: 600_000 });
  return { environment, retryIntervalMs: retryWait ?? (aws ? undefined : 1000) };
}

/**
 * Runs reruns through the local state machines, one at a time (two executions of one account would merge into
 * the same snapshot at once), showing progress.
 */
export async function runRerunsLocally(
  deps: PipelineDeps,
  reruns: readonly Rerun[],
  options: {
    readonly output: Output;
    readonly title: string;
    readonly json: boolean;
    /** Omitted: the ASL intervals. */
    readonly retryIntervalMs?: number | undefined;
    /** Called once an execution has started (a DLQ message may then be deleted). */
    readonly onStarted?: (rerun: Rerun) => Promise<void>;
  },
): Promise<RerunOutcome[]> {
  const progress = new RunProgress();
  const display = new LiveDisplay(options.output, progress, { title: options.title, json: options.json });
  const outcomes: RerunOutcome[] = [];
  display.start();
  try {
    for (const rerun of reruns) {
      let started = Promise.resolve();
      const runOptions = {
        ...(options.retryIntervalMs === undefined ? {} : { retryIntervalMs: options.retryIntervalMs }),
        onEvent: (
          machine: 'collect' | 'load' | 'orchestrate',
          event: Parameters<RunProgress['handle']>[1],
        ) => {
          if (event.type === 'ExecutionStarted' && machine === rerun.stateMachine && options.onStarted) {
            const notify = options.onStarted;
            started = started.then(() => notify(rerun));
          }
          progress.handle(machine, event);
        },
      };
      const input = rerun.input;
      if (rerun.stateMachine === 'collect') {
        const execution = await runCollect(deps, input, runOptions);
        await started;
        const failed = [execution, ...execution.loads].find((e) => e.status !== 'SUCCEEDED');
        outcomes.push({
          rerun,
          status: failed ? 'FAILED' : 'SUCCEEDED',
          ...(failed?.error ? { error: `${failed.error.name}: ${failed.error.cause ?? ''}` } : {}),
        });
      } else {
        const execution = await runLoad(deps, input, runOptions);
        await started;
        outcomes.push({
          rerun,
          status: execution.status,
          ...(execution.error ? { error: `${execution.error.name}: ${execution.error.cause ?? ''}` } : {}),
        });
      }
    }
  } finally {
    display.stop();
  }
  return outcomes;
}
