import type { SampleAccount } from '../accounts.ts';
import { regionInventory } from '../inventory.ts';
import { Random } from '../random.ts';
import { awsError, type SampleCall } from '../simulator.ts';

/**
 * EC2 reserved instances of the sample organization, and what every reservation simulator shares: slots whose
 * reservations follow one another, prices, and the daily utilisation Cost Explorer reports for them.
 *
 * The EC2 simulator (services/ec2.ts) answers DescribeReservedInstances with `ec2ReservationOperations`.
 */

export const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
export const YEAR_SECONDS = 31_536_000;

/** One holder of a slot: reservations in a slot follow one another without a gap, each for its own tenure. */
export interface Tenure {
  readonly generation: number;
  readonly start: Date;
  readonly end: Date;
  /** Seeds the holder's attributes. */
  readonly random: Random;
  /** The slot is empty for this tenure (a reservation not renewed, sold, or never bought). */
  readonly vacant: boolean;
}

/**
 * The tenures of a slot that overlap [from, to]. A slot has its own period (drawn from `periodDays`), phase and
 * time of day, so the reservations of an account change on different days.
 */
export function tenures(
  seed: readonly (string | number)[],
  periodDays: readonly [number, number],
  vacantShare: number,
  from: Date,
  to: Date,
): Tenure[] {
  const shape = new Random(...seed, 'slot');
  const period = shape.int(periodDays[0], periodDays[1]);
  const phase = shape.int(0, period - 1);
  const offset = shape.int(0, 86_399) * 1000;
  const generationAt = (t: number) => Math.floor(((t - offset) / DAY_MS + phase) / period);
  const startOf = (generation: number) => new Date((generation * period - phase) * DAY_MS + offset);
  const out: Tenure[] = [];
  for (
    let generation = generationAt(from.getTime());
    generation <= generationAt(to.getTime());
    generation++
  ) {
    const random = new Random(...seed, generation);
    out.push({
      generation,
      start: startOf(generation),
      end: startOf(generation + 1),
      random,
      vacant: random.chance(vacantShare),
    });
  }
  return out;
}

/** Hours of `day` (YYYY-MM-DD, UTC) within [start, end). */
export function hoursOn(day: string, start: Date, end: Date): number {
  const dayStart = Date.parse(`${day}T00:00:00Z`);
  const overlap = Math.min(end.getTime(), dayStart + DAY_MS) - Math.max(start.getTime(), dayStart);
  return Math.max(0, overlap) / HOUR_MS;
}

/** The share of a reservation used on a day: steady per reservation, with a little daily noise (60-100%). */
export function usedShare(account: SampleAccount, subscriptionId: string, day: string): number {
  const base = new Random(subscriptionId, 'utilisation');
  const level =
    account.environment === 'production' || account.environment === 'management'
      ? base.float(0.82, 0.98)
      : account.environment === 'security'
        ? base.float(0.85, 0.97)
        : base.float(0.65, 0.9);
  const noise = new Random(account.id, subscriptionId, day).float(-0.05, 0.05);
  return Math.min(1, Math.max(0.6, level + noise));
}

export const PAYMENT_OPTIONS = ['No Upfront', 'Partial Upfront', 'All Upfront'] as const;
export type PaymentOption = (typeof PAYMENT_OPTIONS)[number];

/** Upfront (for the whole term) and hourly recurring parts of an effective hourly price. */
export function split(effectiveHourly: number, payment: PaymentOption, termSeconds: number) {
  const termHours = termSeconds / 3600;
  const upfrontShare = payment === 'All Upfront' ? 1 : payment === 'Partial Upfront' ? 0.5 : 0;
  return {
    fixedPrice: Math.round(effectiveHourly * upfrontShare * termHours * 100) / 100,
    hourly: Math.round(effectiveHourly * (1 - upfrontShare) * 10_000) / 10_000,
  };
}

/** Regional price level against us-east-1. */
export function regionPriceFactor(region: string): number {
  const factors: Record<string, number> = {
    'us-east-1': 1,
    'us-east-2': 1,
    'us-west-2': 1,
    'eu-west-1': 1.07,
    'eu-central-1': 1.15,
    'ap-southeast-1': 1.2,
    'ap-southeast-2': 1.2,
    'ap-northeast-1': 1.25,
  };
  return factors[region] ?? 1.1;
}

