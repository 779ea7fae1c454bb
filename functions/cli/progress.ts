import type { InterpreterEvent } from '../adapters/local/state-machine-runner.ts';
import { parseSnapshotKey } from '../snapshot/snapshot.ts';

export type SliceState = 'pending' | 'running' | 'retried' | 'succeeded' | 'partial' | 'skipped' | 'failed';

export interface SliceProgress {
  state: SliceState;
  attempt: number;
  rows: number;
  error?: string;
}

type Phase = 'collect' | 'load';

interface StateData {
  name: string;
  input?: unknown;
  output?: unknown;
}

const TASK_BY_PHASE: Record<Phase, { task: string; failure: string }> = {
  collect: { task: 'CollectCategory', failure: 'RecordCollectFailure' },
  load: { task: 'LoadCategory', failure: 'RecordLoadFailure' },
};

const STATUS_STATE: Record<string, SliceState> = {
  SUCCEEDED: 'succeeded',
  PARTIAL: 'partial',
  SKIPPED: 'skipped',
  FAILED: 'failed',
};

/**
 * Per account x category x phase progress, read from the interpreter's event log (the same events the Step
 * Functions console shows): running, retried, and the outcome with its rows.
 */
export class RunProgress {
  readonly slices = new Map<string, SliceProgress>();
  private readonly listeners: Array<(key: SliceKey, slice: SliceProgress) => void> = [];

  onChange(listener: (key: SliceKey, slice: SliceProgress) => void): void {
    this.listeners.push(listener);
  }

  expect(accountId: string, categories: readonly string[]): void {
    for (const category of categories) {
      for (const phase of ['collect', 'load'] as const) {
        this.slices.set(sliceKey({ accountId, category, phase }), { state: 'pending', attempt: 0, rows: 0 });
      }
    }
  }

  handle(machine: Phase | 'orchestrate', event: InterpreterEvent): void {
    if (machine === 'orchestrate') {
      this.expectDiscovered(event);
      return;
    }
    const phase = machine;
    const state = (event as { state?: StateData }).state;
    if (!state) return;
    const names = TASK_BY_PHASE[phase];
    const input = (state.input ?? {}) as {
      accountId?: string;
      category?: string;
      snapshotKey?: string;
      error?: { Error?: string; Cause?: string };
    };
    if (!input.category || (state.name !== names.task && state.name !== names.failure)) return;
    const accountId = input.accountId ?? accountOf(input.snapshotKey);
    if (!accountId) return;
    const key = { accountId, category: input.category, phase };
    const slice = this.slices.get(sliceKey(key)) ?? { state: 'pending', attempt: 0, rows: 0 };
    if (state.name === names.failure && event.type === 'StateEntered') {
      this.update(key, { ...slice, state: 'failed', error: errorText(input.error) });
      return;
    }
    switch (event.type) {
      case 'StateEntered':
        this.update(key, { ...slice, state: 'running', attempt: Math.max(slice.attempt, 1) });
        break;
      case 'StateRetried':
        this.update(key, { ...slice, state: 'retried', attempt: slice.attempt + 1 });
        break;
      case 'StateExited': {
        const output = (state.output ?? {}) as { status?: string; rows?: number };
        this.update(key, {
          ...slice,
          state: STATUS_STATE[output.status ?? ''] ?? 'succeeded',
          rows: output.rows ?? 0,
        });
        break;
      }
      default:
        break;
    }
  }

  /** Once `orchestrate` has discovered the accounts, every account x category x phase is pending. */
  private expectDiscovered(event: InterpreterEvent): void {
    const state = (event as { state?: StateData }).state;
    if (event.type !== 'StateExited' || state?.name !== 'DiscoverAccounts') return;
    this.discovered = state.output as { accountCount?: number; categories?: string[] };
  }

  private discovered: { accountCount?: number; categories?: string[] } | undefined;

  /** Counts of slices per category and phase, in their current state. */
  tally(): Map<string, Record<Phase, Record<SliceState, number>>> {
    const tally = new Map<string, Record<Phase, Record<SliceState, number>>>();
    for (const category of this.discovered?.categories ?? []) {
      tally.set(category, { collect: emptyCounts(), load: emptyCounts() });
    }
    for (const [key, slice] of this.slices) {
      const { category, phase } = parseSliceKey(key);
      const entry = tally.get(category) ?? { collect: emptyCounts(), load: emptyCounts() };
      entry[phase][slice.state] += 1;
      tally.set(category, entry);
    }
    const accounts = this.discovered?.accountCount ?? 0;
    for (const entry of tally.values()) {
      for (const counts of [entry.collect, entry.load]) {
        const seen = Object.values(counts).reduce((a, b) => a + b, 0);
        counts.pending += Math.max(0, accounts - seen);
      }
    }
    return tally;
  }

  private update(key: SliceKey, slice: SliceProgress): void {
    this.slices.set(sliceKey(key), slice);
    for (const listener of this.listeners) listener(key, slice);
  }
}

export interface SliceKey {
  readonly accountId: string;
  readonly category: string;
  readonly phase: Phase;
}

function sliceKey(key: SliceKey): string {
  return `${key.accountId}|${key.category}|${key.phase}`;
}

function parseSliceKey(key: string): SliceKey {
  const [accountId, category, phase] = key.split('|') as [string, string, Phase];
  return { accountId, category, phase };
}

function emptyCounts(): Record<SliceState, number> {
  return { pending: 0, running: 0, retried: 0, succeeded: 0, partial: 0, skipped: 0, failed: 0 };
}

function accountOf(snapshotKey: string | undefined): string | undefined {
  if (!snapshotKey) return undefined;
  try {
    return parseSnapshotKey(snapshotKey).accountId;
  } catch {
    return undefined;
  }
}

function errorText(error: { Error?: string; Cause?: string } | undefined): string {
  if (!error) return 'failed';
  let message = error.Cause ?? '';
  try {
    message = (JSON.parse(message) as { errorMessage?: string }).errorMessage ?? message;
  } catch {
    // plain text cause
  }
  return `${error.Error ?? 'Error'}: ${message}`;
}
