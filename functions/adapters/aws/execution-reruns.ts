import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import {
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  type HistoryEvent,
  type SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import type { Rerun } from '../../core/reruns.ts';
import { InvalidInputError } from '../../platform/errors.ts';
import { parseSnapshotKey } from '../../snapshot/snapshot.ts';

export type MachineKind = 'orchestrate' | 'collect' | 'load';

const EXECUTION_ARN_RE = /^arn:(aws[a-z-]*):states:([a-z0-9-]+):(\d{12}):execution:([A-Za-z0-9_-]+):([^:]+)$/;

/** The execution ARN's parts; its state machine is named `<prefix>-orchestrate|collect|load`. */
export function parseExecutionArn(arn: string): { prefix: string; kind: MachineKind; machineArn: string } {
  const match = EXECUTION_ARN_RE.exec(arn);
  const machine = match?.[5] ? match[4] : undefined;
  const kind = /-(orchestrate|collect|load)$/.exec(machine ?? '')?.[1] as MachineKind | undefined;
  if (!match || !machine || !kind) {
    throw new InvalidInputError(
      `--execution must be the ARN of an a360 orchestrate, collect or load execution (arn:aws:states:<region>:<account>:execution:<prefix>-orchestrate:<name>), got "${arn}"`,
    );
  }
  const machineArn = `arn:${match[1]}:states:${match[2]}:${match[3]}:stateMachine:${machine}`;
  return { prefix: machineArn.slice(0, -kind.length), kind, machineArn };
}

/** The newest event of the execution's history that `matches` (pages read newest first). */
async function newestEvent(
  sfn: SFNClient,
  executionArn: string,
  matches: (event: HistoryEvent) => boolean,
): Promise<HistoryEvent | undefined> {
  let nextToken: string | undefined;
  do {
    const page = await sfn.send(
      new GetExecutionHistoryCommand({
        executionArn,
        reverseOrder: true,
        includeExecutionData: true,
        maxResults: 1000,
        ...(nextToken ? { nextToken } : {}),
      }),
    );
    const found = (page.events ?? []).find(matches);
    if (found) return found;
    nextToken = page.nextToken;
  } while (nextToken);
  return undefined;
}

/** The output of the last time the execution left one of `states`. */
async function lastStateOutput(
  sfn: SFNClient,
  executionArn: string,
  states: readonly string[],
): Promise<unknown> {
  const exited = await newestEvent(
    sfn,
    executionArn,
    (e) => !!e.type?.endsWith('StateExited') && states.includes(e.stateExitedEventDetails?.name ?? ''),
  );
  return exited ? (JSON.parse(exited.stateExitedEventDetails?.output ?? 'null') as unknown) : undefined;
}

/** The load execution a collect execution started (StartLoad's states:startExecution answer). */
async function startedLoad(sfn: SFNClient, executionArn: string): Promise<string | undefined> {
  const started = await newestEvent(
    sfn,
    executionArn,
    (e) =>
      e.type === 'TaskSucceeded' &&
      e.taskSucceededEventDetails?.resourceType === 'states' &&
      e.taskSucceededEventDetails.resource === 'startExecution',
  );
  const output = JSON.parse(started?.taskSucceededEventDetails?.output ?? '{}') as { ExecutionArn?: string };
  return output.ExecutionArn;
}

interface FinalizeOutput {
  snapshotKey?: string;
  failed?: Array<{ category: string; phase: 'collect' | 'load' }>;
}

/** A load execution's failures, from what FinalizeLoad or RejectSnapshot reported. */
function rerunsOfFinalize(output: FinalizeOutput, snapshotKey: string): Rerun[] {
  const { accountId, start, period } = parseSnapshotKey(snapshotKey.replace(/^loaded\//, 'data/'));
  const failed = output.failed ?? [];
  if (failed.some((f) => f.category === '*')) {
    return [{ accountId, stateMachine: 'load', categories: [], input: { snapshotKey, trigger: 'rerun' } }];
  }
  const of = (phase: 'collect' | 'load') => [
    ...new Set(failed.filter((f) => f.phase === phase).map((f) => f.category)),
  ];
  const reruns: Rerun[] = [];
  const recollect = of('collect');
  if (recollect.length > 0) {
    reruns.push({
      accountId,
      stateMachine: 'collect',
      categories: recollect,
      input: { accountId, period, date: start, categories: recollect, trigger: 'rerun' },
    });
  }
  const reload = of('load');
  if (reload.length > 0) {
    reruns.push({
      accountId,
      stateMachine: 'load',
      categories: reload,
      input: { snapshotKey: snapshotKey.replace(/^loaded\//, 'data/'), categories: reload, trigger: 'rerun' },
    });
  }
  return reruns;
}

export interface ExecutionReruns {
  readonly kind: MachineKind;
  readonly status: string;
  readonly reruns: readonly Rerun[];
}

/**
 * The executions that complete what `executionArn` left undone: for `orchestrate`, the list SettleRun computed
 * from the ledger (in its output, or the full list in S3 when it was too long for it); for `load`, the categories
 * FinalizeLoad reported failed; for `collect`, those of the load it started, or the whole collection again when it
 * failed before starting one. A running execution is refused: its failures are not known yet.
 */
export async function rerunsOfExecution(
  clients: { sfn: SFNClient; s3: S3Client },
  executionArn: string,
): Promise<ExecutionReruns> {
  const { kind } = parseExecutionArn(executionArn);
  const execution = await clients.sfn.send(new DescribeExecutionCommand({ executionArn }));
  const status = execution.status ?? 'UNKNOWN';
  if (status === 'RUNNING' || status === 'PENDING_REDRIVE') {
    throw new InvalidInputError(`execution ${executionArn} is still ${status}: rerun it once it has ended`);
  }
  const input = JSON.parse(execution.input ?? '{}') as Record<string, unknown>;
  if (kind === 'orchestrate') {
    const outcome = (await lastStateOutput(clients.sfn, executionArn, ['SettleRun'])) as
      | { reruns?: Rerun[]; rerunsOmitted?: number; rerunsLocation?: string }
      | undefined;
    if (!outcome?.reruns) {
      throw new InvalidInputError(
        `execution ${executionArn} has no SettleRun output (status ${status}); start orchestrate again for the window`,
      );
    }
    if (!outcome.rerunsOmitted) return { kind, status, reruns: outcome.reruns };
    return { kind, status, reruns: await readReruns(clients.s3, outcome.rerunsLocation ?? '') };
  }
  if (kind === 'load') {
    const finalized = await lastStateOutput(clients.sfn, executionArn, ['FinalizeLoad', 'RejectSnapshot']);
    const snapshotKey = String(input.snapshotKey ?? '');
    if (!finalized) {
      // It failed before its snapshot was finalized: load the whole snapshot again.
      const { accountId } = parseSnapshotKey(snapshotKey.replace(/^loaded\//, 'data/'));
      return {
        kind,
        status,
        reruns: [
          { accountId, stateMachine: 'load', categories: [], input: { snapshotKey, trigger: 'rerun' } },
        ],
      };
    }
    return { kind, status, reruns: rerunsOfFinalize(finalized as FinalizeOutput, snapshotKey) };
  }
  const loadArn = await startedLoad(clients.sfn, executionArn);
  if (loadArn) return { ...(await rerunsOfExecution(clients, loadArn)), kind, status };
  const { runId: _runId, load: _load, ...rest } = input;
  const accountId = String(input.accountId ?? '');
  const categories = Array.isArray(input.categories) ? (input.categories as string[]) : [];
  return {
    kind,
    status,
    reruns:
      status === 'SUCCEEDED'
        ? []
        : [{ accountId, stateMachine: 'collect', categories, input: { ...rest, trigger: 'rerun' } }],
  };
}

async function readReruns(s3: S3Client, location: string): Promise<Rerun[]> {
  const match = /^s3:\/\/([^/]+)\/(.+)$/.exec(location);
  if (!match) throw new InvalidInputError(`SettleRun gave no readable rerun list location ("${location}")`);
  const object = await s3.send(new GetObjectCommand({ Bucket: match[1], Key: match[2] }));
  return JSON.parse((await object.Body?.transformToString()) ?? '[]') as Rerun[];
}

/**
 * Starts one rerun execution, named `rerun-<account>-<UTC time to the second>` so the console lists it readably
 * (a run plans at most one collect and one load per account, each on its own state machine).
 */
export async function startRerun(
  sfn: SFNClient,
  prefix: string,
  rerun: Pick<Rerun, 'stateMachine' | 'input' | 'accountId'>,
  at = new Date(),
): Promise<string> {
  const stamp = at.toISOString().replace(/[-:T]/g, '').slice(0, 14);
  const started = await sfn.send(
    new StartExecutionCommand({
      stateMachineArn: `${prefix}${rerun.stateMachine}`,
      name: `rerun-${rerun.accountId}-${stamp}`.slice(0, 80),
      input: JSON.stringify(rerun.input),
    }),
  );
  if (!started.executionArn)
    throw new Error(`StartExecution of ${prefix}${rerun.stateMachine} returned no ARN`);
  return started.executionArn;
}