/** Linux On-Demand prices per hour in us-east-1, and vCPUs (Windows adds its licence per vCPU-hour). */
const EC2_PRICES: Record<string, { hourly: number; vcpus: number; units: number }> = {
  't3.medium': { hourly: 0.0416, vcpus: 2, units: 2 },
  't3.large': { hourly: 0.0832, vcpus: 2, units: 4 },
  'm6i.large': { hourly: 0.096, vcpus: 2, units: 4 },
  'm6i.xlarge': { hourly: 0.192, vcpus: 4, units: 8 },
  'c6g.xlarge': { hourly: 0.136, vcpus: 4, units: 8 },
  'r6g.large': { hourly: 0.1008, vcpus: 2, units: 4 },
  'm7g.large': { hourly: 0.0816, vcpus: 2, units: 4 },
};
const WINDOWS_PER_VCPU_HOUR = 0.046;

/** The discount of an EC2 reserved instance against On-Demand. */
function ec2Discount(
  offeringClass: 'standard' | 'convertible',
  years: number,
  payment: PaymentOption,
): number {
  const base = offeringClass === 'standard' ? (years === 1 ? 0.36 : 0.57) : years === 1 ? 0.25 : 0.48;
  return base + PAYMENT_OPTIONS.indexOf(payment) * 0.03;
}

/** A reserved instance (EC2 or RDS) as Cost Explorer sees it, with what it needs to compute a day. */
export interface SampleReservation {
  readonly service: 'EC2' | 'RDS';
  /** Cost Explorer's `leaseId`: the ReservedInstancesId (EC2) or the LeaseId (RDS). */
  readonly leaseId: string;
  readonly accountId: string;
  readonly region: string;
  readonly instanceType: string;
  readonly count: number;
  readonly start: Date;
  /** When it stops applying: its term's end, or its retirement by a modification or an exchange. */
  readonly appliesUntil: Date;
  readonly termSeconds: number;
  readonly payment: PaymentOption;
  /** Per instance: the upfront price, and the hourly recurring and usage prices. */
  readonly fixedPrice: number;
  readonly recurringHourly: number;
  readonly usagePrice: number;
  /** Per instance: the On-Demand price per hour of what it covers. */
  readonly onDemandHourly: number;
  /** Normalised units per instance-hour. */
  readonly units: number;
  readonly attributes: Readonly<Record<string, string>>;
}

/** An EC2 reserved instance in the SDK's DescribeReservedInstances shape. */
export interface ReservedInstanceOutput {
  ReservedInstancesId: string;
  InstanceType: string;
  AvailabilityZone?: string;
  Start: Date;
  End: Date;
  Duration: number;
  UsagePrice: number;
  FixedPrice: number;
  InstanceCount: number;
  ProductDescription: string;
  State: string;
  Tags: Array<{ Key: string; Value: string }>;
  InstanceTenancy: string;
  CurrencyCode: string;
  OfferingType: PaymentOption;
  RecurringCharges: Array<{ Amount: number; Frequency: 'Hourly' }>;
  OfferingClass: 'standard' | 'convertible';
  Scope: 'Region' | 'Availability Zone';
}

/** How many EC2 reserved-instance slots an account has in a Region (the management account has Savings Plans). */
function ec2Slots(account: SampleAccount, region: string, regions: readonly string[]): number {
  const home = region === regions[0];
  const random = new Random(account.id, 'ec2-ri-slots', region);
  switch (account.environment) {
    case 'production':
      return home ? Math.min(4, 1 + Math.round(account.scale / 3)) : random.int(0, 1);
    case 'staging':
      return home ? random.int(1, 2) : random.int(0, 1);
    case 'security':
      return home ? 1 : 0;
    case 'development':
      return home && random.chance(0.4) ? 1 : 0;
    default:
      return 0;
  }
}

/**
 * Convertible reserved instances are exchanged and standard ones modified (size, scope, Availability Zone)
 * every few weeks: each change retires the reservation and creates another.
 */
const EC2_TENURE_DAYS: readonly [number, number] = [14, 60];
/** Retired reservations stay listed for a while. */
export const RETIRED_LISTED_DAYS = 100;

interface Ec2Reservation {
  readonly output: ReservedInstanceOutput;
  readonly reservation: SampleReservation;
}

