import type { SampleAccount } from '../accounts.ts';
import { regionInventory } from '../inventory.ts';
import { Random } from '../random.ts';
import { awsError, paginate, type SampleCall } from '../simulator.ts';
import {
  DAY_MS,
  PAYMENT_OPTIONS,
  RETIRED_LISTED_DAYS,
  regionPriceFactor,
  type SampleReservation,
  split,
  type Tenure,
  tenures,
  YEAR_SECONDS,
} from './ec2-reservations.ts';

/**
 * RDS reserved DB instances of the sample organization. The RDS simulator (services/rds.ts) answers
 * DescribeReservedDBInstances with `rdsReservationOperations`.
 */

/** A reserved DB instance in the SDK's DescribeReservedDBInstances shape. */
export interface ReservedDBInstanceOutput {
  ReservedDBInstanceId: string;
  ReservedDBInstancesOfferingId: string;
  DBInstanceClass: string;
  StartTime: Date;
  Duration: number;
  FixedPrice: number;
  UsagePrice: number;
  CurrencyCode: string;
  DBInstanceCount: number;
  ProductDescription: string;
  OfferingType: string;
  MultiAZ: boolean;
  State: string;
  RecurringCharges: Array<{ RecurringChargeAmount: number; RecurringChargeFrequency: 'Hourly' }>;
  ReservedDBInstanceArn: string;
  LeaseId: string;
}

/** Single-AZ PostgreSQL On-Demand prices per hour in us-east-1, and normalised units. */
const RDS_PRICES: Record<string, { hourly: number; units: number }> = {
  'db.t4g.medium': { hourly: 0.065, units: 2 },
  'db.m6g.large': { hourly: 0.152, units: 4 },
  'db.r6g.large': { hourly: 0.225, units: 4 },
  'db.r6g.xlarge': { hourly: 0.45, units: 8 },
};
const ENGINES: Record<string, { description: string; factor: number }> = {
  postgres: { description: 'postgresql', factor: 1 },
  mysql: { description: 'mysql', factor: 0.95 },
  'aurora-postgresql': { description: 'aurora-postgresql', factor: 1.16 },
  'aurora-mysql': { description: 'aurora-mysql', factor: 1.16 },
};

function rdsSlots(account: SampleAccount, region: string, regions: readonly string[]): number {
  const home = region === regions[0];
  const random = new Random(account.id, 'rds-ri-slots', region);
  if (account.environment === 'production') return home ? random.int(2, 3) : random.chance(0.3) ? 1 : 0;
  if (account.environment === 'staging') return home && random.chance(0.5) ? 1 : 0;
  return 0;
}

interface RdsReservation {
  readonly output: ReservedDBInstanceOutput;
  readonly reservation: SampleReservation;
}

function rdsReservation(
  account: SampleAccount,
  region: string,
  regions: readonly string[],
  slot: number,
  tenure: Tenure,
  termSeconds: number,
  now: Date,
): RdsReservation {
  const r = tenure.random;
  const databases = regionInventory(account, region, regions, tenure.start).databases;
  const database = databases.length > 0 ? r.pick(databases) : null;
  const instanceClass =
    database && RDS_PRICES[database.instanceClass] ? database.instanceClass : 'db.r6g.large';
  const engine = ENGINES[database?.engine ?? 'postgres'] as { description: string; factor: number };
  const multiAz = database?.multiAz ?? false;
  const years = termSeconds / YEAR_SECONDS;
  // RDS sells three-year reservations with an upfront payment only.
  const payment =
    years === 3
      ? r.pick(['Partial Upfront', 'All Upfront'] as const)
      : r.weighted(PAYMENT_OPTIONS, [3, 4, 2]);
  const price = RDS_PRICES[instanceClass] as { hourly: number; units: number };
  const onDemandHourly = price.hourly * engine.factor * (multiAz ? 2 : 1) * regionPriceFactor(region);
  const discount = (years === 1 ? 0.31 : 0.56) + PAYMENT_OPTIONS.indexOf(payment) * 0.03;
  const prices = split(onDemandHourly * (1 - discount), payment, termSeconds);
  const count = r.int(1, 2);
  const leaseId = r.uuid();
  const name = `${account.product ?? account.name}-${engine.description}-${tenure.start.toISOString().slice(0, 7)}-${slot + 1}`;
  const retired = tenure.end <= now;
  const output: ReservedDBInstanceOutput = {
    ReservedDBInstanceId: name,
    ReservedDBInstancesOfferingId: r.uuid(),
    DBInstanceClass: instanceClass,
    StartTime: tenure.start,
    Duration: termSeconds,
    FixedPrice: prices.fixedPrice,
    UsagePrice: 0,
    CurrencyCode: 'USD',
    DBInstanceCount: count,
    ProductDescription: engine.description,
    OfferingType: payment,
    MultiAZ: multiAz,
    State: retired
      ? 'retired'
      : now.getTime() - tenure.start.getTime() < 3_600_000
        ? 'payment-pending'
        : 'active',
    RecurringCharges:
      payment === 'All Upfront'
        ? []
        : [{ RecurringChargeAmount: prices.hourly, RecurringChargeFrequency: 'Hourly' }],
    ReservedDBInstanceArn: `arn:aws:rds:${region}:${account.id}:ri:${name}`,
    LeaseId: leaseId,
  };
  const end = new Date(tenure.start.getTime() + termSeconds * 1000);
  return {
    output,
    reservation: {
      service: 'RDS',
      leaseId,
      accountId: account.id,
      region,
      instanceType: instanceClass,
      count,
      start: tenure.start,
      appliesUntil: end,
      termSeconds,
      payment,
      fixedPrice: prices.fixedPrice,
      recurringHourly: prices.hourly,
      usagePrice: 0,
      onDemandHourly,
      units: price.units,
      attributes: {
        accountId: account.id,
        accountName: account.name,
        leaseId,
        subscriptionId: new Random(leaseId, 'subscription').digits(10),
        region,
        instanceType: instanceClass,
        numberOfInstances: String(count),
        databaseEngine: engine.description,
        deploymentOption: multiAz ? 'Multi-AZ' : 'Single-AZ',
        subscriptionType: payment,
        subscriptionStatus: retired ? 'Retired' : 'Active',
        startDateTime: tenure.start.toISOString(),
        endDateTime: end.toISOString(),
      },
    },
  };
}

