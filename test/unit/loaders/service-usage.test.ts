import { describe, expect, it } from 'vitest';
import { costExplorerSimulator } from '../../../functions/adapters/local/sample-org/services/cost-explorer.ts';
import type { ServiceUsagePayload } from '../../../functions/collectors/service-usage.ts';
import { serviceUsageCollector } from '../../../functions/collectors/service-usage.ts';
import { serviceUsageLoader } from '../../../functions/loaders/service-usage.ts';
import type { LoadContext } from '../../../functions/loaders/types.ts';
import type { Sql } from '../../../functions/ports.ts';
import { databaseBackends, useDatabase } from '../../support/database.ts';
import { collectFromSample } from '../../support/sample.ts';

const accountId = '123456789012';
const otherAccountId = '210987654321';
const dailyWindow = { period: 'DAILY' as const, start: '2026-11-25', end: '2026-11-26' };
const monthlyWindow = { period: 'MONTHLY' as const, start: '2026-11-01', end: '2026-12-01' };

function loadContext(account: string, window: LoadContext['window']): LoadContext {
  return {
    accountId: account,
    window,
    runId: 'r-test',
    seenAt: new Date('2026-12-01T06:00:00Z'),
    completeRegions: 'all',
  };
}

type Item = ServiceUsagePayload['services'][number];

function item(service: string, usageType: string, cost: number, window: LoadContext['window']): Item {
  return {
    service,
    usage_types: usageType,
    date_from: window.start,
    date_to: window.end,
    cost,
    currency: 'USD',
    utilization: 1152.000001,
    utilization_unit: 'Hrs',
  };
}

function payload(account: string, window: LoadContext['window'], services: Item[]): ServiceUsagePayload {
  return {
    account_id: account,
    period: { start: window.start, end: window.end, granularity: window.period },
    services,
  };
}

const dailyItems = [
  item('Amazon Elastic Compute Cloud - Compute', 'BoxUsage:m6i.large', 110.5920000001, dailyWindow),
  item('Amazon Elastic Compute Cloud - Compute', 'EUW1-BoxUsage:t3.medium', 12.25, dailyWindow),
  item('AWS Lambda', 'Request-ARM', 0.3, dailyWindow),
  { ...item('Tax', 'Tax', 0, dailyWindow), utilization: 0, utilization_unit: null },
];

const allRows = (sql: Sql) =>
  sql.query(`SELECT * FROM services
   ORDER BY account_id, date_from, date_to, service COLLATE "C", usage_types COLLATE "C"`);

async function load(sql: Sql, account: string, window: LoadContext['window'], services: Item[]) {
  return sql.transaction((tx) =>
    serviceUsageLoader.load(tx, payload(account, window, services), loadContext(account, window)),
  );
}