function ec2Reservation(
  account: SampleAccount,
  region: string,
  regions: readonly string[],
  slot: number,
  tenure: Tenure,
  now: Date,
): Ec2Reservation {
  const r = tenure.random;
  const running = regionInventory(account, region, regions, tenure.start).instances;
  const instance = running.length > 0 ? r.pick(running) : null;
  const instanceType = instance && EC2_PRICES[instance.instanceType] ? instance.instanceType : 'm6i.large';
  const price = EC2_PRICES[instanceType] as { hourly: number; vcpus: number; units: number };
  // Windows does not run on Graviton (the `g` families).
  const windows = instance?.platform === 'Windows' && !/^[a-z]+\d+g\./.test(instanceType);
  const offeringClass = r.chance(0.5) ? 'standard' : 'convertible';
  const payment = r.weighted(PAYMENT_OPTIONS, [4, 3, 2]);
  const years = r.chance(0.7) ? 1 : 3;
  const termSeconds = years * YEAR_SECONDS;
  const count = account.environment === 'production' ? r.int(1, 4) : r.int(1, 2);
  const zonal = r.chance(0.15);
  const zone = `${region}${r.pick(['a', 'b', 'c'])}`;
  const onDemandHourly =
    (price.hourly + (windows ? WINDOWS_PER_VCPU_HOUR * price.vcpus : 0)) * regionPriceFactor(region);
  const prices = split(
    onDemandHourly * (1 - ec2Discount(offeringClass, years, payment)),
    payment,
    termSeconds,
  );
  const id = r.uuid();
  const retired = tenure.end <= now;
  const justBought = now.getTime() - tenure.start.getTime() < HOUR_MS;
  const productDescription = windows ? 'Windows' : 'Linux/UNIX';
  const output: ReservedInstanceOutput = {
    ReservedInstancesId: id,
    InstanceType: instanceType,
    ...(zonal ? { AvailabilityZone: zone } : {}),
    Start: tenure.start,
    // A retired reservation ended when it was modified or exchanged; an active one shows its term's end.
    End: retired ? tenure.end : new Date(tenure.start.getTime() + termSeconds * 1000),
    Duration: termSeconds,
    UsagePrice: 0,
    FixedPrice: prices.fixedPrice,
    InstanceCount: count,
    ProductDescription: productDescription,
    State: retired ? 'retired' : justBought ? 'payment-pending' : 'active',
    Tags: [{ Key: 'Name', Value: `${account.product ?? account.name}-${instanceType}-${slot + 1}` }],
    InstanceTenancy: 'default',
    CurrencyCode: 'USD',
    OfferingType: payment,
    RecurringCharges: payment === 'All Upfront' ? [] : [{ Amount: prices.hourly, Frequency: 'Hourly' }],
    OfferingClass: offeringClass,
    Scope: zonal ? 'Availability Zone' : 'Region',
  };
  const subscriptionId = new Random(id, 'subscription').digits(10);
  return {
    output,
    reservation: {
      service: 'EC2',
      leaseId: id,
      accountId: account.id,
      region,
      instanceType,
      count,
      start: tenure.start,
      appliesUntil: tenure.end,
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
        leaseId: id,
        subscriptionId,
        region,
        instanceType,
        numberOfInstances: String(count),
        platform: productDescription,
        tenancy: 'Shared',
        scope: zonal ? 'Availability Zone' : 'Region',
        availabilityZone: zonal ? zone : '',
        offeringType: offeringClass === 'standard' ? 'Standard' : 'Convertible',
        subscriptionType: payment,
        subscriptionStatus: retired ? 'Retired' : 'Active',
        startDateTime: tenure.start.toISOString(),
        endDateTime: output.End.toISOString(),
      },
    },
  };
}

/** The account's EC2 reserved instances in a Region whose tenure overlaps [from, to]. */
function ec2ReservationsBetween(
  account: SampleAccount,
  region: string,
  regions: readonly string[],
  from: Date,
  to: Date,
  now: Date,
): Ec2Reservation[] {
  const out: Ec2Reservation[] = [];
  const slots = ec2Slots(account, region, regions);
  for (let slot = 0; slot < slots; slot++) {
    // The first slot of the home region is never empty: the account always holds some reservation there.
    const vacantShare = slot === 0 && region === regions[0] ? 0 : 0.12;
    for (const tenure of tenures(
      [account.id, region, 'ec2-ri', slot],
      EC2_TENURE_DAYS,
      vacantShare,
      from,
      to,
    )) {
      if (!tenure.vacant) out.push(ec2Reservation(account, region, regions, slot, tenure, now));
    }
  }
  return out;
}

