import type { SampleAccount } from '../accounts.ts';
import { regionInventory } from '../inventory.ts';
import { Random } from '../random.ts';
import { awsError, paginate, type SampleCall, type ServiceSimulator } from '../simulator.ts';

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

export type SupportPlan = 'basic' | 'business' | 'enterprise';

/**
 * The account's support plan: the management account has Enterprise Support, personal sandboxes only Basic,
 * every other account Business. The Support and Health APIs need Business or better.
 */
export function supportPlan(account: SampleAccount): SupportPlan {
  if (account.environment === 'management') return 'enterprise';
  return account.environment === 'sandbox' ? 'basic' : 'business';
}

/** What the Support and Health APIs answer an account without Business, Enterprise On-Ramp or Enterprise. */
export function subscriptionRequired(): Error {
  return awsError(
    'SubscriptionRequiredException',
    'Amazon Web Services Premium Support Subscription is required to use this service.',
  );
}

type Severity = 'low' | 'normal' | 'high' | 'urgent' | 'critical';
type Status =
  | 'opened'
  | 'unassigned'
  | 'work-in-progress'
  | 'pending-customer-action'
  | 'customer-action-completed'
  | 'reopened'
  | 'resolved';

interface Topic {
  readonly serviceCode: string;
  readonly categoryCode: string;
  readonly subject: (facts: TopicFacts) => string;
}

interface TopicFacts {
  readonly region: string;
  readonly instanceId: string | null;
  readonly database: string | null;
  readonly loadBalancer: string | null;
  readonly month: string;
}

const TOPICS: readonly Topic[] = [
  {
    serviceCode: 'amazon-elastic-compute-cloud-linux',
    categoryCode: 'instance-issue',
    subject: (f) =>
      f.instanceId
        ? `Instance ${f.instanceId} fails system status checks after host maintenance`
        : `EC2 instances in ${f.region} fail system status checks`,
  },
  {
    serviceCode: 'service-limit-increase',
    categoryCode: 'lambda',
    subject: (f) => `Increase Lambda concurrent executions to 5000 in ${f.region}`,
  },
  {
    serviceCode: 'amazon-relational-database-service-postgresql',
    categoryCode: 'performance',
    subject: (f) =>
      f.database
        ? `High CommitLatency on ${f.database} since the last minor version upgrade`
        : 'RDS PostgreSQL write latency after minor version upgrade',
  },
  {
    serviceCode: 'billing',
    categoryCode: 'charges-billing',
    subject: (f) => `Unexpected NAT gateway data processing charges on the ${f.month} invoice`,
  },
  {
    serviceCode: 'elastic-load-balancing',
    categoryCode: 'general-guidance',
    subject: (f) =>
      f.loadBalancer
        ? `Intermittent 502 responses from load balancer ${f.loadBalancer}`
        : 'Intermittent 502 responses from an Application Load Balancer',
  },
  {
    serviceCode: 'amazon-simple-storage-service',
    categoryCode: 'performance',
    subject: () => '503 Slow Down on PUT requests to a prefix during nightly exports',
  },
  {
    serviceCode: 'amazon-relational-database-service-aurora',
    categoryCode: 'general-guidance',
    subject: (f) => `Guidance on Aurora Global Database failover testing from ${f.region}`,
  },
  {
    serviceCode: 'amazon-virtual-private-cloud',
    categoryCode: 'connectivity',
    subject: (f) => `Interface endpoint for STS unreachable from private subnets in ${f.region}`,
  },
  {
    serviceCode: 'amazon-elastic-kubernetes-service',
    categoryCode: 'general-guidance',
    subject: () => 'EKS cluster upgrade to 1.31 stuck in Updating for managed node group',
  },
  {
    serviceCode: 'service-limit-increase',
    categoryCode: 'ec2-instances',
    subject: (f) => `Raise the On-Demand Standard instances vCPU quota in ${f.region} to 512`,
  },
];

/**
 * Case slots: each opens a case about every period, a few days either way, so every account has at least one
 * case in any 90 days and a production account about five.
 */
const CASE_SLOTS: Record<SampleAccount['environment'], [number, number]> = {
  management: [2, 3],
  security: [1, 2],
  production: [3, 5],
  staging: [1, 3],
  development: [1, 2],
  sandbox: [1, 1],
};
const CASE_PERIOD_DAYS: [number, number] = [70, 84];
const CASE_JITTER_DAYS = 5;
/** How far back cases are generated: the API keeps 24 months, the sample a little over a year. */
const HISTORY_DAYS = 400;
/** DescribeCases takes maxResults 10 to 100; the server answers fewer so that paging happens. */
const SERVER_PAGE_SIZE = 3;
const LANGUAGES = new Set(['en', 'ja', 'zh', 'ko', 'es', 'pt', 'fr', 'tr']);