describe.each(databaseBackends())('service-usage loader on $name', (backend) => {
  const db = useDatabase(backend);

  it('writes one row per service, usage type and period, exactly, and a reload changes nothing', async () => {
    for (const [id, name] of [
      [accountId, 'checkout-prod'],
      [otherAccountId, 'identity-prod'],
    ]) {
      await db.sql.execute(
        `INSERT INTO accounts (id, account_name) VALUES (:id, :name) ON CONFLICT DO NOTHING`,
        {
          id: id as string,
          name: name as string,
        },
      );
    }
    expect(await load(db.sql, accountId, dailyWindow, dailyItems)).toBe(4);
    const first = await allRows(db.sql);
    expect(
      first.map((r) => [
        r.account_id,
        r.service,
        r.usage_types,
        r.date_from,
        r.date_to,
        r.period_granularity,
        r.cost,
        r.currency,
        r.utilization,
        r.utilization_unit,
      ]),
    ).toEqual([
      [
        accountId,
        'AWS Lambda',
        'Request-ARM',
        '2026-11-25',
        '2026-11-26',
        'DAILY',
        '0.3000000000',
        'USD',
        '1152.000001',
        'Hrs',
      ],
      [
        accountId,
        'Amazon Elastic Compute Cloud - Compute',
        'BoxUsage:m6i.large',
        '2026-11-25',
        '2026-11-26',
        'DAILY',
        '110.5920000001',
        'USD',
        '1152.000001',
        'Hrs',
      ],
      [
        accountId,
        'Amazon Elastic Compute Cloud - Compute',
        'EUW1-BoxUsage:t3.medium',
        '2026-11-25',
        '2026-11-26',
        'DAILY',
        '12.2500000000',
        'USD',
        '1152.000001',
        'Hrs',
      ],
      [accountId, 'Tax', 'Tax', '2026-11-25', '2026-11-26', 'DAILY', '0.0000000000', 'USD', '0', null],
    ]);

    await load(db.sql, accountId, dailyWindow, dailyItems);
    expect(await allRows(db.sql)).toEqual(first);
  });

  it('keeps a MONTHLY row and a DAILY row that start the same day apart', async () => {
    const monthly = [
      item('Amazon Elastic Compute Cloud - Compute', 'BoxUsage:m6i.large', 3300, monthlyWindow),
    ];
    const firstDay = { period: 'DAILY' as const, start: '2026-11-01', end: '2026-11-02' };
    await load(db.sql, accountId, monthlyWindow, monthly);
    await load(db.sql, accountId, firstDay, [
      item('Amazon Elastic Compute Cloud - Compute', 'BoxUsage:m6i.large', 110, firstDay),
    ]);
    const rows = await db.sql.query(
      `SELECT date_from, date_to, period_granularity, cost FROM services
       WHERE account_id = :id AND date_from = '2026-11-01' ORDER BY date_to`,
      { id: accountId },
    );
    expect(rows).toEqual([
      { date_from: '2026-11-01', date_to: '2026-11-02', period_granularity: 'DAILY', cost: '110.0000000000' },
      {
        date_from: '2026-11-01',
        date_to: '2026-12-01',
        period_granularity: 'MONTHLY',
        cost: '3300.0000000000',
      },
    ]);
  });

  it('replaces the window: rows the new payload no longer has go, other windows and accounts stay', async () => {
    await load(db.sql, otherAccountId, dailyWindow, [item('AWS Lambda', 'Request-ARM', 5, dailyWindow)]);
    const before = await allRows(db.sql);
    const untouched = before.filter(
      (r) =>
        r.account_id !== accountId || r.date_from !== dailyWindow.start || r.period_granularity !== 'DAILY',
    );

    await load(db.sql, accountId, dailyWindow, [
      item('AWS Lambda', 'Request-ARM', 0.45, dailyWindow),
      item('Amazon DynamoDB', 'ReadRequestUnits', 1.5, dailyWindow),
    ]);
    const after = await allRows(db.sql);
    const window = after.filter(
      (r) =>
        r.account_id === accountId && r.date_from === dailyWindow.start && r.period_granularity === 'DAILY',
    );
    expect(window.map((r) => [r.service, r.usage_types, r.cost])).toEqual([
      ['AWS Lambda', 'Request-ARM', '0.4500000000'],
      ['Amazon DynamoDB', 'ReadRequestUnits', '1.5000000000'],
    ]);
    expect(after.filter((r) => !window.includes(r))).toEqual(untouched);

    await load(db.sql, accountId, dailyWindow, []);
    expect(await allRows(db.sql)).toEqual(untouched);
  });

  it('answers the seed README "Service Cost Analysis" query unchanged', async () => {
    await load(db.sql, accountId, dailyWindow, dailyItems);
    const rows = await db.sql.query(`SELECT 
    a.account_name,
    s.service,
    s.cost,
    s.currency,
    s.date_from,
    s.date_to
FROM services s
JOIN accounts a ON s.account_id = a.id
WHERE s.cost > 100
ORDER BY s.cost DESC;`);
    expect(rows).toEqual([
      {
        account_name: 'checkout-prod',
        service: 'Amazon Elastic Compute Cloud - Compute',
        cost: '3300.0000000000',
        currency: 'USD',
        date_from: '2026-11-01',
        date_to: '2026-12-01',
      },
      {
        account_name: 'checkout-prod',
        service: 'Amazon Elastic Compute Cloud - Compute',
        cost: '110.5920000001',
        currency: 'USD',
        date_from: '2026-11-25',
        date_to: '2026-11-26',
      },
      {
        account_name: 'checkout-prod',
        service: 'Amazon Elastic Compute Cloud - Compute',
        cost: '110.0000000000',
        currency: 'USD',
        date_from: '2026-11-01',
        date_to: '2026-11-02',
      },
    ]);
  });

  it('loads what the collector gathered from the sample organization, and a reload changes nothing', async () => {
    const { result, account } = await collectFromSample(serviceUsageCollector, {
      simulators: [costExplorerSimulator],
      window: dailyWindow,
      now: new Date('2026-11-26T06:00:00Z'),
      accountIndex: 7,
    });
    await db.sql.execute(`INSERT INTO accounts (id, account_name) VALUES (:id, :name)`, {
      id: account.id,
      name: account.name,
    });
    const ctx = loadContext(account.id, dailyWindow);
    expect(await db.sql.transaction((tx) => serviceUsageLoader.load(tx, result.payload, ctx))).toBe(43);
    const loaded = await db.sql.query('SELECT * FROM services WHERE account_id = :id ORDER BY id', {
      id: account.id,
    });
    expect(loaded).toHaveLength(43);
    const total = result.payload.services.reduce((sum, s) => sum + s.cost, 0);
    const [{ sum }] = (await db.sql.query('SELECT sum(cost) AS sum FROM services WHERE account_id = :id', {
      id: account.id,
    })) as [{ sum: string }];
    expect(Number(sum)).toBeCloseTo(total, 6);
    await db.sql.transaction((tx) => serviceUsageLoader.load(tx, result.payload, ctx));
    expect(
      await db.sql.query('SELECT * FROM services WHERE account_id = :id ORDER BY id', { id: account.id }),
    ).toEqual(loaded);
  });
});
