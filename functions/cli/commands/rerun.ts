import { S3Client } from '@aws-sdk/client-s3';
import { SFNClient } from '@aws-sdk/client-sfn';
import { parseExecutionArn, rerunsOfExecution, startRerun } from '../../adapters/aws/execution-reruns.ts';
import { DEFAULT_SAMPLE_REGIONS } from '../../adapters/local/sample-org/index.ts';
import { windowSlices } from '../../core/ledger.ts';
import { ensureSchema } from '../../core/migrate.ts';
import { planReruns, type Rerun } from '../../core/reruns.ts';
import { InvalidInputError } from '../../platform/errors.ts';
import { type ParsedArgs, parseArgs, stringOption } from '../args.ts';
import { openDatabase, stateDirectory } from '../local-environment.ts';
import type { Output } from '../render.ts';
import { bold, dim, statusWord, table } from '../render.ts';
import {
  openRerunEnvironment,
  RERUN_SOURCE_FLAGS,
  RERUN_SOURCE_VALUES,
  runRerunsLocally,
} from '../rerun-executor.ts';
import { sliceOutcome } from './summary.ts';

export const RERUN_USAGE = `a360 rerun --run ID [--dry-run] [--json]
a360 rerun --execution ARN [--dry-run] [--json]
  Finds the failed account x category slices of a run and starts new executions for exactly those: collect
  (recollect and reload) where the collection failed or was partial, load (from the stored snapshot) where
  only the load failed. One execution per account and state machine.
  --run ID               a local run (the ledger in .a360 or DATABASE_URL), rerun locally: its sample accounts,
                         or with --aws [--profile P] [--role NAME ...] the real accounts, as for a360 run
  --execution ARN        an orchestrate, collect or load execution in AWS (credentials from the environment):
                         the reruns are read from the execution and started with StartExecution
  --region R             the region of the Step Functions and S3 clients (default: the execution ARN's)
  --regions r1,r2        regions of a local rerun (default ${DEFAULT_SAMPLE_REGIONS.join(',')})
  --retry-wait MS        wait before each state machine retry in a local rerun (default 1000)
  --dry-run              print what would be started, start nothing
Exit status: 0 when every rerun succeeded (or started, in AWS), 2 when some failed again, 1 on error.`;

export async function rerunCommand(
  argv: readonly string[],
  io: { output: Output; env: NodeJS.ProcessEnv },
): Promise<number> {
  const args = parseArgs(argv, {
    values: [...RERUN_SOURCE_VALUES, 'run', 'execution', 'retry-wait', 'state-dir', 'region'],
    flags: [...RERUN_SOURCE_FLAGS, 'dry-run', 'json'],
  });
  if (args.positionals.length > 0)
    throw new InvalidInputError(`unexpected argument "${args.positionals[0]}"`);
  const runId = stringOption(args, 'run');
  const executionArn = stringOption(args, 'execution');
  if (!!runId === !!executionArn) {
    throw new InvalidInputError(
      'a360 rerun needs exactly one of --run <id> (local) or --execution <arn> (AWS)',
    );
  }
  return executionArn ? rerunExecution(executionArn, args, io) : rerunLocalRun(runId as string, args, io);
}

function describe(rerun: Rerun): string {
  return `${rerun.stateMachine.padEnd(7)} ${rerun.accountId}  ${rerun.categories.length ? rerun.categories.join(', ') : 'every category'}`;
}

