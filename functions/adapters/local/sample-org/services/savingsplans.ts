import type { SampleAccount } from '../accounts.ts';
import { Random } from '../random.ts';
import { awsError, paginate, type SampleCall, type ServiceSimulator } from '../simulator.ts';
import {
  DAY_MS,
  PAYMENT_OPTIONS,
  type PaymentOption,
  RETIRED_LISTED_DAYS,
  type Tenure,
  tenures,
  YEAR_SECONDS,
} from './ec2-reservations.ts';

/**
 * Savings Plans of the sample organization. The management account holds the organization's plans, bought as a
 * ladder (a one-year plan every few weeks, each renewal queued a week ahead) on top of three-year base plans;
 * some production accounts hold a plan of their own.
 */

/** A Savings Plan in the SDK's DescribeSavingsPlans shape (timestamps are strings in this API). */
export interface SavingsPlanOutput {
  offeringId: string;
  savingsPlanId: string;
  savingsPlanArn: string;
  description: string;
  start: string;
  end: string;
  state: string;
  region?: string;
  ec2InstanceFamily?: string;
  savingsPlanType: 'Compute' | 'EC2Instance';
  paymentOption: PaymentOption;
  productTypes: string[];
  currency: 'USD';
  commitment: string;
  upfrontPaymentAmount: string;
  recurringPaymentAmount: string;
  termDurationInSeconds: number;
  returnableUntil: string;
  tags: Record<string, string>;
}

/** A Savings Plan as Cost Explorer sees it, with what it needs to compute a day. */
export interface SampleSavingsPlan {
  readonly planId: string;
  readonly arn: string;
  readonly accountId: string;
  /** The Region of an EC2Instance plan. */
  readonly region: string | null;
  readonly family: string | null;
  readonly type: 'Compute' | 'EC2Instance';
  readonly payment: PaymentOption;
  readonly start: Date;
  readonly end: Date;
  readonly termSeconds: number;
  /** Dollars per hour committed. */
  readonly commitment: number;
  readonly upfront: number;
  readonly recurringHourly: number;
  /** The plan's rate against On-Demand for what it covers. */
  readonly discount: number;
}

interface PlanSlot {
  readonly seed: readonly (string | number)[];
  readonly role: 'ladder' | 'base' | 'team';
  readonly years: 1 | 3;
}

const LADDER_RUNGS = 8;
const BASE_PLANS = 2;
/** A renewal is bought (queued) this long before the plan it replaces ends. */
const QUEUED_AHEAD_DAYS = 7;
const RETURNABLE_DAYS = 7;
const FAMILIES = ['m6i', 'r6g', 'c6g', 'm7g'];

function planSlots(account: SampleAccount): PlanSlot[] {
  if (account.environment === 'management') {
    return [
      ...Array.from({ length: LADDER_RUNGS }, (_, i) => ({
        seed: [account.id, 'sp-ladder', i],
        role: 'ladder' as const,
        years: 1 as const,
      })),
      ...Array.from({ length: BASE_PLANS }, (_, i) => ({
        seed: [account.id, 'sp-base', i],
        role: 'base' as const,
        years: 3 as const,
      })),
    ];
  }
  if (account.environment === 'production' && new Random(account.id, 'sp-team').chance(0.35)) {
    return [{ seed: [account.id, 'sp-team', 0], role: 'team', years: 1 }];
  }
  return [];
}

function discountOf(type: 'Compute' | 'EC2Instance', years: number, payment: PaymentOption): number {
  const base = type === 'Compute' ? (years === 1 ? 0.28 : 0.5) : years === 1 ? 0.38 : 0.6;
  return base + PAYMENT_OPTIONS.indexOf(payment) * 0.025;
}

