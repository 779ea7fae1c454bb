import { REGISTRY } from '../collectors/registry.ts';
import { InvalidInputError } from '../platform/errors.ts';
import {
  addDays,
  addMonths,
  isoDay,
  type Period,
  parseDay,
  resolveWindow,
  type Window,
} from '../platform/period.ts';

/** More windows than this in one backfill is a typo, not a plan (three years of days). */
export const MAX_BACKFILL_WINDOWS = 1100;

/** Cost Explorer keeps 13 months and the current one (38 months only when multi-year history is turned on). */
export const COST_EXPLORER_HISTORY_MONTHS = 13;

/**
 * The windows from `from` to `to`, both included, oldest first: each day, or each calendar month touching the
 * range. Windows that have not ended by `now` are refused: their data is not final.
 */
export function backfillWindows(period: Period, from: string, to: string, now: Date): Window[] {
  parseDay(from, '--from');
  parseDay(to, '--to');
  if (from > to) throw new InvalidInputError(`--from ${from} is after --to ${to}`);
  const windows: Window[] = [];
  const step = period === 'DAILY' ? (day: string) => addDays(day, 1) : (day: string) => addMonths(day, 1);
  for (
    let window = resolveWindow(period, from, now);
    window.start <= to;
    window = resolveWindow(period, step(window.start), now)
  ) {
    windows.push(window);
    if (windows.length > MAX_BACKFILL_WINDOWS) {
      throw new InvalidInputError(
        `${from} to ${to} is more than ${MAX_BACKFILL_WINDOWS} ${period} windows; split the backfill`,
      );
    }
  }
  const today = isoDay(now);
  const open = windows.find((w) => w.end > today);
  if (open) {
    throw new InvalidInputError(
      `the ${period} window starting ${open.start} has not ended yet (it ends ${open.end}); backfill up to ${period === 'DAILY' ? addDays(today, -1) : addMonths(today, -1)}`,
    );
  }
  return windows;
}

export interface BackfillCategories {
  /** Collected for every window: their APIs answer for the past. */
  readonly collected: readonly string[];
  /** Left out: they describe only the present, so every past window would get today's state. */
  readonly currentOnly: readonly string[];
}

/** Of the requested (or enabled) categories, those with history; the others are named, not collected. */
export function backfillCategories(requested: readonly string[]): BackfillCategories {
  const withHistory = new Set(
    REGISTRY.filter((c) => c.collector.history === 'window').map((c) => c.collector.id),
  );
  const collected = requested.filter((id) => withHistory.has(id));
  const currentOnly = requested.filter((id) => !withHistory.has(id));
  if (collected.length === 0) {
    throw new InvalidInputError(
      `${currentOnly.join(', ')} describe only the present: a backfill has nothing to collect for past windows (a360 run collects them now). Categories with history: ${[...withHistory].join(', ')}`,
    );
  }
  return { collected, currentOnly };
}

/** The first day Cost Explorer still answers for, by default (older windows fail their cost categories). */
export function costExplorerHorizon(now: Date): string {
  return addMonths(isoDay(now), -COST_EXPLORER_HISTORY_MONTHS);
}
