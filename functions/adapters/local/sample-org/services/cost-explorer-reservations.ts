import type { SampleAccount } from '../accounts.ts';
import { awsError, paginate, type SampleCall } from '../simulator.ts';
import {
  DAY_MS,
  ec2ReservationsApplying,
  hoursOn,
  type SampleReservation,
  usedShare,
} from './ec2-reservations.ts';
import { rdsReservationsApplying } from './rds-reservations.ts';
import { type SampleSavingsPlan, savingsPlansApplying } from './savingsplans.ts';

/**
 * Cost Explorer's reservation and Savings Plans utilisation of the sample organization, computed from the same
 * reservations the EC2, RDS and Savings Plans simulators list. The Cost Explorer simulator merges
 * `costExplorerReservationOperations` into its operations.
 */

const EC2_SERVICE = 'Amazon Elastic Compute Cloud - Compute';
const RDS_SERVICE = 'Amazon Relational Database Service';

/** Filter dimensions each operation accepts (API reference). */
const RESERVATION_DIMENSIONS = [
  'AZ',
  'CACHE_ENGINE',
  'DEPLOYMENT_OPTION',
  'INSTANCE_TYPE',
  'LINKED_ACCOUNT',
  'OPERATING_SYSTEM',
  'PLATFORM',
  'REGION',
  'SERVICE',
  'SCOPE',
  'TENANCY',
];
const SAVINGS_PLANS_DIMENSIONS = [
  'LINKED_ACCOUNT',
  'SAVINGS_PLAN_ARN',
  'REGION',
  'PAYMENT_OPTION',
  'INSTANCE_TYPE_FAMILY',
];

/** Groups or plans served per page, fewer than asked for, so paging happens. */
const GROUP_PAGE_SIZE = 2;
const DETAIL_PAGE_SIZE = 4;
const DEFAULT_DETAIL_RESULTS = 20;

function validation(message: string): Error {
  return awsError('ValidationException', message);
}

const DAY_RE = /^\d{4}-\d{2}-\d{2}$/;

function days(start: string, end: string): string[] {
  const out: string[] = [];
  for (let t = Date.parse(`${start}T00:00:00Z`); t < Date.parse(`${end}T00:00:00Z`); t += DAY_MS) {
    out.push(new Date(t).toISOString().slice(0, 10));
  }
  return out;
}

/** Checks a TimePeriod as Cost Explorer does; returns the days that have data (those before today). */
function periodDays(
  period: { Start?: string; End?: string } | undefined,
  now: Date,
  endMayPassToday: boolean,
): { start: string; end: string; days: string[] } {
  const today = now.toISOString().slice(0, 10);
  if (!period?.Start || !period.End || !DAY_RE.test(period.Start) || !DAY_RE.test(period.End)) {
    throw validation('TimePeriod Start and End are required, as YYYY-MM-DD');
  }
  if (period.Start >= period.End) throw validation('Start date should be before end date');
  if (period.Start > today) throw validation(`Start date must be equal to or no later than ${today}`);
  if (!endMayPassToday && period.End > today)
    throw validation('End date must be on or before the current date');
  const thirteenMonthsAgo = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 13, 1));
  if (Date.parse(`${period.Start}T00:00:00Z`) < thirteenMonthsAgo.getTime()) {
    throw validation('Start date must be within the last 13 months');
  }
  const dataEnd = [period.End, today].sort()[0] as string;
  return { start: period.Start, end: period.End, days: days(period.Start, dataEnd) };
}

// biome-ignore lint/suspicious/noExplicitAny: the Cost Explorer filter expression is recursive and loosely typed
type FilterExpression = any;

/**
 * The dimension values of a filter these operations accept: one dimension, or an And of dimensions one level
 * deep (the API reference: "only AND is supported among each dimension").
 */
