import { join } from 'node:path';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SQSClient } from '@aws-sdk/client-sqs';
import { startRerun } from '../../adapters/aws/execution-reruns.ts';
import { createSqsDeadLetterInbox } from '../../adapters/aws/sqs-dead-letter-queue.ts';
import { createFileDeadLetterQueue } from '../../adapters/local/file-dead-letter-queue.ts';
import { mergeReruns } from '../../core/reruns.ts';
import { InvalidInputError } from '../../platform/errors.ts';
import type { DeadLetter, DeadLetterInbox, WaitingLetter } from '../../ports.ts';
import { listOption, type ParsedArgs, parseArgs, stringOption } from '../args.ts';
import { stateDirectory } from '../local-environment.ts';
import { bold, dim, type Output, statusWord, table } from '../render.ts';
import {
  openRerunEnvironment,
  RERUN_SOURCE_FLAGS,
  RERUN_SOURCE_VALUES,
  runRerunsLocally,
} from '../rerun-executor.ts';

export const DLQ_USAGE = `a360 dlq list [--queue-url URL] [--json]
a360 dlq redrive [--id ID[,ID...]] [--queue-url URL] [--json]
  The dead letters of failed slices: each names the slice, the error and the input that reruns it.
  redrive starts those reruns (several letters of one snapshot in one execution) and deletes each letter only
  once its rerun has started; without --id, every readable letter is redriven.
  Local: the files in .a360/dlq (reruns run here, on the sample organization, or with --aws [--role ...] on
  real accounts, as for a360 rerun --run). With --queue-url (or A360_DLQ_URL):
  the hub's SQS queue, and reruns start the a360 state machines of the queue's account and region.
  --retry-wait MS        wait before each state machine retry in a local redrive (default 1000)`;

interface Io {
  output: Output;
  env: NodeJS.ProcessEnv;
}

export async function dlqCommand(argv: readonly string[], io: Io): Promise<number> {
  const [action, ...rest] = argv;
  if (action !== 'list' && action !== 'redrive') {
    throw new InvalidInputError(`a360 dlq takes list or redrive${action ? `, not "${action}"` : ''}`);
  }
  const args = parseArgs(rest, {
    values: [...RERUN_SOURCE_VALUES, 'queue-url', 'id', 'state-dir', 'retry-wait'],
    flags: [...RERUN_SOURCE_FLAGS, 'json'],
  });
  if (args.positionals.length > 0)
    throw new InvalidInputError(`unexpected argument "${args.positionals[0]}"`);
  const queueUrl = stringOption(args, 'queue-url') ?? io.env.A360_DLQ_URL;
  const queue = queueUrl ? sqsQueue(queueUrl) : undefined;
  const inbox = queue
    ? createSqsDeadLetterInbox(new SQSClient({ region: queue.region }), queueUrl as string)
    : createFileDeadLetterQueue(join(stateDirectory(stringOption(args, 'state-dir'), io.env), 'dlq'));
  const letters = await inbox.list();
  if (action === 'list') {
    await inbox.release(letters);
    printLetters(io, letters, args.options.has('json'), queueUrl);
    return 0;
  }
  const ids = listOption(args, 'id');
  const unknown = (ids ?? []).filter((id) => !letters.some((l) => l.id === id));
  const selected = letters.filter(
    (l): l is WaitingLetter & { letter: DeadLetter } =>
      'rerun' in l.letter && (ids === undefined || ids.includes(l.id)),
  );
  await inbox.release(letters.filter((l) => !selected.includes(l as (typeof selected)[number])));
  if (unknown.length > 0) {
    await inbox.release(selected);
    throw new InvalidInputError(
      `no dead letter ${unknown.join(', ')} in the queue (a360 dlq list shows them)`,
    );
  }
  if (selected.length === 0) {
    io.output.write('No dead letter to redrive.\n');
    return 0;
  }
  return queue
    ? redriveInAws(io, inbox, selected, queue.stateMachinePrefix, queue.region, args)
    : redriveLocally(io, inbox, selected, args);
}

/** `https://sqs.<region>.amazonaws.com/<account>/<prefix>-dead-letters`: the hub's queue names its state machines. */
function sqsQueue(url: string): { region: string; stateMachinePrefix: string } {
  const match = /^https:\/\/sqs\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?\/(\d{12})\/(.+)-dead-letters$/.exec(
    url,
  );
  if (!match) {
    throw new InvalidInputError(
      `--queue-url must be the hub's dead-letter queue, https://sqs.<region>.amazonaws.com/<account>/<prefix>-dead-letters (the DeadLetterQueueUrl output), got "${url}"`,
    );
  }
  const [, region = '', account = '', prefix = ''] = match;
  const partition = region.startsWith('cn-') ? 'aws-cn' : region.startsWith('us-gov-') ? 'aws-us-gov' : 'aws';
  return {
    region,
    stateMachinePrefix: `arn:${partition}:states:${region}:${account}:stateMachine:${prefix}-`,
  };
}

