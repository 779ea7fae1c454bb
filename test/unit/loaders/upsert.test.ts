import { describe, expect, it } from 'vitest';
import {
  chunkRows,
  MAX_CHUNK_ROWS,
  markUnseenRemoved,
  type UpsertSpec,
  upsertRows,
  upsertStatement,
} from '../../../functions/loaders/upsert.ts';
import { type Sql, type SqlRow, sqlJson } from '../../../functions/ports.ts';
import { databaseBackends, useDatabase } from '../../support/database.ts';

const plainSpec: UpsertSpec = {
  table: 'things',
  columns: [
    { name: 'account_id', type: 'text' },
    { name: 'name', type: 'text' },
    { name: 'size', type: 'integer' },
    { name: 'tags', type: 'jsonb' },
  ],
  key: ['account_id', 'name'],
};

describe('upsertStatement', () => {
  it('inserts the row fields exploded from one JSON parameter and updates the non-key columns on conflict', () => {
    const text = upsertStatement(plainSpec);
    const lines = text.split('\n');
    expect(lines).toHaveLength(4);
    expect(lines[0]).toBe('INSERT INTO things AS t (account_id, name, size, tags)');
    expect(lines[1]).toBe('SELECT r.account_id, r.name, r.size, r.tags');
    expect(lines[2]).toBe(
      'FROM jsonb_to_recordset(CAST(:rows AS jsonb)) AS r(account_id text, name text, size integer, tags jsonb)',
    );
    expect(lines[3]).toBe(
      'ON CONFLICT (account_id, name) DO UPDATE SET size = EXCLUDED.size, tags = EXCLUDED.tags ' +
        'WHERE (t.size, t.tags) IS DISTINCT FROM (EXCLUDED.size, EXCLUDED.tags)',
    );
    expect(text).not.toContain('updated_at');
    expect(text).not.toContain(':seen_at');
  });

  it('does nothing on conflict when every column is part of the key', () => {
    const text = upsertStatement({
      table: 'pairs',
      columns: [
        { name: 'a', type: 'text' },
        { name: 'b', type: 'integer' },
      ],
      key: ['a', 'b'],
    });
    expect(text).toMatch(/\nON CONFLICT \(a, b\) DO NOTHING$/);
  });

  it('inserts computed columns from their SQL expressions and reads lookup fields without inserting them', () => {
    const text = upsertStatement({
      table: 'service_costs',
      columns: [
        { name: 'account_id', type: 'text' },
        { name: 'service_name', type: 'text' },
        { name: 'cost', type: 'numeric' },
      ],
      lookupFields: [
        { name: 'period_start', type: 'date' },
        { name: 'period_granularity', type: 'period_granularity_type' },
      ],
      computed: {
        cost_report_id:
          '(SELECT c.id FROM cost_reports c WHERE c.account_id = r.account_id AND c.period_start = r.period_start)',
      },
      key: ['cost_report_id', 'service_name'],
    });
    const [insert, select, from, conflict] = text.split('\n');
    expect(insert).toBe('INSERT INTO service_costs AS t (account_id, service_name, cost, cost_report_id)');
    expect(select).toBe(
      'SELECT r.account_id, r.service_name, r.cost, ' +
        '(SELECT c.id FROM cost_reports c WHERE c.account_id = r.account_id AND c.period_start = r.period_start)',
    );
    expect(from).toContain(
      'AS r(account_id text, service_name text, cost numeric, period_start date, period_granularity period_granularity_type)',
    );
    expect(conflict).toBe(
      'ON CONFLICT (cost_report_id, service_name) DO UPDATE SET account_id = EXCLUDED.account_id, cost = EXCLUDED.cost ' +
        'WHERE (t.account_id, t.cost) IS DISTINCT FROM (EXCLUDED.account_id, EXCLUDED.cost)',
    );
    expect(insert).not.toContain('period_start');
  });

  it('tracks current state: first_seen and last_seen from :seen_at, earliest first_seen, no backwards move, un-removes', () => {
    const text = upsertStatement({ ...plainSpec, tracking: 'current-state' });
    const [insert, select, , conflict] = text.split('\n');
    expect(insert).toBe(
      'INSERT INTO things AS t (account_id, name, size, tags, first_seen, last_seen, removed_at)',
    );
    expect(select).toBe(
      'SELECT r.account_id, r.name, r.size, r.tags, CAST(:seen_at AS timestamptz), CAST(:seen_at AS timestamptz), NULL',
    );
    expect(conflict).toContain('first_seen = LEAST(t.first_seen, EXCLUDED.first_seen)');
    expect(conflict).toContain('last_seen = EXCLUDED.last_seen');
    expect(conflict).toContain(
      'removed_at = CASE WHEN t.removed_at > EXCLUDED.last_seen THEN t.removed_at ELSE NULL END',
    );
    expect(conflict).toMatch(
      / WHERE EXCLUDED\.last_seen >= t\.last_seen AND \(\(t\.size, t\.tags\) IS DISTINCT FROM \(EXCLUDED\.size, EXCLUDED\.tags\) OR t\.last_seen <> EXCLUDED\.last_seen OR t\.removed_at <= EXCLUDED\.last_seen\)$/,
    );
  });

  it('maintains updated_at only when a data column changed', () => {
    const text = upsertStatement({ ...plainSpec, updatedAt: true });
    expect(text).toContain(
      'updated_at = CASE WHEN (t.size, t.tags) IS DISTINCT FROM (EXCLUDED.size, EXCLUDED.tags) THEN now() ELSE t.updated_at END',
    );
    expect(text.split('\n')[0]).not.toContain('updated_at');
  });

  it('builds the statement once per spec object', () => {
    const spec: UpsertSpec = { ...plainSpec };
    expect(upsertStatement(spec)).toBe(upsertStatement(spec));
    expect(upsertStatement({ ...spec, updatedAt: true })).not.toBe(upsertStatement(spec));
  });
});

