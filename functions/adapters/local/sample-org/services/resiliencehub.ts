import type { Environment, SampleAccount } from '../accounts.ts';
import { Random } from '../random.ts';
import { awsError, paginate, type SampleCall, type ServiceSimulator } from '../simulator.ts';

const DAY_MS = 86_400_000;
const MINUTE_MS = 60_000;
/** ListApps and ListAppAssessments take maxResults 1 to 100; the server answers fewer. */
const APPS_PAGE_SIZE = 2;
const ASSESSMENTS_PAGE_SIZE = 20;

type Tier = 'MissionCritical' | 'Critical' | 'Important' | 'CoreServices' | 'NonCritical';
type Disruption = 'AZ' | 'Hardware' | 'Software' | 'Region';

/** Applications per Region: [home Region, each other Region]; some slots stay empty now and then. */
const APP_SLOTS: Record<Environment, { home: [number, number]; other: [number, number] }> = {
  management: { home: [1, 1], other: [0, 0] },
  security: { home: [1, 1], other: [0, 0] },
  production: { home: [1, 3], other: [0, 1] },
  staging: { home: [1, 2], other: [0, 0] },
  development: { home: [1, 1], other: [0, 0] },
  sandbox: { home: [1, 1], other: [0, 0] },
};
/** An application is re-onboarded (replaced by a new one) every so many days; test ones more often. */
const APP_PERIOD_DAYS: Record<Environment, [number, number]> = {
  management: [20, 90],
  security: [20, 90],
  production: [12, 50],
  staging: [7, 30],
  development: [7, 30],
  sandbox: [5, 20],
};
const TIERS: Record<Environment, Tier[]> = {
  management: ['CoreServices'],
  security: ['CoreServices'],
  production: ['MissionCritical', 'Critical', 'Important'],
  staging: ['Important', 'NonCritical'],
  development: ['NonCritical'],
  sandbox: ['NonCritical'],
};
/** RTO and RPO in seconds per disruption type: the suggested policies of each tier. */
const OBJECTIVES: Record<Tier, Partial<Record<Disruption, [number, number]>>> = {
  MissionCritical: { AZ: [300, 60], Hardware: [300, 60], Software: [900, 300], Region: [3600, 300] },
  Critical: { AZ: [1800, 300], Hardware: [1800, 300], Software: [3600, 900], Region: [14400, 3600] },
  Important: { AZ: [3600, 900], Hardware: [3600, 900], Software: [14400, 3600] },
  CoreServices: { AZ: [600, 300], Hardware: [600, 300], Software: [3600, 1800] },
  NonCritical: { AZ: [86400, 3600], Hardware: [86400, 3600], Software: [172800, 86400] },
};
const COST_TIERS: Record<Tier, 'L1' | 'L2' | 'L3' | 'L4'> = {
  MissionCritical: 'L4',
  Critical: 'L3',
  Important: 'L2',
  CoreServices: 'L2',
  NonCritical: 'L1',
};
const PURPOSES = [
  { name: 'core-api', description: 'Public API on EKS with Aurora PostgreSQL' },
  { name: 'web-frontend', description: 'Web front end behind CloudFront and an Application Load Balancer' },
  { name: 'event-pipeline', description: 'Event ingestion with Kinesis, Lambda and DynamoDB' },
  { name: 'batch-jobs', description: 'Nightly batch on ECS with S3 and RDS MySQL' },
  { name: 'payments-flow', description: 'Payment authorisation path with SQS and Aurora' },
  { name: 'search-service', description: 'Search cluster on OpenSearch fed by Lambda' },
  { name: 'reporting', description: '' },
];

interface SamplePolicy {
  readonly arn: string;
  readonly name: string;
  readonly tier: Tier;
  readonly objectives: Partial<Record<Disruption, [number, number]>>;
  readonly createdAt: Date;
}

interface SampleAssessment {
  readonly arn: string;
  readonly name: string;
  readonly invoker: 'System' | 'User';
  readonly startTime: Date;
  readonly endTime: Date;
  readonly outcome: 'Success' | 'Failed';
  /** Estimated RTO and RPO per disruption type. */
  readonly current: Partial<Record<Disruption, [number, number]>>;
  readonly score: number;
  readonly cost: number | null;
}

