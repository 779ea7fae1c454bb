import {
  CostExplorerClient,
  GetReservationUtilizationCommand,
  type GetReservationUtilizationCommandInput,
  GetSavingsPlansUtilizationDetailsCommand,
  type ReservationUtilizationGroup,
  type SavingsPlansUtilizationDetail,
} from '@aws-sdk/client-cost-explorer';
import { DescribeReservedInstancesCommand, EC2Client, type ReservedInstances } from '@aws-sdk/client-ec2';
import { DescribeReservedDBInstancesCommand, RDSClient, type ReservedDBInstance } from '@aws-sdk/client-rds';
import {
  DescribeSavingsPlansCommand,
  type SavingsPlan,
  SavingsplansClient,
} from '@aws-sdk/client-savingsplans';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { iamActionFor } from '../../../functions/collectors/iam.ts';
import { type Reservation, reservationsCollector } from '../../../functions/collectors/reservations.ts';
import {
  DataContractError,
  SourceAccessError,
  SourceRequestError,
  TransientError,
} from '../../../functions/platform/errors.ts';
import type { Window } from '../../../functions/platform/period.ts';
import { collectContext, serviceError } from '../../support/collect-context.ts';

const ec2 = mockClient(EC2Client);
const rds = mockClient(RDSClient);
const sp = mockClient(SavingsplansClient);
const ce = mockClient(CostExplorerClient);
const mocks = [
  { mock: ec2, pkg: '@aws-sdk/client-ec2' },
  { mock: rds, pkg: '@aws-sdk/client-rds' },
  { mock: sp, pkg: '@aws-sdk/client-savingsplans' },
  { mock: ce, pkg: '@aws-sdk/client-cost-explorer' },
];
afterEach(() => {
  for (const { mock } of mocks) mock.reset();
});
afterAll(() => {
  for (const { mock } of mocks) mock.restore();
});

const accountId = '123456789012';
const window: Window = { period: 'DAILY', start: '2026-11-25', end: '2026-11-26' };
const DAY = { Start: '2026-11-25', End: '2026-11-26' };

const riA: ReservedInstances = {
  ReservedInstancesId: 'ri-a',
  InstanceType: 'm6i.large',
  InstanceCount: 2,
  Start: new Date('2026-01-10T08:00:00Z'),
  End: new Date('2027-01-10T08:00:00Z'),
  Duration: 31_536_000,
  FixedPrice: 300,
  UsagePrice: 0,
  RecurringCharges: [{ Amount: 0.034, Frequency: 'Hourly' }],
  OfferingClass: 'standard',
  OfferingType: 'Partial Upfront',
  ProductDescription: 'Linux/UNIX',
  Scope: 'Region',
  InstanceTenancy: 'default',
  CurrencyCode: 'USD',
  State: 'active',
  Tags: [{ Key: 'Name', Value: 'web-tier' }],
};
/** All Upfront: no recurring charge at all (the seed failed every EC2 reservation on this). */
const riB: ReservedInstances = {
  ...riA,
  ReservedInstancesId: 'ri-b',
  InstanceType: 'c6g.xlarge',
  InstanceCount: 1,
  Start: new Date('2025-06-01T00:00:00Z'),
  End: new Date('2028-05-31T00:00:00Z'),
  Duration: 94_608_000,
  FixedPrice: 2000,
  RecurringCharges: [],
  OfferingClass: 'convertible',
  OfferingType: 'All Upfront',
  Scope: 'Availability Zone',
  AvailabilityZone: 'us-east-1a',
  Tags: [],
};
/** Retired during the window: it still counted on the window's day. */
const riEnded: ReservedInstances = {
  ...riA,
  ReservedInstancesId: 'ri-ended',
  InstanceCount: 1,
  Start: new Date('2026-10-01T00:00:00Z'),
  End: new Date('2026-11-25T10:00:00Z'),
  RecurringCharges: undefined,
  FixedPrice: 0,
  State: 'retired',
  Tags: undefined,
};
const riOld: ReservedInstances = {
  ...riEnded,
  ReservedInstancesId: 'ri-old',
  End: new Date('2026-10-01T00:00:00Z'),
};

