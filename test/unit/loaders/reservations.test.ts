import { describe, expect, it } from 'vitest';
import type {
  Reservation,
  ReservationsPayload,
  ReservationUtilization,
} from '../../../functions/collectors/reservations.ts';
import { reservationsLoader, reservationsRows } from '../../../functions/loaders/reservations.ts';
import type { LoadContext } from '../../../functions/loaders/types.ts';
import type { Sql } from '../../../functions/ports.ts';
import { databaseBackends, useDatabase } from '../../support/database.ts';

const day1 = new Date('2026-11-26T06:00:00Z');
const day2 = new Date('2026-11-27T06:00:00Z');

function context(
  accountId: string,
  seenAt: Date,
  completeRegions: LoadContext['completeRegions'] = 'all',
): LoadContext {
  const start = new Date(seenAt.getTime() - 86_400_000).toISOString().slice(0, 10);
  return {
    accountId,
    window: { period: 'DAILY', start, end: seenAt.toISOString().slice(0, 10) },
    runId: 'r-test',
    seenAt,
    completeRegions,
  };
}

const EMPTY_TERMS = {
  offering_id: null,
  savings_plan_arn: null,
  reservation_arn: null,
  savings_plan_type: null,
  savings_plan_region: null,
  instance_family: null,
  instance_tenancy: null,
  offering_class: null,
  scope: null,
  availability_zone: null,
  multi_az: null,
  usage_price: null,
  returnable_until: null,
  description: null,
};

function ec2(id: string, overrides: Partial<Reservation> = {}): Reservation {
  return {
    ...EMPTY_TERMS,
    reservation_type: 'Reserved Instance',
    subscription_id: id,
    service: 'Amazon EC2',
    region: 'us-east-1',
    instance_type: 'm6i.large',
    instance_count: 2,
    instance_family: 'm6i',
    instance_tenancy: 'default',
    offering_class: 'standard',
    offering_type: 'Partial Upfront',
    product_types: 'Linux/UNIX',
    scope: 'Region',
    currency: 'USD',
    commitment: 0.1364931507,
    upfront_cost: 600,
    recurring_cost: 0.068,
    recurring_frequency: 'Hourly',
    usage_price: 0,
    start_date: '2026-01-10T08:00:00.000Z',
    end_date: '2027-01-10T08:00:00.000Z',
    duration_seconds: 31_536_000,
    state: 'active',
    description: 'web-tier',
    ...overrides,
  };
}

const plan = (id: string, overrides: Partial<Reservation> = {}): Reservation => ({
  ...EMPTY_TERMS,
  reservation_type: 'Savings Plan',
  subscription_id: id,
  service: 'AWS Savings Plans',
  region: 'global',
  offering_id: 'offering-sp',
  savings_plan_arn: `arn:aws:savingsplans::123456789012:savingsplan/${id}`,
  reservation_arn: `arn:aws:savingsplans::123456789012:savingsplan/${id}`,
  savings_plan_type: 'EC2Instance',
  savings_plan_region: 'eu-west-1',
  instance_type: null,
  instance_count: null,
  instance_family: 'm6i',
  offering_type: 'No Upfront',
  product_types: 'EC2',
  currency: 'USD',
  commitment: 2.5,
  upfront_cost: 0,
  recurring_cost: 2.5,
  recurring_frequency: 'Hourly',
  start_date: '2026-02-01T00:00:00.000Z',
  end_date: '2027-02-01T00:00:00.000Z',
  returnable_until: '2026-02-08T00:00:00.000Z',
  duration_seconds: 31_536_000,
  state: 'active',
  description: '1 year No Upfront m6i EC2 Instance Savings Plan',
  ...overrides,
});

function use(
  reservation: Pick<Reservation, 'reservation_type' | 'subscription_id' | 'service'>,
  date: string,
  overrides: Partial<ReservationUtilization> = {},
): ReservationUtilization {
  const reserved = reservation.reservation_type === 'Reserved Instance';
  return {
    date,
    reservation_type: reservation.reservation_type,
    subscription_id: reservation.subscription_id,
    service: reservation.service,
    region: reserved ? 'us-east-1' : 'eu-west-1',
    instance_type: reserved ? 'm6i.large' : null,
    instance_count: reserved ? 2 : null,
    utilization_percentage: 87.5,
    on_demand_cost: 4.032,
    reservation_cost: 3.2758000001,
    net_savings: 0.7561999999,
    unused_cost: 0.4095,
    purchased_hours: reserved ? 48 : null,
    used_hours: reserved ? 42 : null,
    ...overrides,
  };
}

