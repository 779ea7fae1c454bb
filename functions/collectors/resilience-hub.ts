import {
  type App,
  type AppAssessment,
  type AppSummary,
  DescribeAppAssessmentCommand,
  DescribeAppCommand,
  DescribeResiliencyPolicyCommand,
  ListAppAssessmentsCommand,
  ListAppsCommand,
  type ListAppsCommandOutput,
  ResiliencehubClient,
  type ResiliencyPolicy,
} from '@aws-sdk/client-resiliencehub';
import { z } from 'zod';
import { mapLimit } from '../platform/concurrency.ts';
import { required } from './aws-errors.ts';
import { collectEachRegion } from './regional.ts';
import { defineCollector } from './types.ts';

/** The disruption types of a resiliency policy and of an assessment's compliance, in the console's order. */
export const DISRUPTION_TYPES = ['AZ', 'Hardware', 'Software', 'Region'] as const;

const timestamp = z.iso.datetime();
const seconds = z.number().int().nonnegative();

const objectiveSchema = z.object({
  disruption_type: z.string().min(1),
  rto_in_secs: seconds,
  rpo_in_secs: seconds,
});

const complianceSchema = z.object({
  disruption_type: z.string().min(1),
  /** PolicyMet or PolicyBreached. */
  compliance_status: z.string().min(1),
  current_rto_in_secs: seconds.nullable(),
  current_rpo_in_secs: seconds.nullable(),
  achievable_rto_in_secs: seconds.nullable(),
  achievable_rpo_in_secs: seconds.nullable(),
});

const appSchema = z.object({
  app_arn: z.string().min(1),
  name: z.string().min(1),
  description: z.string().nullable(),
  region: z.string().min(1),
  creation_time: timestamp,
  /** Active or Deleting. */
  status: z.string().nullable(),
  /** PolicyMet, PolicyBreached, ChangesDetected or NotAssessed. */
  compliance_status: z.string().nullable(),
  /** 0 to 100, from the latest assessment. */
  resiliency_score: z.number().min(0).max(100).nullable(),
  drift_status: z.string().nullable(),
  /** Daily or Disabled. */
  assessment_schedule: z.string().nullable(),
  /** When the latest successful assessment ended. */
  last_assessment_time: timestamp.nullable(),
  policy_arn: z.string().nullable(),
  policy_name: z.string().nullable(),
  policy_tier: z.string().nullable(),
  /** The policy's AZ disruption objectives, in seconds (the seed's rto and rpo). */
  rto: seconds.nullable(),
  rpo: seconds.nullable(),
  /** Every disruption type the policy sets (Region only for multi-Region policies). */
  policy_objectives: z.array(objectiveSchema),
  assessment_arn: z.string().nullable(),
  /** The latest successful assessment's estimated RTO and RPO per disruption type against the policy. */
  assessment_compliance: z.array(complianceSchema),
  /** The latest successful assessment's estimated cost of the application, when it has one. */
  cost: z.number().nonnegative().nullable(),
  cost_currency: z.string().nullable(),
  /** Hourly, Daily, Monthly or Yearly. */
  cost_frequency: z.string().nullable(),
  /** Always null: see `last_drill_note`. */
  last_drill: z.null(),
});
export type ResilienceHubApp = z.infer<typeof appSchema>;

/**
 * Resilience Hub records no drill: its test recommendations are FIS experiment templates to run, with no run
 * history, and no application or assessment field says when a test last ran (the seed read fields that do not
 * exist, so its last_drill was always null too).
 */
export const LAST_DRILL_NOTE =
  'Resilience Hub has no record of drills: test recommendations are templates without run history';

export const resilienceHubPayloadSchema = z.object({
  apps: z.array(appSchema),
  /** Why `last_drill` is null. */
  last_drill_note: z.string().min(1),
});
export type ResilienceHubPayload = z.infer<typeof resilienceHubPayloadSchema>;