function dimensionsOf(filter: FilterExpression, allowed: readonly string[]): Map<string, string[]> {
  const dimensions = new Map<string, string[]>();
  if (!filter) return dimensions;
  if (filter.Or || filter.Not) throw validation('Only AND is supported among filter dimensions');
  for (const part of filter.And ?? [filter]) {
    if (part.And || part.Or || part.Not) throw validation('Filter nesting is supported up to one level deep');
    if (part.Tags || part.CostCategories || !part.Dimensions) {
      throw validation('Only dimension filters are supported');
    }
    const { Key, Values } = part.Dimensions as { Key?: string; Values?: string[] };
    if (!Key || !allowed.includes(Key)) {
      throw validation(`Dimension ${Key} is not allowed. Supported dimensions are: ${allowed.join(', ')}`);
    }
    if (!Values?.length) throw validation(`Dimension ${Key} needs at least one value`);
    dimensions.set(Key, Values);
  }
  return dimensions;
}

/** The accounts whose commitments the caller sees: its own, or every member's for the management account. */
function owners(call: SampleCall, linked: readonly string[] | undefined): SampleAccount[] {
  const visible = call.account.environment === 'management' ? call.accounts : [call.account];
  return linked ? visible.filter((a) => linked.includes(a.id)) : [...visible];
}

/** Sums of a reservation's hours and fees over days. */
interface Figures {
  purchasedHours: number;
  usedHours: number;
  purchasedUnits: number;
  usedUnits: number;
  amortizedUpfront: number;
  amortizedRecurring: number;
  onDemandUsed: number;
  onDemandPurchased: number;
}

const zero = (): Figures => ({
  purchasedHours: 0,
  usedHours: 0,
  purchasedUnits: 0,
  usedUnits: 0,
  amortizedUpfront: 0,
  amortizedRecurring: 0,
  onDemandUsed: 0,
  onDemandPurchased: 0,
});

function add(into: Figures, more: Figures): Figures {
  for (const key of Object.keys(into) as Array<keyof Figures>) into[key] += more[key];
  return into;
}

function reservationFigures(owner: SampleAccount, reservation: SampleReservation, day: string): Figures {
  const purchased = hoursOn(day, reservation.start, reservation.appliesUntil) * reservation.count;
  const used = purchased * usedShare(owner, reservation.leaseId, day);
  return {
    purchasedHours: purchased,
    usedHours: used,
    purchasedUnits: purchased * reservation.units,
    usedUnits: used * reservation.units,
    amortizedUpfront: purchased * (reservation.fixedPrice / (reservation.termSeconds / 3600)),
    amortizedRecurring: purchased * (reservation.recurringHourly + reservation.usagePrice),
    onDemandUsed: used * reservation.onDemandHourly,
    onDemandPurchased: purchased * reservation.onDemandHourly,
  };
}

const text = (value: number, digits = 10) => String(Number(value.toFixed(digits)));
const percent = (part: number, whole: number) => text(whole > 0 ? (part / whole) * 100 : 0, 4);

/** ReservationAggregates as Cost Explorer reports them (every amount a string). */
function reservationAggregates(f: Figures) {
  const fee = f.amortizedUpfront + f.amortizedRecurring;
  const unusedShare = f.purchasedHours > 0 ? (f.purchasedHours - f.usedHours) / f.purchasedHours : 0;
  return {
    UtilizationPercentage: percent(f.usedHours, f.purchasedHours),
    UtilizationPercentageInUnits: percent(f.usedUnits, f.purchasedUnits),
    PurchasedHours: text(f.purchasedHours),
    PurchasedUnits: text(f.purchasedUnits),
    TotalActualHours: text(f.usedHours),
    TotalActualUnits: text(f.usedUnits),
    UnusedHours: text(f.purchasedHours - f.usedHours),
    UnusedUnits: text(f.purchasedUnits - f.usedUnits),
    OnDemandCostOfRIHoursUsed: text(f.onDemandUsed),
    NetRISavings: text(f.onDemandUsed - fee),
    TotalPotentialRISavings: text(f.onDemandPurchased - fee),
    AmortizedUpfrontFee: text(f.amortizedUpfront),
    AmortizedRecurringFee: text(f.amortizedRecurring),
    TotalAmortizedFee: text(fee),
    RICostForUnusedHours: text(fee * unusedShare),
    RealizedSavings: text(f.onDemandUsed - fee * (1 - unusedShare)),
    UnrealizedSavings: text(f.onDemandPurchased - f.onDemandUsed - fee * unusedShare),
  };
}

