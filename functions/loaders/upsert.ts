import type { Sql } from '../ports.ts';
import { sqlJson, sqlJsonText } from '../ports.ts';

export type ColumnType =
  | 'text'
  | 'integer'
  | 'bigint'
  | 'numeric'
  | 'boolean'
  | 'date'
  | 'timestamptz'
  | 'jsonb'
  | 'period_granularity_type';

export interface ColumnSpec {
  readonly name: string;
  readonly type: ColumnType;
}

/**
 * A set-based upsert: rows travel as one JSON parameter, exploded by `jsonb_to_recordset` into
 * `INSERT ... ON CONFLICT (key) DO UPDATE`. The same SQL runs on PGlite, node-postgres and the Data API.
 */
export interface UpsertSpec {
  readonly table: string;
  /** Row fields inserted as they are. */
  readonly columns: readonly ColumnSpec[];
  /** The unique key the conflict resolves on. */
  readonly key: readonly string[];
  /** Columns computed in SQL from the row (`r.<field>`), e.g. a parent's id found by its natural key. */
  readonly computed?: Readonly<Record<string, string>>;
  /** Row fields that only feed `computed` and are not columns of the table. */
  readonly lookupFields?: readonly ColumnSpec[];
  /**
   * `current-state`: the table has first_seen / last_seen / removed_at; the load passes `seenAt`. first_seen
   * keeps its earliest value, last_seen never moves backwards (a backfill of an older window leaves newer
   * rows alone), and a row seen again is no longer removed.
   */
  readonly tracking?: 'current-state';
  /** Maintain `updated_at`: set when a data column changed, left alone otherwise (reloads change nothing). */
  readonly updatedAt?: boolean;
}

/** Data API requests are capped at 4 MiB and the JSON text is escaped once more inside them. */
export const MAX_CHUNK_BYTES = 1_500_000;
export const MAX_CHUNK_ROWS = 10_000;

const statements = new WeakMap<UpsertSpec, string>();

export function upsertStatement(spec: UpsertSpec): string {
  const cached = statements.get(spec);
  if (cached) return cached;
  const computed = Object.entries(spec.computed ?? {});
  const recordFields = [...spec.columns, ...(spec.lookupFields ?? [])];
  const dataColumns = [...spec.columns.map((c) => c.name), ...computed.map(([name]) => name)];
  const updatable = dataColumns.filter((c) => !spec.key.includes(c));
  const tracked = spec.tracking === 'current-state';

  const insertColumns = [...dataColumns, ...(tracked ? ['first_seen', 'last_seen', 'removed_at'] : [])];
  const selectList = [
    ...spec.columns.map((c) => `r.${c.name}`),
    ...computed.map(([, expression]) => expression),
    ...(tracked ? ['CAST(:seen_at AS timestamptz)', 'CAST(:seen_at AS timestamptz)', 'NULL'] : []),
  ];
  const changed =
    updatable.length > 0
      ? `(${updatable.map((c) => `t.${c}`).join(', ')}) IS DISTINCT FROM (${updatable.map((c) => `EXCLUDED.${c}`).join(', ')})`
      : 'false';
  const sets = [
    ...updatable.map((c) => `${c} = EXCLUDED.${c}`),
    ...(tracked
      ? [
          'first_seen = LEAST(t.first_seen, EXCLUDED.first_seen)',
          'last_seen = EXCLUDED.last_seen',
          // Seen again after its removal: back. A reload of an older snapshot keeps a later removal.
          'removed_at = CASE WHEN t.removed_at > EXCLUDED.last_seen THEN t.removed_at ELSE NULL END',
        ]
      : []),
    ...(spec.updatedAt ? [`updated_at = CASE WHEN ${changed} THEN now() ELSE t.updated_at END`] : []),
  ];
  const conflictAction =
    sets.length === 0
      ? 'DO NOTHING'
      : `DO UPDATE SET ${sets.join(', ')} WHERE ${
          tracked
            ? `EXCLUDED.last_seen >= t.last_seen AND (${changed} OR t.last_seen <> EXCLUDED.last_seen OR t.removed_at <= EXCLUDED.last_seen)`
            : changed
        }`;
  const text = [
    `INSERT INTO ${spec.table} AS t (${insertColumns.join(', ')})`,
    `SELECT ${selectList.join(', ')}`,
    `FROM jsonb_to_recordset(CAST(:rows AS jsonb)) AS r(${recordFields.map((c) => `${c.name} ${c.type}`).join(', ')})`,
    `ON CONFLICT (${spec.key.join(', ')}) ${conflictAction}`,
  ].join('\n');
  statements.set(spec, text);
  return text;
}

