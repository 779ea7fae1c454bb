import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCollect } from '../../functions/adapters/local/pipeline.ts';
import { CATEGORY_IDS, REGISTRY } from '../../functions/collectors/registry.ts';
import type { Sql } from '../../functions/ports.ts';
import { a360 } from '../support/cli.ts';
import { databaseBackends, freshPostgresDatabase, useDatabase } from '../support/database.ts';
import { testPipeline } from '../support/pipeline.ts';

interface Backend {
  name: string;
  setUp(): Promise<{ env: NodeJS.ProcessEnv; tearDown(): Promise<void> }>;
}

const backends: Backend[] = [
  {
    name: 'PGlite',
    async setUp() {
      const dir = await mkdtemp(join(tmpdir(), 'a360-org-'));
      return { env: { A360_STATE_DIR: dir }, tearDown: () => rm(dir, { recursive: true, force: true }) };
    },
  },
];
const url = process.env.DATABASE_URL;
if (url) {
  backends.push({
    name: 'PostgreSQL',
    async setUp() {
      const dir = await mkdtemp(join(tmpdir(), 'a360-org-'));
      const database = await freshPostgresDatabase(url);
      return {
        env: { A360_STATE_DIR: dir, DATABASE_URL: database.url },
        async tearDown() {
          await database.drop();
          await rm(dir, { recursive: true, force: true });
        },
      };
    },
  });
}

describe.each(backends)('a360 run --sample 20 on $name', (backend) => {
  let env: NodeJS.ProcessEnv;
  let tearDown: () => Promise<void>;
  let exitCode: number;

  beforeAll(async () => {
    ({ env, tearDown } = await backend.setUp());
    const run = await a360(
      ['run', '--sample', '20', '--date', '2026-11-20', '--concurrency', '6', '--retry-wait', '0'],
      env,
    );
    expect(run.err).toBe('');
    exitCode = run.code;
  }, 600_000);
  afterAll(async () => tearDown());

  it('exits 0 with every category SUCCEEDED or SKIPPED for every account', async () => {
    expect(exitCode).toBe(0);
    const status = JSON.parse((await a360(['status', '--json'], env)).out) as {
      slices: Array<{
        accountId: string;
        category: string;
        collect: { status: string };
        load?: { status: string };
      }>;
    };
    expect(status.slices).toHaveLength(20 * CATEGORY_IDS.length);
    for (const slice of status.slices) {
      expect(['SUCCEEDED', 'SKIPPED'], `${slice.accountId} ${slice.category}`).toContain(
        slice.collect.status,
      );
      expect(['SUCCEEDED', 'SKIPPED'], `${slice.accountId} ${slice.category}`).toContain(slice.load?.status);
    }
  });

  it('links accounts to the products named by their a360:product tags', async () => {
    const result = await a360(
      [
        'query',
        `SELECT a.account_name, p.name AS product, pa.source FROM product_accounts pa
         JOIN accounts a ON a.id = pa.account_id JOIN products p ON p.id = pa.product_id`,
        '--json',
      ],
      env,
    );
    const links = JSON.parse(result.out) as Array<{ account_name: string; product: string; source: string }>;
    expect(links.length).toBeGreaterThanOrEqual(10);
    for (const link of links) {
      expect(link.source).toBe('tag');
      // Workload accounts are named after their product; the shared platform accounts are in `platform`.
      expect(
        link.account_name.startsWith(`${link.product}-`) || link.product === 'platform',
        JSON.stringify(link),
      ).toBe(true);
    }
  });

  it.each(REGISTRY.map((c) => [c.collector.id, c.collector.tables[0] as string] as const))(
    '%s: its main table %s has rows for at least 18 of the 20 accounts',
    async (_category, table) => {
      const column = table === 'accounts' ? 'id' : 'account_id';
      const result = await a360(
        ['query', `SELECT count(DISTINCT ${column}) AS accounts FROM ${table}`, '--json'],
        env,
      );
      expect(JSON.parse(result.out)[0].accounts).toBeGreaterThanOrEqual(18);
    },
  );
});

describe.each(databaseBackends())('current-state rows from one day to the next on $name', (backend) => {
  const db = useDatabase(backend);
  const day = (n: number) => new Date(Date.UTC(2026, 10, 23 + n, 6));
  const removedCount = async (sql: Sql) =>
    ((await sql.query(`SELECT count(*) AS n FROM service_resources WHERE removed_at IS NOT NULL`))[0]
      ?.n as number) ?? 0;

  async function runDay(n: number, faults: Parameters<typeof testPipeline>[1] = {}) {
    const pipeline = testPipeline(db.sql, { ...faults, accounts: 8, now: day(n) });
    for (const account of pipeline.sample.accounts) {
      await runCollect(
        pipeline.deps,
        {
          accountId: account.id,
          period: 'DAILY',
          date: day(n - 1)
            .toISOString()
            .slice(0, 10),
          categories: ['resources'],
        },
        { retryIntervalMs: 0 },
      );
    }
  }

  it('updates last_seen, marks what the organization removed as removed, and keeps the rest', async () => {
    await runDay(1);
    const first = await db.sql.query<{ account_id: string; resource_id: string }>(
      `SELECT account_id, resource_id FROM service_resources WHERE removed_at IS NULL`,
    );
    expect(first.length).toBeGreaterThan(50);
    await runDay(2);

    const rows = await db.sql.query<{
      resource_id: string;
      last_seen: Date;
      removed_at: Date | null;
      first_seen: Date;
    }>(`SELECT resource_id, first_seen, last_seen, removed_at FROM service_resources`);
    const removed = rows.filter((r) => r.removed_at !== null);
    const kept = rows.filter((r) => r.removed_at === null);
    expect(removed.length).toBeGreaterThan(0);
    expect(kept.length).toBeGreaterThan(removed.length);
    for (const row of kept) expect(row.last_seen.getTime()).toBeGreaterThanOrEqual(day(2).getTime());
    for (const row of removed) expect(row.last_seen.getTime()).toBeLessThan(day(2).getTime());
    expect(rows.some((r) => r.first_seen.getTime() >= day(2).getTime())).toBe(true);
  });

  it('marks nothing removed and moves no last_seen when the resources collection fails', async () => {
    const before = await db.sql.query(`SELECT * FROM service_resources ORDER BY id`);
    const removedBefore = await removedCount(db.sql);

    await runDay(3, { faults: [{ category: 'resources', kind: 'access-denied' }] });

    expect(await removedCount(db.sql)).toBe(removedBefore);
    expect(await db.sql.query(`SELECT * FROM service_resources ORDER BY id`)).toEqual(before);
  });
});