async function rerunLocalRun(
  runId: string,
  args: ParsedArgs,
  io: { output: Output; env: NodeJS.ProcessEnv },
): Promise<number> {
  const json = args.options.has('json');
  const stateDir = stateDirectory(stringOption(args, 'state-dir'), io.env);
  const database = await openDatabase({ stateDir, databaseUrl: io.env.DATABASE_URL });
  const plan = await ensureSchema(database.sql)
    .then(() => planReruns(database.sql, runId))
    .finally(() => database.release());
  if (!plan) throw new InvalidInputError(`no run ${runId} in the ledger (a360 status lists the latest run)`);
  const { reruns, window } = plan;
  if (reruns.length === 0) {
    if (json) io.output.write(`${JSON.stringify({ runId, window, reruns: [] }, null, 2)}\n`);
    else io.output.write(`Nothing to rerun: every slice of run ${runId} is complete.\n`);
    return 0;
  }
  if (args.options.has('dry-run')) {
    if (json) io.output.write(`${JSON.stringify({ runId, window, reruns }, null, 2)}\n`);
    else
      io.output.write(
        `${bold(`Would start ${reruns.length} executions:`)}\n${reruns.map(describe).join('\n')}\n`,
      );
    return 0;
  }

  const { environment, retryIntervalMs } = await openRerunEnvironment(
    reruns.map((r) => r.accountId),
    args,
    io.env,
  );
  try {
    const outcomes = await runRerunsLocally(environment.deps, reruns, {
      output: io.output,
      title: `a360 rerun of ${runId} · ${window.period} ${window.start} · ${reruns.length} executions`,
      json,
      retryIntervalMs,
    });
    const accountIds = new Set(reruns.map((r) => r.accountId));
    const slices = (await windowSlices(environment.deps.sql, window)).filter((s) =>
      accountIds.has(s.account_id),
    );
    const byKey = new Map<string, { collect?: (typeof slices)[number]; load?: (typeof slices)[number] }>();
    for (const s of slices) {
      const key = `${s.account_id}|${s.category}`;
      byKey.set(key, { ...byKey.get(key), [s.phase]: s });
    }
    const remaining = [...byKey]
      .map(([key, { collect, load }]) => ({ key, outcome: sliceOutcome(collect, load) }))
      .filter((s) => s.outcome === 'FAILED' || s.outcome === 'RUNNING')
      .map((s) => s.key.replace('|', ' '));
    if (json) {
      io.output.write(
        `${JSON.stringify({ runId, window, reruns: outcomes, stillFailed: remaining }, null, 2)}\n`,
      );
    } else {
      io.output.write(
        `${table(
          ['state machine', 'account', 'categories', 'status', 'error'],
          outcomes.map((o) => [
            o.rerun.stateMachine,
            o.rerun.accountId,
            o.rerun.categories.join(', ') || 'every category',
            statusWord(o.status),
            o.error ?? '',
          ]),
        )}\n\n`,
      );
      io.output.write(
        remaining.length === 0
          ? `Window ${window.period} ${window.start}: every slice of the rerun accounts is complete ${dim('(a360 status shows it)')}.\n`
          : `Window ${window.period} ${window.start}: ${remaining.length} slices still failed: ${remaining.slice(0, 10).join('; ')}${remaining.length > 10 ? ' ...' : ''}\n`,
      );
    }
    return remaining.length === 0 && outcomes.every((o) => o.status === 'SUCCEEDED') ? 0 : 2;
  } finally {
    await environment.close();
  }
}

async function rerunExecution(
  executionArn: string,
  args: ParsedArgs,
  io: { output: Output; env: NodeJS.ProcessEnv },
): Promise<number> {
  const clients = awsClients(executionArn, stringOption(args, 'region'));
  const json = args.options.has('json');
  const { prefix } = parseExecutionArn(executionArn);
  const found = await rerunsOfExecution(clients, executionArn);
  if (found.reruns.length === 0) {
    if (json)
      io.output.write(`${JSON.stringify({ executionArn, status: found.status, reruns: [] }, null, 2)}\n`);
    else
      io.output.write(
        `Nothing to rerun: execution ${executionArn} (${found.status}) left no failed slice.\n`,
      );
    return 0;
  }
  if (args.options.has('dry-run')) {
    if (json) io.output.write(`${JSON.stringify({ executionArn, reruns: found.reruns }, null, 2)}\n`);
    else
      io.output.write(
        `${bold(`Would start ${found.reruns.length} executions:`)}\n${found.reruns.map(describe).join('\n')}\n`,
      );
    return 0;
  }
  const started: Array<{ rerun: Rerun; executionArn: string }> = [];
  for (const rerun of found.reruns) {
    started.push({ rerun, executionArn: await startRerun(clients.sfn, prefix, rerun) });
  }
  if (json) io.output.write(`${JSON.stringify({ executionArn, started }, null, 2)}\n`);
  else {
    io.output.write(`${bold(`Started ${started.length} executions:`)}\n`);
    for (const s of started) io.output.write(`${describe(s.rerun)}\n  ${dim(s.executionArn)}\n`);
  }
  return 0;
}

/** SDK clients in the execution's region, with the default credential chain. */
function awsClients(executionArn: string, region?: string): { sfn: SFNClient; s3: S3Client } {
  const chosen = region ?? executionArn.split(':')[3] ?? 'us-east-1';
  return { sfn: new SFNClient({ region: chosen }), s3: new S3Client({ region: chosen }) };
}