/** Reserved DB instances cannot be modified or exchanged: each slot renews its reservation when its term ends. */
function rdsReservationsBetween(
  account: SampleAccount,
  region: string,
  regions: readonly string[],
  period: { from: Date; to: Date; now: Date },
): RdsReservation[] {
  const out: RdsReservation[] = [];
  const slots = rdsSlots(account, region, regions);
  for (let slot = 0; slot < slots; slot++) {
    const seed = [account.id, region, 'rds-ri', slot];
    const termSeconds = new Random(...seed, 'term').chance(0.8) ? YEAR_SECONDS : 3 * YEAR_SECONDS;
    const days = termSeconds / 86_400;
    for (const tenure of tenures(seed, [days, days], 0.15, period.from, period.to)) {
      if (!tenure.vacant)
        out.push(rdsReservation(account, region, regions, slot, tenure, termSeconds, period.now));
    }
  }
  return out;
}

/** What DescribeReservedDBInstances lists at `now`: the reservations in force, and those retired lately. */
export function sampleReservedDBInstances(
  account: SampleAccount,
  region: string,
  regions: readonly string[],
  now: Date,
): ReservedDBInstanceOutput[] {
  const from = new Date(now.getTime() - RETIRED_LISTED_DAYS * DAY_MS);
  return rdsReservationsBetween(account, region, regions, { from, to: now, now })
    .filter((r) => r.output.StartTime <= now)
    .map((r) => r.output);
}

/** The account's RDS reservations that applied at some time in [from, to], as Cost Explorer reports them. */
export function rdsReservationsApplying(
  account: SampleAccount,
  region: string,
  regions: readonly string[],
  period: { from: Date; to: Date; now: Date },
): SampleReservation[] {
  return rdsReservationsBetween(account, region, regions, period).map((r) => r.reservation);
}

/** RDS serves at most this many per page, fewer than MaxRecords allows, so paging happens. */
const PAGE_SIZE = 2;

function invalidParameter(message: string): Error {
  return awsError('InvalidParameterValue', message);
}

function describeReservedDBInstances(call: SampleCall): object {
  const { MaxRecords, Marker, Filters, ReservedDBInstanceId, LeaseId, DBInstanceClass, MultiAZ } =
    call.input as {
      MaxRecords?: number;
      Marker?: string;
      Filters?: unknown[];
      ReservedDBInstanceId?: string;
      LeaseId?: string;
      DBInstanceClass?: string;
      MultiAZ?: boolean;
    };
  if (MaxRecords !== undefined && (MaxRecords < 20 || MaxRecords > 100)) {
    throw invalidParameter(`Invalid value ${MaxRecords} for MaxRecords. Must be between 20 and 100`);
  }
  if (Filters?.length) throw invalidParameter('The parameter Filters is not supported.');
  const all = sampleReservedDBInstances(call.account, call.region, call.regions, call.now).filter(
    (db) =>
      (!ReservedDBInstanceId || db.ReservedDBInstanceId === ReservedDBInstanceId) &&
      (!LeaseId || db.LeaseId === LeaseId) &&
      (!DBInstanceClass || db.DBInstanceClass === DBInstanceClass) &&
      (MultiAZ === undefined || db.MultiAZ === MultiAZ),
  );
  if (ReservedDBInstanceId && all.length === 0) {
    throw awsError('ReservedDBInstanceNotFound', `Reserved DB instance ${ReservedDBInstanceId} not found.`, {
      status: 404,
    });
  }
  const { page, nextToken } = paginate(all, {
    token: Marker,
    pageSize: Math.min(PAGE_SIZE, MaxRecords ?? 100),
    request: { ReservedDBInstanceId, LeaseId, DBInstanceClass, MultiAZ },
    invalidToken: () => invalidParameter('The marker is not valid.'),
  });
  return { ReservedDBInstances: page, ...(nextToken ? { Marker: nextToken } : {}) };
}

/** RDS operations of the reservations category, for the RDS simulator to merge into its own. */
export const rdsReservationOperations: Readonly<Record<string, (call: SampleCall) => object>> = {
  DescribeReservedDBInstances: describeReservedDBInstances,
};

/** For the RDS simulator's `malform`: the output without a field the collector reads with `required()`. */
export function malformRdsReservations(operation: string, output: object): object | undefined {
  if (operation !== 'DescribeReservedDBInstances') return undefined;
  const copy = structuredClone(output) as { ReservedDBInstances: Array<Record<string, unknown>> };
  const first = copy.ReservedDBInstances[0];
  if (first) delete first.LeaseId;
  return copy;
}
