import {
  CostExplorerClient,
  type Expression,
  GetReservationUtilizationCommand,
  type GetReservationUtilizationCommandOutput,
  GetSavingsPlansUtilizationDetailsCommand,
  type GetSavingsPlansUtilizationDetailsCommandOutput,
  type ReservationUtilizationGroup,
  type SavingsPlansUtilizationDetail,
} from '@aws-sdk/client-cost-explorer';
import { DescribeReservedInstancesCommand, EC2Client, type ReservedInstances } from '@aws-sdk/client-ec2';
import {
  DescribeReservedDBInstancesCommand,
  type DescribeReservedDBInstancesCommandOutput,
  RDSClient,
  type ReservedDBInstance,
} from '@aws-sdk/client-rds';
import {
  DescribeSavingsPlansCommand,
  type DescribeSavingsPlansCommandOutput,
  type SavingsPlan,
  type SavingsPlanState,
  SavingsplansClient,
} from '@aws-sdk/client-savingsplans';
import { z } from 'zod';
import { mapLimit } from '../platform/concurrency.ts';
import { DataContractError, describeError, ServiceNotEnabledError } from '../platform/errors.ts';
import { addDays, daysOf, isoDay } from '../platform/period.ts';
import { classifyAwsError, required } from './aws-errors.ts';
import { collectEachRegion } from './regional.ts';
import { type CollectContext, defineCollector, type RegionOutcome } from './types.ts';

export const RESERVATION_TYPES = ['Reserved Instance', 'Savings Plan'] as const;
export const RESERVATION_SERVICES = ['Amazon EC2', 'Amazon RDS', 'AWS Savings Plans'] as const;
/** A reservation in this state no longer applies: the loader marks it removed as of its end. */
export const ENDED_STATE = 'retired';
/** The outcome key of the Savings Plans inventory, collected once per account. */
export const GLOBAL_UNIT = 'global';
/** The outcome key of the utilisation figures from Cost Explorer, collected once per account. */
export const COST_EXPLORER_UNIT = 'cost-explorer';

const money = z.number().finite();
const count = z.number().int().nonnegative();

const reservationSchema = z.object({
  reservation_type: z.enum(RESERVATION_TYPES),
  /**
   * EC2: the ReservedInstancesId; RDS: the LeaseId (Cost Explorer's `leaseId`; the ReservedDBInstanceId is a name
   * that may repeat across Regions); Savings Plans: the savingsPlanId.
   */
  subscription_id: z.string().min(1),
  service: z.enum(RESERVATION_SERVICES),
  /** Where it was collected: the Region of a reserved instance, `global` for a Savings Plan. */
  region: z.string().min(1),
  offering_id: z.string().nullable(),
  savings_plan_arn: z.string().nullable(),
  /** RDS: the ReservedDBInstanceArn; Savings Plans: the savingsPlanArn. EC2 reports none. */
  reservation_arn: z.string().nullable(),
  /** Compute, EC2Instance, SageMaker, Database. */
  savings_plan_type: z.string().nullable(),
  /** The Region an EC2Instance Savings Plan applies to. */
  savings_plan_region: z.string().nullable(),
  instance_type: z.string().nullable(),
  instance_count: count.nullable(),
  instance_family: z.string().nullable(),
  instance_tenancy: z.string().nullable(),
  /** EC2: standard or convertible. */
  offering_class: z.string().nullable(),
  /** The payment option: All Upfront, Partial Upfront, No Upfront (or a legacy utilisation type). */
  offering_type: z.string().nullable(),
  /** EC2 and RDS: the product description; Savings Plans: the product types, comma-separated. */
  product_types: z.string().nullable(),
  /** EC2: Region or Availability Zone. */
  scope: z.string().nullable(),
  availability_zone: z.string().nullable(),
  multi_az: z.boolean().nullable(),
  currency: z.string().min(1),
  /** What the whole reservation costs per hour over its term: upfront spread over the term plus recurring. */
  commitment: money,
  /** Paid upfront for the whole reservation. */
  upfront_cost: money,
  /** Recurring charges per hour for the whole reservation. */
  recurring_cost: money,
  recurring_frequency: z.string().nullable(),
  /** EC2 and RDS: the usage price per hour for the whole reservation. */
  usage_price: money.nullable(),
  start_date: z.iso.datetime(),
  end_date: z.iso.datetime(),
  returnable_until: z.iso.datetime().nullable(),
  duration_seconds: z.number().int().positive(),
  state: z.string().min(1),
  /** EC2: the Name tag; RDS: the ReservedDBInstanceId; Savings Plans: the description. */
  description: z.string().nullable(),
});
export type Reservation = z.infer<typeof reservationSchema>;