const dbA: ReservedDBInstance = {
  ReservedDBInstanceId: 'orders-pg',
  ReservedDBInstancesOfferingId: 'offering-db',
  DBInstanceClass: 'db.r6g.large',
  StartTime: new Date('2026-03-01T00:00:00Z'),
  Duration: 31_536_000,
  FixedPrice: 0,
  UsagePrice: 0,
  CurrencyCode: 'USD',
  DBInstanceCount: 2,
  ProductDescription: 'postgresql',
  OfferingType: 'No Upfront',
  MultiAZ: true,
  State: 'active',
  RecurringCharges: [{ RecurringChargeAmount: 0.155, RecurringChargeFrequency: 'Hourly' }],
  ReservedDBInstanceArn: `arn:aws:rds:us-east-1:${accountId}:ri:orders-pg`,
  LeaseId: 'lease-a',
};
const dbFailed: ReservedDBInstance = {
  ...dbA,
  ReservedDBInstanceId: 'failed',
  LeaseId: 'lease-f',
  State: 'payment-failed',
};
const dbOld: ReservedDBInstance = {
  ...dbA,
  ReservedDBInstanceId: 'old',
  LeaseId: 'lease-o',
  StartTime: new Date('2024-01-01T00:00:00Z'),
  State: 'retired',
};

const planArn = (account: string, id: string) => `arn:aws:savingsplans::${account}:savingsplan/${id}`;
const sp1: SavingsPlan = {
  offeringId: 'offering-sp',
  savingsPlanId: 'sp-1',
  savingsPlanArn: planArn(accountId, 'sp-1'),
  description: '1 year No Upfront Compute Savings Plan',
  start: '2026-02-01T00:00:00.000Z',
  end: '2027-02-01T00:00:00.000Z',
  state: 'active',
  savingsPlanType: 'Compute',
  paymentOption: 'No Upfront',
  productTypes: ['EC2', 'Fargate', 'Lambda'],
  currency: 'USD',
  commitment: '2.5',
  upfrontPaymentAmount: '0',
  recurringPaymentAmount: '2.5',
  termDurationInSeconds: 31_536_000,
  returnableUntil: '2026-02-08T00:00:00.000Z',
};
const spRetired: SavingsPlan = {
  ...sp1,
  savingsPlanId: 'sp-old',
  savingsPlanArn: planArn(accountId, 'sp-old'),
  end: '2026-06-01T00:00:00.000Z',
  state: 'retired',
};
const spQueued: SavingsPlan = {
  ...sp1,
  savingsPlanId: 'sp-q',
  savingsPlanArn: planArn(accountId, 'sp-q'),
  start: '2026-12-01T00:00:00.000Z',
  end: '2027-12-01T00:00:00.000Z',
  state: 'queued',
  savingsPlanType: 'EC2Instance',
  region: 'eu-west-1',
  ec2InstanceFamily: 'm6i',
  paymentOption: 'All Upfront',
  productTypes: ['EC2'],
  commitment: '1.2',
  upfrontPaymentAmount: '10512',
  recurringPaymentAmount: '0',
  description: '1 year All Upfront m6i EC2 Instance Savings Plan',
};

const riGroup = (
  leaseId: string,
  utilization: Record<string, string>,
  attributes: Record<string, string> = {},
) =>
  ({
    Key: 'SUBSCRIPTION_ID',
    Value: `sub-${leaseId}`,
    Attributes: { accountId, leaseId, region: 'us-east-1', ...attributes },
    Utilization: utilization,
  }) satisfies ReservationUtilizationGroup;

const EC2_SERVICE = 'Amazon Elastic Compute Cloud - Compute';
const RDS_SERVICE = 'Amazon Relational Database Service';
const serviceOf = (input: GetReservationUtilizationCommandInput) =>
  input.Filter?.And?.find((e) => e.Dimensions?.Key === 'SERVICE')?.Dimensions?.Values?.[0];