interface SampleCase {
  readonly caseId: string;
  readonly displayId: string;
  readonly subject: string;
  readonly serviceCode: string;
  readonly categoryCode: string;
  readonly severityCode: Severity;
  readonly submittedBy: string;
  readonly createdAt: Date;
  /** Status changes, in order; each comes with a communication. */
  readonly timeline: ReadonlyArray<{ at: Date; status: Status; by: 'customer' | 'aws' }>;
}

function severityOf(random: Random, plan: SupportPlan): Severity {
  // Critical (business-critical system down) exists only with Enterprise Support.
  return plan === 'enterprise'
    ? random.weighted<Severity>(['low', 'normal', 'high', 'urgent', 'critical'], [25, 38, 22, 10, 5])
    : random.weighted<Severity>(['low', 'normal', 'high', 'urgent'], [25, 40, 23, 12]);
}

/** A case's life: opened, worked on, waiting on the customer now and then, resolved (some reopened). */
function timelineOf(random: Random, createdAt: Date, severity: Severity): SampleCase['timeline'] {
  const events: Array<{ at: Date; status: Status; by: 'customer' | 'aws' }> = [];
  let at = createdAt.getTime();
  events.push({ at: new Date(at), status: severity === 'low' ? 'unassigned' : 'opened', by: 'customer' });
  const firstResponseHours = { low: 20, normal: 10, high: 3, urgent: 0.8, critical: 0.2 }[severity];
  at += random.float(0.2, 1) * firstResponseHours * HOUR_MS;
  events.push({ at: new Date(at), status: 'work-in-progress', by: 'aws' });
  // One case in ten stays open for months (waiting on a fix); the others resolve within about three weeks.
  const long = random.chance(0.1);
  const exchanges = long ? random.int(6, 14) : random.int(0, 4);
  for (let i = 0; i < exchanges; i++) {
    at += random.float(0.3, long ? 12 : 3) * DAY_MS;
    events.push({ at: new Date(at), status: 'pending-customer-action', by: 'aws' });
    at += random.float(0.1, long ? 6 : 2) * DAY_MS;
    events.push({ at: new Date(at), status: 'customer-action-completed', by: 'customer' });
  }
  at += random.float(0.1, 2) * DAY_MS;
  events.push({ at: new Date(at), status: 'resolved', by: 'aws' });
  if (random.chance(0.12)) {
    at += random.float(0.5, 4) * DAY_MS;
    events.push({ at: new Date(at), status: 'reopened', by: 'customer' });
    at += random.float(0.5, 5) * DAY_MS;
    events.push({ at: new Date(at), status: 'resolved', by: 'aws' });
  }
  return events;
}

function sampleCase(
  account: SampleAccount,
  regions: readonly string[],
  slot: number,
  generation: number,
  createdAt: Date,
): SampleCase {
  const random = new Random(account.id, 'support-case', slot, generation);
  const region = regions[0] ?? 'us-east-1';
  const inventory = regionInventory(account, region, regions, createdAt);
  const topic = random.pick(TOPICS);
  const severity = severityOf(random, supportPlan(account));
  const subject = topic.subject({
    region,
    instanceId: inventory.instances.length > 0 ? random.pick(inventory.instances).id : null,
    database: inventory.databases.length > 0 ? random.pick(inventory.databases).identifier : null,
    loadBalancer: inventory.loadBalancers.length > 0 ? random.pick(inventory.loadBalancers).name : null,
    month: new Date(createdAt.getTime() - 20 * DAY_MS).toISOString().slice(0, 7),
  });
  return {
    caseId: `case-${account.id}-muen-${createdAt.getUTCFullYear()}-${random.hex(16)}`,
    displayId: `1${random.digits(9)}`,
    subject,
    serviceCode: topic.serviceCode,
    categoryCode: topic.categoryCode,
    severityCode: severity,
    submittedBy: random.chance(0.6)
      ? account.email
      : `platform-oncall+${account.product ?? account.name}@example.com`,
    createdAt,
    timeline: timelineOf(random, createdAt, severity),
  };
}

/** Every case the account opened in the sample's history up to `now`, oldest first. */
export function sampleCases(account: SampleAccount, regions: readonly string[], now: Date): SampleCase[] {
  const day = Math.floor(now.getTime() / DAY_MS);
  const [low, high] = CASE_SLOTS[account.environment];
  const slots = new Random(account.id, 'support-slots').int(low, high);
  const cases: SampleCase[] = [];
  for (let slot = 0; slot < slots; slot++) {
    const shape = new Random(account.id, 'support-slot', slot);
    const period = shape.int(CASE_PERIOD_DAYS[0], CASE_PERIOD_DAYS[1]);
    const phase = shape.int(0, period - 1);
    const first = Math.floor((day - HISTORY_DAYS + phase) / period);
    const last = Math.floor((day + phase) / period);
    const offsetDay = shape.int(0, period - 1 - CASE_JITTER_DAYS);
    for (let generation = first; generation <= last; generation++) {
      const offset = new Random(account.id, 'support-offset', slot, generation);
      const openedDay = generation * period - phase + offsetDay + offset.int(0, CASE_JITTER_DAYS);
      const opened = openedDay * DAY_MS + offset.int(0, 86_399) * 1000;
      const createdAt = new Date(opened);
      if (createdAt > now || createdAt < account.joinedAt) continue;
      cases.push(sampleCase(account, regions, slot, generation, createdAt));
    }
  }
  return cases.sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());
}