const utilizationSchema = z.object({
  /** The UTC day the figures are for. */
  date: z.iso.date(),
  reservation_type: z.enum(RESERVATION_TYPES),
  subscription_id: z.string().min(1),
  service: z.enum(RESERVATION_SERVICES),
  /** The reservation's Region; null for a Savings Plan that applies everywhere. */
  region: z.string().nullable(),
  instance_type: z.string().nullable(),
  instance_count: count.nullable(),
  utilization_percentage: money,
  /** What the usage the reservation covered would have cost On-Demand. */
  on_demand_cost: money,
  /** The reservation's amortised cost for the day (upfront share plus recurring). */
  reservation_cost: money,
  /** on_demand_cost - reservation_cost, as Cost Explorer computes it. */
  net_savings: money,
  /** The part of the reservation's cost that covered nothing. */
  unused_cost: money.nullable(),
  /** Reserved instances only: hours purchased and used. */
  purchased_hours: money.nullable(),
  used_hours: money.nullable(),
});
export type ReservationUtilization = z.infer<typeof utilizationSchema>;

export const reservationsPayloadSchema = z.object({
  /** In-force reservations and Savings Plans, and those that ended during or after the window. */
  reservations: z.array(reservationSchema),
  /** One entry per reservation and day of the window with Cost Explorer figures. */
  utilization: z.array(utilizationSchema),
  /** The days whose utilisation Cost Explorer answered in full: the loader replaces exactly these days. */
  utilization_days: z.array(z.iso.date()),
});
export type ReservationsPayload = z.infer<typeof reservationsPayloadSchema>;

/** States worth listing: in force, about to be, or ended (kept while its end falls in the window). */
const EC2_STATES = ['payment-pending', 'active', 'queued', 'retired'];
const SAVINGS_PLAN_STATES: SavingsPlanState[] = [
  'payment-pending',
  'active',
  'queued',
  'pending-return',
  'retired',
];
/** An RDS reservation whose payment failed never applied; RDS offers no state filter. */
const RDS_NEVER_APPLIED = 'payment-failed';

/** RDS accepts MaxRecords 20-100; Savings Plans maxResults 1-1000. */
const RDS_PAGE_SIZE = 100;
const SAVINGS_PLANS_PAGE_SIZE = 1000;
/** Days queried at once: Cost Explorer's rate limits are low and every request is billed. */
const DAY_CONCURRENCY = 2;

/** Cost Explorer's SERVICE values for reservation utilisation: one per request. */
const COST_EXPLORER_SERVICE = {
  'Amazon EC2': 'Amazon Elastic Compute Cloud - Compute',
  'Amazon RDS': 'Amazon Relational Database Service',
} as const;
type ReservedService = keyof typeof COST_EXPLORER_SERVICE;

const isCostExplorerNotEnabled = ({ name, message }: { name: string; message: string }) =>
  name === 'AccessDeniedException' && /not enabled for cost explorer/i.test(message);

function round(value: number): number {
  return Math.round(value * 1e10) / 1e10;
}

function isoOf(value: Date | string, path: string): string {
  const date = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(date.getTime())) throw new DataContractError(`response ${path} is not a timestamp`);
  return date.toISOString();
}

function amountOf(value: string | number | undefined, path: string): number {
  const amount = Number(required(value, path));
  if (!Number.isFinite(amount)) throw new DataContractError(`response ${path} is not a number`);
  return amount;
}