interface Serve {
  ec2?: Record<string, ReservedInstances[] | Error>;
  rds?: Record<string, ReservedDBInstance[][] | Error>;
  plans?: SavingsPlan[][] | Error;
  groups?: Record<string, ReservationUtilizationGroup[][]>;
  details?: SavingsPlansUtilizationDetail[][];
  ceError?: Error;
}

/** Serves the scripted inventory per region and Cost Explorer pages per service (tokens `page-N`). */
function serve(script: Serve = {}) {
  const byRegion = async <T>(
    table: Record<string, T> | undefined,
    getClient: () => { config: { region: unknown } },
  ) => {
    const region = await (getClient().config.region as () => Promise<string>)();
    return table?.[region];
  };
  ec2.on(DescribeReservedInstancesCommand).callsFake(async (_input, getClient) => {
    const answer =
      (await byRegion(script.ec2 ?? { 'us-east-1': [riA, riB, riEnded, riOld] }, getClient)) ?? [];
    if (answer instanceof Error) throw answer;
    return { ReservedInstances: answer };
  });
  rds.on(DescribeReservedDBInstancesCommand).callsFake(async (input, getClient) => {
    const pages = (await byRegion(script.rds ?? { 'us-east-1': [[dbA], [dbFailed, dbOld]] }, getClient)) ?? [
      [],
    ];
    if (pages instanceof Error) throw pages;
    const index = input.Marker ? Number(input.Marker.slice(5)) : 0;
    return {
      ReservedDBInstances: pages[index],
      ...(index + 1 < pages.length ? { Marker: `page-${index + 1}` } : {}),
    };
  });
  sp.on(DescribeSavingsPlansCommand).callsFake(async (input) => {
    const pages = script.plans ?? [[sp1], [spRetired, spQueued]];
    if (pages instanceof Error) throw pages;
    const index = input.nextToken ? Number(input.nextToken.slice(5)) : 0;
    return {
      savingsPlans: pages[index],
      ...(index + 1 < pages.length ? { nextToken: `page-${index + 1}` } : {}),
    };
  });
  ce.on(GetReservationUtilizationCommand).callsFake(async (input: GetReservationUtilizationCommandInput) => {
    if (script.ceError) throw script.ceError;
    const pages = (script.groups ?? defaultGroups())[serviceOf(input) as string] ?? [[]];
    const index = input.NextPageToken ? Number(input.NextPageToken.slice(5)) : 0;
    return {
      UtilizationsByTime: [{ TimePeriod: input.TimePeriod, Groups: pages[index], Total: {} }],
      ...(index + 1 < pages.length ? { NextPageToken: `page-${index + 1}` } : {}),
    };
  });
  ce.on(GetSavingsPlansUtilizationDetailsCommand).callsFake(async (input) => {
    if (script.ceError) throw script.ceError;
    const pages = script.details ?? defaultDetails();
    const index = input.NextToken ? Number(input.NextToken.slice(5)) : 0;
    return {
      SavingsPlansUtilizationDetails: pages[index],
      TimePeriod: input.TimePeriod,
      ...(index + 1 < pages.length ? { NextToken: `page-${index + 1}` } : {}),
    };
  });
}

const riAUse = {
  UtilizationPercentage: '87.5',
  PurchasedHours: '48',
  TotalActualHours: '42',
  OnDemandCostOfRIHoursUsed: '4.032',
  TotalAmortizedFee: '3.2758',
  NetRISavings: '0.7562',
  RICostForUnusedHours: '0.4095',
};

