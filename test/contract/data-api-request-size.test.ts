import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REGISTRY } from '../../functions/collectors/registry.ts';
import { migrate, readSchemaFiles } from '../../functions/core/migrate.ts';
import { ssmInventoryRows } from '../../functions/loaders/ssm-inventory.ts';
import { MAX_CHUNK_BYTES, upsertRows } from '../../functions/loaders/upsert.ts';
import { LoadError } from '../../functions/platform/errors.ts';
import type { Window } from '../../functions/platform/period.ts';
import { type Sql, sqlJsonText } from '../../functions/ports.ts';
import { silentLog } from '../support/collect-context.ts';
import {
  createDataApiOnPglite,
  DATA_API_LIMITS,
  type DataApiOnPglite,
} from '../support/data-api-on-pglite.ts';
import { TEST_REGIONS, testPipeline } from '../support/pipeline.ts';

/**
 * The RDS Data API path end to end without AWS: the sample organization's biggest payloads, collected by the real
 * collectors and loaded by the real loaders through `createDataApiSql` and a real RDSDataClient, answered by the
 * Data API stand-in, which measures every HTTP request and refuses what the service refuses.
 */

const NOW = new Date('2026-11-26T06:00:00Z');
const WINDOW: Window = { period: 'DAILY', start: '2026-11-25', end: '2026-11-26' };
const ACCOUNTS = 5;
const MiB = 1024 * 1024;

async function rejectionOf(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the promise to reject');
}

interface Collected {
  readonly accountId: string;
  readonly category: string;
  /** The payload as the snapshot stores it and the loader reads it back. */
  readonly json: string;
  readonly bytes: number;
  readonly rows: number;
}

let standIn: DataApiOnPglite;
let sql: Sql;
const collected: Collected[] = [];

/** Collects every category of every sample account with the collectors' real code over the sample organization. */
async function collectEverything(): Promise<void> {
  const pipeline = testPipeline(sql, { accounts: ACCOUNTS, now: NOW });
  for (const account of pipeline.sample.accounts) {
    for (const { collector } of REGISTRY) {
      const clients = pipeline.deps.clientsFor(
        { accountId: account.id, category: collector.id, runId: 'r-data-api-size' },
        { apiCalls: 0, throttled: 0 },
      );
      const result = await collector.collect({
        accountId: account.id,
        window: WINDOW,
        regions: collector.scope === 'regional' ? TEST_REGIONS : ['us-east-1'],
        homeRegion: 'us-east-1',
        clients,
        now: NOW,
        log: silentLog,
      });
      if (result.skippedReason !== undefined) continue;
      const json = JSON.stringify(collector.schema.parse(result.payload));
      collected.push({
        accountId: account.id,
        category: collector.id,
        json,
        bytes: Buffer.byteLength(json),
        rows: result.rows,
      });
    }
  }
}

/** Loads one collected payload through its registry loader, in one transaction on the Data API adapter. */
async function load(item: Collected): Promise<{ written: number; calls: DataApiOnPglite['calls'] }> {
  const category = REGISTRY.find((c) => c.collector.id === item.category);
  if (!category) throw new Error(`no category ${item.category}`);
  const payload = category.collector.schema.parse(JSON.parse(item.json));
  const first = standIn.calls.length;
  const written = await sql.transaction((tx) =>
    category.loader.load(tx, payload, {
      accountId: item.accountId,
      window: WINDOW,
      runId: 'r-data-api-size',
      seenAt: NOW,
      completeRegions: 'all',
    }),
  );
  return { written, calls: standIn.calls.slice(first) };
}

/** Every row of the category's tables for the account, read from PGlite directly (not through the 1 MiB limit). */
async function dump(category: string, accountId: string): Promise<Record<string, unknown[]>> {
  const tables = REGISTRY.find((c) => c.collector.id === category)?.collector.tables ?? [];
  const out: Record<string, unknown[]> = {};
  for (const table of tables) {
    const column = table === 'accounts' ? 'id' : 'account_id';
    const result = await standIn.db.query(`SELECT * FROM ${table} WHERE ${column} = $1 ORDER BY 1`, [
      accountId,
    ]);
    out[table] = result.rows;
  }
  return out;
}