function optionalAmount(value: string | undefined, path: string): number | null {
  return value === undefined ? null : amountOf(value, path);
}

/** `m6i.large` -> `m6i`, `db.r6g.large` -> `db.r6g`. */
function familyOf(instanceType: string): string {
  return instanceType.slice(0, instanceType.lastIndexOf('.')) || instanceType;
}

/**
 * Prices of a reserved instance for the whole reservation. EC2 and RDS quote FixedPrice, UsagePrice and recurring
 * charges per instance; recurring charges may be an empty list (All Upfront).
 */
function reservedPrices(
  terms: {
    count: number;
    durationSeconds: number;
    fixedPrice: number;
    usagePrice: number;
    charges: ReadonlyArray<{ amount: number; frequency: string | null }>;
  },
  at: string,
) {
  if (terms.durationSeconds <= 0) throw new DataContractError(`response ${at}.Duration is not positive`);
  const hourlyRecurring = terms.charges
    .filter((c) => c.frequency === 'Hourly')
    .reduce((sum, c) => sum + c.amount, 0);
  const hours = terms.durationSeconds / 3600;
  return {
    commitment: round(terms.count * (terms.fixedPrice / hours + terms.usagePrice + hourlyRecurring)),
    upfront_cost: round(terms.count * terms.fixedPrice),
    recurring_cost: round(terms.count * hourlyRecurring),
    recurring_frequency: terms.charges[0]?.frequency ?? null,
    usage_price: round(terms.count * terms.usagePrice),
  };
}

function ec2Reservation(ri: ReservedInstances, region: string, at: string): Reservation {
  const instanceType = required(ri.InstanceType, `${at}.InstanceType`);
  const count = required(ri.InstanceCount, `${at}.InstanceCount`);
  const durationSeconds = required(ri.Duration, `${at}.Duration`);
  return {
    reservation_type: 'Reserved Instance',
    subscription_id: required(ri.ReservedInstancesId, `${at}.ReservedInstancesId`),
    service: 'Amazon EC2',
    region,
    offering_id: null,
    savings_plan_arn: null,
    reservation_arn: null,
    savings_plan_type: null,
    savings_plan_region: null,
    instance_type: instanceType,
    instance_count: count,
    instance_family: familyOf(instanceType),
    instance_tenancy: ri.InstanceTenancy ?? null,
    offering_class: ri.OfferingClass ?? null,
    offering_type: ri.OfferingType ?? null,
    product_types: ri.ProductDescription ?? null,
    scope: ri.Scope ?? null,
    availability_zone: ri.AvailabilityZone ?? null,
    multi_az: null,
    currency: ri.CurrencyCode ?? 'USD',
    ...reservedPrices(
      {
        count,
        durationSeconds,
        fixedPrice: required(ri.FixedPrice, `${at}.FixedPrice`),
        usagePrice: required(ri.UsagePrice, `${at}.UsagePrice`),
        charges: (ri.RecurringCharges ?? []).map((c) => ({
          amount: c.Amount ?? 0,
          frequency: c.Frequency ?? null,
        })),
      },
      at,
    ),
    start_date: isoOf(required(ri.Start, `${at}.Start`), `${at}.Start`),
    end_date: isoOf(required(ri.End, `${at}.End`), `${at}.End`),
    returnable_until: null,
    duration_seconds: durationSeconds,
    state: required(ri.State, `${at}.State`),
    description: ri.Tags?.find((t) => t.Key === 'Name')?.Value ?? null,
  };
}