function defaultGroups(): Record<string, ReservationUtilizationGroup[][]> {
  return {
    [EC2_SERVICE]: [
      [
        riGroup('ri-a', riAUse, { instanceType: 'm6i.large', numberOfInstances: '2' }),
        // The management account sees its members' reservations: not this account's.
        riGroup('ri-member', riAUse, { accountId: '999999999999' }),
      ],
      [
        riGroup('ri-ended', {
          UtilizationPercentage: '100',
          PurchasedHours: '10',
          TotalActualHours: '10',
          OnDemandCostOfRIHoursUsed: '0.96',
          TotalAmortizedFee: '0.34',
          NetRISavings: '0.62',
        }),
        // Cost Explorer knows a reservation the inventory did not list: kept with Cost Explorer's attributes.
        riGroup(
          'ri-unlisted',
          {
            UtilizationPercentage: '60',
            OnDemandCostOfRIHoursUsed: '1.2',
            TotalAmortizedFee: '1.5',
            NetRISavings: '-0.3',
          },
          { region: 'eu-west-1', instanceType: 't3.large', numberOfInstances: '1' },
        ),
      ],
    ],
    [RDS_SERVICE]: [
      [
        riGroup('lease-a', {
          UtilizationPercentage: '95',
          PurchasedHours: '48',
          TotalActualHours: '45.6',
          OnDemandCostOfRIHoursUsed: '20.52',
          TotalAmortizedFee: '7.44',
          NetRISavings: '13.08',
          RICostForUnusedHours: '0.372',
        }),
      ],
    ],
  };
}

function defaultDetails(): SavingsPlansUtilizationDetail[][] {
  const detail = (arn: string): SavingsPlansUtilizationDetail => ({
    SavingsPlanArn: arn,
    Attributes: {},
    Utilization: {
      TotalCommitment: '60',
      UsedCommitment: '54',
      UnusedCommitment: '6',
      UtilizationPercentage: '90',
    },
    Savings: { NetSavings: '17.142857', OnDemandCostEquivalent: '77.142857' },
    AmortizedCommitment: {
      AmortizedRecurringCommitment: '60',
      AmortizedUpfrontCommitment: '0',
      TotalAmortizedCommitment: '60',
    },
  });
  return [[detail(planArn(accountId, 'sp-1'))], [detail(planArn('999999999999', 'sp-member'))]];
}

const ctx = (overrides: Partial<Parameters<typeof collectContext>[0]> = {}) =>
  collectContext({ window, ...overrides });

const byId = (reservations: readonly Reservation[], id: string) =>
  reservations.find((r) => r.subscription_id === id);