/** ListApps takes maxResults 1 to 100. */
const APPS_PAGE = 100;
/** Applications examined at once per region. */
const APP_CONCURRENCY = 2;

async function listAppsAllPages(client: ResiliencehubClient): Promise<AppSummary[]> {
  const apps: AppSummary[] = [];
  let token: string | undefined;
  do {
    const page: ListAppsCommandOutput = await client.send(
      new ListAppsCommand({ maxResults: APPS_PAGE, ...(token ? { nextToken: token } : {}) }),
    );
    apps.push(...required(page.appSummaries, 'ListApps appSummaries'));
    token = page.nextToken;
  } while (token);
  return apps;
}

const isNotFound = (error: unknown) =>
  (error as { name?: string } | null)?.name === 'ResourceNotFoundException';

/**
 * The latest successful assessment of the app, or null when it never had one. Sorted newest first and filtered
 * on Success, the first item is the answer: there is nothing to page through.
 */
async function latestAssessment(client: ResiliencehubClient, appArn: string): Promise<AppAssessment | null> {
  const listed = await client.send(
    new ListAppAssessmentsCommand({
      appArn,
      assessmentStatus: ['Success'],
      reverseOrder: true,
      maxResults: 1,
    }),
  );
  const summaries = required(listed.assessmentSummaries, `ListAppAssessments(${appArn}) assessmentSummaries`);
  const latest = summaries[0];
  if (!latest) return null;
  const assessmentArn = required(
    latest.assessmentArn,
    `ListAppAssessments(${appArn}) assessmentSummaries[0].assessmentArn`,
  );
  const described = await client.send(new DescribeAppAssessmentCommand({ assessmentArn }));
  return required(described.assessment, `DescribeAppAssessment(${assessmentArn}) assessment`);
}

const byDisruption = (a: { disruption_type: string }, b: { disruption_type: string }) =>
  (DISRUPTION_TYPES as readonly string[]).indexOf(a.disruption_type) -
  (DISRUPTION_TYPES as readonly string[]).indexOf(b.disruption_type);

function objectivesOf(policy: ResiliencyPolicy, path: string) {
  return Object.entries(required(policy.policy, `${path}.policy`))
    .map(([type, objective]) => ({
      disruption_type: type,
      rto_in_secs: required(objective?.rtoInSecs, `${path}.policy.${type}.rtoInSecs`),
      rpo_in_secs: required(objective?.rpoInSecs, `${path}.policy.${type}.rpoInSecs`),
    }))
    .sort(byDisruption);
}

function complianceOf(assessment: AppAssessment, path: string) {
  return Object.entries(assessment.compliance ?? {})
    .map(([type, compliance]) => ({
      disruption_type: type,
      compliance_status: required(
        compliance?.complianceStatus,
        `${path}.compliance.${type}.complianceStatus`,
      ),
      current_rto_in_secs: compliance?.currentRtoInSecs ?? null,
      current_rpo_in_secs: compliance?.currentRpoInSecs ?? null,
      achievable_rto_in_secs: compliance?.achievableRtoInSecs ?? null,
      achievable_rpo_in_secs: compliance?.achievableRpoInSecs ?? null,
    }))
    .sort(byDisruption);
}