function rdsReservation(db: ReservedDBInstance, region: string, at: string): Reservation {
  const instanceClass = required(db.DBInstanceClass, `${at}.DBInstanceClass`);
  const count = required(db.DBInstanceCount, `${at}.DBInstanceCount`);
  const durationSeconds = required(db.Duration, `${at}.Duration`);
  const start = required(db.StartTime, `${at}.StartTime`);
  return {
    reservation_type: 'Reserved Instance',
    subscription_id: required(db.LeaseId, `${at}.LeaseId`),
    service: 'Amazon RDS',
    region,
    offering_id: db.ReservedDBInstancesOfferingId ?? null,
    savings_plan_arn: null,
    reservation_arn: db.ReservedDBInstanceArn ?? null,
    savings_plan_type: null,
    savings_plan_region: null,
    instance_type: instanceClass,
    instance_count: count,
    instance_family: familyOf(instanceClass),
    instance_tenancy: null,
    offering_class: null,
    offering_type: db.OfferingType ?? null,
    product_types: db.ProductDescription ?? null,
    scope: null,
    availability_zone: null,
    multi_az: db.MultiAZ ?? null,
    currency: db.CurrencyCode ?? 'USD',
    ...reservedPrices(
      {
        count,
        durationSeconds,
        fixedPrice: required(db.FixedPrice, `${at}.FixedPrice`),
        usagePrice: required(db.UsagePrice, `${at}.UsagePrice`),
        // RDS names these RecurringChargeAmount and RecurringChargeFrequency (EC2: Amount and Frequency).
        charges: (db.RecurringCharges ?? []).map((c) => ({
          amount: c.RecurringChargeAmount ?? 0,
          frequency: c.RecurringChargeFrequency ?? null,
        })),
      },
      at,
    ),
    start_date: isoOf(start, `${at}.StartTime`),
    // RDS reports no end: a reservation ends its term after its start.
    end_date: isoOf(new Date(start.getTime() + durationSeconds * 1000), `${at}.StartTime`),
    returnable_until: null,
    duration_seconds: durationSeconds,
    state: required(db.State, `${at}.State`),
    description: db.ReservedDBInstanceId ?? null,
  };
}

function savingsPlanReservation(plan: SavingsPlan, at: string): Reservation {
  const arn = required(plan.savingsPlanArn, `${at}.savingsPlanArn`);
  const start = isoOf(required(plan.start, `${at}.start`), `${at}.start`);
  const end = isoOf(required(plan.end, `${at}.end`), `${at}.end`);
  const recurring = plan.recurringPaymentAmount
    ? amountOf(plan.recurringPaymentAmount, `${at}.recurring`)
    : 0;
  return {
    reservation_type: 'Savings Plan',
    subscription_id: required(plan.savingsPlanId, `${at}.savingsPlanId`),
    service: 'AWS Savings Plans',
    region: GLOBAL_UNIT,
    offering_id: plan.offeringId ?? null,
    savings_plan_arn: arn,
    reservation_arn: arn,
    savings_plan_type: required(plan.savingsPlanType, `${at}.savingsPlanType`),
    savings_plan_region: plan.region || null,
    instance_type: null,
    instance_count: null,
    instance_family: plan.ec2InstanceFamily || null,
    instance_tenancy: null,
    offering_class: null,
    offering_type: plan.paymentOption ?? null,
    product_types: plan.productTypes?.length ? plan.productTypes.join(',') : null,
    scope: null,
    availability_zone: null,
    multi_az: null,
    currency: plan.currency ?? 'USD',
    commitment: amountOf(plan.commitment, `${at}.commitment`),
    upfront_cost: plan.upfrontPaymentAmount ? amountOf(plan.upfrontPaymentAmount, `${at}.upfront`) : 0,
    recurring_cost: recurring,
    recurring_frequency: recurring > 0 ? 'Hourly' : null,
    usage_price: null,
    start_date: start,
    end_date: end,
    returnable_until: plan.returnableUntil ? isoOf(plan.returnableUntil, `${at}.returnableUntil`) : null,
    duration_seconds: plan.termDurationInSeconds ?? Math.round((Date.parse(end) - Date.parse(start)) / 1000),
    state: required(plan.state, `${at}.state`),
    description: plan.description || null,
  };
}