function printLetters(
  io: Io,
  letters: readonly WaitingLetter[],
  json: boolean,
  queueUrl: string | undefined,
) {
  if (json) {
    io.output.write(`${JSON.stringify(letters, null, 2)}\n`);
    return;
  }
  if (letters.length === 0) {
    io.output.write(`No dead letters ${queueUrl ? `in ${queueUrl}` : 'in the local queue'}.\n`);
    return;
  }
  io.output.write(
    `${table(
      ['id', 'sent', 'run', 'account', 'category', 'phase', 'error', 'rerun'],
      letters.map(({ id, sentAt, letter }) =>
        'rerun' in letter
          ? [
              id,
              sentAt?.toISOString().slice(0, 19).replace('T', ' ') ?? '',
              letter.runId,
              letter.accountId,
              letter.category,
              letter.phase,
              `${letter.error.name}: ${letter.error.message}`.slice(0, 80),
              `${letter.rerun.stateMachine} ${JSON.stringify(letter.rerun.input)}`,
            ]
          : [id, sentAt?.toISOString() ?? '', '', '', '', '', `unreadable: ${letter.unreadable}`, ''],
      ),
    )}\n\n${letters.length} dead letters. ${dim('a360 dlq redrive [--id ID] reruns them.')}\n`,
  );
}

type Letter = WaitingLetter & { letter: DeadLetter };

function plan(selected: readonly Letter[]) {
  return mergeReruns(selected.map((l) => ({ ...l.letter.rerun, letter: l })));
}

async function redriveInAws(
  io: Io,
  inbox: DeadLetterInbox,
  selected: readonly Letter[],
  prefix: string,
  region: string,
  args: ParsedArgs,
): Promise<number> {
  const sfn = new SFNClient({ region });
  const results: Array<{ execution?: string; error?: string; letters: string[]; stateMachine: string }> = [];
  for (const { rerun, from } of plan(selected)) {
    const letters = from.map((f) => f.letter);
    try {
      const execution = await startRerun(sfn, prefix, rerun);
      for (const letter of letters) await inbox.delete(letter);
      results.push({ execution, letters: letters.map((l) => l.id), stateMachine: rerun.stateMachine });
    } catch (error) {
      await inbox.release(letters);
      results.push({
        error: `${(error as Error).name}: ${(error as Error).message}`,
        letters: letters.map((l) => l.id),
        stateMachine: rerun.stateMachine,
      });
    }
  }
  if (args.options.has('json')) io.output.write(`${JSON.stringify(results, null, 2)}\n`);
  else
    for (const r of results) {
      io.output.write(
        r.execution
          ? `started ${r.execution} for ${r.letters.length} letters (deleted)\n`
          : `${statusWord('FAILED')} to start ${r.stateMachine} for ${r.letters.join(', ')}: ${r.error} (letters kept)\n`,
      );
    }
  return results.every((r) => r.execution) ? 0 : 2;
}

async function redriveLocally(
  io: Io,
  inbox: DeadLetterInbox,
  selected: readonly Letter[],
  args: ParsedArgs,
): Promise<number> {
  const groups = plan(selected);
  const { environment, retryIntervalMs } = await openRerunEnvironment(
    groups.map((g) => g.rerun.accountId),
    args,
    io.env,
  );
  try {
    const lettersOf = new Map(groups.map((g) => [g.rerun, g.from.map((f) => f.letter)]));
    const outcomes = await runRerunsLocally(
      environment.deps,
      groups.map((g) => g.rerun),
      {
        output: io.output,
        title: `a360 dlq redrive · ${selected.length} letters · ${groups.length} executions`,
        json: args.options.has('json'),
        retryIntervalMs,
        onStarted: async (rerun) => {
          for (const letter of lettersOf.get(rerun) ?? []) await inbox.delete(letter);
        },
      },
    );
    if (args.options.has('json')) io.output.write(`${JSON.stringify(outcomes, null, 2)}\n`);
    else {
      io.output.write(
        `${table(
          ['state machine', 'account', 'categories', 'letters', 'status', 'error'],
          outcomes.map((o) => [
            o.rerun.stateMachine,
            o.rerun.accountId,
            o.rerun.categories.join(', ') || 'every category',
            lettersOf.get(o.rerun)?.length ?? 0,
            statusWord(o.status),
            o.error ?? '',
          ]),
        )}\n\n${bold(`${outcomes.filter((o) => o.status === 'SUCCEEDED').length} of ${outcomes.length} reruns succeeded.`)} ${dim('A rerun that failed again left its own dead letter.')}\n`,
      );
    }
    return outcomes.every((o) => o.status === 'SUCCEEDED') ? 0 : 2;
  } finally {
    await environment.close();
  }
}