export interface SampleApp {
  readonly arn: string;
  readonly name: string;
  readonly description: string;
  readonly region: string;
  readonly policy: SamplePolicy;
  readonly schedule: 'Daily' | 'Disabled';
  readonly drift: 'NotChecked' | 'Detected' | 'NotDetected';
  readonly createdAt: Date;
  readonly removedAt: Date;
  /** Lower is better: the share of the policy's objectives the app's estimated RTO and RPO take. */
  readonly posture: number;
  readonly monthlyCost: number;
}

function policyOf(account: SampleAccount, region: string, tier: Tier): SamplePolicy {
  const random = new Random(account.id, region, 'resiliency-policy', tier);
  const name = tier.replace(/([a-z])([A-Z])/g, '$1-$2').toLowerCase();
  return {
    arn: `arn:aws:resiliencehub:${region}:${account.id}:resiliency-policy/${random.uuid()}`,
    name: `${name}-policy`,
    tier,
    objectives: OBJECTIVES[tier],
    createdAt: new Date(account.joinedAt.getTime() + random.int(1, 60) * DAY_MS),
  };
}

/** The application in one slot at `day`, or null when the slot is empty. */
function slotApp(account: SampleAccount, region: string, slot: number, day: number): SampleApp | null {
  const seed = [account.id, region, 'resiliencehub', slot];
  const shape = new Random(...seed, 'slot');
  const [low, high] = APP_PERIOD_DAYS[account.environment];
  const period = shape.int(low, high);
  const phase = shape.int(0, period - 1);
  const generation = Math.floor((day + phase) / period);
  const random = new Random(...seed, generation);
  if (random.chance(0.08)) return null;
  const start = generation * period - phase;
  const purpose = random.pick(PURPOSES);
  const production = account.environment === 'production';
  const schedule = production && random.chance(0.8) ? 'Daily' : 'Disabled';
  return {
    arn: `arn:aws:resiliencehub:${region}:${account.id}:app/${random.uuid()}`,
    name: `${account.product ?? account.name}-${purpose.name}`,
    description: purpose.description,
    region,
    policy: policyOf(account, region, random.pick(TIERS[account.environment])),
    schedule,
    drift: schedule === 'Disabled' ? 'NotChecked' : random.chance(0.15) ? 'Detected' : 'NotDetected',
    createdAt: new Date(start * DAY_MS + random.int(0, 86_399) * 1000),
    removedAt: new Date((start + period) * DAY_MS),
    posture: random.float(0.35, 1.3),
    monthlyCost: Math.round(random.float(80, 2500) * Math.max(0.3, account.scale) * 100) / 100,
  };
}

/** The Resilience Hub applications of the Region at `now`. */
export function sampleApps(
  account: SampleAccount,
  region: string,
  regions: readonly string[],
  now: Date,
): SampleApp[] {
  const counts = APP_SLOTS[account.environment][region === regions[0] ? 'home' : 'other'];
  const slots = new Random(account.id, region, 'resiliencehub-slots').int(counts[0], counts[1]);
  const day = Math.floor(now.getTime() / DAY_MS);
  return Array.from({ length: slots }, (_, slot) => slotApp(account, region, slot, day)).filter(
    (app): app is SampleApp => app !== null && app.createdAt <= now,
  );
}

/**
 * The app's assessments started by `now`: every night for a daily schedule (System), every week or two by hand
 * for the others (User). Each estimates the app's RTO and RPO, its score and its cost.
 */