/**
 * Splits rows into chunks under the Data API request limit. Rows with the same key keep the last one: one
 * INSERT ... ON CONFLICT may not touch the same row twice.
 */
export function chunkRows(
  spec: Pick<UpsertSpec, 'key'>,
  rows: readonly Record<string, unknown>[],
  maxBytes = MAX_CHUNK_BYTES,
  maxRows = MAX_CHUNK_ROWS,
): Array<{ json: string; rows: number }> {
  const unique = new Map<string, Record<string, unknown>>();
  for (const row of rows) unique.set(JSON.stringify(spec.key.map((k) => row[k] ?? null)), row);
  const chunks: Array<{ json: string; rows: number }> = [];
  let parts: string[] = [];
  let bytes = 2;
  for (const row of unique.values()) {
    const json = JSON.stringify(row);
    const size = Buffer.byteLength(json) + 1;
    if (parts.length > 0 && (bytes + size > maxBytes || parts.length >= maxRows)) {
      chunks.push({ json: `[${parts.join(',')}]`, rows: parts.length });
      parts = [];
      bytes = 2;
    }
    parts.push(json);
    bytes += size;
  }
  if (parts.length > 0) chunks.push({ json: `[${parts.join(',')}]`, rows: parts.length });
  return chunks;
}

/** Upserts rows set-based, in chunks; returns how many distinct rows were written. */
export async function upsertRows(
  sql: Sql,
  spec: UpsertSpec,
  rows: readonly Record<string, unknown>[],
  seenAt?: Date,
): Promise<number> {
  if (spec.tracking === 'current-state' && !seenAt) {
    throw new Error(`upsert into ${spec.table} needs the time the rows were seen`);
  }
  const text = upsertStatement(spec);
  let written = 0;
  for (const chunk of chunkRows(spec, rows)) {
    await sql.execute(text, { rows: sqlJsonText(chunk.json), ...(seenAt ? { seen_at: seenAt } : {}) });
    written += chunk.rows;
  }
  return written;
}

/**
 * Marks current-state rows of an account that were not seen in this collection as removed, in the regions
 * whose collection succeeded only. Run it only for a SUCCEEDED or PARTIAL category, never a failed one.
 */
export async function markUnseenRemoved(
  sql: Sql,
  options: {
    readonly table: string;
    readonly accountId: string;
    readonly seenAt: Date;
    /** `all`, or the regions to consider (rows need a `region` column). */
    readonly regions: 'all' | readonly string[];
  },
): Promise<number> {
  const regionFilter =
    options.regions === 'all'
      ? ''
      : ' AND region IN (SELECT jsonb_array_elements_text(CAST(:regions AS jsonb)))';
  return sql.execute(
    `UPDATE ${options.table} SET removed_at = CAST(:seen_at AS timestamptz)
     WHERE account_id = :account_id AND removed_at IS NULL AND last_seen < CAST(:seen_at AS timestamptz)${regionFilter}`,
    {
      account_id: options.accountId,
      seen_at: options.seenAt,
      ...(options.regions === 'all' ? {} : { regions: sqlJson(options.regions) }),
    },
  );
}
