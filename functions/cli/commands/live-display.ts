import type { OverallProgress, RunProgress, SliceKey, SliceProgress } from '../progress.ts';
import { bold, dim, green, type Output, red, table, yellow } from '../render.ts';

const REDRAW_MS = 200;
/** How often, at most, a plain `progress:` line is printed when the output is not a terminal. */
export const PLAIN_PROGRESS_MS = 10_000;
/** Without any progress, a plain `progress:` line still comes this often, to show the run is alive. */
export const PLAIN_HEARTBEAT_MS = 60_000;

/** The timers the display redraws / prints with; injectable so tests run without sleeping. */
export interface DisplayTimers {
  setInterval(callback: () => void, ms: number): unknown;
  clearInterval(handle: unknown): void;
}

const nodeTimers: DisplayTimers = {
  setInterval: (callback, ms) => {
    // Display only: never what keeps the process alive (a run that throws before stop() still exits).
    const handle = setInterval(callback, ms);
    handle.unref();
    return handle;
  },
  clearInterval: (handle) => clearInterval(handle as NodeJS.Timeout),
};

export interface LiveDisplayOptions {
  readonly title: string;
  readonly json: boolean;
  /**
   * Accounts the whole display will see, when the caller knows it up front (a backfill: accounts x windows).
   * Without it, the total is the accounts known so far (discovered by `orchestrate`, or seen).
   */
  readonly expectedAccounts?: number;
  /** A first stage label, as `setStage` sets it. */
  readonly stage?: string;
  /** The clock (ms), for elapsed time and the ETA; default Date.now. */
  readonly now?: () => number;
  /** Default: Node's setInterval / clearInterval (unref'd). */
  readonly timers?: DisplayTimers;
}

/**
 * Shows a run while it goes. On a terminal: the stage (if any), an overall line (accounts done / total,
 * slices done / known, failed, elapsed, ETA) and a per-category table (done / in flight / retried / failed for
 * collect and load), redrawn in place. Otherwise: one plain line per slice outcome and retry, and a plain
 * `progress:` line at most every PLAIN_PROGRESS_MS (when something moved, or every PLAIN_HEARTBEAT_MS) and
 * at each stage change.
 *
 * Stages (`setStage`, e.g. the windows of a backfill run one after the other through the same display): the
 * overall line, elapsed time and ETA are cumulative across stages (give `expectedAccounts` = accounts x
 * windows for a whole-backfill ETA); the per-category table shows the current stage only.
 */
export class LiveDisplay {
  private readonly output: Output;
  private readonly progress: RunProgress;
  private readonly title: string;
  private readonly quiet: boolean;
  private readonly now: () => number;
  private readonly timers: DisplayTimers;
  private expectedAccounts: number | undefined;
  private stage: string | undefined;
  private timer: unknown;
  private started = false;
  private startedAt = 0;
  private drawnLines = 0;
  private lastPlain: { at: number; counts: string } | undefined;

  constructor(output: Output, progress: RunProgress, options: LiveDisplayOptions) {
    this.output = output;
    this.progress = progress;
    this.title = options.title;
    this.quiet = options.json;
    this.now = options.now ?? Date.now;
    this.timers = options.timers ?? nodeTimers;
    this.expectedAccounts = options.expectedAccounts;
    this.stage = options.stage;
  }

  start(): void {
    if (this.quiet) return;
    this.started = true;
    this.startedAt = this.now();
    this.output.write(`${this.title}\n`);
    if (this.output.isTTY) {
      this.timer = this.timers.setInterval(() => this.redraw(), REDRAW_MS);
      this.redraw();
    } else {
      if (this.stage) this.output.write(`${this.stage}\n`);
      this.lastPlain = { at: this.startedAt, counts: '' };
      this.progress.onChange((key, slice) => this.line(key, slice));
      this.startPlainTicks();
    }
  }

  private startPlainTicks(): void {
    if (this.timer !== undefined) this.timers.clearInterval(this.timer);
    this.timer = this.timers.setInterval(() => this.plainTick(), PLAIN_PROGRESS_MS);
  }

  stop(): void {
    if (this.timer !== undefined) {
      this.timers.clearInterval(this.timer);
      this.timer = undefined;
      if (this.output.isTTY) this.redraw();
    }
    this.started = false;
    if (!this.quiet) this.output.write('\n');
  }

  /** The total of accounts, when the caller learns it after constructing the display. */
  expect(accounts: number): void {
    this.expectedAccounts = accounts;
  }

