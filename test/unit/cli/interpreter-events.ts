import type { InterpreterEvent } from '../../../functions/adapters/local/state-machine-runner.ts';
import type { RunProgress } from '../../../functions/cli/progress.ts';

/**
 * Synthetic interpreter events, shaped as aws-local-stepfunctions emits them for the a360 state machines
 * (the state names and inputs of statemachines/*.asl.json), fed into a RunProgress.
 */
type Machine = 'collect' | 'load' | 'orchestrate';

function stateEvent(
  type: 'StateEntered' | 'StateExited' | 'StateRetried',
  name: string,
  input: unknown,
  extra: { output?: unknown; index?: number } = {},
): InterpreterEvent {
  const { output, index } = extra;
  return {
    type,
    timestamp: 0,
    state: { name, type: 'Task', input, ...(output === undefined ? {} : { output }) },
    ...(index === undefined ? {} : { index }),
  } as unknown as InterpreterEvent;
}

export const snapshotKeyOf = (accountId: string, date = '2026-11-20') =>
  `data/${accountId}/${date}_DAILY.json`;

export class FakeRun {
  private readonly progress: RunProgress;

  constructor(progress: RunProgress) {
    this.progress = progress;
  }

  private emit(machine: Machine, event: InterpreterEvent): void {
    this.progress.handle(machine, event);
  }

  discover(accountCount: number, categories: readonly string[]): void {
    this.emit(
      'orchestrate',
      stateEvent('StateExited', 'DiscoverAccounts', {}, { output: { accountCount, categories } }),
    );
  }

  startAccount(index: number, accountId: string): void {
    this.emit('orchestrate', stateEvent('StateEntered', 'CollectAccount', { accountId }, { index }));
  }

  collect(accountId: string, category: string, outcome: 'SUCCEEDED' | 'FAILED' | 'retry' | 'running'): void {
    const input = { accountId, category };
    this.emit('collect', stateEvent('StateEntered', 'CollectCategory', input));
    if (outcome === 'running') return;
    if (outcome === 'retry') {
      this.emit('collect', stateEvent('StateRetried', 'CollectCategory', input));
    } else if (outcome === 'FAILED') {
      // A caught failure leaves the Task too, with the Catch's output (the error), before the failure state.
      this.emit(
        'collect',
        stateEvent('StateExited', 'CollectCategory', input, {
          output: { ...input, error: { Error: 'SourceAccessError', Cause: 'AccessDenied' } },
        }),
      );
      this.emit(
        'collect',
        stateEvent('StateEntered', 'RecordCollectFailure', {
          ...input,
          error: { Error: 'SourceAccessError', Cause: 'AccessDenied' },
        }),
      );
    } else {
      this.emit(
        'collect',
        stateEvent('StateExited', 'CollectCategory', input, { output: { status: 'SUCCEEDED', rows: 3 } }),
      );
    }
  }

  load(accountId: string, category: string, outcome: 'SUCCEEDED' | 'FAILED', date?: string): void {
    const input = { category, snapshotKey: snapshotKeyOf(accountId, date) };
    this.emit('load', stateEvent('StateEntered', 'LoadCategory', input));
    if (outcome === 'FAILED') {
      this.emit(
        'load',
        stateEvent('StateEntered', 'RecordLoadFailure', { ...input, error: { Error: 'Boom' } }),
      );
    } else {
      this.emit(
        'load',
        stateEvent('StateExited', 'LoadCategory', input, { output: { status: 'SUCCEEDED', rows: 3 } }),
      );
    }
  }

  /** `load`'s FinalizeLoad exited: the account's load finished. */
  finalize(accountId: string, date?: string): void {
    const input = { snapshotKey: snapshotKeyOf(accountId, date) };
    this.emit('load', stateEvent('StateEntered', 'FinalizeLoad', input));
    this.emit('load', stateEvent('StateExited', 'FinalizeLoad', input, { output: { status: 'SUCCEEDED' } }));
  }

  /** orchestrate's Map iteration of the account reached AccountLoaded / AccountIncomplete. */
  accountEnd(index: number, accountId: string, state: 'AccountLoaded' | 'AccountIncomplete'): void {
    this.emit('orchestrate', stateEvent('StateEntered', state, { accountId }, { index }));
    this.emit(
      'orchestrate',
      stateEvent('StateExited', state, { accountId }, { index, output: { accountId } }),
    );
  }

  /** orchestrate's Map iteration failed (CollectAccount has no Catch). */
  iterationFailed(index: number): void {
    this.emit('orchestrate', {
      type: 'MapIterationFailed',
      timestamp: 0,
      index,
      parentState: { name: 'ProcessAccounts', type: 'Map', input: {} },
      Error: 'States.TaskFailed',
      Cause: 'collect failed',
    } as unknown as InterpreterEvent);
  }

  /** A whole account, every category collected and loaded, then its load finalized. */
  account(accountId: string, categories: readonly string[], date?: string): void {
    for (const category of categories) this.collect(accountId, category, 'SUCCEEDED');
    for (const category of categories) this.load(accountId, category, 'SUCCEEDED', date);
    this.finalize(accountId, date);
  }
}

export const accountIds = (n: number) => Array.from({ length: n }, (_, i) => String(100000000001 + i));