const riA = ec2('ri-a');
const riEnded = ec2('ri-ended', {
  state: 'retired',
  end_date: '2026-11-25T10:00:00.000Z',
  instance_count: 1,
});
const sp1 = plan('sp-1');
const unlisted = {
  reservation_type: 'Reserved Instance',
  subscription_id: 'ri-unlisted',
  service: 'Amazon EC2',
} as const;

function payload(overrides: Partial<ReservationsPayload> = {}): ReservationsPayload {
  return {
    reservations: [riA, riEnded, sp1],
    utilization: [
      use(riA, '2026-11-25'),
      use(riEnded, '2026-11-25', { utilization_percentage: 100, unused_cost: null }),
      use(sp1, '2026-11-25', { utilization_percentage: 90 }),
      use(unlisted, '2026-11-25', { region: 'eu-west-1', instance_type: 't3.large', instance_count: 1 }),
    ],
    utilization_days: ['2026-11-25'],
    ...overrides,
  };
}

async function addAccount(sql: Sql, id: string) {
  await sql.execute(`INSERT INTO accounts (id, account_name) VALUES (:id, 'test') ON CONFLICT DO NOTHING`, {
    id,
  });
}

const tables = async (sql: Sql, accountId: string) => ({
  reservations: await sql.query('SELECT * FROM ri_sp_reservations WHERE account_id = :a ORDER BY id', {
    a: accountId,
  }),
  daily: await sql.query('SELECT * FROM ri_sp_daily_savings WHERE account_id = :a ORDER BY id', {
    a: accountId,
  }),
});

const removal = async (sql: Sql, accountId: string) =>
  Object.fromEntries(
    (
      await sql.query<{ subscription_id: string; removed_at: Date | null }>(
        'SELECT subscription_id, removed_at FROM ri_sp_reservations WHERE account_id = :a',
        { a: accountId },
      )
    ).map((r) => [r.subscription_id, r.removed_at?.toISOString() ?? null]),
  );

const dailyKeys = async (sql: Sql, accountId: string) =>
  (
    await sql.query<{ date: string; subscription_id: string }>(
      'SELECT date, subscription_id FROM ri_sp_daily_savings WHERE account_id = :a ORDER BY date, subscription_id',
      { a: accountId },
    )
  ).map((r) => `${r.date} ${r.subscription_id}`);

describe('reservationsRows', () => {
  it("copies the reservation's terms onto each of its days, and leaves them empty for one Cost Explorer alone knew", () => {
    const rows = reservationsRows(payload(), '123456789012');
    expect(rows.daily[0]).toMatchObject({
      date: '2026-11-25',
      date_from: '2026-11-25',
      date_to: '2026-11-26',
      offering_type: 'Partial Upfront',
      commitment: 0.1364931507,
      state: 'active',
      description: 'web-tier',
      currency: 'USD',
    });
    expect(rows.daily[2]).toMatchObject({
      savings_plan_type: 'EC2Instance',
      region: 'eu-west-1',
      instance_type: null,
    });
    expect(rows.daily[3]).toMatchObject({
      offering_type: null,
      commitment: null,
      state: null,
      instance_type: 't3.large',
    });
  });
});