describe('chunkRows', () => {
  const spec = { key: ['id'] };

  it('keeps the last row of each key, in the position of the key first seen', () => {
    const chunks = chunkRows(spec, [
      { id: 1, v: 'a' },
      { id: 2, v: 'b' },
      { id: 1, v: 'c' },
    ]);
    expect(chunks).toEqual([{ json: '[{"id":1,"v":"c"},{"id":2,"v":"b"}]', rows: 2 }]);
  });

  it('treats a missing key field like null, and compares multi-column keys as a whole', () => {
    const chunks = chunkRows({ key: ['a', 'b'] }, [
      { a: 1, v: 1 },
      { a: 1, b: null, v: 2 },
      { a: 1, b: 2, v: 3 },
      { a: 2, b: 1, v: 4 },
    ]);
    expect(JSON.parse(chunks[0]?.json ?? '')).toEqual([
      { a: 1, b: null, v: 2 },
      { a: 1, b: 2, v: 3 },
      { a: 2, b: 1, v: 4 },
    ]);
  });

  it('returns no chunk for no rows', () => {
    expect(chunkRows(spec, [])).toEqual([]);
  });

  it('never exceeds maxRows', () => {
    const rows = Array.from({ length: 7 }, (_, id) => ({ id }));
    const chunks = chunkRows(spec, rows, 1_000_000, 3);
    expect(chunks.map((c) => c.rows)).toEqual([3, 3, 1]);
    expect(chunks.map((c) => (JSON.parse(c.json) as unknown[]).length)).toEqual([3, 3, 1]);
  });

  it('never exceeds maxBytes, counting UTF-8 bytes rather than characters', () => {
    const rows = Array.from({ length: 40 }, (_, id) => ({ id, name: 'é€😀'.repeat(id % 5) }));
    const chunks = chunkRows(spec, rows, 100);
    expect(chunks.length).toBeGreaterThan(5);
    for (const chunk of chunks) expect(Buffer.byteLength(chunk.json)).toBeLessThanOrEqual(100);
  });

  it('puts a row larger than maxBytes alone in its own chunk rather than dropping it', () => {
    const big = { id: 2, text: 'x'.repeat(200) };
    const chunks = chunkRows(spec, [{ id: 1 }, big, { id: 3 }], 100);
    expect(chunks.map((c) => c.rows)).toEqual([1, 1, 1]);
    expect(JSON.parse(chunks[1]?.json ?? '')).toEqual([big]);
  });

  it('keeps every distinct row exactly once, in order, across chunks of a mixed workload', () => {
    let seed = 42;
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      return seed / 2_147_483_648;
    };
    const rows = Array.from({ length: 500 }, (_, i) => ({
      id: Math.floor(random() * 200),
      version: i,
      text: 'ü'.repeat(Math.floor(random() * 30)),
    }));
    const expected = new Map<number, (typeof rows)[number]>();
    for (const row of rows) expected.set(row.id, row);

    const chunks = chunkRows(spec, rows, 180, 4);
    const written = chunks.flatMap((c) => JSON.parse(c.json) as typeof rows);
    expect(written).toEqual([...expected.values()]);
    expect(chunks.reduce((sum, c) => sum + c.rows, 0)).toBe(expected.size);
    for (const chunk of chunks) {
      expect(chunk.rows).toBeLessThanOrEqual(4);
      expect(Buffer.byteLength(chunk.json)).toBeLessThanOrEqual(180);
      expect((JSON.parse(chunk.json) as unknown[]).length).toBe(chunk.rows);
    }
  });
});