/** Reservation attributes the other filter dimensions read. */
const ATTRIBUTE_OF: Record<string, string> = {
  AZ: 'availabilityZone',
  DEPLOYMENT_OPTION: 'deploymentOption',
  INSTANCE_TYPE: 'instanceType',
  OPERATING_SYSTEM: 'platform',
  PLATFORM: 'platform',
  SCOPE: 'scope',
  TENANCY: 'tenancy',
  CACHE_ENGINE: 'cacheEngine',
};

function getReservationUtilization(call: SampleCall): object {
  const { TimePeriod, GroupBy, Granularity, Filter, NextPageToken, MaxResults } = call.input;
  const period = periodDays(TimePeriod, call.now, true);
  if (Granularity !== undefined && !['DAILY', 'MONTHLY'].includes(Granularity)) {
    throw validation("Granularity should be either 'MONTHLY' or 'DAILY'");
  }
  const grouped = Array.isArray(GroupBy) && GroupBy.length > 0;
  if (grouped && Granularity !== undefined) {
    throw validation('Granularity is not supported when specifying groupBy');
  }
  if (
    grouped &&
    (GroupBy.length > 1 || GroupBy[0].Type !== 'DIMENSION' || GroupBy[0].Key !== 'SUBSCRIPTION_ID')
  ) {
    throw validation('GroupBy supports only the dimension SUBSCRIPTION_ID');
  }
  if (MaxResults !== undefined && (!Number.isInteger(MaxResults) || MaxResults < 1)) {
    throw validation('MaxResults must be at least 1');
  }
  const dimensions = dimensionsOf(Filter, RESERVATION_DIMENSIONS);
  const services = dimensions.get('SERVICE') ?? [EC2_SERVICE];
  if (services.length > 1) throw validation('The value for the SERVICE filter should not exceed 1');
  const regions = dimensions.get('REGION');
  const span = {
    from: new Date(`${period.start}T00:00:00Z`),
    to: new Date(`${period.days.at(-1) ?? period.start}T23:59:59Z`),
    now: call.now,
  };
  const held = owners(call, dimensions.get('LINKED_ACCOUNT')).flatMap((owner) =>
    call.regions
      .filter((region) => !regions || regions.includes(region))
      .flatMap((region) => {
        const applying =
          services[0] === EC2_SERVICE
            ? ec2ReservationsApplying(owner, region, call.regions, span)
            : services[0] === RDS_SERVICE
              ? rdsReservationsApplying(owner, region, call.regions, span)
              : [];
        return applying.map((reservation) => ({ owner, reservation }));
      }),
  );
  const matching = held.filter(({ reservation }) =>
    [...dimensions].every(([key, values]) => {
      const attribute = ATTRIBUTE_OF[key];
      return !attribute || values.includes(reservation.attributes[attribute] ?? '');
    }),
  );

  if (!grouped) {
    const granularity = Granularity ?? 'DAILY';
    const periods: Array<{ Start: string; End: string; days: string[] }> = [];
    for (const day of period.days) {
      const last = periods.at(-1);
      if (granularity === 'MONTHLY' && last && last.Start.slice(0, 7) === day.slice(0, 7)) {
        last.days.push(day);
        last.End = new Date(Date.parse(`${day}T00:00:00Z`) + DAY_MS).toISOString().slice(0, 10);
      } else {
        periods.push({
          Start: day,
          End: new Date(Date.parse(`${day}T00:00:00Z`) + DAY_MS).toISOString().slice(0, 10),
          days: [day],
        });
      }
    }
    const all = zero();
    const byTime = periods.map((p) => {
      const total = zero();
      for (const { owner, reservation } of matching) {
        for (const day of p.days) add(total, reservationFigures(owner, reservation, day));
      }
      add(all, total);
      return { TimePeriod: { Start: p.Start, End: p.End }, Total: reservationAggregates(total) };
    });
    return { UtilizationsByTime: byTime, Total: reservationAggregates(all) };
  }

  const groups = matching
    .map(({ owner, reservation }) => {
      const figures = zero();
      for (const day of period.days) add(figures, reservationFigures(owner, reservation, day));
      return { reservation, figures };
    })
    .filter((g) => g.figures.purchasedHours > 0)
    .sort((a, b) => a.reservation.leaseId.localeCompare(b.reservation.leaseId));
  const total = groups.reduce((sum, g) => add(sum, g.figures), zero());
  const { page, nextToken } = paginate(groups, {
    token: NextPageToken,
    pageSize: Math.min(GROUP_PAGE_SIZE, MaxResults ?? GROUP_PAGE_SIZE),
    request: { TimePeriod, GroupBy, Filter },
    invalidToken: () => awsError('InvalidNextTokenException', 'The pagination token is invalid.'),
  });
  return {
    UtilizationsByTime: [
      {
        TimePeriod: { Start: period.start, End: period.end },
        Groups: page.map(({ reservation, figures }) => ({
          Key: 'SUBSCRIPTION_ID',
          Value: reservation.attributes.subscriptionId,
          Attributes: { ...reservation.attributes },
          Utilization: reservationAggregates(figures),
        })),
        Total: reservationAggregates(total),
      },
    ],
    Total: reservationAggregates(total),
    ...(nextToken ? { NextPageToken: nextToken } : {}),
  };
}

