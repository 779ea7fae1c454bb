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

/** A slice that has finished, whatever its outcome. */
const FINISHED: ReadonlySet<SliceState> = new Set(['succeeded', 'partial', 'skipped', 'failed']);

/**
 * Counts across a whole run (and across the stages of a backfill, see `beginStage`): what the overall progress
 * line of the live display shows.
 */
export interface OverallProgress {
  /** Accounts that are done: their load finished (any outcome), or the account failed as a whole. */
  readonly accountsDone: number;
  /** Accounts known so far: discovered by `orchestrate`, or seen in events or `expect`. */
  readonly accountsKnown: number;
  /** Account x category x phase slices that finished, failed ones included. */
  readonly slicesDone: number;
  /**
   * Slices known so far: every category x phase of every known account; once an account is done, only its
   * slices that ran (a category whose collect failed has no load).
   */
  readonly slicesKnown: number;
  /** Failed slices, plus accounts that failed as a whole without a failed slice. */
  readonly failed: number;
}

const NO_PROGRESS: OverallProgress = {
  accountsDone: 0,
  accountsKnown: 0,
  slicesDone: 0,
  slicesKnown: 0,
  failed: 0,
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
      this.trackAccounts(event);
      return;
    }
    const phase = machine;
    const state = (event as { state?: StateData }).state;
    if (!state) return;
    if (phase === 'load') this.trackLoadEnd(event.type, state);
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
        // A caught failure also leaves the Task, with the error as output: its failure state reports it next.
        const output = (state.output ?? {}) as { status?: string; rows?: number };
        const outcome = STATUS_STATE[output.status ?? ''];
        if (outcome) this.update(key, { ...slice, state: outcome, rows: output.rows ?? 0 });
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
    this.active = true;
  }

  private discovered: { accountCount?: number; categories?: string[] } | undefined;

  /** Accounts done in this stage: `failed` when the account failed as a whole (no load, or a rejected one). */
  private readonly doneAccounts = new Map<string, 'done' | 'failed'>();
  /** orchestrate's ProcessAccounts Map iteration index -> its account, to place a failed iteration. */
  private readonly iterations = new Map<number, string>();
  /** The finished stages' counts (see `beginStage`). */
  private previousStages: OverallProgress = NO_PROGRESS;
  /** Whether this stage has seen any event that counts. */
  private active = false;

  /**
   * An account is done when its load finished: `load`'s FinalizeLoad exited or its snapshot was rejected, or
   * (under `orchestrate`) its Map iteration reached AccountLoaded / AccountIncomplete or failed. These are the
   * signals the Step Functions events carry with an account id; several of them may mark the same account.
   */
  private trackAccounts(event: InterpreterEvent): void {
    const { state, index, parentState } = event as {
      state?: StateData;
      index?: number;
      parentState?: { name?: string };
    };
    if (event.type === 'MapIterationFailed' && parentState?.name === 'ProcessAccounts') {
      const accountId = index === undefined ? undefined : this.iterations.get(index);
      if (accountId) this.markDone(accountId, 'failed');
      return;
    }
    const accountId = (state?.input as { accountId?: unknown } | undefined)?.accountId;
    if (typeof accountId !== 'string') return;
    if (event.type === 'StateEntered' && state?.name === 'CollectAccount' && index !== undefined) {
      this.iterations.set(index, accountId);
    } else if (
      event.type === 'StateExited' &&
      (state?.name === 'AccountLoaded' || state?.name === 'AccountIncomplete')
    ) {
      this.markDone(accountId, 'done');
    }
  }

  private trackLoadEnd(type: InterpreterEvent['type'], state: StateData): void {
    const rejected = type === 'StateEntered' && state.name === 'RejectSnapshot';
    if (!rejected && !(type === 'StateExited' && state.name === 'FinalizeLoad')) return;
    const accountId = accountOf((state.input as { snapshotKey?: string } | undefined)?.snapshotKey);
    if (accountId) this.markDone(accountId, rejected ? 'failed' : 'done');
  }

  private markDone(accountId: string, outcome: 'done' | 'failed'): void {
    if (outcome === 'failed' || !this.doneAccounts.has(accountId)) this.doneAccounts.set(accountId, outcome);
    this.active = true;
  }

  /**
   * Starts a new stage (the next window of a backfill run through the same display): the counts so far are
   * kept in `overall()`, which stays cumulative, while the slices, `tally()` and discovery start afresh, so the
   * same account in the next window is a new account. Without any event since the last stage, nothing is
   * reset (slices registered with `expect` for the coming stage stay).
   */
  beginStage(): void {
    if (!this.active) return;
    this.previousStages = this.overall();
    this.slices.clear();
    this.doneAccounts.clear();
    this.iterations.clear();
    this.discovered = undefined;
    this.active = false;
  }

  /** Accounts and slices done / known and failures, over this stage and the ones before it. */
  overall(): OverallProgress {
    const perAccount = (this.discovered?.categories?.length ?? 0) * 2;
    const accounts = new Map<string, { slices: number; started: number; done: number; failed: number }>();
    const entry = (accountId: string) => {
      const found = accounts.get(accountId) ?? { slices: 0, started: 0, done: 0, failed: 0 };
      accounts.set(accountId, found);
      return found;
    };
    for (const [key, slice] of this.slices) {
      const counts = entry(parseSliceKey(key).accountId);
      counts.slices += 1;
      if (slice.state !== 'pending') counts.started += 1;
      if (FINISHED.has(slice.state)) counts.done += 1;
      if (slice.state === 'failed') counts.failed += 1;
    }
    for (const accountId of this.doneAccounts.keys()) entry(accountId);
    let slicesKnown = 0;
    let slicesDone = 0;
    let failed = 0;
    for (const [accountId, counts] of accounts) {
      const outcome = this.doneAccounts.get(accountId);
      slicesKnown += outcome ? counts.started : Math.max(perAccount, counts.slices);
      slicesDone += counts.done;
      failed += counts.failed;
      if (outcome === 'failed' && counts.failed === 0) failed += 1;
    }
    const discovered = this.discovered?.accountCount ?? 0;
    slicesKnown += Math.max(0, discovered - accounts.size) * perAccount;
    const previous = this.previousStages;
    return {
      accountsDone: previous.accountsDone + this.doneAccounts.size,
      accountsKnown: previous.accountsKnown + Math.max(discovered, accounts.size),
      slicesDone: previous.slicesDone + slicesDone,
      slicesKnown: previous.slicesKnown + slicesKnown,
      failed: previous.failed + failed,
    };
  }

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
    this.active = true;
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
