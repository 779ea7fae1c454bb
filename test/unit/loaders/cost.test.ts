import { describe, expect, it } from 'vitest';
import type { CostPayload } from '../../../functions/collectors/cost.ts';
import { costLoader } from '../../../functions/loaders/cost.ts';
import type { LoadContext } from '../../../functions/loaders/types.ts';
import { databaseBackends, useDatabase } from '../../support/database.ts';

const accountId = '123456789012';
const ctx: LoadContext = {
  accountId,
  window: { period: 'DAILY', start: '2026-11-25', end: '2026-11-26' },
  runId: 'r-test',
  seenAt: new Date('2026-11-26T06:00:00Z'),
  completeRegions: 'all',
};

function payload(overrides: Partial<CostPayload> = {}): CostPayload {
  return {
    account_id: accountId,
    currency: 'USD',
    current_period_cost: 110.0000000001,
    previous_period_cost: 100,
    cost_difference: 10.0000000001,
    cost_difference_percentage: 10,
    period: { start: '2026-11-25', end: '2026-11-26', granularity: 'DAILY' },
    estimated: true,
    services_count: 3,
    top_services: [
      { service: 'Amazon Elastic Compute Cloud - Compute', cost: 100.5 },
      { service: 'AWS Lambda', cost: 9.5000000001 },
    ],
    forecast: [
      { period: { start: '2026-11-26', end: '2026-12-01' }, amount: 500, lower_bound: 450, upper_bound: 550 },
    ],
    forecast_note: null,
    ...overrides,
  };
}

const snapshotOf = async (sql: import('../../../functions/ports.ts').Sql) => ({
  reports: await sql.query('SELECT * FROM cost_reports ORDER BY id'),
  services: await sql.query('SELECT * FROM service_costs ORDER BY id'),
  forecasts: await sql.query('SELECT * FROM cost_forecasts ORDER BY id'),
});

describe.each(databaseBackends())('cost loader on $name', (backend) => {
  const db = useDatabase(backend);

  it('writes the report, its top services and forecast, exactly, and a reload changes nothing', async () => {
    await db.sql.execute(
      `INSERT INTO accounts (id, account_name) VALUES (:id, 'test') ON CONFLICT DO NOTHING`,
      { id: accountId },
    );
    const rows = await db.sql.transaction((tx) => costLoader.load(tx, payload(), ctx));
    expect(rows).toBe(4);
    const first = await snapshotOf(db.sql);
    expect(first.reports).toHaveLength(1);
    expect(first.reports[0]).toMatchObject({
      account_id: accountId,
      current_period_cost: '110.0000000001',
      period_start: '2026-11-25',
      period_end: '2026-11-26',
      period_granularity: 'DAILY',
      estimated: true,
    });
    expect(first.services.map((s) => [s.service_name, s.cost, s.rank])).toEqual([
      ['Amazon Elastic Compute Cloud - Compute', '100.5000000000', 1],
      ['AWS Lambda', '9.5000000001', 2],
    ]);
    expect(first.forecasts[0]).toMatchObject({
      amount: '500.0000000000',
      prediction_interval_lower_bound: '450.0000000000',
    });

    await db.sql.transaction((tx) => costLoader.load(tx, payload(), ctx));
    expect(await snapshotOf(db.sql)).toEqual(first);
  });

  it('replaces the top services of a report that was collected again, and keeps other windows', async () => {
    await db.sql.transaction((tx) =>
      costLoader.load(
        tx,
        payload({ period: { start: '2026-11-01', end: '2026-12-01', granularity: 'MONTHLY' } }),
        ctx,
      ),
    );
    await db.sql.transaction((tx) =>
      costLoader.load(
        tx,
        payload({
          top_services: [{ service: 'Amazon Relational Database Service', cost: 42 }],
          forecast: [],
        }),
        ctx,
      ),
    );
    const daily = await db.sql.query(
      `SELECT s.service_name FROM service_costs s JOIN cost_reports c ON c.id = s.cost_report_id
       WHERE c.period_granularity = 'DAILY' ORDER BY s.rank`,
    );
    expect(daily.map((r) => r.service_name)).toEqual(['Amazon Relational Database Service']);
    const [{ n }] = (await db.sql.query(`SELECT count(*) AS n FROM cost_reports`)) as [{ n: number }];
    expect(n).toBe(2);
    const forecasts = await db.sql.query(
      `SELECT f.* FROM cost_forecasts f JOIN cost_reports c ON c.id = f.cost_report_id WHERE c.period_granularity = 'DAILY'`,
    );
    expect(forecasts).toHaveLength(0);
  });
});