/** In force or about to be, or ended no earlier than the window's start (it counted in the window). */
function relevantTo(ctx: CollectContext) {
  const windowStart = `${ctx.window.start}T00:00:00.000Z`;
  return (r: Reservation) => r.state !== ENDED_STATE || r.end_date >= windowStart;
}

/** EC2 DescribeReservedInstances is not paginated: one response holds every matching reservation. */
async function ec2Reservations(ctx: CollectContext, region: string): Promise<Reservation[]> {
  const ec2 = ctx.clients.client(EC2Client, region);
  const response = await ec2.send(
    new DescribeReservedInstancesCommand({ Filters: [{ Name: 'state', Values: EC2_STATES }] }),
  );
  return (response.ReservedInstances ?? []).map((ri, i) =>
    ec2Reservation(ri, region, `DescribeReservedInstances (${region}) ReservedInstances[${i}]`),
  );
}

async function rdsReservations(ctx: CollectContext, region: string): Promise<Reservation[]> {
  const rds = ctx.clients.client(RDSClient, region);
  const listed: ReservedDBInstance[] = [];
  let marker: string | undefined;
  do {
    const page: DescribeReservedDBInstancesCommandOutput = await rds.send(
      new DescribeReservedDBInstancesCommand({
        MaxRecords: RDS_PAGE_SIZE,
        ...(marker ? { Marker: marker } : {}),
      }),
    );
    listed.push(...(page.ReservedDBInstances ?? []));
    marker = page.Marker;
  } while (marker);
  return listed.flatMap((db, i) =>
    db.State === RDS_NEVER_APPLIED
      ? []
      : [rdsReservation(db, region, `DescribeReservedDBInstances (${region}) ReservedDBInstances[${i}]`)],
  );
}

async function regionReservations(ctx: CollectContext, region: string): Promise<Reservation[]> {
  const [ec2, rds] = await Promise.all([ec2Reservations(ctx, region), rdsReservations(ctx, region)]);
  return [...ec2, ...rds].filter(relevantTo(ctx));
}

/** Savings Plans are global: listed once per account, from the home region's endpoint. */
async function savingsPlans(ctx: CollectContext): Promise<Reservation[]> {
  const client = ctx.clients.client(SavingsplansClient, ctx.homeRegion);
  const listed: SavingsPlan[] = [];
  let token: string | undefined;
  do {
    const page: DescribeSavingsPlansCommandOutput = await client.send(
      new DescribeSavingsPlansCommand({
        states: SAVINGS_PLAN_STATES,
        maxResults: SAVINGS_PLANS_PAGE_SIZE,
        ...(token ? { nextToken: token } : {}),
      }),
    );
    listed.push(...(page.savingsPlans ?? []));
    token = page.nextToken || undefined;
  } while (token);
  return listed
    .map((plan, i) => savingsPlanReservation(plan, `DescribeSavingsPlans savingsPlans[${i}]`))
    .filter(relevantTo(ctx));
}

const dimension = (key: 'LINKED_ACCOUNT' | 'SERVICE' | 'REGION', values: string[]): Expression => ({
  Dimensions: { Key: key, Values: values },
});

/**
 * One day of one service's reservations, per subscription. Cost Explorer refuses a Granularity together with a
 * GroupBy, so a grouped request covers its TimePeriod as a whole: one request per day gives daily figures.
 * The management account sees its members' reservations too: the filter keeps the account's own, in the
 * configured Regions, as the inventory does.
 */
async function reservationGroupsOfDay(
  ce: CostExplorerClient,
  ctx: CollectContext,
  day: string,
  service: ReservedService,
): Promise<ReservationUtilizationGroup[]> {
  const groups: ReservationUtilizationGroup[] = [];
  let token: string | undefined;
  do {
    const page: GetReservationUtilizationCommandOutput = await ce.send(
      new GetReservationUtilizationCommand({
        TimePeriod: { Start: day, End: addDays(day, 1) },
        GroupBy: [{ Type: 'DIMENSION', Key: 'SUBSCRIPTION_ID' }],
        Filter: {
          And: [
            dimension('LINKED_ACCOUNT', [ctx.accountId]),
            dimension('SERVICE', [COST_EXPLORER_SERVICE[service]]),
            dimension('REGION', [...ctx.regions]),
          ],
        },
        ...(token ? { NextPageToken: token } : {}),
      }),
    );
    for (const period of required(page.UtilizationsByTime, 'GetReservationUtilization UtilizationsByTime')) {
      groups.push(...(period.Groups ?? []));
    }
    token = page.NextPageToken;
  } while (token);
  return groups;
}