  /**
   * Starts a stage, shown as given (e.g. `window 2 of 3: DAILY 2026-11-24`): the progress begins a new stage
   * (see RunProgress.beginStage) and, off a terminal, the label and a progress line are printed.
   */
  setStage(label: string): void {
    this.progress.beginStage();
    this.stage = label;
    if (!this.started) return;
    if (this.output.isTTY) {
      this.redraw();
      return;
    }
    this.output.write(`${label}\n`);
    const overall = this.progress.overall();
    if (overall.accountsDone > 0 || overall.slicesKnown > 0) {
      this.plainProgress(overall);
      // The next periodic line comes a whole interval after this one.
      this.startPlainTicks();
    }
  }

  private line(key: SliceKey, slice: SliceProgress): void {
    if (slice.state === 'running' || slice.state === 'pending') return;
    const detail =
      slice.state === 'retried'
        ? `retrying (attempt ${slice.attempt})`
        : slice.state === 'failed'
          ? `FAILED ${slice.error ?? ''}`
          : `${slice.state.toUpperCase()} rows=${slice.rows}${slice.attempt > 1 ? ` after ${slice.attempt} attempts` : ''}`;
    this.output.write(`${key.phase.padEnd(7)} ${key.accountId} ${key.category.padEnd(18)} ${detail}\n`);
  }

  private plainTick(): void {
    const overall = this.progress.overall();
    const moved = countsOf(overall) !== this.lastPlain?.counts;
    const quietFor = this.now() - (this.lastPlain?.at ?? this.startedAt);
    if (moved || quietFor >= PLAIN_HEARTBEAT_MS) this.plainProgress(overall);
  }

  private plainProgress(overall: OverallProgress): void {
    this.output.write(`progress: ${this.overallText(overall, false)}\n`);
    this.lastPlain = { at: this.now(), counts: countsOf(overall) };
  }

  /** `12/50 accounts, 264/2200 slices, 3 failed, elapsed 1m02s, ETA 4m10s` */
  private overallText(overall: OverallProgress, color: boolean): string {
    const done = overall.accountsDone;
    const known = Math.max(this.expectedAccounts ?? overall.accountsKnown, done);
    const elapsed = this.now() - this.startedAt;
    const remaining = estimateRemainingMs(elapsed, done, known);
    const failed = `${overall.failed} failed`;
    return [
      `${done}/${known > 0 ? known : '?'} accounts`,
      `${overall.slicesDone}/${overall.slicesKnown} slices`,
      color && overall.failed > 0 ? red(failed) : failed,
      `elapsed ${formatDuration(elapsed)}`,
      `ETA ${remaining === undefined ? '--' : formatDuration(remaining)}`,
    ].join(', ');
  }

  private redraw(): void {
    const rows = [...this.progress.tally()].map(([category, phases]) => [
      category,
      cell(phases.collect),
      cell(phases.load),
    ]);
    const lines = [
      ...(this.stage ? [bold(this.stage)] : []),
      this.overallText(this.progress.overall(), true),
      ...table(['category', 'collect', 'load'], rows).split('\n'),
    ];
    if (this.drawnLines > 0) this.output.write(`\u001b[${this.drawnLines}A`);
    // Erase below too: a new stage's table may be shorter than the last one drawn.
    this.output.write(`${lines.map((l) => `\u001b[2K${l}`).join('\n')}\n\u001b[J`);
    this.drawnLines = lines.length;
  }
}

/**
 * The time left at the rate accounts finished so far: elapsed / done per account for the ones still to do.
 * Undefined until an account is done (or without a total).
 */
export function estimateRemainingMs(elapsedMs: number, done: number, total: number): number | undefined {
  if (done < 1 || total < 1) return undefined;
  if (done >= total) return 0;
  return (elapsedMs / done) * (total - done);
}

/** 45s, 3m20s, 1h05m. */
export function formatDuration(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m${String(seconds % 60).padStart(2, '0')}s`;
  return `${Math.floor(minutes / 60)}h${String(minutes % 60).padStart(2, '0')}m`;
}

function countsOf(overall: OverallProgress): string {
  return `${overall.accountsDone}|${overall.accountsKnown}|${overall.slicesDone}|${overall.slicesKnown}|${overall.failed}`;
}

function cell(counts: Record<string, number>): string {
  const done = (counts.succeeded ?? 0) + (counts.partial ?? 0) + (counts.skipped ?? 0);
  const parts = [green(`✓${done}`)];
  const active = (counts.running ?? 0) + (counts.retried ?? 0);
  if (active) parts.push(yellow(`…${active}`));
  if (counts.retried) parts.push(yellow(`↻${counts.retried}`));
  if (counts.failed) parts.push(red(`✗${counts.failed}`));
  if (counts.pending) parts.push(dim(`·${counts.pending}`));
  return parts.join(' ');
}