interface PlanFigures {
  commitment: number;
  used: number;
  onDemand: number;
  amortizedUpfront: number;
  amortizedRecurring: number;
}

function planFigures(owner: SampleAccount, plan: SampleSavingsPlan, day: string): PlanFigures {
  const hours = hoursOn(day, plan.start, plan.end);
  const commitment = plan.commitment * hours;
  const used = commitment * usedShare(owner, plan.planId, day);
  return {
    commitment,
    used,
    // What the usage the plan covered would have cost at On-Demand rates.
    onDemand: used / (1 - plan.discount),
    amortizedUpfront: (plan.upfront / (plan.termSeconds / 3600)) * hours,
    amortizedRecurring: plan.recurringHourly * hours,
  };
}

function planAggregates(f: PlanFigures) {
  const amortized = f.amortizedUpfront + f.amortizedRecurring;
  return {
    Utilization: {
      TotalCommitment: text(f.commitment),
      UsedCommitment: text(f.used),
      UnusedCommitment: text(f.commitment - f.used),
      UtilizationPercentage: percent(f.used, f.commitment),
    },
    Savings: { NetSavings: text(f.onDemand - amortized), OnDemandCostEquivalent: text(f.onDemand) },
    AmortizedCommitment: {
      AmortizedRecurringCommitment: text(f.amortizedRecurring),
      AmortizedUpfrontCommitment: text(f.amortizedUpfront),
      TotalAmortizedCommitment: text(amortized),
    },
  };
}

