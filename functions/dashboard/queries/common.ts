import type { Sql, SqlRow } from '../../ports.ts';
import { type Filters, filterParams, paramsFor } from '../filters.ts';

/** Runs a page's fixed statements with the filters as bound parameters. */
export interface Reader {
  rows<T extends SqlRow = SqlRow>(text: string): Promise<T[]>;
}

export function reader(sql: Sql, filters: Filters): Reader {
  const params = filterParams(filters);
  return {
    rows: <T extends SqlRow = SqlRow>(text: string) => sql.query<T>(text, paramsFor(text, params)),
  };
}

/** Numeric columns come back as exact strings; the dashboard shows them as numbers. */
export function num(value: unknown): number | null {
  if (value === null || value === undefined || value === '') return null;
  const n = Number(value);
  return Number.isFinite(n) ? n : null;
}

/** A `date` (`YYYY-MM-DD`) or timestamp value as the day or ISO text. */
export function text(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return value.toISOString();
  return String(value);
}

export function day(value: unknown): string | null {
  const t = text(value);
  return t === null ? null : t.slice(0, 10);
}

/** Rows with the listed columns converted: numbers with `num`, the others with `text`. */
export function shape(
  rows: readonly SqlRow[],
  numeric: readonly string[],
): Array<Record<string, string | number | boolean | null>> {
  const numbers = new Set(numeric);
  return rows.map((row) =>
    Object.fromEntries(
      Object.entries(row).map(([key, value]) => [
        key,
        numbers.has(key) ? num(value) : typeof value === 'boolean' ? value : text(value),
      ]),
    ),
  );
}

/** A chart series: labels on the x axis and one or more named datasets. */
export interface Series {
  readonly labels: string[];
  readonly datasets: Array<{ label: string; data: number[] }>;
}

/**
 * Pivots rows of (x, series, value) into a chart series: labels in `x` order, one dataset per series value,
 * zero where a series has no row for a label. Series are ordered by `order` when given, else by their total;
 * beyond `limit` the smallest are summed as `Other`.
 */
export function pivot(
  rows: readonly SqlRow[],
  x: string,
  series: string,
  value: string,
  options: { limit?: number; order?: readonly string[] } = {},
): Series {
  const limit = options.limit ?? 8;
  const labels = [...new Set(rows.map((r) => String(r[x])))];
  const totals = new Map<string, number>();
  for (const r of rows) {
    const name = String(r[series] ?? '(none)');
    totals.set(name, (totals.get(name) ?? 0) + (num(r[value]) ?? 0));
  }
  const rank = (name: string) => {
    const i = options.order?.indexOf(name) ?? -1;
    return i === -1 ? Number.MAX_SAFE_INTEGER : i;
  };
  const ranked = [...totals.entries()]
    .sort((a, b) => rank(a[0]) - rank(b[0]) || b[1] - a[1])
    .map(([name]) => name);
  const kept = new Set(ranked.length > limit ? ranked.slice(0, limit - 1) : ranked);
  const index = new Map(labels.map((l, i) => [l, i]));
  const data = new Map<string, number[]>();
  for (const r of rows) {
    const raw = String(r[series] ?? '(none)');
    const name = kept.has(raw) ? raw : 'Other';
    const values = data.get(name) ?? labels.map(() => 0);
    const i = index.get(String(r[x])) as number;
    values[i] = round((values[i] ?? 0) + (num(r[value]) ?? 0));
    data.set(name, values);
  }
  const order = [...ranked.filter((n) => kept.has(n)), ...(data.has('Other') ? ['Other'] : [])];
  return { labels, datasets: order.map((label) => ({ label, data: data.get(label) ?? [] })) };
}

/** One dataset from rows of (label, value). */
export function bars(rows: readonly SqlRow[], label: string, value: string, name: string): Series {
  return {
    labels: rows.map((r) => String(r[label] ?? '(none)')),
    datasets: [{ label: name, data: rows.map((r) => round(num(r[value]) ?? 0)) }],
  };
}

export function round(value: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

export const SEVERITIES = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'INFORMATIONAL'];

/** Severities in display order (CRITICAL first); anything else (UNTRIAGED, ...) comes last. */
export function severityOrder(column: string): string {
  return `CASE ${column} WHEN 'CRITICAL' THEN 1 WHEN 'HIGH' THEN 2 WHEN 'MEDIUM' THEN 3 WHEN 'LOW' THEN 4
    WHEN 'INFORMATIONAL' THEN 5 ELSE 6 END`;
}