async function count(table: string, accountId: string): Promise<number> {
  const [row] = await sql.query<{ n: number }>(
    `SELECT count(*) AS n FROM ${table} WHERE account_id = :account_id`,
    { account_id: accountId },
  );
  return row?.n ?? -1;
}

/**
 * The accounts row the category's tables reference: created as PrepareLoad creates it, then the account category
 * loaded through the Data API like any other.
 */
async function ensureAccount(accountId: string): Promise<void> {
  const account = collected.find((c) => c.accountId === accountId && c.category === 'account');
  if (!account) throw new Error(`account ${accountId} was not collected`);
  await sql.execute(
    'INSERT INTO accounts (id, account_name) VALUES (:id, :name) ON CONFLICT (id) DO NOTHING',
    {
      id: accountId,
      name: accountId,
    },
  );
  await load(account);
}

function summary(label: string, calls: DataApiOnPglite['calls']) {
  const statements = calls.filter((c) => c.operation === 'ExecuteStatement');
  const largest = Math.max(...statements.map((c) => c.requestBytes));
  console.info(
    `${label}: ${calls.length} Data API requests (${statements.length} ExecuteStatement), largest request ${largest} bytes (${((100 * largest) / DATA_API_LIMITS.maxRequestBytes).toFixed(1)}% of 4 MiB)`,
  );
  return { statements, largest };
}

beforeAll(async () => {
  standIn = await createDataApiOnPglite();
  sql = standIn.sql;
  await migrate(sql, await readSchemaFiles());
  await collectEverything();
}, 600_000);

afterAll(async () => {
  await standIn?.close();
});