function plan(account: SampleAccount, regions: readonly string[], slot: PlanSlot, tenure: Tenure) {
  const r = tenure.random;
  const type = slot.role === 'ladder' && r.chance(0.3) ? 'EC2Instance' : 'Compute';
  const range = { ladder: [1.5, 12], base: [10, 30], team: [0.5, 3] }[slot.role] as [number, number];
  const commitment = Math.round(r.float(range[0], range[1]) * 1000) / 1000;
  const payment = r.weighted(PAYMENT_OPTIONS, [5, 3, 2]);
  const termSeconds = slot.years * YEAR_SECONDS;
  const upfrontShare = payment === 'All Upfront' ? 1 : payment === 'Partial Upfront' ? 0.5 : 0;
  const upfront = Math.round(commitment * upfrontShare * (termSeconds / 3600) * 100) / 100;
  const planId = r.uuid();
  const family = type === 'EC2Instance' ? r.pick(FAMILIES) : null;
  const sample: SampleSavingsPlan = {
    planId,
    arn: `arn:aws:savingsplans::${account.id}:savingsplan/${planId}`,
    accountId: account.id,
    region: type === 'EC2Instance' ? (regions[0] as string) : null,
    family,
    type,
    payment,
    start: tenure.start,
    end: tenure.end,
    termSeconds,
    commitment,
    upfront,
    recurringHourly: Math.round(commitment * (1 - upfrontShare) * 10_000) / 10_000,
    discount: discountOf(type, slot.years, payment),
  };
  return { sample, offeringId: r.uuid() };
}

function output(sample: SampleSavingsPlan, offeringId: string, now: Date): SavingsPlanOutput {
  const state =
    sample.start > now
      ? 'queued'
      : sample.end <= now
        ? 'retired'
        : now.getTime() - sample.start.getTime() < 3_600_000
          ? 'payment-pending'
          : 'active';
  const kind = sample.type === 'Compute' ? 'Compute' : `${sample.family} EC2 Instance`;
  return {
    offeringId,
    savingsPlanId: sample.planId,
    savingsPlanArn: sample.arn,
    description: `${sample.termSeconds / YEAR_SECONDS} year ${sample.payment} ${kind} Savings Plan`,
    start: sample.start.toISOString(),
    end: sample.end.toISOString(),
    state,
    ...(sample.region ? { region: sample.region } : {}),
    ...(sample.family ? { ec2InstanceFamily: sample.family } : {}),
    savingsPlanType: sample.type,
    paymentOption: sample.payment,
    productTypes: sample.type === 'Compute' ? ['EC2', 'Fargate', 'Lambda'] : ['EC2'],
    currency: 'USD',
    commitment: String(sample.commitment),
    upfrontPaymentAmount: String(sample.upfront),
    recurringPaymentAmount: String(sample.recurringHourly),
    termDurationInSeconds: sample.termSeconds,
    returnableUntil: new Date(sample.start.getTime() + RETURNABLE_DAYS * DAY_MS).toISOString(),
    tags: {},
  };
}

/** The plans of an account whose term overlaps [from, to]; a ladder rung renews its plan at its end. */
function plansBetween(account: SampleAccount, regions: readonly string[], from: Date, to: Date, now: Date) {
  return planSlots(account).flatMap((slot) => {
    const days = slot.years * 365;
    return tenures(slot.seed, [days, days], slot.role === 'team' ? 0.2 : 0.05, from, to)
      .filter((tenure) => !tenure.vacant)
      .map((tenure) => {
        const made = plan(account, regions, slot, tenure);
        return { sample: made.sample, output: output(made.sample, made.offeringId, now) };
      });
  });
}

/** What DescribeSavingsPlans lists at `now`: plans in force, renewals queued, and plans retired lately. */
export function sampleSavingsPlans(
  account: SampleAccount,
  regions: readonly string[],
  now: Date,
): SavingsPlanOutput[] {
  const from = new Date(now.getTime() - RETIRED_LISTED_DAYS * DAY_MS);
  const to = new Date(now.getTime() + QUEUED_AHEAD_DAYS * DAY_MS);
  return plansBetween(account, regions, from, to, now).map((p) => p.output);
}