/** One day of the account's Savings Plans, per plan (the operation has no granularity: one request per day). */
async function savingsPlanDetailsOfDay(
  ce: CostExplorerClient,
  ctx: CollectContext,
  day: string,
): Promise<SavingsPlansUtilizationDetail[]> {
  const details: SavingsPlansUtilizationDetail[] = [];
  let token: string | undefined;
  do {
    const page: GetSavingsPlansUtilizationDetailsCommandOutput = await ce.send(
      new GetSavingsPlansUtilizationDetailsCommand({
        TimePeriod: { Start: day, End: addDays(day, 1) },
        Filter: dimension('LINKED_ACCOUNT', [ctx.accountId]),
        ...(token ? { NextToken: token } : {}),
      }),
    );
    details.push(
      ...required(
        page.SavingsPlansUtilizationDetails,
        'GetSavingsPlansUtilizationDetails SavingsPlansUtilizationDetails',
      ),
    );
    token = page.NextToken;
  } while (token);
  return details;
}

const keyOf = (type: Reservation['reservation_type'], subscriptionId: string) => `${type}|${subscriptionId}`;

function reservationEntry(
  group: ReservationUtilizationGroup,
  day: string,
  service: ReservedService,
  known: ReadonlyMap<string, Reservation>,
  at: string,
): ReservationUtilization {
  const attributes = group.Attributes ?? {};
  const subscriptionId = required(attributes.leaseId, `${at}.Attributes.leaseId`);
  const utilization = required(group.Utilization, `${at}.Utilization`);
  const reservation = known.get(keyOf('Reserved Instance', subscriptionId));
  const instances = attributes.numberOfInstances === undefined ? null : Number(attributes.numberOfInstances);
  return {
    date: day,
    reservation_type: 'Reserved Instance',
    subscription_id: subscriptionId,
    service,
    region: reservation?.region ?? attributes.region ?? null,
    instance_type: reservation?.instance_type ?? attributes.instanceType ?? null,
    instance_count: reservation?.instance_count ?? (Number.isInteger(instances) ? instances : null),
    utilization_percentage: amountOf(
      utilization.UtilizationPercentage,
      `${at}.Utilization.UtilizationPercentage`,
    ),
    on_demand_cost: amountOf(
      utilization.OnDemandCostOfRIHoursUsed,
      `${at}.Utilization.OnDemandCostOfRIHoursUsed`,
    ),
    reservation_cost: amountOf(utilization.TotalAmortizedFee, `${at}.Utilization.TotalAmortizedFee`),
    net_savings: amountOf(utilization.NetRISavings, `${at}.Utilization.NetRISavings`),
    unused_cost: optionalAmount(utilization.RICostForUnusedHours, `${at}.Utilization.RICostForUnusedHours`),
    purchased_hours: optionalAmount(utilization.PurchasedHours, `${at}.Utilization.PurchasedHours`),
    used_hours: optionalAmount(utilization.TotalActualHours, `${at}.Utilization.TotalActualHours`),
  };
}