const stamp = (date: Date) => date.toISOString();

/** The case as DescribeCases returns it at `now`: its status and five most recent communications. */
function caseDetails(item: SampleCase, now: Date, withCommunications: boolean) {
  const happened = item.timeline.filter((e) => e.at <= now);
  const current = happened.at(-1) ?? item.timeline[0];
  const communications = happened
    .slice(-5)
    .reverse()
    .map((e) => ({
      caseId: item.caseId,
      body:
        e.by === 'aws'
          ? `Hello, this is AWS Support. The case is now ${e.status}.`
          : `Update from our side: ${e.status === 'reopened' ? 'the issue is back' : 'done'}.`,
      submittedBy: e.by === 'aws' ? 'Amazon Web Services' : item.submittedBy,
      timeCreated: stamp(e.at),
      attachmentSet: [],
    }));
  return {
    caseId: item.caseId,
    displayId: item.displayId,
    subject: item.subject,
    status: current?.status,
    serviceCode: item.serviceCode,
    categoryCode: item.categoryCode,
    severityCode: item.severityCode,
    submittedBy: item.submittedBy,
    timeCreated: stamp(item.createdAt),
    ccEmailAddresses: [],
    language: 'en',
    ...(withCommunications
      ? {
          recentCommunications: {
            communications,
            ...(happened.length > 5 ? { nextToken: `comms-${item.caseId}-5` } : {}),
          },
        }
      : {}),
  };
}

function validation(message: string): Error {
  return awsError('ValidationException', message);
}

function parseTime(value: unknown, name: string): number | undefined {
  if (value === undefined) return undefined;
  const time = typeof value === 'string' ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(time)) throw validation(`Invalid ${name}: ${JSON.stringify(value)}`);
  return time;
}

function describeCases(call: SampleCall): object {
  if (supportPlan(call.account) === 'basic') throw subscriptionRequired();
  const {
    caseIdList,
    displayId,
    afterTime,
    beforeTime,
    includeResolvedCases,
    nextToken,
    maxResults,
    language,
  } = call.input;
  const includeCommunications = call.input.includeCommunications !== false;
  if (maxResults !== undefined && (!Number.isInteger(maxResults) || maxResults < 10 || maxResults > 100)) {
    throw validation('maxResults must be between 10 and 100');
  }
  if (language !== undefined && !LANGUAGES.has(language)) throw validation(`Invalid language: ${language}`);
  if (caseIdList !== undefined && (!Array.isArray(caseIdList) || caseIdList.length > 100)) {
    throw validation('caseIdList can have at most 100 case ids');
  }
  const after = parseTime(afterTime, 'afterTime');
  const before = parseTime(beforeTime, 'beforeTime');
  // Every sample case is handled in English.
  const handled =
    language === undefined || language === 'en' ? sampleCases(call.account, call.regions, call.now) : [];
  const cases = handled
    .filter((c) => caseIdList === undefined || caseIdList.includes(c.caseId))
    .filter((c) => displayId === undefined || c.displayId === displayId)
    .filter((c) => after === undefined || c.createdAt.getTime() >= after)
    .filter((c) => before === undefined || c.createdAt.getTime() <= before)
    .map((c) => caseDetails(c, call.now, includeCommunications))
    .filter((c) => includeResolvedCases === true || c.status !== 'resolved')
    .reverse();
  if (caseIdList !== undefined && caseIdList.length > 0 && cases.length === 0) {
    throw awsError('CaseIdNotFound', 'The requested caseId could not be located');
  }
  const { page, nextToken: next } = paginate(cases, {
    token: nextToken,
    pageSize: Math.min(maxResults ?? 100, SERVER_PAGE_SIZE),
    request: {
      caseIdList,
      displayId,
      afterTime,
      beforeTime,
      includeResolvedCases,
      language,
      includeCommunications,
    },
    invalidToken: () => validation('Invalid pagination token'),
  });
  return { cases: page, ...(next ? { nextToken: next } : {}) };
}

export const supportSimulator: ServiceSimulator = {
  service: 'Support',
  operations: { DescribeCases: describeCases },
  notEnabled: () => subscriptionRequired(),
  // The reference marks no CaseDetails member required, but a case without its id is unusable, so readers
  // require the caseId.
  malform(_operation, output) {
    const copy = structuredClone(output) as { cases?: Array<Record<string, unknown>> };
    const first = copy.cases?.[0];
    if (first) delete first.caseId;
    else delete copy.cases;
    return copy;
  },
};