/** What DescribeReservedInstances lists at `now`: the reservations in force, and those retired lately. */
export function sampleReservedInstances(
  account: SampleAccount,
  region: string,
  regions: readonly string[],
  now: Date,
): ReservedInstanceOutput[] {
  const from = new Date(now.getTime() - RETIRED_LISTED_DAYS * DAY_MS);
  return ec2ReservationsBetween(account, region, regions, from, now, now)
    .filter((r) => r.output.Start <= now)
    .map((r) => r.output);
}

/** The account's EC2 reservations that applied at some time in [from, to], as Cost Explorer reports them. */
export function ec2ReservationsApplying(
  account: SampleAccount,
  region: string,
  regions: readonly string[],
  period: { from: Date; to: Date; now: Date },
): SampleReservation[] {
  return ec2ReservationsBetween(account, region, regions, period.from, period.to, period.now).map(
    (r) => r.reservation,
  );
}

/** DescribeReservedInstances filters (API reference) and how each reads a reservation. */
const FILTERS: Record<string, (ri: ReservedInstanceOutput) => string[]> = {
  'availability-zone': (ri) => (ri.AvailabilityZone ? [ri.AvailabilityZone] : []),
  'availability-zone-id': () => [],
  duration: (ri) => [String(ri.Duration)],
  end: (ri) => [ri.End.toISOString()],
  'fixed-price': (ri) => [String(ri.FixedPrice)],
  'instance-type': (ri) => [ri.InstanceType],
  scope: (ri) => [ri.Scope],
  'product-description': (ri) => [ri.ProductDescription],
  'reserved-instances-id': (ri) => [ri.ReservedInstancesId],
  start: (ri) => [ri.Start.toISOString()],
  state: (ri) => [ri.State],
  'tag-key': (ri) => ri.Tags.map((t) => t.Key),
  'usage-price': (ri) => [String(ri.UsagePrice)],
};

function filterOf(name: string): (ri: ReservedInstanceOutput) => string[] {
  if (name.startsWith('tag:')) {
    const key = name.slice(4);
    return (ri) => ri.Tags.filter((t) => t.Key === key).map((t) => t.Value);
  }
  const filter = FILTERS[name];
  if (!filter) throw awsError('InvalidParameterValue', `The filter '${name}' is invalid`);
  return filter;
}

function describeReservedInstances(call: SampleCall): object {
  const { Filters, ReservedInstancesIds, OfferingClass, OfferingType } = call.input as {
    Filters?: Array<{ Name?: string; Values?: string[] }>;
    ReservedInstancesIds?: string[];
    OfferingClass?: string;
    OfferingType?: string;
  };
  const checks = (Filters ?? []).map((f) => {
    if (!f.Name || !f.Values?.length) {
      throw awsError('InvalidParameterValue', 'The filter must have a name and at least one value');
    }
    const read = filterOf(f.Name);
    const values = new Set(f.Values);
    return (ri: ReservedInstanceOutput) => read(ri).some((v) => values.has(v));
  });
  const all = sampleReservedInstances(call.account, call.region, call.regions, call.now);
  for (const id of ReservedInstancesIds ?? []) {
    if (!all.some((ri) => ri.ReservedInstancesId === id)) {
      throw awsError('InvalidReservedInstancesId', `Reserved Instances ID '${id}' does not exist`);
    }
  }
  return {
    ReservedInstances: all.filter(
      (ri) =>
        checks.every((check) => check(ri)) &&
        (!ReservedInstancesIds || ReservedInstancesIds.includes(ri.ReservedInstancesId)) &&
        (!OfferingClass || ri.OfferingClass === OfferingClass) &&
        (!OfferingType || ri.OfferingType === OfferingType),
    ),
  };
}

/** EC2 operations of the reservations category, for the EC2 simulator to merge into its own. */
export const ec2ReservationOperations: Readonly<Record<string, (call: SampleCall) => object>> = {
  DescribeReservedInstances: describeReservedInstances,
};

/** For the EC2 simulator's `malform`: the output without a field the collector reads with `required()`. */
export function malformEc2Reservations(operation: string, output: object): object | undefined {
  if (operation !== 'DescribeReservedInstances') return undefined;
  const copy = structuredClone(output) as { ReservedInstances: Array<Record<string, unknown>> };
  const first = copy.ReservedInstances[0];
  if (first) delete first.ReservedInstancesId;
  return copy;
}
