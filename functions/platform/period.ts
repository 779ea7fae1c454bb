import { InvalidInputError } from './errors.ts';

export const PERIODS = ['DAILY', 'MONTHLY'] as const;
export type Period = (typeof PERIODS)[number];

/** A collection window in UTC days: `start` inclusive, `end` exclusive (as Cost Explorer reads them). */
export interface Window {
  readonly period: Period;
  readonly start: string;
  readonly end: string;
}

const DAY_MS = 86_400_000;
const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;

export function isoDay(date: Date): string {
  return date.toISOString().slice(0, 10);
}

/** Parses `YYYY-MM-DD` strictly (rejects 2026-02-30 and the like). */
export function parseDay(value: string, what = 'date'): Date {
  if (!DATE_RE.test(value)) throw new InvalidInputError(`${what} must be YYYY-MM-DD, got "${value}"`);
  const date = new Date(`${value}T00:00:00.000Z`);
  if (Number.isNaN(date.getTime()) || isoDay(date) !== value) {
    throw new InvalidInputError(`${what} is not a calendar day: "${value}"`);
  }
  return date;
}

export function addDays(day: string, days: number): string {
  return isoDay(new Date(parseDay(day).getTime() + days * DAY_MS));
}

export function addMonths(day: string, months: number): string {
  const date = parseDay(day);
  return isoDay(new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + months, 1)));
}

export function parsePeriod(value: unknown): Period {
  if (typeof value === 'string' && (PERIODS as readonly string[]).includes(value.toUpperCase())) {
    return value.toUpperCase() as Period;
  }
  throw new InvalidInputError(`period must be one of ${PERIODS.join(', ')}, got ${JSON.stringify(value)}`);
}

/**
 * The window a run collects. DAILY: the given day, default yesterday. MONTHLY: the calendar month containing
 * the given day, default last month.
 */
export function resolveWindow(period: Period, date: string | undefined, now: Date): Window {
  if (period === 'DAILY') {
    const start = date ?? addDays(isoDay(now), -1);
    parseDay(start);
    return { period, start, end: addDays(start, 1) };
  }
  const anchor = date ?? addMonths(isoDay(now), -1);
  const month = anchor.slice(0, 7);
  const start = `${month}-01`;
  parseDay(anchor);
  return { period, start, end: addMonths(start, 1) };
}

/** The window of the same length just before this one (the "previous period" of cost reports). */
export function previousWindow(window: Window): Window {
  if (window.period === 'DAILY') return { ...window, start: addDays(window.start, -1), end: window.start };
  return { ...window, start: addMonths(window.start, -1), end: window.start };
}

/** The days of a window, in order. */
export function daysOf(window: Window): string[] {
  const days: string[] = [];
  for (let day = window.start; day < window.end; day = addDays(day, 1)) days.push(day);
  return days;
}