function savingsPlanEntry(
  detail: SavingsPlansUtilizationDetail,
  day: string,
  known: ReadonlyMap<string, Reservation>,
  at: string,
): ReservationUtilization {
  const arn = required(detail.SavingsPlanArn, `${at}.SavingsPlanArn`);
  // arn:aws:savingsplans::<account>:savingsplan/<savingsPlanId>
  const subscriptionId = arn.slice(arn.lastIndexOf('/') + 1);
  const utilization = required(detail.Utilization, `${at}.Utilization`);
  const savings = required(detail.Savings, `${at}.Savings`);
  const amortized = required(detail.AmortizedCommitment, `${at}.AmortizedCommitment`);
  const total = amountOf(utilization.TotalCommitment, `${at}.Utilization.TotalCommitment`);
  const used = amountOf(utilization.UsedCommitment, `${at}.Utilization.UsedCommitment`);
  const plan = known.get(keyOf('Savings Plan', subscriptionId));
  return {
    date: day,
    reservation_type: 'Savings Plan',
    subscription_id: subscriptionId,
    service: 'AWS Savings Plans',
    region: plan ? plan.savings_plan_region : null,
    instance_type: null,
    instance_count: null,
    utilization_percentage:
      utilization.UtilizationPercentage === undefined
        ? round(total > 0 ? (used / total) * 100 : 0)
        : amountOf(utilization.UtilizationPercentage, `${at}.Utilization.UtilizationPercentage`),
    on_demand_cost: amountOf(savings.OnDemandCostEquivalent, `${at}.Savings.OnDemandCostEquivalent`),
    reservation_cost: amountOf(
      amortized.TotalAmortizedCommitment,
      `${at}.AmortizedCommitment.TotalAmortizedCommitment`,
    ),
    net_savings: amountOf(savings.NetSavings, `${at}.Savings.NetSavings`),
    unused_cost: optionalAmount(utilization.UnusedCommitment, `${at}.Utilization.UnusedCommitment`),
    purchased_hours: null,
    used_hours: null,
  };
}

/** What the inventory says about a day: which services certainly had nothing to report. */
interface InventoryView {
  readonly reservations: readonly Reservation[];
  /** No Region's reserved instances failed to list. */
  readonly reservedInstancesComplete: boolean;
  /** The Savings Plans were listed. */
  readonly savingsPlansComplete: boolean;
}

function appliesOn(reservation: Reservation, day: string): boolean {
  return (
    reservation.start_date < `${addDays(day, 1)}T00:00:00.000Z` &&
    reservation.end_date > `${day}T00:00:00.000Z`
  );
}

const isDataUnavailable = (error: unknown) =>
  (error as { name?: string } | null)?.name === 'DataUnavailableException';

/**
 * One day's utilisation of every kind of reservation the account had. A kind the complete inventory shows
 * none of that day is not asked for (every Cost Explorer request is billed). A day Cost Explorer has no data
 * for yet is left out of the complete days, so the loader keeps what it has for it.
 */
async function utilizationOfDay(
  ce: CostExplorerClient,
  ctx: CollectContext,
  day: string,
  inventory: InventoryView,
  known: ReadonlyMap<string, Reservation>,
): Promise<{ entries: ReservationUtilization[]; complete: boolean }> {
  const held = (service: Reservation['service']) =>
    inventory.reservations.some((r) => r.service === service && appliesOn(r, day));
  const entries: ReservationUtilization[] = [];
  let complete = true;
  const unlessUnavailable = async (query: () => Promise<void>) => {
    try {
      await query();
    } catch (error) {
      if (!isDataUnavailable(error)) throw error;
      ctx.log.info('no Cost Explorer utilisation data for the day yet', { day });
      complete = false;
    }
  };
  for (const service of Object.keys(COST_EXPLORER_SERVICE) as ReservedService[]) {
    if (inventory.reservedInstancesComplete && !held(service)) continue;
    await unlessUnavailable(async () => {
      const groups = await reservationGroupsOfDay(ce, ctx, day, service);
      groups.forEach((group, i) => {
        const at = `GetReservationUtilization (${service}, ${day}) Groups[${i}]`;
        const owner = group.Attributes?.accountId;
        if (owner === undefined || owner === ctx.accountId) {
          entries.push(reservationEntry(group, day, service, known, at));
        }
      });
    });
  }
  if (!inventory.savingsPlansComplete || held('AWS Savings Plans')) {
    await unlessUnavailable(async () => {
      const details = await savingsPlanDetailsOfDay(ce, ctx, day);
      details.forEach((detail, i) => {
        const at = `GetSavingsPlansUtilizationDetails (${day}) SavingsPlansUtilizationDetails[${i}]`;
        // A plan is reported by the account that owns it (the ARN's account).
        if (required(detail.SavingsPlanArn, `${at}.SavingsPlanArn`).split(':')[4] === ctx.accountId) {
          entries.push(savingsPlanEntry(detail, day, known, at));
        }
      });
    });
  }
  return { entries, complete };
}