function getSavingsPlansUtilizationDetails(call: SampleCall): object {
  const { TimePeriod, Filter, NextToken, MaxResults } = call.input;
  const period = periodDays(TimePeriod, call.now, false);
  if (MaxResults !== undefined && (!Number.isInteger(MaxResults) || MaxResults < 1)) {
    throw validation('MaxResults must be at least 1');
  }
  const dimensions = dimensionsOf(Filter, SAVINGS_PLANS_DIMENSIONS);
  const span = {
    from: new Date(`${period.start}T00:00:00Z`),
    to: new Date(`${period.days.at(-1) ?? period.start}T23:59:59Z`),
    now: call.now,
  };
  const arns = dimensions.get('SAVINGS_PLAN_ARN');
  const regions = dimensions.get('REGION');
  const payments = dimensions.get('PAYMENT_OPTION');
  const families = dimensions.get('INSTANCE_TYPE_FAMILY');
  const details = owners(call, dimensions.get('LINKED_ACCOUNT'))
    .flatMap((owner) => savingsPlansApplying(owner, call.regions, span).map((plan) => ({ owner, plan })))
    .filter(
      ({ plan }) =>
        (!arns || arns.includes(plan.arn)) &&
        (!regions || (plan.region !== null && regions.includes(plan.region))) &&
        (!payments || payments.includes(plan.payment.toUpperCase().replace(' ', '_'))) &&
        (!families || (plan.family !== null && families.includes(plan.family))),
    )
    .map(({ owner, plan }) => {
      const figures: PlanFigures = {
        commitment: 0,
        used: 0,
        onDemand: 0,
        amortizedUpfront: 0,
        amortizedRecurring: 0,
      };
      for (const day of period.days) {
        const f = planFigures(owner, plan, day);
        for (const key of Object.keys(figures) as Array<keyof PlanFigures>) figures[key] += f[key];
      }
      return { plan, figures };
    })
    .filter((d) => d.figures.commitment > 0)
    .sort((a, b) => a.plan.arn.localeCompare(b.plan.arn));
  const total: PlanFigures = {
    commitment: 0,
    used: 0,
    onDemand: 0,
    amortizedUpfront: 0,
    amortizedRecurring: 0,
  };
  for (const { figures } of details) {
    for (const key of Object.keys(total) as Array<keyof PlanFigures>) total[key] += figures[key];
  }
  const { page, nextToken } = paginate(details, {
    token: NextToken,
    pageSize: Math.min(DETAIL_PAGE_SIZE, MaxResults ?? DEFAULT_DETAIL_RESULTS),
    request: { TimePeriod, Filter },
    invalidToken: () => awsError('InvalidNextTokenException', 'The pagination token is invalid.'),
  });
  return {
    SavingsPlansUtilizationDetails: page.map(({ plan, figures }) => ({
      SavingsPlanArn: plan.arn,
      Attributes: {
        SavingsPlansType: plan.type,
        PaymentOption: plan.payment,
        PurchaseTerm: plan.termSeconds > 31_536_000 ? '3yr' : '1yr',
        Region: plan.region ?? 'Any',
        InstanceTypeFamily: plan.family ?? 'Any',
        StartTime: plan.start.toISOString(),
        EndTime: plan.end.toISOString(),
        RecurringHourlyFee: String(plan.recurringHourly),
        UpfrontFee: String(plan.upfront),
      },
      ...planAggregates(figures),
    })),
    Total: planAggregates(total),
    TimePeriod: { Start: period.start, End: period.end },
    ...(nextToken ? { NextToken: nextToken } : {}),
  };
}

/** Cost Explorer operations of the reservations category, for the Cost Explorer simulator to merge. */
export const costExplorerReservationOperations: Readonly<Record<string, (call: SampleCall) => object>> = {
  GetReservationUtilization: getReservationUtilization,
  GetSavingsPlansUtilizationDetails: getSavingsPlansUtilizationDetails,
};

/** For the Cost Explorer simulator's `malform`: the output without a member the API reference requires. */
export function malformCostExplorerReservations(operation: string, output: object): object | undefined {
  const member = {
    GetReservationUtilization: 'UtilizationsByTime',
    GetSavingsPlansUtilizationDetails: 'SavingsPlansUtilizationDetails',
  }[operation];
  if (!member) return undefined;
  const copy = structuredClone(output) as Record<string, unknown>;
  delete copy[member];
  return copy;
}