const T1 = new Date('2026-11-24T06:00:00.000Z');
const T2 = new Date('2026-11-25T06:00:00.000Z');
const T3 = new Date('2026-11-26T06:00:00.000Z');
const ACCOUNT = '123456789012';
const OTHER_ACCOUNT = '210987654321';

let tables = 0;

/** A scratch current-state table for one test, and the spec that loads it. */
async function scratchTable(sql: Sql): Promise<UpsertSpec> {
  tables += 1;
  const table = `scratch_items_${tables}`;
  await sql.execute(`CREATE TABLE ${table} (
    account_id varchar(12) NOT NULL,
    region text NOT NULL,
    name text NOT NULL,
    size integer,
    details jsonb,
    first_seen timestamptz NOT NULL,
    last_seen timestamptz NOT NULL,
    removed_at timestamptz,
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (account_id, region, name))`);
  return {
    table,
    columns: [
      { name: 'account_id', type: 'text' },
      { name: 'region', type: 'text' },
      { name: 'name', type: 'text' },
      { name: 'size', type: 'integer' },
      { name: 'details', type: 'jsonb' },
    ],
    key: ['account_id', 'region', 'name'],
    tracking: 'current-state',
    updatedAt: true,
  };
}

type Item = {
  account_id: string;
  region: string;
  name: string;
  size: number;
  details: unknown;
};

const item = (name: string, size: number, region = 'us-east-1', account_id = ACCOUNT): Item => ({
  account_id,
  region,
  name,
  size,
  details: { size, tags: [name] },
});

const rowsOf = (sql: Sql, spec: UpsertSpec): Promise<SqlRow[]> =>
  sql.query(`SELECT * FROM ${spec.table} ORDER BY account_id, region, name`);

let ledgerRuns = 0;

/** A run of `category` for ACCOUNT in the ledger: its collection (seen at `collectedAt`) and its load. */
async function ledger(
  sql: Sql,
  category: string,
  collectedAt: Date,
  collect: string,
  load: string | undefined,
  regions?: Record<string, { status: string }>,
) {
  ledgerRuns += 1;
  const runId = `r-ledger-${ledgerRuns}`;
  await sql.execute(
    `INSERT INTO runs (run_id, trigger, period, window_start, window_end, started_at, status)
     VALUES (:run_id, 'test', 'DAILY', '2026-11-20', '2026-11-21', :at, 'SUCCEEDED')`,
    { run_id: runId, at: collectedAt },
  );
  const entries: Array<[string, string]> = [
    ['collect', collect],
    ...(load ? [['load', load] as [string, string]] : []),
  ];
  for (const [phase, status] of entries) {
    await sql.execute(
      `INSERT INTO run_categories (run_id, account_id, category, phase, status, regions, started_at)
       VALUES (:run_id, :account_id, :category, :phase, :status, CAST(:regions AS jsonb), :at)`,
      {
        run_id: runId,
        account_id: ACCOUNT,
        category,
        phase,
        status,
        regions: regions ? sqlJson(regions) : null,
        at: collectedAt,
      },
    );
  }
}

const EPOCH = new Date('2000-01-01T00:00:00.000Z');