/**
 * The window's days before today (Cost Explorer has nothing later), each asked for separately. A failure is
 * recorded under `cost-explorer`: the inventory is kept and the loader keeps the utilisation rows it has.
 */
async function collectUtilization(ctx: CollectContext, inventory: InventoryView) {
  const today = isoDay(ctx.now);
  // Organization mode keeps Cost Explorer requests to the minimum: the DAILY runs ask for each day once, and a
  // MONTHLY run does not ask for every day of the month again (up to 3 requests per day and account).
  const days =
    ctx.costExplorer === 'organization' && ctx.window.period === 'MONTHLY'
      ? []
      : daysOf(ctx.window).filter((day) => day < today);
  const known = new Map(inventory.reservations.map((r) => [keyOf(r.reservation_type, r.subscription_id), r]));
  const ce = ctx.clients.client(CostExplorerClient, ctx.homeRegion);
  try {
    const results = await mapLimit(days, DAY_CONCURRENCY, (day) =>
      utilizationOfDay(ce, ctx, day, inventory, known),
    );
    return {
      entries: results.flatMap((r) => r.entries),
      days: days.filter((_, i) => results[i]?.complete),
      outcome: { status: 'SUCCEEDED' } as RegionOutcome,
    };
  } catch (thrown) {
    const error = classifyAwsError(thrown, isCostExplorerNotEnabled);
    const status = error instanceof ServiceNotEnabledError ? 'SKIPPED' : 'FAILED';
    return { entries: [], days: [], outcome: { status, error: describeError(error) } as RegionOutcome };
  }
}

export const reservationsCollector = defineCollector({
  id: 'reservations',
  title: 'Reservations: reserved instances (EC2, RDS) and Savings Plans, with daily utilisation and savings',
  // Regional so that ctx.regions holds every configured Region: reserved instances are per Region; Savings
  // Plans and Cost Explorer are asked once, in the home region, under their own outcome keys.
  scope: 'regional',
  actions: [
    'ec2:DescribeReservedInstances',
    'rds:DescribeReservedDBInstances',
    'savingsplans:DescribeSavingsPlans',
    'ce:GetReservationUtilization',
    'ce:GetSavingsPlansUtilizationDetails',
  ],
  tables: ['ri_sp_reservations', 'ri_sp_daily_savings'],
  schema: reservationsPayloadSchema,
  history: 'window',
  async collect(ctx) {
    const inventory = await collectEachRegion({ ...ctx, regions: [GLOBAL_UNIT, ...ctx.regions] }, (unit) =>
      unit === GLOBAL_UNIT ? savingsPlans(ctx) : regionReservations(ctx, unit),
    );
    const reservations = inventory.results.flatMap((r) => r.value);
    if (inventory.skippedReason !== undefined) {
      return {
        payload: { reservations, utilization: [], utilization_days: [] },
        rows: 0,
        regions: inventory.regions,
        skippedReason: inventory.skippedReason,
      };
    }
    const usage = await collectUtilization(ctx, {
      reservations,
      reservedInstancesComplete: ctx.regions.every((r) => inventory.regions[r]?.status !== 'FAILED'),
      savingsPlansComplete: inventory.regions[GLOBAL_UNIT]?.status === 'SUCCEEDED',
    });
    return {
      payload: { reservations, utilization: usage.entries, utilization_days: usage.days },
      rows: reservations.length + usage.entries.length,
      regions: { ...inventory.regions, [COST_EXPLORER_UNIT]: usage.outcome },
    };
  },
});