export function sampleAssessments(app: SampleApp, now: Date): SampleAssessment[] {
  const assessments: SampleAssessment[] = [];
  const firstDay = Math.floor(app.createdAt.getTime() / DAY_MS) + 1;
  const lastDay = Math.floor(Math.min(now.getTime(), app.removedAt.getTime() - 1) / DAY_MS);
  const step = new Random(app.arn, 'assessment-step').int(6, 14);
  for (let day = firstDay, n = 0; day <= lastDay; day += app.schedule === 'Daily' ? 1 : step, n++) {
    const random = new Random(app.arn, 'assessment', day);
    const startTime = new Date(
      day * DAY_MS + (app.schedule === 'Daily' ? 120 : random.int(540, 1020)) * MINUTE_MS,
    );
    if (startTime > now) break;
    const endTime = new Date(startTime.getTime() + random.int(6, 28) * MINUTE_MS);
    const noise = random.float(0.9, 1.1);
    const current = Object.fromEntries(
      Object.entries(app.policy.objectives).map(([type, [rto, rpo]]) => [
        type,
        [Math.round(rto * app.posture * noise), Math.round(rpo * app.posture * random.float(0.9, 1.1))],
      ]),
    ) as SampleAssessment['current'];
    const date = startTime.toISOString().slice(0, 10).replaceAll('-', '');
    assessments.push({
      arn: `arn:aws:resiliencehub:${app.region}:${app.arn.split(':')[4]}:app-assessment/${new Random(app.arn, 'assessment-id', day).uuid()}`,
      name: app.schedule === 'Daily' ? `daily-${date}` : `manual-${date}-${n + 1}`,
      invoker: app.schedule === 'Daily' ? 'System' : 'User',
      startTime,
      endTime,
      outcome: random.chance(0.93) ? 'Success' : 'Failed',
      current,
      score: Math.max(0, Math.min(100, Math.round(100 - app.posture * 45 + random.float(-3, 3)))),
      cost: random.chance(0.85) ? Math.round(app.monthlyCost * random.float(0.97, 1.03) * 100) / 100 : null,
    });
  }
  return assessments;
}

const statusAt = (assessment: SampleAssessment, now: Date) =>
  assessment.endTime > now ? 'InProgress' : assessment.outcome;

function complianceOf(app: SampleApp, assessment: SampleAssessment) {
  const entries = Object.entries(app.policy.objectives).map(([type, [rto, rpo]]) => {
    const [currentRto, currentRpo] = assessment.current[type as Disruption] ?? [rto, rpo];
    const met = currentRto <= rto && currentRpo <= rpo;
    return [
      type,
      {
        currentRtoInSecs: currentRto,
        currentRpoInSecs: currentRpo,
        achievableRtoInSecs: Math.round(currentRto * 0.6),
        achievableRpoInSecs: Math.round(currentRpo * 0.6),
        complianceStatus: met ? 'PolicyMet' : 'PolicyBreached',
        ...(met ? {} : { message: `Estimated ${type} RTO or RPO exceeds the ${app.policy.name} objectives` }),
      },
    ] as const;
  });
  return Object.fromEntries(entries);
}

const overall = (compliance: ReturnType<typeof complianceOf>) =>
  Object.values(compliance).every((c) => c.complianceStatus === 'PolicyMet') ? 'PolicyMet' : 'PolicyBreached';

function latestSuccess(app: SampleApp, now: Date): SampleAssessment | undefined {
  return sampleAssessments(app, now)
    .filter((a) => statusAt(a, now) === 'Success')
    .at(-1);
}

function appShape(app: SampleApp, now: Date) {
  const latest = latestSuccess(app, now);
  const compliance = latest ? overall(complianceOf(app, latest)) : 'NotAssessed';
  const deleting = now.getTime() >= app.removedAt.getTime() - DAY_MS;
  return {
    appArn: app.arn,
    name: app.name,
    ...(app.description ? { description: app.description } : {}),
    policyArn: app.policy.arn,
    creationTime: app.createdAt,
    status: deleting ? 'Deleting' : 'Active',
    complianceStatus: app.drift === 'Detected' && latest ? 'ChangesDetected' : compliance,
    ...(latest
      ? {
          lastAppComplianceEvaluationTime: latest.endTime,
          resiliencyScore: latest.score,
          lastResiliencyScoreEvaluationTime: latest.endTime,
        }
      : {}),
    assessmentSchedule: app.schedule,
    driftStatus: app.drift,
    ...(app.schedule === 'Daily' && latest ? { lastDriftEvaluationTime: latest.endTime } : {}),
    permissionModel: { type: 'LegacyIAMUser' },
    tags: {},
  };
}

function assessmentSummary(app: SampleApp, assessment: SampleAssessment, now: Date) {
  const status = statusAt(assessment, now);
  const done = status === 'Success';
  return {
    appArn: app.arn,
    appVersion: 'release',
    assessmentStatus: status,
    invoker: assessment.invoker,
    startTime: assessment.startTime,
    ...(status === 'InProgress' ? {} : { endTime: assessment.endTime }),
    ...(status === 'Failed'
      ? { message: 'Resource import failed: a resource of the application was deleted' }
      : {}),
    assessmentName: assessment.name,
    assessmentArn: assessment.arn,
    ...(done
      ? { complianceStatus: overall(complianceOf(app, assessment)), resiliencyScore: assessment.score }
      : {}),
    ...(done && assessment.cost !== null
      ? { cost: { amount: assessment.cost, currency: 'USD', frequency: 'Monthly' } }
      : {}),
    versionName: 'release',
    ...(app.schedule === 'Daily' ? { driftStatus: app.drift } : {}),
  };
}