export function appOf(
  app: App,
  region: string,
  policy: ResiliencyPolicy | null,
  assessment: AppAssessment | null,
): ResilienceHubApp {
  const appArn = required(app.appArn, 'DescribeApp app.appArn');
  const at = `DescribeApp(${appArn}) app`;
  const objectives = policy ? objectivesOf(policy, `DescribeResiliencyPolicy(${app.policyArn}) policy`) : [];
  const az = objectives.find((o) => o.disruption_type === 'AZ');
  const assessmentPath = `DescribeAppAssessment(${assessment?.assessmentArn}) assessment`;
  const cost = assessment?.cost;
  return {
    app_arn: appArn,
    name: required(app.name, `${at}.name`),
    description: app.description || null,
    region,
    creation_time: required(app.creationTime, `${at}.creationTime`).toISOString(),
    status: app.status ?? null,
    compliance_status: app.complianceStatus ?? null,
    resiliency_score: app.resiliencyScore ?? null,
    drift_status: app.driftStatus ?? null,
    assessment_schedule: app.assessmentSchedule ?? null,
    last_assessment_time: (assessment?.endTime ?? app.lastAppComplianceEvaluationTime)?.toISOString() ?? null,
    policy_arn: app.policyArn ?? null,
    policy_name: policy?.policyName ?? null,
    policy_tier: policy?.tier ?? null,
    rto: az?.rto_in_secs ?? null,
    rpo: az?.rpo_in_secs ?? null,
    policy_objectives: objectives,
    assessment_arn: assessment ? required(assessment.assessmentArn, `${assessmentPath}.assessmentArn`) : null,
    assessment_compliance: assessment ? complianceOf(assessment, assessmentPath) : [],
    cost: cost ? required(cost.amount, `${assessmentPath}.cost.amount`) : null,
    cost_currency: cost ? required(cost.currency, `${assessmentPath}.cost.currency`) : null,
    cost_frequency: cost ? required(cost.frequency, `${assessmentPath}.cost.frequency`) : null,
    last_drill: null,
  };
}

async function collectRegion(client: ResiliencehubClient, region: string): Promise<ResilienceHubApp[]> {
  const summaries = await listAppsAllPages(client);
  // Apps of a region often share a policy: each is described once.
  const policies = new Map<string, Promise<ResiliencyPolicy>>();
  const policyOf = (policyArn: string) => {
    let policy = policies.get(policyArn);
    if (!policy) {
      policy = client
        .send(new DescribeResiliencyPolicyCommand({ policyArn }))
        .then((r) => required(r.policy, `DescribeResiliencyPolicy(${policyArn}) policy`));
      policies.set(policyArn, policy);
    }
    return policy;
  };
  const apps = await mapLimit(summaries, APP_CONCURRENCY, async (summary, i) => {
    const appArn = required(summary.appArn, `ListApps (${region}) appSummaries[${i}].appArn`);
    let app: App;
    try {
      const described = await client.send(new DescribeAppCommand({ appArn }));
      app = required(described.app, `DescribeApp(${appArn}) app`);
    } catch (error) {
      // Deleted between ListApps and DescribeApp: it is gone, as the next listing will say.
      if (isNotFound(error)) return null;
      throw error;
    }
    const [policy, assessment] = await Promise.all([
      app.policyArn ? policyOf(app.policyArn) : null,
      latestAssessment(client, appArn),
    ]);
    return appOf(app, region, policy, assessment);
  });
  return apps.filter((app) => app !== null);
}

export const resilienceHubCollector = defineCollector({
  id: 'resilience-hub',
  title: 'Resilience Hub: applications, their resiliency policy and latest assessment',
  scope: 'regional',
  actions: [
    'resiliencehub:ListApps',
    'resiliencehub:DescribeApp',
    'resiliencehub:DescribeResiliencyPolicy',
    'resiliencehub:ListAppAssessments',
    'resiliencehub:DescribeAppAssessment',
  ],
  tables: ['resilience_hub_apps'],
  schema: resilienceHubPayloadSchema,
  async collect(ctx) {
    // Resilience Hub needs no enabling: an account that does not use it has no applications.
    const collected = await collectEachRegion(ctx, (region) =>
      collectRegion(ctx.clients.client(ResiliencehubClient, region), region),
    );
    const apps = collected.results.flatMap((r) => r.value);
    return {
      payload: { apps, last_drill_note: LAST_DRILL_NOTE },
      rows: apps.length,
      regions: collected.regions,
      ...(collected.skippedReason === undefined ? {} : { skippedReason: collected.skippedReason }),
    };
  },
});
