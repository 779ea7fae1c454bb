import { describe, expect, it } from 'vitest';
import type { MarketplacePayload } from '../../../functions/collectors/marketplace.ts';
import { marketplaceLoader } from '../../../functions/loaders/marketplace.ts';
import type { Sql } from '../../../functions/ports.ts';
import { databaseBackends, useDatabase } from '../../support/database.ts';

const accountId = '123456789012';
const seenAt = new Date('2026-11-26T06:00:00Z');

type Product = MarketplacePayload['products'][number];

function product(
  name: string,
  start: string,
  end: string,
  cost: number,
  status: Product['status'] = 'FINAL',
) {
  return {
    product_code: name,
    product_name: name,
    cost_consumed: cost,
    currency: 'USD',
    period_start: start,
    period_end: end,
    status,
  };
}

function payload(period: MarketplacePayload['period'], products: Product[]): MarketplacePayload {
  return { account_id: accountId, period, products };
}

const daily = (day: string, next: string) => ({ start: day, end: next, granularity: 'DAILY' as const });
const ctx = (window: MarketplacePayload['period']) => ({
  accountId,
  window: { period: window.granularity, start: window.start, end: window.end },
  runId: 'r-test',
  seenAt,
  completeRegions: 'all' as const,
});

const rowsOf = (sql: Sql) => sql.query('SELECT * FROM marketplace_usage ORDER BY id');

describe.each(databaseBackends())('marketplace loader on $name', (backend) => {
  const db = useDatabase(backend);

  it('writes each product of the window exactly, and a reload changes nothing', async () => {
    await db.sql.execute(`INSERT INTO accounts (id, account_name) VALUES (:id, 'test')`, { id: accountId });
    const window = daily('2026-11-25', '2026-11-26');
    const data = payload(window, [
      product('Snowflake Data Cloud', '2026-11-25', '2026-11-26', 128.3456789012, 'ESTIMATED'),
      product('Datadog Pro (Pay-As-You-Go)', '2026-11-25', '2026-11-26', 18.7, 'ESTIMATED'),
    ]);
    const written = await db.sql.transaction((tx) => marketplaceLoader.load(tx, data, ctx(window)));
    expect(written).toBe(2);
    const first = await rowsOf(db.sql);
    expect(first.map(({ id: _i, created_at: _c, updated_at: _u, ...rest }) => rest)).toEqual([
      {
        account_id: accountId,
        product_code: 'Snowflake Data Cloud',
        product_name: 'Snowflake Data Cloud',
        cost_consumed: '128.3456789012',
        currency: 'USD',
        period_start: '2026-11-25',
        period_end: '2026-11-26',
        period_granularity: 'DAILY',
        status: 'ESTIMATED',
      },
      {
        account_id: accountId,
        product_code: 'Datadog Pro (Pay-As-You-Go)',
        product_name: 'Datadog Pro (Pay-As-You-Go)',
        cost_consumed: '18.7000000000',
        currency: 'USD',
        period_start: '2026-11-25',
        period_end: '2026-11-26',
        period_granularity: 'DAILY',
        status: 'ESTIMATED',
      },
    ]);
    await db.sql.transaction((tx) => marketplaceLoader.load(tx, data, ctx(window)));
    expect(await rowsOf(db.sql)).toEqual(first);
  });

  it('replaces the window: a product gone from it is deleted, other windows and granularities stay', async () => {
    const month = { start: '2026-11-01', end: '2026-12-01', granularity: 'MONTHLY' as const };
    await db.sql.transaction((tx) =>
      marketplaceLoader.load(
        tx,
        payload(month, [product('Snowflake Data Cloud', '2026-11-01', '2026-12-01', 3900)]),
        ctx(month),
      ),
    );
    await db.sql.transaction((tx) =>
      marketplaceLoader.load(
        tx,
        payload(daily('2026-11-24', '2026-11-25'), [
          product('Snowflake Data Cloud', '2026-11-24', '2026-11-25', 120),
        ]),
        ctx(daily('2026-11-24', '2026-11-25')),
      ),
    );
    // The 25th collected again once its figures are final: Datadog has no charge left that day.
    const window = daily('2026-11-25', '2026-11-26');
    await db.sql.transaction((tx) =>
      marketplaceLoader.load(
        tx,
        payload(window, [product('Snowflake Data Cloud', '2026-11-25', '2026-11-26', 131.5)]),
        ctx(window),
      ),
    );
    const rows = await db.sql.query<{
      product_code: string;
      period_start: string;
      cost_consumed: string;
      status: string;
    }>(
      `SELECT product_code, period_start, period_granularity, cost_consumed, status FROM marketplace_usage
       ORDER BY period_granularity, period_start, product_code`,
    );
    expect(rows).toEqual([
      {
        product_code: 'Snowflake Data Cloud',
        period_start: '2026-11-01',
        period_granularity: 'MONTHLY',
        cost_consumed: '3900.0000000000',
        status: 'FINAL',
      },
      {
        product_code: 'Snowflake Data Cloud',
        period_start: '2026-11-24',
        period_granularity: 'DAILY',
        cost_consumed: '120.0000000000',
        status: 'FINAL',
      },
      {
        product_code: 'Snowflake Data Cloud',
        period_start: '2026-11-25',
        period_granularity: 'DAILY',
        cost_consumed: '131.5000000000',
        status: 'FINAL',
      },
    ]);
  });
});
