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
 * INSERT ... ON CONFLICT may not touch the same row twice. Each row is serialised as it is; `upsertRows` chunks
 * the same way but leaves null fields out (`compactRowJson`).
 */
export function chunkRows(
  spec: Pick<UpsertSpec, 'key'>,
  rows: readonly Record<string, unknown>[],
  maxBytes = MAX_CHUNK_BYTES,
  maxRows = MAX_CHUNK_ROWS,
): Array<{ json: string; rows: number }> {
  return [...chunks(spec, rows, JSON.stringify, maxBytes, maxRows)];
}

/**
 * A row as `upsertRows` sends it: its null fields left out, since `jsonb_to_recordset` reads a missing field as
 * NULL just as it reads a null one. Rows are mostly nulls in some categories (resources: a Lambda function has no
 * volume, engine or subnet), so this makes the JSON, the requests and the server's parsing smaller: 42% for the
 * `resources` rows of `npm run bench`. Nested values are serialised as they are.
 */
export function compactRowJson(row: Record<string, unknown>): string {
  const present: Record<string, unknown> = {};
  for (const key of Object.keys(row)) {
    const value = row[key];
    if (value !== null) present[key] = value;
  }
  return JSON.stringify(present);
}

/** `chunkRows`, one chunk at a time: a chunk is serialised only when it is asked for. */
function* chunks(
  spec: Pick<UpsertSpec, 'key'>,
  rows: readonly Record<string, unknown>[],
  serialise: (row: Record<string, unknown>) => string,
  maxBytes = MAX_CHUNK_BYTES,
  maxRows = MAX_CHUNK_ROWS,
): Generator<{ json: string; rows: number }> {
  const unique = new Map<string, Record<string, unknown>>();
  for (const row of rows) unique.set(JSON.stringify(spec.key.map((k) => row[k] ?? null)), row);
  let parts: string[] = [];
  let bytes = 2;
  for (const row of unique.values()) {
    const json = serialise(row);
    const size = Buffer.byteLength(json) + 1;
    if (parts.length > 0 && (bytes + size > maxBytes || parts.length >= maxRows)) {
      yield { json: `[${parts.join(',')}]`, rows: parts.length };
      parts = [];
      bytes = 2;
    }
    parts.push(json);
    bytes += size;
  }
  if (parts.length > 0) yield { json: `[${parts.join(',')}]`, rows: parts.length };
}

/** Lets pending I/O run: the statement just sent leaves before the next chunk is serialised. */
const yieldToIo = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Upserts rows set-based, in chunks; returns how many distinct rows were written. One statement at a time, in
 * order, but each chunk is serialised while the database is busy with the one before it (the serialising
 * would otherwise leave the database idle, and it holds only two chunks in memory rather than all of them).
 */
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
  const pending = chunks(spec, rows, compactRowJson);
  let written = 0;
  let next = pending.next();
  while (!next.done) {
    const chunk = next.value;
    const running = sql.execute(text, {
      rows: sqlJsonText(chunk.json),
      ...(seenAt ? { seen_at: seenAt } : {}),
    });
    // Awaited below; a failure that arrives while the next chunk is being serialised is not unhandled.
    running.catch(() => undefined);
    await yieldToIo();
    try {
      next = pending.next();
    } catch (error) {
      // A row that cannot be serialised: never leave the statement before it running unobserved.
      await running.catch(() => undefined);
      throw error;
    }
    await running;
    written += chunk.rows;
  }
  return written;
}

/**
 * Marks current-state rows of an account that were not seen in this collection as removed, in the regions
 * whose collection succeeded only; and the rows this load wrote that a later collection, already loaded, did
 * not see (`laterCollectionsUpdate`). One statement for both, so a load pays one request per table for them.
 * Run it only for a SUCCEEDED or PARTIAL category, never a failed one. Returns the rows marked.
 */
export async function markUnseenRemoved(
  sql: Sql,
  options: {
    readonly table: string;
    /** The category whose collections keep the table: the ledger says which later ones succeeded. */
    readonly category: string;
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
  // The two updates touch disjoint rows (last_seen before, and at, :seen_at), so one snapshot serves both.
  const [row] = await sql.query<{ marked: number }>(
    `WITH unseen AS (
       UPDATE ${options.table} SET removed_at = CAST(:seen_at AS timestamptz)
       WHERE account_id = :account_id AND removed_at IS NULL AND last_seen < CAST(:seen_at AS timestamptz)${regionFilter}
       RETURNING 1),
     later AS (${laterCollectionsUpdate(options.table)} RETURNING 1)
     SELECT CAST((SELECT count(*) FROM unseen) + (SELECT count(*) FROM later) AS integer) AS marked`,
    {
      account_id: options.accountId,
      category: options.category,
      seen_at: options.seenAt,
      ...(options.regions === 'all' ? {} : { regions: sqlJson(options.regions) }),
    },
  );
  return row?.marked ?? 0;
}

/** `laterCollectionsUpdate` on its own, for loaders that mark unseen rows by rules of their own. */
export async function markRemovedByLaterCollections(
  sql: Sql,
  options: {
    readonly table: string;
    readonly category: string;
    readonly accountId: string;
    readonly seenAt: Date;
  },
): Promise<number> {
  return sql.execute(laterCollectionsUpdate(options.table), {
    account_id: options.accountId,
    category: options.category,
    seen_at: options.seenAt,
  });
}

/**
 * When an older collection is loaded after a newer one (a late snapshot, a rerun of an old load), the rows it
 * wrote that only it saw are gone as of the first later collection that covered them: one whose collection
 * SUCCEEDED (or was PARTIAL with the row's region SUCCEEDED) and whose load SUCCEEDED, so that it would have
 * refreshed `last_seen` had it seen the row. The ledger's collect `started_at` is that collection's `seenAt`.
 * On the usual load, of the newest collection, the first EXISTS finds nothing and no row is visited.
 * Parameters: :account_id, :category, :seen_at.
 */
function laterCollectionsUpdate(table: string): string {
  const later = `(SELECT min(c.started_at) FROM run_categories c
      WHERE c.account_id = t.account_id AND c.category = :category AND c.phase = 'collect'
        AND c.started_at > CAST(:seen_at AS timestamptz)
        AND (c.status = 'SUCCEEDED'
          OR (c.status = 'PARTIAL' AND c.regions -> (to_jsonb(t) ->> 'region') ->> 'status' = 'SUCCEEDED'))
        AND EXISTS (SELECT 1 FROM run_categories l
          WHERE l.run_id = c.run_id AND l.account_id = c.account_id AND l.category = c.category
            AND l.phase = 'load' AND l.status = 'SUCCEEDED'))`;
  return `UPDATE ${table} AS t SET removed_at = ${later}
     WHERE EXISTS (SELECT 1 FROM run_categories c
         WHERE c.account_id = :account_id AND c.category = :category AND c.phase = 'collect'
           AND c.status IN ('SUCCEEDED', 'PARTIAL') AND c.started_at > CAST(:seen_at AS timestamptz))
       AND t.account_id = :account_id AND t.removed_at IS NULL AND t.last_seen = CAST(:seen_at AS timestamptz)
       AND ${later} IS NOT NULL`;
}