/** The account's plans that applied at some time in [from, to], as Cost Explorer reports them. */
export function savingsPlansApplying(
  account: SampleAccount,
  regions: readonly string[],
  period: { from: Date; to: Date; now: Date },
): SampleSavingsPlan[] {
  return plansBetween(account, regions, period.from, period.to, period.now)
    .filter((p) => p.sample.start <= period.now)
    .map((p) => p.sample);
}

const STATES = new Set([
  'payment-pending',
  'payment-failed',
  'active',
  'retired',
  'queued',
  'queued-deleted',
  'pending-return',
  'returned',
]);

/** DescribeSavingsPlans filters (API reference) and how each reads a plan. */
const FILTERS: Record<string, (p: SavingsPlanOutput) => string | undefined> = {
  region: (p) => p.region,
  'ec2-instance-family': (p) => p.ec2InstanceFamily,
  commitment: (p) => p.commitment,
  upfront: (p) => p.upfrontPaymentAmount,
  term: (p) => String(p.termDurationInSeconds),
  'savings-plan-type': (p) => p.savingsPlanType,
  'payment-option': (p) => p.paymentOption,
  start: (p) => p.start,
  end: (p) => p.end,
};

/** The service serves at most this many a page, however many are asked for, so paging happens. */
const PAGE_SIZE = 3;

function validation(message: string): Error {
  return awsError('ValidationException', message);
}

function describeSavingsPlans(call: SampleCall): object {
  const { savingsPlanArns, savingsPlanIds, nextToken, maxResults, states, filters } = call.input as {
    savingsPlanArns?: string[];
    savingsPlanIds?: string[];
    nextToken?: string;
    maxResults?: number;
    states?: string[];
    filters?: Array<{ name?: string; values?: string[] }>;
  };
  if (maxResults !== undefined && (!Number.isInteger(maxResults) || maxResults < 1 || maxResults > 1000)) {
    throw validation(
      `1 validation error detected: Value '${maxResults}' at 'maxResults' failed to satisfy constraint: Member must have value between 1 and 1000`,
    );
  }
  const unknownState = (states ?? []).find((s) => !STATES.has(s));
  if (unknownState) throw validation(`Invalid state: ${unknownState}`);
  const checks = (filters ?? []).map((f) => {
    const read = f.name ? FILTERS[f.name] : undefined;
    if (!read || !f.values?.length) throw validation(`Invalid filter: ${f.name}`);
    const values = new Set(f.values);
    return (p: SavingsPlanOutput) => values.has(read(p) ?? '');
  });
  const plans = sampleSavingsPlans(call.account, call.regions, call.now).filter(
    (p) =>
      (!states?.length || states.includes(p.state)) &&
      (!savingsPlanArns?.length || savingsPlanArns.includes(p.savingsPlanArn)) &&
      (!savingsPlanIds?.length || savingsPlanIds.includes(p.savingsPlanId)) &&
      checks.every((check) => check(p)),
  );
  const { page, nextToken: next } = paginate(plans, {
    token: nextToken,
    pageSize: Math.min(PAGE_SIZE, maxResults ?? 1000),
    request: { savingsPlanArns, savingsPlanIds, states, filters },
    invalidToken: () => validation('Invalid nextToken'),
  });
  return { savingsPlans: page, ...(next ? { nextToken: next } : {}) };
}

export const savingsPlansSimulator: ServiceSimulator = {
  service: 'Savingsplans',
  operations: { DescribeSavingsPlans: describeSavingsPlans },
  // The generic "account not signed up for the service" error of AWS APIs (Common Errors: OptInRequired).
  notEnabled: () =>
    awsError('OptInRequired', 'The AWS Access Key Id needs a subscription for the service', { status: 403 }),
  malform(operation, result) {
    const copy = structuredClone(result) as { savingsPlans?: Array<Record<string, unknown>> };
    const first = operation === 'DescribeSavingsPlans' ? copy.savingsPlans?.[0] : undefined;
    if (first) delete first.savingsPlanId;
    return copy;
  },
};