function notFound(what: string, arn: string): Error {
  return awsError('ResourceNotFoundException', `${what} ${arn} not found`, { status: 404 });
}

function validation(message: string): Error {
  return awsError('ValidationException', message);
}

function checkMaxResults(value: unknown): void {
  if (value !== undefined && (!Number.isInteger(value) || (value as number) < 1 || (value as number) > 100)) {
    throw validation('maxResults must be between 1 and 100');
  }
}

const appsOf = (call: SampleCall) => sampleApps(call.account, call.region, call.regions, call.now);

function appByArn(call: SampleCall, arn: unknown): SampleApp {
  if (typeof arn !== 'string' || arn.length === 0) throw validation('appArn is required');
  const app = appsOf(call).find((a) => a.arn === arn);
  if (!app) throw notFound('App', arn);
  return app;
}

function listApps(call: SampleCall): object {
  const { maxResults, nextToken, name, appArn, reverseOrder } = call.input;
  checkMaxResults(maxResults);
  const apps = appsOf(call)
    .filter(
      (app) => (name === undefined || app.name === name) && (appArn === undefined || app.arn === appArn),
    )
    .map((app) => appShape(app, call.now))
    // Sorted on the last compliance evaluation, never-assessed apps first, as Resilience Hub sorts them.
    .sort(
      (a, b) =>
        (a.lastAppComplianceEvaluationTime?.getTime() ?? 0) -
          (b.lastAppComplianceEvaluationTime?.getTime() ?? 0) || a.appArn.localeCompare(b.appArn),
    );
  if (reverseOrder === true) apps.reverse();
  const { page, nextToken: next } = paginate(apps, {
    token: nextToken,
    pageSize: Math.min(maxResults ?? 100, APPS_PAGE_SIZE),
    request: { name, appArn, reverseOrder },
    invalidToken: () => validation('Invalid nextToken'),
  });
  return {
    appSummaries: page.map((app) => ({
      appArn: app.appArn,
      name: app.name,
      ...(app.description ? { description: app.description } : {}),
      creationTime: app.creationTime,
      complianceStatus: app.complianceStatus,
      ...(app.resiliencyScore === undefined ? {} : { resiliencyScore: app.resiliencyScore }),
      assessmentSchedule: app.assessmentSchedule,
      status: app.status,
      driftStatus: app.driftStatus,
      ...(app.lastAppComplianceEvaluationTime
        ? { lastAppComplianceEvaluationTime: app.lastAppComplianceEvaluationTime }
        : {}),
    })),
    ...(next ? { nextToken: next } : {}),
  };
}

function describeApp(call: SampleCall): object {
  return { app: appShape(appByArn(call, call.input.appArn), call.now) };
}

function describeResiliencyPolicy(call: SampleCall): object {
  const { policyArn } = call.input;
  if (typeof policyArn !== 'string' || policyArn.length === 0) throw validation('policyArn is required');
  const tiers = Object.keys(OBJECTIVES) as Tier[];
  const policy = tiers
    .map((tier) => policyOf(call.account, call.region, tier))
    .find((p) => p.arn === policyArn && p.createdAt <= call.now);
  if (!policy) throw notFound('ResiliencyPolicy', policyArn);
  return {
    policy: {
      policyArn: policy.arn,
      policyName: policy.name,
      policyDescription: `Suggested ${policy.tier} policy`,
      dataLocationConstraint: 'AnyLocation',
      tier: policy.tier,
      estimatedCostTier: COST_TIERS[policy.tier],
      policy: Object.fromEntries(
        Object.entries(policy.objectives).map(([type, [rto, rpo]]) => [
          type,
          { rtoInSecs: rto, rpoInSecs: rpo },
        ]),
      ),
      creationTime: policy.createdAt,
      tags: {},
    },
  };
}