describe('the Data API stand-in enforces the documented limits', () => {
  it('refuses an ExecuteStatement over 4 MiB, headers included, without running it', async () => {
    await sql.execute('CREATE TABLE size_probe (doc text)');
    const before = standIn.calls.length;
    // A body of 4 MiB alone: with the request line, the headers and the JSON around it, the request is over.
    const big = 'x'.repeat(DATA_API_LIMITS.maxRequestBytes - 200);
    const error = await rejectionOf(sql.execute('INSERT INTO size_probe VALUES (:doc)', { doc: big }));
    expect(error).toBeInstanceOf(LoadError);
    expect(error.message).toMatch(
      /^BadRequestException: Request size \d+ bytes exceeds the maximum of 4194304 bytes/,
    );
    const [refused] = standIn.calls.slice(before);
    expect(refused?.error).toBe('BadRequestException');
    expect(refused?.requestBytes).toBeGreaterThan(DATA_API_LIMITS.maxRequestBytes);
    expect(await sql.query('SELECT count(*) AS n FROM size_probe')).toEqual([{ n: 0 }]);
  });

  it('accepts a request just under 4 MiB', async () => {
    const before = standIn.calls.length;
    const doc = 'y'.repeat(DATA_API_LIMITS.maxRequestBytes - 4096);
    expect(await sql.execute('INSERT INTO size_probe VALUES (:doc)', { doc })).toBe(1);
    const [accepted] = standIn.calls.slice(before);
    expect(accepted?.requestBytes).toBeLessThanOrEqual(DATA_API_LIMITS.maxRequestBytes);
    expect(accepted?.requestBytes).toBeGreaterThan(DATA_API_LIMITS.maxRequestBytes - 4096);
    await sql.execute('DELETE FROM size_probe');
  });

  it('refuses a statement longer than 65,536 characters', async () => {
    const padding = `/* ${'p'.repeat(DATA_API_LIMITS.maxSqlLength)} */`;
    const error = await rejectionOf(sql.query(`SELECT 1 AS one ${padding}`));
    expect(error.message).toMatch(/^BadRequestException: sql is \d+ characters long/);
  });

  it('terminates a call whose result is over 1 MiB, and one with a row over 64 KB', async () => {
    const response = await rejectionOf(
      sql.query("SELECT repeat('r', 1000) AS r FROM generate_series(1, 2000)"),
    );
    expect(response.message).toMatch(/^UnsupportedResultException: Database response exceeded size limit/);
    const row = await rejectionOf(sql.query("SELECT repeat('w', 70000) AS w"));
    expect(row.message).toMatch(/^UnsupportedResultException: Packet for query is too large/);
    // Just under both limits is fine.
    expect(await sql.query("SELECT repeat('r', 1000) AS r FROM generate_series(1, 900)")).toHaveLength(900);
    expect(await sql.query("SELECT length(repeat('w', 60000)) AS n")).toEqual([{ n: 60000 }]);
  });

  it('ends the transaction a terminated call was part of', async () => {
    const error = await rejectionOf(
      sql.transaction(async (tx) => {
        await tx.execute("INSERT INTO size_probe VALUES ('kept?')");
        await tx.query("SELECT repeat('r', 1000) AS r FROM generate_series(1, 2000)").catch(() => undefined);
        await tx.execute("INSERT INTO size_probe VALUES ('after')");
      }),
    );
    expect(error.message).toMatch(
      /^TransactionNotFoundException: Transaction .* is not found: Transaction has been aborted/,
    );
    expect(await sql.query('SELECT count(*) AS n FROM size_probe')).toEqual([{ n: 0 }]);
  });

  it('keeps a loader chunk of the worst text under 4 MiB once it is escaped again inside the request', async () => {
    // Quotes and backslashes take 2 bytes in a chunk's JSON and 4 in the request's JSON around it: the most a
    // chunk can grow. MAX_CHUNK_BYTES must leave room for that doubling.
    await sql.execute('CREATE TABLE worst_case (k integer PRIMARY KEY, v text)');
    const rows = Array.from({ length: 300 }, (_, k) => ({ k, v: '"\\'.repeat(3500) }));
    const before = standIn.calls.length;
    const written = await sql.transaction((tx) =>
      upsertRows(
        tx,
        {
          table: 'worst_case',
          columns: [
            { name: 'k', type: 'integer' },
            { name: 'v', type: 'text' },
          ],
          key: ['k'],
        },
        rows,
      ),
    );
    expect(written).toBe(300);
    const statements = standIn.calls.slice(before).filter((c) => c.operation === 'ExecuteStatement');
    expect(statements.length).toBeGreaterThan(1);
    const largest = Math.max(...statements.map((c) => c.requestBytes));
    expect(largest).toBeGreaterThan(1.9 * MAX_CHUNK_BYTES);
    expect(largest).toBeLessThanOrEqual(DATA_API_LIMITS.maxRequestBytes);
    expect(await sql.query("SELECT count(*) AS n FROM worst_case WHERE v = repeat('\"\\', 3500)")).toEqual([
      { n: 300 },
    ]);
    await sql.execute('DROP TABLE worst_case');
  });

  it('takes a big JSON parameter the way the loaders send it', async () => {
    const rows = Array.from({ length: 2000 }, (_, i) => ({ k: i, v: 'v'.repeat(500) }));
    const written = await sql.execute(
      `INSERT INTO size_probe SELECT r.v FROM jsonb_to_recordset(CAST(:rows AS jsonb)) AS r(k integer, v text)`,
      { rows: sqlJsonText(JSON.stringify(rows)) },
    );
    expect(written).toBe(2000);
    await sql.execute('DROP TABLE size_probe');
  });
});

