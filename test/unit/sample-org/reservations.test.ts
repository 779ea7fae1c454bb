import {
  CostExplorerClient,
  GetReservationUtilizationCommand,
  type GetReservationUtilizationCommandInput,
  GetSavingsPlansUtilizationDetailsCommand,
} from '@aws-sdk/client-cost-explorer';
import { DescribeReservedInstancesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { DescribeReservedDBInstancesCommand, RDSClient } from '@aws-sdk/client-rds';
import { DescribeSavingsPlansCommand, SavingsplansClient } from '@aws-sdk/client-savingsplans';
import { describe, expect, it } from 'vitest';
import { createClientFactory } from '../../../functions/adapters/aws/clients.ts';
import { SampleOrganization } from '../../../functions/adapters/local/sample-org/organization.ts';
import { costExplorerSimulator } from '../../../functions/adapters/local/sample-org/services/cost-explorer.ts';
import {
  costExplorerReservationOperations,
  malformCostExplorerReservations,
} from '../../../functions/adapters/local/sample-org/services/cost-explorer-reservations.ts';
import {
  ec2ReservationOperations,
  malformEc2Reservations,
} from '../../../functions/adapters/local/sample-org/services/ec2-reservations.ts';
import {
  malformRdsReservations,
  rdsReservationOperations,
} from '../../../functions/adapters/local/sample-org/services/rds-reservations.ts';
import { savingsPlansSimulator } from '../../../functions/adapters/local/sample-org/services/savingsplans.ts';
import {
  awsError,
  type SampleCall,
  type ServiceSimulator,
} from '../../../functions/adapters/local/sample-org/simulator.ts';
import {
  type ReservationsPayload,
  reservationsCollector,
} from '../../../functions/collectors/reservations.ts';
import { reservationsLoader } from '../../../functions/loaders/reservations.ts';
import { DataContractError, SourceAccessError } from '../../../functions/platform/errors.ts';
import { databaseBackends, useDatabase } from '../../support/database.ts';
import { collectFromSample, SAMPLE_REGIONS } from '../../support/sample.ts';

const now = new Date('2026-11-26T06:00:00Z');
const window = { period: 'DAILY' as const, start: '2026-11-25', end: '2026-11-26' };
const optIn = () =>
  awsError('OptInRequired', 'The AWS Access Key Id needs a subscription for the service', { status: 403 });

/**
 * The EC2, RDS and Cost Explorer simulators as the organization wires them: the reservation operations merged
 * into each service's simulator (the services' other operations belong to other categories).
 */
const simulators: ServiceSimulator[] = [
  {
    service: 'EC2',
    operations: ec2ReservationOperations,
    notEnabled: optIn,
    malform: (operation, output) => malformEc2Reservations(operation, output) ?? output,
  },
  {
    service: 'RDS',
    operations: rdsReservationOperations,
    notEnabled: optIn,
    malform: (operation, output) => malformRdsReservations(operation, output) ?? output,
  },
  {
    ...costExplorerSimulator,
    operations: { ...costExplorerSimulator.operations, ...costExplorerReservationOperations },
    malform: (operation, output) =>
      malformCostExplorerReservations(operation, output) ?? costExplorerSimulator.malform(operation, output),
  },
  savingsPlansSimulator,
];

/** The simulators, recording every call they answer. */
function recorded(): { simulators: ServiceSimulator[]; calls: SampleCall[] } {
  const calls: SampleCall[] = [];
  return {
    calls,
    simulators: simulators.map((simulator) => ({
      ...simulator,
      operations: Object.fromEntries(
        Object.entries(simulator.operations).map(([name, answer]) => [
          name,
          (call: SampleCall) => {
            calls.push(call);
            return answer(call);
          },
        ]),
      ),
    })),
  };
}

const pagesOf = (calls: SampleCall[], operation: string, token: string) =>
  calls.filter((c) => c.operation === operation && c.input[token] !== undefined).length;

function checkFigures(payload: ReservationsPayload) {
  for (const u of payload.utilization) {
    expect(u.utilization_percentage).toBeGreaterThanOrEqual(60);
    expect(u.utilization_percentage).toBeLessThanOrEqual(100);
    expect(u.net_savings).toBeCloseTo(u.on_demand_cost - u.reservation_cost, 6);
    expect(u.reservation_cost).toBeGreaterThan(0);
    if (u.purchased_hours !== null && u.used_hours !== null) {
      expect(u.used_hours / u.purchased_hours).toBeCloseTo(u.utilization_percentage / 100, 4);
    }
  }
}

describe('reservations collector against the sample organization', () => {
  it('collects a production account: reserved instances in several regions, each with its day', async () => {
    const { simulators: spied, calls } = recorded();
    const { result, account } = await collectFromSample(reservationsCollector, {
      simulators: spied,
      window,
      now,
    });
    expect(account.environment).toBe('production');
    expect(reservationsCollector.schema.safeParse(result.payload).success).toBe(true);
    expect(result.regions).toEqual({
      global: { status: 'SUCCEEDED' },
      ...Object.fromEntries(SAMPLE_REGIONS.map((r) => [r, { status: 'SUCCEEDED' }])),
      'cost-explorer': { status: 'SUCCEEDED' },
    });
    const { reservations, utilization } = result.payload;
    const ec2 = reservations.filter((r) => r.service === 'Amazon EC2' && r.state !== 'retired');
    const rds = reservations.filter((r) => r.service === 'Amazon RDS' && r.state !== 'retired');
    expect(ec2.length).toBeGreaterThanOrEqual(2);
    expect(ec2.length).toBeLessThanOrEqual(6);
    expect(rds.length).toBeGreaterThanOrEqual(2);
    for (const r of reservations.filter((x) => x.reservation_type === 'Reserved Instance')) {
      expect(r.subscription_id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-a[0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(r.start_date < r.end_date).toBe(true);
      expect(r.commitment).toBeGreaterThan(0);
      if (r.service === 'Amazon RDS') {
        expect(r.reservation_arn).toBe(`arn:aws:rds:${r.region}:${account.id}:ri:${r.description}`);
      }
      if (r.offering_type === 'All Upfront') expect(r.recurring_cost).toBe(0);
      else expect(r.recurring_frequency).toBe('Hourly');
    }
    // Every reservation in force on the day has its figures, and every figure belongs to a listed reservation.
    const dayStart = '2026-11-25T00:00:00.000Z';
    const dayEnd = '2026-11-26T00:00:00.000Z';
    const applying = reservations.filter((r) => r.start_date < dayEnd && r.end_date > dayStart);
    expect(utilization.map((u) => u.subscription_id).sort()).toEqual(
      applying.map((r) => r.subscription_id).sort(),
    );
    checkFigures(result.payload);
    // A reservation held all day costs its hourly commitment for 24 hours.
    const fullDay = applying.find((r) => r.start_date < dayStart && r.state === 'active');
    const figures = utilization.find((u) => u.subscription_id === fullDay?.subscription_id);
    expect(figures?.reservation_cost).toBeCloseTo((fullDay?.commitment ?? 0) * 24, 2);

    expect(pagesOf(calls, 'GetReservationUtilization', 'NextPageToken')).toBeGreaterThanOrEqual(1);
    expect(pagesOf(calls, 'DescribeReservedDBInstances', 'Marker')).toBeGreaterThanOrEqual(1);
    const ceCalls = calls.filter((c) => c.operation === 'GetReservationUtilization');
    expect(ceCalls.every((c) => c.input.Granularity === undefined && c.region === 'us-east-1')).toBe(true);
  });

  it("gives the management account the organization's Savings Plans, over several pages", async () => {
    const { simulators: spied, calls } = recorded();
    const { result, account } = await collectFromSample(reservationsCollector, {
      simulators: spied,
      window,
      now,
      accountIndex: 0,
    });
    expect(account.environment).toBe('management');
    const plans = result.payload.reservations.filter((r) => r.reservation_type === 'Savings Plan');
    expect(plans.length).toBeGreaterThanOrEqual(7);
    expect(new Set(plans.map((p) => p.savings_plan_type))).toEqual(new Set(['Compute', 'EC2Instance']));
    for (const p of plans) {
      expect(p.savings_plan_arn).toBe(`arn:aws:savingsplans::${account.id}:savingsplan/${p.subscription_id}`);
      expect(p.savings_plan_region === null).toBe(p.savings_plan_type === 'Compute');
      const hours = p.duration_seconds / 3600;
      expect(p.upfront_cost + p.recurring_cost * hours).toBeCloseTo(p.commitment * hours, -1);
    }
    expect(
      result.payload.utilization.filter((u) => u.reservation_type === 'Savings Plan').length,
    ).toBeGreaterThan(5);
    checkFigures(result.payload);
    expect(pagesOf(calls, 'DescribeSavingsPlans', 'nextToken')).toBeGreaterThanOrEqual(2);
    expect(pagesOf(calls, 'GetSavingsPlansUtilizationDetails', 'NextToken')).toBeGreaterThanOrEqual(1);
    expect(
      calls.filter((c) => c.operation === 'DescribeSavingsPlans').every((c) => c.region === 'us-east-1'),
    ).toBe(true);
  });

  it('gives at least 18 of the first 20 accounts reservations with daily figures', async () => {
    const withFigures: string[] = [];
    for (let index = 0; index < 20; index++) {
      const { result, account } = await collectFromSample(reservationsCollector, {
        simulators,
        window,
        now,
        accounts: 20,
        accountIndex: index,
      });
      expect(result.skippedReason).toBeUndefined();
      if (result.payload.utilization.length > 0) withFigures.push(account.environment);
    }
    expect(withFigures.length).toBeGreaterThanOrEqual(18);
    expect(withFigures).toContain('management');
    expect(withFigures).toContain('staging');
  });

  it('is deterministic, and reservations come and go from one day to the next', async () => {
    const collect = (at: Date, index: number) =>
      collectFromSample(reservationsCollector, {
        simulators,
        window: {
          period: 'DAILY',
          start: new Date(at.getTime() - 86_400_000).toISOString().slice(0, 10),
          end: at.toISOString().slice(0, 10),
        },
        now: at,
        accounts: 20,
        accountIndex: index,
      });
    const a = await collect(now, 6);
    const b = await collect(now, 6);
    expect(a.result.payload).toEqual(b.result.payload);

    let gone = 0;
    let appeared = 0;
    const next = new Date('2026-11-27T06:00:00Z');
    for (let index = 0; index < 20; index++) {
      const ids = async (at: Date) =>
        new Set(
          (await collect(at, index)).result.payload.reservations
            .filter((r) => r.state !== 'retired')
            .map((r) => r.subscription_id),
        );
      const today = await ids(now);
      const tomorrow = await ids(next);
      gone += [...today].filter((id) => !tomorrow.has(id)).length;
      appeared += [...tomorrow].filter((id) => !today.has(id)).length;
    }
    expect(gone).toBeGreaterThan(0);
    expect(appeared).toBeGreaterThan(0);
  });

  it('gives each day of a month its figures', async () => {
    const { result } = await collectFromSample(reservationsCollector, {
      simulators,
      window: { period: 'MONTHLY', start: '2026-10-01', end: '2026-11-01' },
      now,
    });
    expect(result.payload.utilization_days).toHaveLength(31);
    const days = new Set(result.payload.utilization.map((u) => u.date));
    expect(days.size).toBe(31);
    checkFigures(result.payload);
  });

  it('answers the not-enabled, access-denied and malformed faults as AWS does', async () => {
    const skipped = await collectFromSample(reservationsCollector, {
      simulators,
      window,
      now,
      faults: [{ category: 'reservations', kind: 'not-enabled' }],
    });
    expect(skipped.result.skippedReason).toMatch(/OptInRequired/);
    await expect(
      collectFromSample(reservationsCollector, {
        simulators,
        window,
        now,
        faults: [{ category: 'reservations', kind: 'access-denied' }],
      }),
    ).rejects.toBeInstanceOf(SourceAccessError);
    const malformed = await collectFromSample(reservationsCollector, {
      simulators,
      window,
      now,
      faults: [{ category: 'reservations', kind: 'malformed' }],
    });
    const home = malformed.result.regions?.['us-east-1'];
    expect(home?.status).toBe('FAILED');
    expect(home?.error?.name).toBe(DataContractError.name);
    expect(home?.error?.message).toMatch(/ReservedInstancesId|LeaseId/);
  });
});

describe('the sample reservation services validate requests as AWS does', () => {
  const org = new SampleOrganization({
    accounts: 12,
    regions: SAMPLE_REGIONS,
    simulators,
    clock: { now: () => now },
  });
  const account = org.accounts[6];
  if (!account) throw new Error('no sample account');
  const factory = createClientFactory(
    org.clientOptions(),
    { accountId: account.id, category: 'reservations', runId: 'r-direct' },
    { apiCalls: 0, throttled: 0 },
  );
  const ce = factory.client(CostExplorerClient, 'us-east-1');
  const grouped: GetReservationUtilizationCommandInput = {
    TimePeriod: { Start: '2026-11-25', End: '2026-11-26' },
    GroupBy: [{ Type: 'DIMENSION', Key: 'SUBSCRIPTION_ID' }],
  };

  it('refuses a Granularity with a GroupBy, the SUBSCRIPTION_ID filter, and two services', async () => {
    await expect(
      ce.send(new GetReservationUtilizationCommand({ ...grouped, Granularity: 'DAILY' })),
    ).rejects.toMatchObject({
      name: 'ValidationException',
      message: 'Granularity is not supported when specifying groupBy',
    });
    // The seed's request: SUBSCRIPTION_ID is not a filter dimension of this operation.
    await expect(
      ce.send(
        new GetReservationUtilizationCommand({
          TimePeriod: grouped.TimePeriod,
          Granularity: 'DAILY',
          Filter: { Dimensions: { Key: 'SUBSCRIPTION_ID', Values: ['123'] } },
        }),
      ),
    ).rejects.toMatchObject({ name: 'ValidationException' });
    await expect(
      ce.send(
        new GetReservationUtilizationCommand({
          ...grouped,
          Filter: {
            Dimensions: { Key: 'SERVICE', Values: ['Amazon Relational Database Service', 'Amazon Redshift'] },
          },
        }),
      ),
    ).rejects.toMatchObject({ name: 'ValidationException' });
    await expect(
      ce.send(new GetReservationUtilizationCommand({ ...grouped, NextPageToken: 'not-a-token' })),
    ).rejects.toMatchObject({ name: 'InvalidNextTokenException' });
  });

  it('reports EC2 by default, RDS when asked, and a period as a whole when grouped', async () => {
    const ec2 = await ce.send(new GetReservationUtilizationCommand({ ...grouped, MaxResults: 100 }));
    const group = ec2.UtilizationsByTime?.[0]?.Groups?.[0];
    expect(group?.Attributes?.leaseId).toMatch(/^[0-9a-f-]{36}$/);
    expect(Number(group?.Utilization?.PurchasedHours)).toBeGreaterThan(0);
    const rds = await ce.send(
      new GetReservationUtilizationCommand({
        ...grouped,
        Filter: { Dimensions: { Key: 'SERVICE', Values: ['Amazon Relational Database Service'] } },
      }),
    );
    expect(rds.UtilizationsByTime?.[0]?.Groups?.every((g) => g.Attributes?.databaseEngine)).toBe(true);
    const week = await ce.send(
      new GetReservationUtilizationCommand({
        ...grouped,
        TimePeriod: { Start: '2026-11-18', End: '2026-11-25' },
      }),
    );
    expect(week.UtilizationsByTime).toHaveLength(1);
    expect(week.UtilizationsByTime?.[0]?.TimePeriod).toEqual({ Start: '2026-11-18', End: '2026-11-25' });
    const daily = await ce.send(
      new GetReservationUtilizationCommand({
        TimePeriod: { Start: '2026-11-18', End: '2026-11-25' },
        Granularity: 'DAILY',
      }),
    );
    expect(daily.UtilizationsByTime).toHaveLength(7);
  });

  it('checks the other services requests', async () => {
    await expect(
      ce.send(
        new GetSavingsPlansUtilizationDetailsCommand({
          TimePeriod: { Start: '2026-11-25', End: '2026-11-28' },
        }),
      ),
    ).rejects.toMatchObject({ name: 'ValidationException' });
    await expect(
      factory.client(RDSClient, 'us-east-1').send(new DescribeReservedDBInstancesCommand({ MaxRecords: 5 })),
    ).rejects.toMatchObject({ name: 'InvalidParameterValue' });
    await expect(
      factory
        .client(SavingsplansClient, 'us-east-1')
        .send(new DescribeSavingsPlansCommand({ maxResults: 0 })),
    ).rejects.toMatchObject({ name: 'ValidationException' });
    await expect(
      factory
        .client(EC2Client, 'eu-west-1')
        .send(new DescribeReservedInstancesCommand({ Filters: [{ Name: 'colour', Values: ['red'] }] })),
    ).rejects.toMatchObject({ name: 'InvalidParameterValue' });
    const active = await factory
      .client(EC2Client, 'us-east-1')
      .send(new DescribeReservedInstancesCommand({ Filters: [{ Name: 'state', Values: ['active'] }] }));
    expect(active.ReservedInstances?.length).toBeGreaterThan(0);
    expect(active.ReservedInstances?.every((ri) => ri.State === 'active' && ri.Start instanceof Date)).toBe(
      true,
    );
  });
});

describe.each(databaseBackends())('sample reservations in the database on $name', (backend) => {
  const db = useDatabase(backend);

  it('loads 20 accounts on two days: daily rows for at least 18, and reservations that went are removed', async () => {
    const next = new Date('2026-11-27T06:00:00Z');
    for (const [at, day] of [
      [now, window],
      [next, { period: 'DAILY' as const, start: '2026-11-26', end: '2026-11-27' }],
    ] as const) {
      for (let index = 0; index < 20; index++) {
        const { result, account } = await collectFromSample(reservationsCollector, {
          simulators,
          window: day,
          now: at,
          accounts: 20,
          accountIndex: index,
        });
        await db.sql.execute(
          'INSERT INTO accounts (id, account_name) VALUES (:id, :name) ON CONFLICT (id) DO NOTHING',
          { id: account.id, name: account.name },
        );
        await db.sql.transaction((tx) =>
          reservationsLoader.load(tx, result.payload, {
            accountId: account.id,
            window: day,
            runId: 'r-sample',
            seenAt: at,
            completeRegions: 'all',
          }),
        );
      }
    }
    const [counts] = await db.sql.query<{ accounts: number; days: number; removed: number }>(
      `SELECT (SELECT count(DISTINCT account_id) FROM ri_sp_daily_savings WHERE date = '2026-11-25')::int AS accounts,
              (SELECT count(DISTINCT date) FROM ri_sp_daily_savings)::int AS days,
              (SELECT count(*) FROM ri_sp_reservations
                WHERE removed_at IS NOT NULL AND last_seen < CAST('2026-11-27T06:00:00Z' AS timestamptz))::int AS removed`,
    );
    expect(counts?.accounts).toBeGreaterThanOrEqual(18);
    expect(counts?.days).toBe(2);
    expect(counts?.removed).toBeGreaterThan(0);
    const [savings] = await db.sql.query<{ total: string }>(
      `SELECT sum(net_savings)::text AS total FROM ri_sp_daily_savings WHERE date = '2026-11-25'`,
    );
    expect(Number(savings?.total)).toBeGreaterThan(0);
  });
});