function listAppAssessments(call: SampleCall): object {
  const {
    appArn,
    assessmentName,
    assessmentStatus,
    complianceStatus,
    invoker,
    reverseOrder,
    nextToken,
    maxResults,
  } = call.input;
  checkMaxResults(maxResults);
  const apps = appArn === undefined ? appsOf(call) : [appByArn(call, appArn)];
  const summaries = apps
    .flatMap((app) => sampleAssessments(app, call.now).map((a) => assessmentSummary(app, a, call.now)))
    .filter(
      (a) =>
        (assessmentName === undefined || a.assessmentName === assessmentName) &&
        (assessmentStatus === undefined || assessmentStatus.includes(a.assessmentStatus)) &&
        (complianceStatus === undefined || a.complianceStatus === complianceStatus) &&
        (invoker === undefined || a.invoker === invoker),
    )
    // Ascending start time unless reverseOrder.
    .sort(
      (a, b) =>
        a.startTime.getTime() - b.startTime.getTime() || a.assessmentArn.localeCompare(b.assessmentArn),
    );
  if (reverseOrder === true) summaries.reverse();
  const { page, nextToken: next } = paginate(summaries, {
    token: nextToken,
    pageSize: Math.min(maxResults ?? 100, ASSESSMENTS_PAGE_SIZE),
    request: { appArn, assessmentName, assessmentStatus, complianceStatus, invoker, reverseOrder },
    invalidToken: () => validation('Invalid nextToken'),
  });
  return { assessmentSummaries: page, ...(next ? { nextToken: next } : {}) };
}

function describeAppAssessment(call: SampleCall): object {
  const { assessmentArn } = call.input;
  if (typeof assessmentArn !== 'string' || assessmentArn.length === 0) {
    throw validation('assessmentArn is required');
  }
  for (const app of appsOf(call)) {
    const assessment = sampleAssessments(app, call.now).find((a) => a.arn === assessmentArn);
    if (!assessment) continue;
    const summary = assessmentSummary(app, assessment, call.now);
    const done = summary.assessmentStatus === 'Success';
    return {
      assessment: {
        ...summary,
        ...(done
          ? {
              compliance: complianceOf(app, assessment),
              resiliencyScore: {
                score: assessment.score,
                disruptionScore: Object.fromEntries(
                  Object.keys(app.policy.objectives).map((type) => [type, assessment.score]),
                ),
              },
            }
          : {}),
        policy: (
          describeResiliencyPolicy({ ...call, input: { policyArn: app.policy.arn } }) as { policy: object }
        ).policy,
      },
    };
  }
  throw notFound('AppAssessment', assessmentArn);
}

export const resilienceHubSimulator: ServiceSimulator = {
  service: 'Resiliencehub',
  operations: {
    ListApps: listApps,
    DescribeApp: describeApp,
    DescribeResiliencyPolicy: describeResiliencyPolicy,
    ListAppAssessments: listAppAssessments,
    DescribeAppAssessment: describeAppAssessment,
  },
  // Resilience Hub needs no enabling and has no "not enabled" answer: an account that does not use it has no
  // applications. What remains is the service refusing the account in the Region, as an opt-in Region does.
  notEnabled: () =>
    awsError('UnrecognizedClientException', 'The security token included in the request is invalid.', {
      status: 403,
    }),
  malform(operation, output) {
    const copy = structuredClone(output) as Record<string, unknown>;
    const first = (key: string) => (copy[key] as Array<Record<string, unknown>> | undefined)?.[0];
    switch (operation) {
      case 'ListApps': {
        const app = first('appSummaries');
        if (app) delete app.appArn;
        else delete copy.appSummaries;
        break;
      }
      case 'DescribeApp':
        delete (copy.app as Record<string, unknown>).creationTime;
        break;
      case 'DescribeResiliencyPolicy': {
        const objectives = (copy.policy as { policy: Record<string, Record<string, unknown>> }).policy;
        delete (objectives.AZ ?? Object.values(objectives)[0])?.rpoInSecs;
        break;
      }
      case 'ListAppAssessments': {
        const assessment = first('assessmentSummaries');
        if (assessment) delete assessment.assessmentArn;
        else delete copy.assessmentSummaries;
        break;
      }
      default:
        delete (copy.assessment as Record<string, unknown>).assessmentArn;
    }
    return copy;
  },
};