describe('the largest sample payloads load through the Data API adapter', () => {
  it('finds the sample organization’s largest categories', () => {
    expect(new Set(collected.map((c) => c.accountId)).size).toBe(ACCOUNTS);
    const byRows = [...collected].sort((a, b) => b.rows - a.rows);
    const byBytes = [...collected].sort((a, b) => b.bytes - a.bytes);
    console.info(
      `largest payloads by rows: ${byRows
        .slice(0, 5)
        .map((c) => `${c.category}@${c.accountId} ${c.rows} rows ${(c.bytes / MiB).toFixed(2)} MiB`)
        .join('; ')}`,
    );
    console.info(
      `largest payloads by bytes: ${byBytes
        .slice(0, 5)
        .map((c) => `${c.category}@${c.accountId} ${(c.bytes / MiB).toFixed(2)} MiB ${c.rows} rows`)
        .join('; ')}`,
    );
    expect(byRows[0]?.category).toBe('ssm-inventory');
  });

  it('loads the biggest account’s ssm-inventory with every request under 4 MiB, and reloads it unchanged', async () => {
    const item = collected
      .filter((c) => c.category === 'ssm-inventory')
      .sort((a, b) => b.rows - a.rows)[0] as Collected;
    await ensureAccount(item.accountId);

    const { written, calls } = await load(item);
    const { statements, largest } = summary(
      `ssm-inventory of ${item.accountId} (${item.rows} rows, ${(item.bytes / MiB).toFixed(2)} MiB of JSON)`,
      calls,
    );
    expect(calls.every((c) => c.error === undefined)).toBe(true);
    expect(calls[0]?.operation).toBe('BeginTransaction');
    expect(calls.at(-1)?.operation).toBe('CommitTransaction');
    expect(statements.every((c) => c.requestBytes <= DATA_API_LIMITS.maxRequestBytes)).toBe(true);
    expect(largest).toBeLessThanOrEqual(DATA_API_LIMITS.maxRequestBytes);

    // Every distinct row landed, by the tables' keys.
    const payload = REGISTRY.find((c) => c.collector.id === 'ssm-inventory')?.collector.schema.parse(
      JSON.parse(item.json),
    ) as Parameters<typeof ssmInventoryRows>[0];
    const rows = ssmInventoryRows(payload, item.accountId);
    const distinct = <T>(items: readonly T[], key: (item: T) => unknown[]) =>
      new Set(items.map((i) => JSON.stringify(key(i)))).size;
    const expected = {
      inventory_instances: distinct(rows.instances, (r) => [r.instance_id]),
      inventory_applications: distinct(rows.applications, (r) => [
        r.instance_ref,
        r.name,
        r.version ?? null,
        r.release ?? null,
        r.architecture ?? null,
      ]),
      inventory_patches: distinct(rows.patches, (r) => [r.instance_ref, r.kb_id, r.title]),
    };
    const counts = {
      inventory_instances: await count('inventory_instances', item.accountId),
      inventory_applications: await count('inventory_applications', item.accountId),
      inventory_patches: await count('inventory_patches', item.accountId),
    };
    expect(counts).toEqual(expected);
    expect(written).toBe(
      counts.inventory_instances + counts.inventory_applications + counts.inventory_patches,
    );
    expect(written).toBeGreaterThan(5000);

    // Reloading the same payload leaves the same rows, to the last column.
    const before = await dump('ssm-inventory', item.accountId);
    const again = await load(item);
    expect(again.written).toBe(written);
    expect(again.calls.every((c) => c.error === undefined)).toBe(true);
    expect(await dump('ssm-inventory', item.accountId)).toEqual(before);
  });

  it('loads every other category’s largest payload under the same limits, and reloads it unchanged', async () => {
    const largestByBytes = [...collected].sort((a, b) => b.bytes - a.bytes)[0] as Collected;
    const biggestSsm = collected
      .filter((c) => c.category === 'ssm-inventory')
      .sort((a, b) => b.rows - a.rows)[0] as Collected;
    // The largest payload by bytes is covered: it is the ssm-inventory payload loaded above, or one of these.
    const items = REGISTRY.filter((c) => c.collector.id !== 'ssm-inventory').map(
      ({ collector }) =>
        collected
          .filter((c) => c.category === collector.id)
          .sort((a, b) => b.bytes - a.bytes)[0] as Collected,
    );
    expect(items.every(Boolean)).toBe(true);
    expect([biggestSsm, ...items]).toContain(largestByBytes);

    for (const item of items) {
      await ensureAccount(item.accountId);
      const first = await load(item);
      const { statements, largest } = summary(
        `${item.category} of ${item.accountId} (${item.rows} rows, ${(item.bytes / 1024).toFixed(0)} KiB of JSON)`,
        first.calls,
      );
      expect(
        first.calls.filter((c) => c.error !== undefined),
        item.category,
      ).toEqual([]);
      expect(statements.every((c) => c.requestBytes <= DATA_API_LIMITS.maxRequestBytes)).toBe(true);
      expect(largest).toBeLessThanOrEqual(DATA_API_LIMITS.maxRequestBytes);
      const main = REGISTRY.find((c) => c.collector.id === item.category)?.collector.tables[0] as string;
      if (first.written > 0 && main !== 'accounts') {
        expect(await count(main, item.accountId), item.category).toBeGreaterThan(0);
      }
      const before = await dump(item.category, item.accountId);
      const again = await load(item);
      expect(again.written, item.category).toBe(first.written);
      expect(await dump(item.category, item.accountId), item.category).toEqual(before);
    }
  });
});