describe.each(databaseBackends())('reservations loader on $name', (backend) => {
  const db = useDatabase(backend);

  it('writes the inventory and one row per reservation and day, exactly, and a reload changes nothing', async () => {
    const accountId = '111111111111';
    await addAccount(db.sql, accountId);
    const written = await db.sql.transaction((tx) =>
      reservationsLoader.load(tx, payload(), context(accountId, day1)),
    );
    expect(written).toBe(3 + 4);

    const first = await tables(db.sql, accountId);
    const [a, ended, sp] = first.reservations;
    expect(first.reservations).toHaveLength(3);
    const { id: _id, created_at: _c, updated_at: _u, ...inventoryRow } = a as Record<string, unknown>;
    expect(inventoryRow).toEqual({
      account_id: accountId,
      reservation_type: 'Reserved Instance',
      subscription_id: 'ri-a',
      service: 'Amazon EC2',
      region: 'us-east-1',
      offering_id: null,
      savings_plan_arn: null,
      reservation_arn: null,
      savings_plan_type: null,
      savings_plan_region: null,
      instance_type: 'm6i.large',
      instance_count: 2,
      instance_family: 'm6i',
      instance_tenancy: 'default',
      offering_class: 'standard',
      offering_type: 'Partial Upfront',
      product_types: 'Linux/UNIX',
      scope: 'Region',
      availability_zone: null,
      multi_az: null,
      currency: 'USD',
      commitment: '0.1364931507',
      upfront_cost: '600.0000000000',
      recurring_cost: '0.0680000000',
      recurring_frequency: 'Hourly',
      usage_price: '0.0000000000',
      start_date: new Date('2026-01-10T08:00:00.000Z'),
      end_date: new Date('2027-01-10T08:00:00.000Z'),
      returnable_until: null,
      duration_seconds: 31_536_000,
      state: 'active',
      description: 'web-tier',
      first_seen: day1,
      last_seen: day1,
      removed_at: null,
    });
    // A reservation seen retired is removed as of its end.
    expect(ended).toMatchObject({ state: 'retired', removed_at: new Date('2026-11-25T10:00:00.000Z') });
    expect(sp).toMatchObject({ region: 'global', savings_plan_region: 'eu-west-1', removed_at: null });

    expect(first.daily).toHaveLength(4);
    const {
      id: _d,
      created_at: _dc,
      updated_at: _du,
      ...dailyRow
    } = first.daily[0] as Record<string, unknown>;
    expect(dailyRow).toEqual({
      account_id: accountId,
      reservation_id: (a as { id: number }).id,
      date: '2026-11-25',
      date_from: '2026-11-25',
      date_to: '2026-11-26',
      reservation_type: 'Reserved Instance',
      subscription_id: 'ri-a',
      offering_id: null,
      savings_plan_arn: null,
      savings_plan_type: null,
      service: 'Amazon EC2',
      instance_type: 'm6i.large',
      instance_count: 2,
      instance_family: 'm6i',
      instance_tenancy: 'default',
      offering_class: 'standard',
      product_types: 'Linux/UNIX',
      region: 'us-east-1',
      utilization_percentage: '87.500000',
      on_demand_cost: '4.0320000000',
      reservation_cost: '3.2758000001',
      net_savings: '0.7561999999',
      unused_cost: '0.4095000000',
      purchased_hours: '48.0000000000',
      used_hours: '42.0000000000',
      commitment: '0.1364931507',
      upfront_cost: '600.0000000000',
      recurring_cost: '0.0680000000',
      recurring_frequency: 'Hourly',
      usage_price: '0.0000000000',
      currency: 'USD',
      start_date: new Date('2026-01-10T08:00:00.000Z'),
      end_date: new Date('2027-01-10T08:00:00.000Z'),
      returnable_until: null,
      duration_seconds: 31_536_000,
      offering_type: 'Partial Upfront',
      state: 'active',
      description: 'web-tier',
    });
    expect(first.daily[2]).toMatchObject({
      reservation_id: (sp as { id: number }).id,
      savings_plan_arn: 'arn:aws:savingsplans::123456789012:savingsplan/sp-1',
      savings_plan_type: 'EC2Instance',
      region: 'eu-west-1',
      returnable_until: new Date('2026-02-08T00:00:00.000Z'),
    });
    expect(first.daily[3]).toMatchObject({
      subscription_id: 'ri-unlisted',
      reservation_id: null,
      offering_type: null,
      commitment: null,
      currency: 'USD',
    });

    await db.sql.transaction((tx) => reservationsLoader.load(tx, payload(), context(accountId, day1)));
    expect(await tables(db.sql, accountId)).toEqual(first);
  });

  it('marks reservations no longer listed as removed, only where the collection succeeded, and revives one', async () => {
    const accountId = '222222222222';
    await addAccount(db.sql, accountId);
    const euRi = ec2('ri-eu', { region: 'eu-west-1' });
    await db.sql.transaction((tx) =>
      reservationsLoader.load(tx, payload({ reservations: [riA, euRi, sp1] }), context(accountId, day1)),
    );

    // Next day us-east-1 failed: only eu-west-1 and the Savings Plans may lose reservations.
    const next = { reservations: [], utilization: [], utilization_days: [] };
    await db.sql.transaction((tx) =>
      reservationsLoader.load(tx, next, context(accountId, day2, ['global', 'eu-west-1', 'cost-explorer'])),
    );
    expect(await removal(db.sql, accountId)).toEqual({
      'ri-a': null,
      'ri-eu': day2.toISOString(),
      'sp-1': day2.toISOString(),
    });

    const day3 = new Date('2026-11-28T06:00:00Z');
    await db.sql.transaction((tx) =>
      reservationsLoader.load(
        tx,
        payload({ reservations: [euRi], utilization: [], utilization_days: [] }),
        context(accountId, day3),
      ),
    );
    expect(await removal(db.sql, accountId)).toEqual({
      'ri-a': day3.toISOString(),
      'ri-eu': null,
      'sp-1': day2.toISOString(),
    });
  });

  it('replaces the days Cost Explorer answered, and keeps the days it did not', async () => {
    const accountId = '333333333333';
    await addAccount(db.sql, accountId);
    const twoDays = payload({
      utilization: [
        use(riA, '2026-11-24'),
        use(sp1, '2026-11-24'),
        use(riA, '2026-11-25'),
        use(sp1, '2026-11-25'),
      ],
      utilization_days: ['2026-11-24', '2026-11-25'],
    });
    await db.sql.transaction((tx) => reservationsLoader.load(tx, twoDays, context(accountId, day1)));

    // Collected again: the plan is gone from the 25th; the 24th was not answered this time.
    const again = payload({
      utilization: [use(riA, '2026-11-25', { utilization_percentage: 91.25 })],
      utilization_days: ['2026-11-25'],
    });
    await db.sql.transaction((tx) => reservationsLoader.load(tx, again, context(accountId, day1)));
    expect(await dailyKeys(db.sql, accountId)).toEqual([
      '2026-11-24 ri-a',
      '2026-11-24 sp-1',
      '2026-11-25 ri-a',
    ]);
    const [updated] = await db.sql.query(
      `SELECT utilization_percentage FROM ri_sp_daily_savings WHERE account_id = :a AND date = '2026-11-25'`,
      { a: accountId },
    );
    expect(updated?.utilization_percentage).toBe('91.250000');

    // Cost Explorer failed: nothing is replaced.
    await db.sql.transaction((tx) =>
      reservationsLoader.load(
        tx,
        payload({ utilization: [], utilization_days: [] }),
        context(accountId, day1),
      ),
    );
    expect(await dailyKeys(db.sql, accountId)).toHaveLength(3);
  });

  it('agrees between a daily and a monthly collection of the same day: one row per reservation and day', async () => {
    const accountId = '444444444444';
    await addAccount(db.sql, accountId);
    await db.sql.transaction((tx) => reservationsLoader.load(tx, payload(), context(accountId, day1)));
    const month = payload({
      utilization: ['2026-11-01', '2026-11-25'].map((date) => use(riA, date)),
      utilization_days: Array.from({ length: 25 }, (_, i) => `2026-11-${String(i + 1).padStart(2, '0')}`),
    });
    await db.sql.transaction((tx) => reservationsLoader.load(tx, month, context(accountId, day1)));
    expect(await dailyKeys(db.sql, accountId)).toEqual(['2026-11-01 ri-a', '2026-11-25 ri-a']);
  });

  it('leaves newer inventory alone when an older snapshot is loaded again', async () => {
    const accountId = '555555555555';
    await addAccount(db.sql, accountId);
    await db.sql.transaction((tx) => reservationsLoader.load(tx, payload(), context(accountId, day2)));
    const before = (await tables(db.sql, accountId)).reservations;
    await db.sql.transaction((tx) =>
      reservationsLoader.load(
        tx,
        payload({ reservations: [ec2('ri-a', { state: 'payment-pending' })] }),
        context(accountId, day1),
      ),
    );
    expect((await tables(db.sql, accountId)).reservations).toEqual(before);
  });

  it('keeps accounts apart: the same subscription in two accounts is two rows', async () => {
    for (const id of ['666666666666', '777777777777']) {
      await addAccount(db.sql, id);
      await db.sql.transaction((tx) => reservationsLoader.load(tx, payload(), context(id, day1)));
    }
    const [counts] = await db.sql.query<{ reservations: number; daily: number }>(
      `SELECT (SELECT count(*) FROM ri_sp_reservations WHERE subscription_id = 'ri-a'
                AND account_id IN ('666666666666', '777777777777'))::int AS reservations,
              (SELECT count(*) FROM ri_sp_daily_savings WHERE subscription_id = 'ri-a'
                AND account_id IN ('666666666666', '777777777777'))::int AS daily`,
    );
    expect(counts).toEqual({ reservations: 2, daily: 2 });
  });

  it("has every column of the seed's ri_sp_daily_savings", async () => {
    await addAccount(db.sql, '888888888888');
    await db.sql.transaction((tx) => reservationsLoader.load(tx, payload(), context('888888888888', day1)));
    const rows = await db.sql.query(`SELECT account_id, date_from, date_to, reservation_type, subscription_id,
      offering_id, savings_plan_arn, service, instance_type, instance_count, instance_family, instance_tenancy,
      offering_class, product_types, region, utilization_percentage, on_demand_cost, reservation_cost, net_savings,
      commitment, upfront_cost, recurring_cost, recurring_frequency, usage_price, currency, start_date, end_date,
      returnable_until, duration_seconds, offering_type, state, description, created_at, updated_at
      FROM ri_sp_daily_savings WHERE account_id = '888888888888' ORDER BY date_to, subscription_id`);
    expect(rows.map((r) => r.subscription_id)).toEqual(['ri-a', 'ri-ended', 'ri-unlisted', 'sp-1']);
  });
});
