import { describe, expect, it } from 'vitest';
import {
  type DisplayTimers,
  estimateRemainingMs,
  formatDuration,
  LiveDisplay,
  type LiveDisplayOptions,
  PLAIN_PROGRESS_MS,
} from '../../../functions/cli/commands/live-display.ts';
import { RunProgress } from '../../../functions/cli/progress.ts';
import type { Output } from '../../../functions/cli/render.ts';
import { accountIds, FakeRun } from './interpreter-events.ts';

/** A clock and intervals that only move when the test says so. */
class FakeTime implements DisplayTimers {
  now = 0;
  private nextId = 1;
  private readonly intervals = new Map<number, { callback: () => void; ms: number; due: number }>();

  setInterval(callback: () => void, ms: number): unknown {
    const id = this.nextId++;
    this.intervals.set(id, { callback, ms, due: this.now + ms });
    return id;
  }

  clearInterval(handle: unknown): void {
    this.intervals.delete(handle as number);
  }

  get active(): number {
    return this.intervals.size;
  }

  /** Moves the clock by ms at once, as a suspended process would: each interval then fires once. */
  jump(ms: number): void {
    this.now += ms;
    for (const interval of this.intervals.values()) interval.due = Math.max(interval.due, this.now);
    this.advance(0);
  }

  /** Moves the clock by ms, firing every interval that falls due on the way, in order. */
  advance(ms: number): void {
    const end = this.now + ms;
    for (;;) {
      const next = [...this.intervals.values()].filter((i) => i.due <= end).sort((x, y) => x.due - y.due)[0];
      if (!next) break;
      this.now = next.due;
      next.due += next.ms;
      next.callback();
    }
    this.now = end;
  }
}