/** Puts every updated_at far in the past, so a change to it is visible whatever the clock does. */
const ageUpdatedAt = (sql: Sql, spec: UpsertSpec) =>
  sql.execute(`UPDATE ${spec.table} SET updated_at = :epoch`, { epoch: EPOCH });

describe.each(databaseBackends())('upsert on $name', (backend) => {
  const db = useDatabase(backend);

  it('inserts new rows with first_seen = last_seen = seenAt and no removed_at', async () => {
    const spec = await scratchTable(db.sql);
    const written = await upsertRows(db.sql, spec, [item('a', 1), item('b', 2, 'eu-west-1')], T1);
    expect(written).toBe(2);
    const rows = await rowsOf(db.sql, spec);
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatchObject({
      account_id: ACCOUNT,
      region: 'eu-west-1',
      name: 'b',
      size: 2,
      details: { size: 2, tags: ['b'] },
      first_seen: T1,
      last_seen: T1,
      removed_at: null,
    });
    expect(rows[1]).toMatchObject({ region: 'us-east-1', name: 'a', size: 1, first_seen: T1, last_seen: T1 });
    expect(rows[0]?.updated_at).toBeInstanceOf(Date);
  });

  it('changes nothing, updated_at included, when the same rows are loaded again', async () => {
    const spec = await scratchTable(db.sql);
    const items = [item('a', 1), item('b', 2), item('c', 3, 'eu-west-1')];
    await upsertRows(db.sql, spec, items, T1);
    const before = await rowsOf(db.sql, spec);
    await upsertRows(db.sql, spec, items, T1);
    expect(await rowsOf(db.sql, spec)).toEqual(before);
  });

  it('updates a changed value and its updated_at, and leaves the unchanged rows alone', async () => {
    const spec = await scratchTable(db.sql);
    await upsertRows(db.sql, spec, [item('a', 1), item('b', 2)], T1);
    await ageUpdatedAt(db.sql, spec);
    await upsertRows(db.sql, spec, [item('a', 10), item('b', 2)], T1);
    const [a, b] = await rowsOf(db.sql, spec);
    expect(a).toMatchObject({ name: 'a', size: 10, details: { size: 10, tags: ['a'] } });
    expect(a?.updated_at).toBeInstanceOf(Date);
    expect((a?.updated_at as Date | undefined)?.getTime()).toBeGreaterThan(EPOCH.getTime());
    expect(b).toMatchObject({ name: 'b', size: 2, updated_at: EPOCH });
  });

  it('moves last_seen forward for a row seen later without touching updated_at when nothing changed', async () => {
    const spec = await scratchTable(db.sql);
    await upsertRows(db.sql, spec, [item('a', 1)], T1);
    await ageUpdatedAt(db.sql, spec);
    await upsertRows(db.sql, spec, [item('a', 1)], T2);
    expect((await rowsOf(db.sql, spec))[0]).toMatchObject({
      first_seen: T1,
      last_seen: T2,
      updated_at: EPOCH,
    });
  });

  it('keeps the earliest first_seen', async () => {
    const spec = await scratchTable(db.sql);
    await upsertRows(db.sql, spec, [item('a', 1)], T1);
    await upsertRows(db.sql, spec, [item('a', 2)], T3);
    expect((await rowsOf(db.sql, spec))[0]).toMatchObject({ size: 2, first_seen: T1, last_seen: T3 });
  });

  it('lets a backfill of an older window insert missing rows but never overwrite newer data', async () => {
    const spec = await scratchTable(db.sql);
    await upsertRows(db.sql, spec, [item('a', 2)], T2);
    const newer = await rowsOf(db.sql, spec);
    await upsertRows(db.sql, spec, [item('a', 1), item('old-only', 7)], T1);
    const rows = await rowsOf(db.sql, spec);
    expect(rows.find((r) => r.name === 'a')).toEqual(newer[0]);
    expect(rows.find((r) => r.name === 'old-only')).toMatchObject({
      size: 7,
      first_seen: T1,
      last_seen: T1,
      removed_at: null,
    });
  });

  it('writes a batch with duplicate keys once, keeping the last row', async () => {
    const spec = await scratchTable(db.sql);
    const written = await upsertRows(db.sql, spec, [item('a', 1), item('a', 2), item('a', 3)], T1);
    expect(written).toBe(1);
    const rows = await rowsOf(db.sql, spec);
    expect(rows.map((r) => r.size)).toEqual([3]);
  });

  it('refuses a current-state upsert without the time the rows were seen', async () => {
    const spec = await scratchTable(db.sql);
    await expect(upsertRows(db.sql, spec, [item('a', 1)])).rejects.toThrow(
      `upsert into ${spec.table} needs the time the rows were seen`,
    );
  });

  it('marks unseen rows removed only in the given regions and only for the given account', async () => {
    const spec = await scratchTable(db.sql);
    await upsertRows(
      db.sql,
      spec,
      [
        item('seen', 1),
        item('gone', 2),
        item('elsewhere', 3, 'eu-west-1'),
        item('other-account', 4, 'us-east-1', OTHER_ACCOUNT),
      ],
      T1,
    );
    await upsertRows(db.sql, spec, [item('seen', 1)], T2);

    const marked = await markUnseenRemoved(db.sql, {
      table: spec.table,
      category: spec.table,
      accountId: ACCOUNT,
      seenAt: T2,
      regions: ['us-east-1'],
    });
    expect(marked).toBe(1);
    const removed = Object.fromEntries((await rowsOf(db.sql, spec)).map((r) => [r.name, r.removed_at]));
    expect(removed).toEqual({ seen: null, gone: T2, elsewhere: null, 'other-account': null });
  });

  it('marks unseen rows removed in every region with "all", and never re-marks a removed row', async () => {
    const spec = await scratchTable(db.sql);
    await upsertRows(db.sql, spec, [item('seen', 1), item('gone', 2), item('far', 3, 'ap-south-1')], T1);
    await upsertRows(db.sql, spec, [item('seen', 1)], T2);
    const options = { table: spec.table, category: spec.table, accountId: ACCOUNT, regions: 'all' as const };
    expect(await markUnseenRemoved(db.sql, { ...options, seenAt: T2 })).toBe(2);
    expect(await markUnseenRemoved(db.sql, { ...options, seenAt: T3 })).toBe(1);
    const removed = Object.fromEntries((await rowsOf(db.sql, spec)).map((r) => [r.name, r.removed_at]));
    expect(removed).toEqual({ seen: T3, gone: T2, far: T2 });
  });

  it('marks nothing when no region is given', async () => {
    const spec = await scratchTable(db.sql);
    await upsertRows(db.sql, spec, [item('gone', 2)], T1);
    expect(
      await markUnseenRemoved(db.sql, {
        table: spec.table,
        category: spec.table,
        accountId: ACCOUNT,
        seenAt: T2,
        regions: [],
      }),
    ).toBe(0);
  });

  it('clears removed_at of a row seen again', async () => {
    const spec = await scratchTable(db.sql);
    await upsertRows(db.sql, spec, [item('back', 1)], T1);
    await markUnseenRemoved(db.sql, {
      table: spec.table,
      category: spec.table,
      accountId: ACCOUNT,
      seenAt: T2,
      regions: 'all',
    });
    expect((await rowsOf(db.sql, spec))[0]?.removed_at).toEqual(T2);
    await ageUpdatedAt(db.sql, spec);
    await upsertRows(db.sql, spec, [item('back', 1)], T3);
    expect((await rowsOf(db.sql, spec))[0]).toMatchObject({
      removed_at: null,
      first_seen: T1,
      last_seen: T3,
      updated_at: EPOCH,
    });
  });

  it('keeps a later removal when the snapshot the row was last seen in is loaded again', async () => {
    const spec = await scratchTable(db.sql);
    await upsertRows(db.sql, spec, [item('gone', 1)], T1);
    await markUnseenRemoved(db.sql, {
      table: spec.table,
      category: spec.table,
      accountId: ACCOUNT,
      seenAt: T2,
      regions: 'all',
    });
    const before = await rowsOf(db.sql, spec);
    await upsertRows(db.sql, spec, [item('gone', 1)], T1);
    expect(await rowsOf(db.sql, spec)).toEqual(before);
    expect(before[0]?.removed_at).toEqual(T2);
  });

  describe('a collection loaded after a newer one', () => {
    const older = async (spec: UpsertSpec, items: Item[]) => {
      await upsertRows(db.sql, spec, items, T1);
      return markUnseenRemoved(db.sql, {
        table: spec.table,
        category: spec.table,
        accountId: ACCOUNT,
        seenAt: T1,
        regions: 'all',
      });
    };

    it('marks the rows only it saw removed as of the first later collection that was loaded', async () => {
      const spec = await scratchTable(db.sql);
      await ledger(db.sql, spec.table, T2, 'SUCCEEDED', 'SUCCEEDED');
      await ledger(db.sql, spec.table, T3, 'SUCCEEDED', 'SUCCEEDED');
      await upsertRows(db.sql, spec, [item('kept', 1)], T2);
      expect(
        await older(spec, [
          item('kept', 1),
          item('old-only', 2),
          item('other', 3, 'us-east-1', OTHER_ACCOUNT),
        ]),
      ).toBe(1);
      const rows = Object.fromEntries(
        (await rowsOf(db.sql, spec)).map((r) => [r.name, [r.last_seen, r.removed_at]]),
      );
      expect(rows).toEqual({ kept: [T2, null], 'old-only': [T1, T2], other: [T1, null] });
    });

    it('leaves them when the later collection failed, was skipped, or its load did not succeed', async () => {
      const spec = await scratchTable(db.sql);
      await ledger(db.sql, spec.table, T2, 'FAILED', undefined);
      await ledger(db.sql, spec.table, T2, 'SKIPPED', 'SUCCEEDED');
      await ledger(db.sql, spec.table, T3, 'SUCCEEDED', 'FAILED');
      expect(await older(spec, [item('old-only', 2)])).toBe(0);
      expect((await rowsOf(db.sql, spec))[0]?.removed_at).toBeNull();
    });

    it('after a PARTIAL later collection, marks only the rows of its regions that succeeded', async () => {
      const spec = await scratchTable(db.sql);
      await ledger(db.sql, spec.table, T2, 'PARTIAL', 'SUCCEEDED', {
        'us-east-1': { status: 'SUCCEEDED' },
        'eu-west-1': { status: 'FAILED' },
      });
      expect(await older(spec, [item('east', 1), item('west', 2, 'eu-west-1')])).toBe(1);
      const removed = Object.fromEntries((await rowsOf(db.sql, spec)).map((r) => [r.name, r.removed_at]));
      expect(removed).toEqual({ east: T2, west: null });
    });
  });

  it('upserts 25,000 rows in several chunks, and a reload keeps the count', async () => {
    const spec = await scratchTable(db.sql);
    const many = Array.from({ length: 25_000 }, (_, i) =>
      item(`item-${String(i).padStart(5, '0')}`, i, i % 2 === 0 ? 'us-east-1' : 'eu-west-1'),
    );
    let statements = 0;
    const counting: Sql = {
      backend: db.sql.backend,
      query: (text, params) => db.sql.query(text, params),
      execute: (text, params) => {
        statements += 1;
        return db.sql.execute(text, params);
      },
      transaction: (work) => db.sql.transaction(work),
      close: () => db.sql.close(),
    };
    expect(await upsertRows(counting, spec, many, T1)).toBe(25_000);
    expect(statements).toBeGreaterThanOrEqual(Math.ceil(25_000 / MAX_CHUNK_ROWS));
    expect(statements).toBe(chunkRows(spec, many).length);
    const count = async () =>
      (await db.sql.query<{ n: number }>(`SELECT count(*) AS n FROM ${spec.table}`))[0]?.n;
    expect(await count()).toBe(25_000);
    const [last] = await db.sql.query(`SELECT * FROM ${spec.table} WHERE name = 'item-24999'`);
    expect(last).toMatchObject({ region: 'eu-west-1', size: 24_999, last_seen: T1 });

    await upsertRows(db.sql, spec, many, T2);
    expect(await count()).toBe(25_000);
    const [moved] = await db.sql.query<{ n: number }>(
      `SELECT count(*) AS n FROM ${spec.table} WHERE last_seen = :t2 AND first_seen = :t1`,
      { t1: T1, t2: T2 },
    );
    expect(moved?.n).toBe(25_000);
  });
});