describe('reservations collector', () => {
  it('lists the reservations of every region and the Savings Plans, paging to the end', async () => {
    serve();
    const result = await reservationsCollector.collect(ctx());

    expect(ec2.commandCalls(DescribeReservedInstancesCommand).map((c) => c.args[0].input)).toEqual([
      { Filters: [{ Name: 'state', Values: ['payment-pending', 'active', 'queued', 'retired'] }] },
      { Filters: [{ Name: 'state', Values: ['payment-pending', 'active', 'queued', 'retired'] }] },
    ]);
    const rdsInputs = rds.commandCalls(DescribeReservedDBInstancesCommand).map((c) => c.args[0].input);
    expect(rdsInputs).toHaveLength(3);
    expect(rdsInputs).toContainEqual({ MaxRecords: 100 });
    expect(rdsInputs).toContainEqual({ MaxRecords: 100, Marker: 'page-1' });
    expect(sp.commandCalls(DescribeSavingsPlansCommand).map((c) => c.args[0].input)).toEqual([
      { states: ['payment-pending', 'active', 'queued', 'pending-return', 'retired'], maxResults: 1000 },
      {
        states: ['payment-pending', 'active', 'queued', 'pending-return', 'retired'],
        maxResults: 1000,
        nextToken: 'page-1',
      },
    ]);

    const reservations = result.payload.reservations;
    // Retired before the window, never applied (payment failed), or long retired: left out.
    expect(reservations.map((r) => r.subscription_id).sort()).toEqual(
      ['lease-a', 'ri-a', 'ri-b', 'ri-ended', 'sp-1', 'sp-q'].sort(),
    );
    expect(byId(reservations, 'ri-a')).toEqual({
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
      // 2 x (300 / 8760 h + 0.034 / h)
      commitment: 0.1364931507,
      upfront_cost: 600,
      recurring_cost: 0.068,
      recurring_frequency: 'Hourly',
      usage_price: 0,
      start_date: '2026-01-10T08:00:00.000Z',
      end_date: '2027-01-10T08:00:00.000Z',
      returnable_until: null,
      duration_seconds: 31_536_000,
      state: 'active',
      description: 'web-tier',
    });
    expect(byId(reservations, 'ri-b')).toMatchObject({
      commitment: 0.0761035008,
      upfront_cost: 2000,
      recurring_cost: 0,
      recurring_frequency: null,
      scope: 'Availability Zone',
      availability_zone: 'us-east-1a',
      instance_family: 'c6g',
      description: null,
    });
    expect(byId(reservations, 'ri-ended')).toMatchObject({
      state: 'retired',
      end_date: '2026-11-25T10:00:00.000Z',
      recurring_cost: 0,
      recurring_frequency: null,
      commitment: 0,
    });
    expect(byId(reservations, 'lease-a')).toEqual({
      reservation_type: 'Reserved Instance',
      subscription_id: 'lease-a',
      service: 'Amazon RDS',
      region: 'us-east-1',
      offering_id: 'offering-db',
      savings_plan_arn: null,
      reservation_arn: `arn:aws:rds:us-east-1:${accountId}:ri:orders-pg`,
      savings_plan_type: null,
      savings_plan_region: null,
      instance_type: 'db.r6g.large',
      instance_count: 2,
      instance_family: 'db.r6g',
      instance_tenancy: null,
      offering_class: null,
      offering_type: 'No Upfront',
      product_types: 'postgresql',
      scope: null,
      availability_zone: null,
      multi_az: true,
      currency: 'USD',
      // RDS's recurring charges are RecurringChargeAmount: 2 x 0.155 per hour.
      commitment: 0.31,
      upfront_cost: 0,
      recurring_cost: 0.31,
      recurring_frequency: 'Hourly',
      usage_price: 0,
      start_date: '2026-03-01T00:00:00.000Z',
      end_date: '2027-03-01T00:00:00.000Z',
      returnable_until: null,
      duration_seconds: 31_536_000,
      state: 'active',
      description: 'orders-pg',
    });
    expect(byId(reservations, 'sp-1')).toEqual({
      reservation_type: 'Savings Plan',
      subscription_id: 'sp-1',
      service: 'AWS Savings Plans',
      region: 'global',
      offering_id: 'offering-sp',
      savings_plan_arn: planArn(accountId, 'sp-1'),
      reservation_arn: planArn(accountId, 'sp-1'),
      savings_plan_type: 'Compute',
      savings_plan_region: null,
      instance_type: null,
      instance_count: null,
      instance_family: null,
      instance_tenancy: null,
      offering_class: null,
      offering_type: 'No Upfront',
      product_types: 'EC2,Fargate,Lambda',
      scope: null,
      availability_zone: null,
      multi_az: null,
      currency: 'USD',
      commitment: 2.5,
      upfront_cost: 0,
      recurring_cost: 2.5,
      recurring_frequency: 'Hourly',
      usage_price: null,
      start_date: '2026-02-01T00:00:00.000Z',
      end_date: '2027-02-01T00:00:00.000Z',
      returnable_until: '2026-02-08T00:00:00.000Z',
      duration_seconds: 31_536_000,
      state: 'active',
      description: '1 year No Upfront Compute Savings Plan',
    });
    expect(byId(reservations, 'sp-q')).toMatchObject({
      state: 'queued',
      savings_plan_type: 'EC2Instance',
      savings_plan_region: 'eu-west-1',
      instance_family: 'm6i',
      upfront_cost: 10512,
      recurring_cost: 0,
      recurring_frequency: null,
    });
    expect(result.regions).toEqual({
      global: { status: 'SUCCEEDED' },
      'us-east-1': { status: 'SUCCEEDED' },
      'eu-west-1': { status: 'SUCCEEDED' },
      'cost-explorer': { status: 'SUCCEEDED' },
    });
    expect(reservationsCollector.schema.safeParse(result.payload).success).toBe(true);
  });

  it('asks Cost Explorer one day at a time, per subscription, paging, and keeps only the account own', async () => {
    serve();
    const result = await reservationsCollector.collect(ctx());

    const riCalls = ce.commandCalls(GetReservationUtilizationCommand).map((c) => c.args[0].input);
    const filterOf = (service: string) => ({
      And: [
        { Dimensions: { Key: 'LINKED_ACCOUNT', Values: [accountId] } },
        { Dimensions: { Key: 'SERVICE', Values: [service] } },
        { Dimensions: { Key: 'REGION', Values: ['us-east-1', 'eu-west-1'] } },
      ],
    });
    const grouped = { TimePeriod: DAY, GroupBy: [{ Type: 'DIMENSION', Key: 'SUBSCRIPTION_ID' }] };
    // No Granularity: Cost Explorer refuses it together with a GroupBy.
    expect(riCalls).toEqual([
      { ...grouped, Filter: filterOf(EC2_SERVICE) },
      { ...grouped, Filter: filterOf(EC2_SERVICE), NextPageToken: 'page-1' },
      { ...grouped, Filter: filterOf(RDS_SERVICE) },
    ]);
    expect(ce.commandCalls(GetSavingsPlansUtilizationDetailsCommand).map((c) => c.args[0].input)).toEqual([
      { TimePeriod: DAY, Filter: { Dimensions: { Key: 'LINKED_ACCOUNT', Values: [accountId] } } },
      {
        TimePeriod: DAY,
        Filter: { Dimensions: { Key: 'LINKED_ACCOUNT', Values: [accountId] } },
        NextToken: 'page-1',
      },
    ]);

    expect(result.payload.utilization).toEqual([
      {
        date: '2026-11-25',
        reservation_type: 'Reserved Instance',
        subscription_id: 'ri-a',
        service: 'Amazon EC2',
        region: 'us-east-1',
        instance_type: 'm6i.large',
        instance_count: 2,
        utilization_percentage: 87.5,
        on_demand_cost: 4.032,
        reservation_cost: 3.2758,
        net_savings: 0.7562,
        unused_cost: 0.4095,
        purchased_hours: 48,
        used_hours: 42,
      },
      {
        date: '2026-11-25',
        reservation_type: 'Reserved Instance',
        subscription_id: 'ri-ended',
        service: 'Amazon EC2',
        region: 'us-east-1',
        instance_type: 'm6i.large',
        instance_count: 1,
        utilization_percentage: 100,
        on_demand_cost: 0.96,
        reservation_cost: 0.34,
        net_savings: 0.62,
        unused_cost: null,
        purchased_hours: 10,
        used_hours: 10,
      },
      {
        date: '2026-11-25',
        reservation_type: 'Reserved Instance',
        subscription_id: 'ri-unlisted',
        service: 'Amazon EC2',
        region: 'eu-west-1',
        instance_type: 't3.large',
        instance_count: 1,
        utilization_percentage: 60,
        on_demand_cost: 1.2,
        reservation_cost: 1.5,
        net_savings: -0.3,
        unused_cost: null,
        purchased_hours: null,
        used_hours: null,
      },
      {
        date: '2026-11-25',
        reservation_type: 'Reserved Instance',
        subscription_id: 'lease-a',
        service: 'Amazon RDS',
        region: 'us-east-1',
        instance_type: 'db.r6g.large',
        instance_count: 2,
        utilization_percentage: 95,
        on_demand_cost: 20.52,
        reservation_cost: 7.44,
        net_savings: 13.08,
        unused_cost: 0.372,
        purchased_hours: 48,
        used_hours: 45.6,
      },
      {
        date: '2026-11-25',
        reservation_type: 'Savings Plan',
        subscription_id: 'sp-1',
        service: 'AWS Savings Plans',
        region: null,
        instance_type: null,
        instance_count: null,
        utilization_percentage: 90,
        on_demand_cost: 77.142857,
        reservation_cost: 60,
        net_savings: 17.142857,
        unused_cost: 6,
        purchased_hours: null,
        used_hours: null,
      },
    ]);
    expect(result.payload.utilization_days).toEqual(['2026-11-25']);
    expect(result.rows).toBe(6 + 5);
  });

  it('does not ask Cost Explorer about a kind of reservation the complete inventory shows none of', async () => {
    serve({ rds: {}, plans: [[]] });
    await reservationsCollector.collect(ctx());
    expect(ce.commandCalls(GetReservationUtilizationCommand).map((c) => serviceOf(c.args[0].input))).toEqual([
      EC2_SERVICE,
      EC2_SERVICE,
    ]);
    expect(ce.commandCalls(GetSavingsPlansUtilizationDetailsCommand)).toHaveLength(0);
  });

  it('asks about every kind when a region could not be listed, and records that region as failed', async () => {
    serve({
      ec2: {
        'us-east-1': [riA],
        'eu-west-1': serviceError('RequestLimitExceeded', 'Request limit exceeded.'),
      },
      rds: {},
      plans: [[]],
    });
    const result = await reservationsCollector.collect(ctx());
    expect(result.regions?.['eu-west-1']).toEqual({
      status: 'FAILED',
      error: { name: 'TransientError', message: 'RequestLimitExceeded: Request limit exceeded.' },
    });
    expect(result.payload.reservations.map((r) => r.subscription_id)).toEqual(['ri-a']);
    // The RDS reservations of eu-west-1 are unknown, so Cost Explorer is asked; the Savings Plans are known.
    expect(
      new Set(ce.commandCalls(GetReservationUtilizationCommand).map((c) => serviceOf(c.args[0].input))),
    ).toEqual(new Set([EC2_SERVICE, RDS_SERVICE]));
    expect(ce.commandCalls(GetSavingsPlansUtilizationDetailsCommand)).toHaveLength(0);
  });

  it('covers every day of a monthly window before today, and only the days a reservation applied', async () => {
    const october = { ...riA, Start: new Date('2026-10-15T12:00:00Z') };
    serve({ ec2: { 'us-east-1': [october] }, rds: {}, plans: [[]], groups: {} });
    const result = await reservationsCollector.collect(
      ctx({ window: { period: 'MONTHLY', start: '2026-10-01', end: '2026-11-01' } }),
    );
    const periods = ce.commandCalls(GetReservationUtilizationCommand).map((c) => c.args[0].input.TimePeriod);
    expect(periods).toHaveLength(17);
    expect(periods).toContainEqual({ Start: '2026-10-15', End: '2026-10-16' });
    expect(periods).toContainEqual({ Start: '2026-10-31', End: '2026-11-01' });
    expect(periods).not.toContainEqual({ Start: '2026-10-14', End: '2026-10-15' });
    expect(result.payload.utilization_days).toHaveLength(31);

    ce.resetHistory();
    const current = await reservationsCollector.collect(
      ctx({ window: { period: 'MONTHLY', start: '2026-11-01', end: '2026-12-01' } }),
    );
    expect(ce.commandCalls(GetReservationUtilizationCommand)).toHaveLength(25);
    expect(current.payload.utilization_days.at(-1)).toBe('2026-11-25');
  });

  it('leaves a day Cost Explorer has no data for out of the complete days, keeping the others', async () => {
    serve({ ec2: { 'us-east-1': [riA] }, rds: {}, plans: [[]] });
    ce.on(GetReservationUtilizationCommand, {
      TimePeriod: { Start: '2026-11-24', End: '2026-11-25' },
    }).rejects(serviceError('DataUnavailableException', 'Data is not available yet'));
    const result = await reservationsCollector.collect(
      ctx({ window: { period: 'DAILY', start: '2026-11-24', end: '2026-11-26' } }),
    );
    expect(result.payload.utilization_days).toEqual(['2026-11-25']);
    expect(result.payload.utilization.map((u) => [u.date, u.subscription_id])).toEqual([
      ['2026-11-25', 'ri-a'],
      ['2026-11-25', 'ri-ended'],
      ['2026-11-25', 'ri-unlisted'],
    ]);
    expect(result.regions?.['cost-explorer']).toEqual({ status: 'SUCCEEDED' });
  });

  it('keeps the inventory and records Cost Explorer as skipped when it is not enabled', async () => {
    serve({ ceError: serviceError('AccessDeniedException', 'User not enabled for cost explorer access') });
    const result = await reservationsCollector.collect(ctx());
    expect(result.skippedReason).toBeUndefined();
    expect(result.regions?.['cost-explorer']).toEqual({
      status: 'SKIPPED',
      error: {
        name: 'ServiceNotEnabledError',
        message: 'AccessDeniedException: User not enabled for cost explorer access',
      },
    });
    expect(result.payload.reservations).toHaveLength(6);
    expect(result.payload.utilization).toEqual([]);
    expect(result.payload.utilization_days).toEqual([]);
  });

  it.each([
    [
      'AccessDeniedException',
      'not authorized to perform: ce:GetReservationUtilization',
      403,
      'SourceAccessError',
    ],
    ['ThrottlingException', 'Rate exceeded', 400, 'TransientError'],
    ['InvalidNextTokenException', 'The pagination token is invalid.', 400, 'SourceRequestError'],
  ])('records Cost Explorer as failed on %s, keeping the inventory', async (name, message, status, type) => {
    serve({ ceError: serviceError(name, message, status) });
    const result = await reservationsCollector.collect(ctx());
    expect(result.regions?.['cost-explorer']).toEqual({
      status: 'FAILED',
      error: { name: type, message: `${name}: ${message}` },
    });
    expect(result.payload.reservations).toHaveLength(6);
    expect(result.payload.utilization_days).toEqual([]);
  });

  it.each([
    ['UnauthorizedOperation', 'You are not authorized to perform this operation.', 403, SourceAccessError],
    ['RequestLimitExceeded', 'Request limit exceeded.', 400, TransientError],
    ['InternalError', 'An internal error has occurred', 500, TransientError],
    ['InvalidParameterValue', 'The filter is invalid', 400, SourceRequestError],
  ])('fails with the classified error when every unit fails on %s', async (name, message, status, type) => {
    const error = serviceError(name, message, status);
    serve({ ec2: { 'us-east-1': error, 'eu-west-1': error }, plans: error });
    await expect(reservationsCollector.collect(ctx())).rejects.toBeInstanceOf(type);
    expect(ce.commandCalls(GetReservationUtilizationCommand)).toHaveLength(0);
  });

  it('is skipped when the account is subscribed to none of the services', async () => {
    const optIn = serviceError(
      'OptInRequired',
      'The AWS Access Key Id needs a subscription for the service',
      403,
    );
    serve({ ec2: { 'us-east-1': optIn, 'eu-west-1': optIn }, plans: optIn });
    const result = await reservationsCollector.collect(ctx());
    expect(result.skippedReason).toMatch(/OptInRequired/);
    expect(result.payload).toEqual({ reservations: [], utilization: [], utilization_days: [] });
    expect(ce.calls()).toHaveLength(0);
  });

  it('names the missing field of a malformed response and keeps the other units', async () => {
    serve({ ec2: { 'us-east-1': [{ ...riA, ReservedInstancesId: undefined }] } });
    ce.on(GetSavingsPlansUtilizationDetailsCommand).resolves({ TimePeriod: DAY } as never);
    const result = await reservationsCollector.collect(ctx());
    expect(result.regions?.['us-east-1']?.status).toBe('FAILED');
    expect(result.regions?.['us-east-1']?.error?.name).toBe(DataContractError.name);
    expect(result.regions?.['us-east-1']?.error?.message).toContain(
      'ReservedInstances[0].ReservedInstancesId',
    );
    expect(result.regions?.['cost-explorer']?.error?.message).toContain(
      'GetSavingsPlansUtilizationDetails SavingsPlansUtilizationDetails',
    );
    expect(result.payload.reservations.map((r) => r.subscription_id).sort()).toEqual(['sp-1', 'sp-q']);
  });

  it('declares exactly the IAM actions of the commands it sent', async () => {
    serve();
    await reservationsCollector.collect(ctx());
    const sent = new Set(
      mocks.flatMap(({ mock, pkg }) =>
        mock
          .calls()
          .map((call) =>
            iamActionFor(pkg, (call.args[0] as object).constructor.name.replace(/Command$/, '')),
          ),
      ),
    );
    expect([...reservationsCollector.actions].sort()).toEqual([...sent].sort());
    expect(reservationsCollector.scope).toBe('regional');
    expect(reservationsCollector.tables).toEqual(['ri_sp_reservations', 'ri_sp_daily_savings']);
  });
});