class FakeOutput implements Output {
  text = '';
  readonly isTTY: boolean;
  constructor(isTTY: boolean) {
    this.isTTY = isTTY;
  }
  write(text: string): void {
    this.text += text;
  }
  error(text: string): void {
    this.text += text;
  }
  /** What was written, without ANSI escapes (cursor moves, erases, colours). */
  get plain(): string {
    return this.text.replace(new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*[A-Za-z]`, 'g'), '');
  }
  lines(): string[] {
    return this.plain.split('\n');
  }
  /** The last overall line drawn on a terminal. */
  lastOverall(): string | undefined {
    return this.lines().findLast((l) => / accounts, /.test(l));
  }
  progressLines(): string[] {
    return this.lines().filter((l) => l.startsWith('progress: '));
  }
}

function setup(isTTY: boolean, options: Partial<LiveDisplayOptions> = {}) {
  const time = new FakeTime();
  const output = new FakeOutput(isTTY);
  const progress = new RunProgress();
  const display = new LiveDisplay(output, progress, {
    title: 'a360 run test',
    json: false,
    now: () => time.now,
    timers: time,
    ...options,
  });
  return { time, output, progress, display, run: new FakeRun(progress) };
}

describe('formatDuration', () => {
  it.each([
    [0, '0s'],
    [45_000, '45s'],
    [59_400, '59s'],
    [59_600, '1m00s'],
    [62_000, '1m02s'],
    [200_000, '3m20s'],
    [3_900_000, '1h05m'],
    [26 * 3_600_000, '26h00m'],
    [-5, '0s'],
  ])('%d ms is %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});

describe('estimateRemainingMs', () => {
  it('is unknown before the first account finished or without a total', () => {
    expect(estimateRemainingMs(30_000, 0, 50)).toBeUndefined();
    expect(estimateRemainingMs(30_000, 3, 0)).toBeUndefined();
  });

  it('extrapolates the time per account so far to the accounts left', () => {
    expect(estimateRemainingMs(100_000, 10, 50)).toBe(400_000);
    expect(estimateRemainingMs(100_000, 50, 50)).toBe(0);
  });
});

describe('LiveDisplay on a terminal', () => {
  it('draws an overall line above the table: counts, elapsed, ETA -- until an account finished', () => {
    const { time, output, display, run } = setup(true, { expectedAccounts: 50 });
    display.start();
    run.discover(50, ['kms', 'guardduty', 'security-hub']);
    time.advance(20_000);
    expect(output.lastOverall()).toBe('0/50 accounts, 0/300 slices, 0 failed, elapsed 20s, ETA --');
    const lines = output.lines();
    const overallAt = lines.lastIndexOf(output.lastOverall() as string);
    expect(lines[overallAt + 1]).toMatch(/^category\s+collect\s+load$/);
    display.stop();
  });

  it('estimates the ETA from the rate accounts finished so far', () => {
    const { time, output, display, run } = setup(true, { expectedAccounts: 50 });
    display.start();
    run.discover(50, ['kms', 'guardduty', 'security-hub']);
    for (const id of accountIds(10)) run.account(id, ['kms', 'guardduty', 'security-hub']);
    run.collect('200000000001', 'kms', 'FAILED');
    time.advance(100_000);
    // 100 s for 10 accounts: 10 s per account, 40 to go.
    expect(output.lastOverall()).toBe('10/50 accounts, 61/300 slices, 1 failed, elapsed 1m40s, ETA 6m40s');
    time.jump(3_500_000);
    expect(output.lastOverall()).toBe('10/50 accounts, 61/300 slices, 1 failed, elapsed 1h00m, ETA 4h00m');
    display.stop();
  });

  it('takes the total from discovery without expectedAccounts, and from expect() once given', () => {
    const { time, output, display, run } = setup(true);
    display.start();
    time.advance(200);
    expect(output.lastOverall()).toBe('0/? accounts, 0/0 slices, 0 failed, elapsed 0s, ETA --');
    run.discover(4, ['kms']);
    run.account(accountIds(1)[0] as string, ['kms']);
    time.advance(29_800);
    // 30 s for 1 account, 3 to go.
    expect(output.lastOverall()).toBe('1/4 accounts, 2/8 slices, 0 failed, elapsed 30s, ETA 1m30s');
    display.expect(12);
    time.advance(200);
    // 30.2 s for 1 account, 11 to go: 332.2 s.
    expect(output.lastOverall()).toMatch(/^1\/12 accounts, .* ETA 5m32s$/);
    display.stop();
  });

  it('shows the stage above the overall line, counting across stages while the table restarts', () => {
    const { time, output, display, run } = setup(true, { expectedAccounts: 6 });
    const ids = accountIds(2);
    display.start();
    display.setStage('window 1 of 3: DAILY 2026-11-23');
    run.discover(2, ['kms']);
    for (const id of ids) run.account(id, ['kms'], '2026-11-23');
    time.advance(60_000);
    display.setStage('window 2 of 3: DAILY 2026-11-24');
    run.discover(2, ['kms']);
    run.account(ids[0] as string, ['kms'], '2026-11-24');
    time.advance(30_000);
    const lines = output.lines();
    const overall = output.lastOverall() as string;
    // 90 s for 3 accounts of 6: 30 s each, 3 to go.
    expect(overall).toBe('3/6 accounts, 6/8 slices, 0 failed, elapsed 1m30s, ETA 1m30s');
    expect(lines[lines.lastIndexOf(overall) - 1]).toBe('window 2 of 3: DAILY 2026-11-24');
    // the table shows the current window only: 1 of its 2 accounts collected and loaded
    expect(lines.findLast((l) => l.startsWith('kms'))).toMatch(/^kms\s+✓1 ·1\s+✓1 ·1$/);
    display.stop();
  });

  it('stops redrawing at stop(), after a last frame', () => {
    const { time, output, display } = setup(true);
    display.start();
    display.stop();
    expect(time.active).toBe(0);
    const written = output.text;
    time.advance(10_000);
    expect(output.text).toBe(written);
  });
});

describe('LiveDisplay off a terminal', () => {
  it('prints the slice lines and a progress line every 10 s, with the ETA from the account rate', () => {
    const { time, output, display, run } = setup(false, { expectedAccounts: 50 });
    display.start();
    run.discover(50, ['kms']);
    time.advance(PLAIN_PROGRESS_MS - 1);
    expect(output.progressLines()).toEqual([]);
    time.advance(1);
    expect(output.progressLines()).toEqual([
      'progress: 0/50 accounts, 0/100 slices, 0 failed, elapsed 10s, ETA --',
    ]);
    const ids = accountIds(12);
    for (const id of ids) run.account(id, ['kms']);
    run.collect('200000000001', 'kms', 'FAILED');
    time.advance(60_000);
    // one line at 20 s (12 accounts in 20 s, 38 to go: 63.3 s); 30 s to 70 s: nothing moved, no line
    expect(output.progressLines().slice(1)).toEqual([
      'progress: 12/50 accounts, 25/100 slices, 1 failed, elapsed 20s, ETA 1m03s',
    ]);
    time.advance(PLAIN_PROGRESS_MS);
    // at 80 s, a minute after the last line, it comes anyway: 80 s for 12 accounts, 38 to go: 253.3 s
    expect(output.progressLines().slice(2)).toEqual([
      'progress: 12/50 accounts, 25/100 slices, 1 failed, elapsed 1m20s, ETA 4m13s',
    ]);
    expect(output.plain).toMatch(/^collect 100000000001 kms {16}SUCCEEDED rows=3$/m);
    expect(output.plain).toMatch(/^load {4}100000000012 kms {16}SUCCEEDED rows=3$/m);
    expect(output.plain).toMatch(/^collect 200000000001 kms {16}FAILED SourceAccessError: AccessDenied$/m);
    display.stop();
    expect(time.active).toBe(0);
  });

  it('prints the stage and a progress line at once when the stage changes', () => {
    const { time, output, display, run } = setup(false, {
      expectedAccounts: 4,
      stage: 'window 1 of 2: DAILY 2026-11-23',
    });
    const ids = accountIds(2);
    display.start();
    run.discover(2, ['kms']);
    for (const id of ids) run.account(id, ['kms'], '2026-11-23');
    time.advance(5_000);
    expect(output.progressLines()).toEqual([]);
    display.setStage('window 2 of 2: DAILY 2026-11-24');
    run.discover(2, ['kms']);
    const lines = output.lines();
    expect(lines.slice(0, 2)).toEqual(['a360 run test', 'window 1 of 2: DAILY 2026-11-23']);
    expect(lines.slice(-3)).toEqual([
      'window 2 of 2: DAILY 2026-11-24',
      'progress: 2/4 accounts, 4/4 slices, 0 failed, elapsed 5s, ETA 5s',
      '',
    ]);
    // the next line comes 10 s after the stage's, not at the 10 s tick of the start
    time.advance(PLAIN_PROGRESS_MS - 1);
    expect(output.progressLines()).toHaveLength(1);
    time.advance(1);
    // cumulative: the second window's accounts are known on top of the first's
    expect(output.progressLines()).toEqual([
      'progress: 2/4 accounts, 4/4 slices, 0 failed, elapsed 5s, ETA 5s',
      'progress: 2/4 accounts, 4/8 slices, 0 failed, elapsed 15s, ETA 15s',
    ]);
    display.stop();
  });

  it('prints nothing with json, and keeps working with only the original options', () => {
    const time = new FakeTime();
    const quiet = new FakeOutput(false);
    const progress = new RunProgress();
    const display = new LiveDisplay(quiet, progress, { title: 't', json: true, timers: time });
    display.start();
    display.setStage('window 1 of 1');
    new FakeRun(progress).account(accountIds(1)[0] as string, ['kms']);
    display.stop();
    expect(quiet.text).toBe('');
    expect(time.active).toBe(0);

    const output = new FakeOutput(false);
    const plain = new LiveDisplay(output, new RunProgress(), { title: 'a360 load x', json: false });
    plain.start();
    plain.stop();
    expect(output.text).toBe('a360 load x\n\n');
  });
});
