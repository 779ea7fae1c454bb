import {
  type App,
  type AppAssessment,
  DescribeAppAssessmentCommand,
  DescribeAppCommand,
  DescribeResiliencyPolicyCommand,
  ListAppAssessmentsCommand,
  ListAppsCommand,
  ResiliencehubClient,
} from '@aws-sdk/client-resiliencehub';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { iamActionFor } from '../../../functions/collectors/iam.ts';
import { LAST_DRILL_NOTE, resilienceHubCollector } from '../../../functions/collectors/resilience-hub.ts';
import { SourceAccessError, TransientError } from '../../../functions/platform/errors.ts';
import { collectContext, serviceError } from '../../support/collect-context.ts';

const hub = mockClient(ResiliencehubClient);
afterEach(() => hub.reset());
afterAll(() => hub.restore());

const window = { period: 'DAILY' as const, start: '2026-11-25', end: '2026-11-26' };
const account = '123456789012';
const appArn = (id: string) => `arn:aws:resiliencehub:us-east-1:${account}:app/${id}`;
const POLICY = `arn:aws:resiliencehub:us-east-1:${account}:resiliency-policy/critical`;
const CORE = appArn('core-api');
const WEB = appArn('web');
const DRAFT = appArn('draft');
const GONE = appArn('gone');
const CORE_ASSESSMENT = `arn:aws:resiliencehub:us-east-1:${account}:app-assessment/core-1`;
const WEB_ASSESSMENT = `arn:aws:resiliencehub:us-east-1:${account}:app-assessment/web-1`;

const apps: Record<string, App> = {
  [CORE]: {
    appArn: CORE,
    name: 'checkout-core-api',
    description: 'Public API on EKS with Aurora PostgreSQL',
    policyArn: POLICY,
    creationTime: new Date('2026-10-01T09:00:00Z'),
    status: 'Active',
    complianceStatus: 'PolicyBreached',
    lastAppComplianceEvaluationTime: new Date('2026-11-26T02:20:00Z'),
    resiliencyScore: 62,
    assessmentSchedule: 'Daily',
    driftStatus: 'NotDetected',
  },
  [WEB]: {
    appArn: WEB,
    name: 'checkout-web-frontend',
    description: '',
    policyArn: POLICY,
    creationTime: new Date('2026-11-02T12:00:00Z'),
    status: 'Active',
    complianceStatus: 'PolicyMet',
    resiliencyScore: 88.5,
    assessmentSchedule: 'Disabled',
    driftStatus: 'NotChecked',
  },
  [DRAFT]: {
    appArn: DRAFT,
    name: 'checkout-reporting',
    creationTime: new Date('2026-11-25T16:00:00Z'),
    complianceStatus: 'NotAssessed',
  },
};

const assessments: Record<string, AppAssessment> = {
  [CORE_ASSESSMENT]: {
    appArn: CORE,
    assessmentArn: CORE_ASSESSMENT,
    invoker: 'System',
    assessmentStatus: 'Success',
    startTime: new Date('2026-11-26T02:00:00Z'),
    endTime: new Date('2026-11-26T02:20:00Z'),
    complianceStatus: 'PolicyBreached',
    cost: { amount: 1234.5, currency: 'USD', frequency: 'Monthly' },
    compliance: {
      Software: { complianceStatus: 'PolicyBreached', currentRtoInSecs: 5400, currentRpoInSecs: 600 },
      AZ: {
        complianceStatus: 'PolicyMet',
        currentRtoInSecs: 1200,
        currentRpoInSecs: 240,
        achievableRtoInSecs: 700,
        achievableRpoInSecs: 140,
      },
    },
  },
  [WEB_ASSESSMENT]: {
    appArn: WEB,
    assessmentArn: WEB_ASSESSMENT,
    invoker: 'User',
    assessmentStatus: 'Success',
    endTime: new Date('2026-11-20T10:15:00Z'),
  },
};

interface Call {
  readonly operation: string;
  readonly region: string;
  // biome-ignore lint/suspicious/noExplicitAny: the commands' own inputs
  readonly input: any;
}

/**
 * us-east-1: four apps over two ListApps pages, one deleted before it is described; two share a policy, one has
 * none and no assessment. eu-west-1: no apps.
 */
function account360(override: Partial<Record<string, (call: Call) => unknown>> = {}): Call[] {
  const calls: Call[] = [];
  const answer =
    (operation: string, fallback: (call: Call) => unknown) =>
    // biome-ignore lint/suspicious/noExplicitAny: the commands' own inputs
    async (input: any, getClient: () => unknown) => {
      // This older SDK build types its client's resolved config without the region the client has.
      const client = getClient() as { config: { region: () => Promise<string> } };
      const call = { operation, region: await client.config.region(), input };
      calls.push(call);
      return (override[operation] ?? fallback)(call);
    };
  const summary = (arn: string) => ({
    appArn: arn,
    name: apps[arn]?.name ?? 'gone',
    creationTime: new Date(0),
  });
  hub.on(ListAppsCommand).callsFake(
    answer('ListApps', ({ region, input }) => {
      if (region !== 'us-east-1') return { appSummaries: [] };
      return input.nextToken === undefined
        ? { appSummaries: [summary(CORE), summary(GONE)], nextToken: 'apps-2' }
        : { appSummaries: [summary(WEB), summary(DRAFT)] };
    }),
  );
  hub.on(DescribeAppCommand).callsFake(
    answer('DescribeApp', ({ input }) => {
      const app = apps[input.appArn];
      if (!app) throw serviceError('ResourceNotFoundException', `App ${input.appArn} not found`, 404);
      return { app };
    }),
  );
  hub.on(DescribeResiliencyPolicyCommand).callsFake(
    answer('DescribeResiliencyPolicy', () => ({
      policy: {
        policyArn: POLICY,
        policyName: 'critical-policy',
        tier: 'Critical',
        policy: {
          Software: { rtoInSecs: 3600, rpoInSecs: 900 },
          Region: { rtoInSecs: 14400, rpoInSecs: 3600 },
          AZ: { rtoInSecs: 1800, rpoInSecs: 300 },
          Hardware: { rtoInSecs: 1800, rpoInSecs: 300 },
        },
      },
    })),
  );
  hub.on(ListAppAssessmentsCommand).callsFake(
    answer('ListAppAssessments', ({ input }) => {
      const found = Object.values(assessments).filter((a) => a.appArn === input.appArn);
      return {
        assessmentSummaries: found.map((a) => ({
          appArn: a.appArn,
          assessmentArn: a.assessmentArn,
          assessmentStatus: a.assessmentStatus,
        })),
      };
    }),
  );
  hub
    .on(DescribeAppAssessmentCommand)
    .callsFake(
      answer('DescribeAppAssessment', ({ input }) => ({ assessment: assessments[input.assessmentArn] })),
    );
  return calls;
}

const of = (calls: Call[], operation: string) => calls.filter((c) => c.operation === operation);

describe('resilience-hub collector', () => {
  it('pages through the apps, describes each with its policy and latest successful assessment', async () => {
    const calls = account360();

    const result = await resilienceHubCollector.collect(collectContext({ window }));

    expect(of(calls, 'ListApps').map((c) => [c.region, c.input])).toEqual([
      ['us-east-1', { maxResults: 100 }],
      ['eu-west-1', { maxResults: 100 }],
      ['us-east-1', { maxResults: 100, nextToken: 'apps-2' }],
    ]);
    expect(
      of(calls, 'DescribeApp')
        .map((c) => c.input.appArn)
        .sort(),
    ).toEqual([CORE, DRAFT, GONE, WEB].sort());
    // Both apps of the policy share one description of it.
    expect(of(calls, 'DescribeResiliencyPolicy').map((c) => c.input)).toEqual([{ policyArn: POLICY }]);
    expect(
      of(calls, 'ListAppAssessments')
        .map((c) => c.input)
        .sort((a, b) => a.appArn.localeCompare(b.appArn)),
    ).toEqual(
      [CORE, DRAFT, WEB].map((arn) => ({
        appArn: arn,
        assessmentStatus: ['Success'],
        reverseOrder: true,
        maxResults: 1,
      })),
    );
    expect(
      of(calls, 'DescribeAppAssessment')
        .map((c) => c.input.assessmentArn)
        .sort(),
    ).toEqual([CORE_ASSESSMENT, WEB_ASSESSMENT]);

    expect(result.payload.last_drill_note).toBe(LAST_DRILL_NOTE);
    expect(result.payload.apps).toEqual([
      {
        app_arn: CORE,
        name: 'checkout-core-api',
        description: 'Public API on EKS with Aurora PostgreSQL',
        region: 'us-east-1',
        creation_time: '2026-10-01T09:00:00.000Z',
        status: 'Active',
        compliance_status: 'PolicyBreached',
        resiliency_score: 62,
        drift_status: 'NotDetected',
        assessment_schedule: 'Daily',
        last_assessment_time: '2026-11-26T02:20:00.000Z',
        policy_arn: POLICY,
        policy_name: 'critical-policy',
        policy_tier: 'Critical',
        rto: 1800,
        rpo: 300,
        policy_objectives: [
          { disruption_type: 'AZ', rto_in_secs: 1800, rpo_in_secs: 300 },
          { disruption_type: 'Hardware', rto_in_secs: 1800, rpo_in_secs: 300 },
          { disruption_type: 'Software', rto_in_secs: 3600, rpo_in_secs: 900 },
          { disruption_type: 'Region', rto_in_secs: 14400, rpo_in_secs: 3600 },
        ],
        assessment_arn: CORE_ASSESSMENT,
        assessment_compliance: [
          {
            disruption_type: 'AZ',
            compliance_status: 'PolicyMet',
            current_rto_in_secs: 1200,
            current_rpo_in_secs: 240,
            achievable_rto_in_secs: 700,
            achievable_rpo_in_secs: 140,
          },
          {
            disruption_type: 'Software',
            compliance_status: 'PolicyBreached',
            current_rto_in_secs: 5400,
            current_rpo_in_secs: 600,
            achievable_rto_in_secs: null,
            achievable_rpo_in_secs: null,
          },
        ],
        cost: 1234.5,
        cost_currency: 'USD',
        cost_frequency: 'Monthly',
        last_drill: null,
      },
      expect.objectContaining({
        app_arn: WEB,
        description: null,
        resiliency_score: 88.5,
        last_assessment_time: '2026-11-20T10:15:00.000Z',
        policy_name: 'critical-policy',
        assessment_arn: WEB_ASSESSMENT,
        assessment_compliance: [],
        cost: null,
        cost_currency: null,
        cost_frequency: null,
      }),
      {
        app_arn: DRAFT,
        name: 'checkout-reporting',
        description: null,
        region: 'us-east-1',
        creation_time: '2026-11-25T16:00:00.000Z',
        status: null,
        compliance_status: 'NotAssessed',
        resiliency_score: null,
        drift_status: null,
        assessment_schedule: null,
        last_assessment_time: null,
        policy_arn: null,
        policy_name: null,
        policy_tier: null,
        rto: null,
        rpo: null,
        policy_objectives: [],
        assessment_arn: null,
        assessment_compliance: [],
        cost: null,
        cost_currency: null,
        cost_frequency: null,
        last_drill: null,
      },
    ]);
    expect(result.rows).toBe(3);
    expect(result.regions).toEqual({
      'us-east-1': { status: 'SUCCEEDED' },
      'eu-west-1': { status: 'SUCCEEDED' },
    });
    expect(resilienceHubCollector.schema.safeParse(result.payload).success).toBe(true);
    const sent = [...new Set(calls.map((c) => c.operation))].map((operation) =>
      iamActionFor('@aws-sdk/client-resiliencehub', operation),
    );
    expect(sent.sort()).toEqual([...resilienceHubCollector.actions].sort());
  });

  it('fails the region when an app cannot be described for another reason than being gone', async () => {
    account360({
      DescribeApp: ({ input }) => {
        if (input.appArn === WEB) {
          throw serviceError(
            'AccessDeniedException',
            'not authorized to perform: resiliencehub:DescribeApp',
            403,
          );
        }
        return { app: apps[input.appArn] ?? apps[CORE] };
      },
    });
    const result = await resilienceHubCollector.collect(collectContext({ window }));
    expect(result.regions?.['us-east-1']).toMatchObject({
      status: 'FAILED',
      error: { name: 'SourceAccessError' },
    });
    expect(result.regions?.['eu-west-1']).toEqual({ status: 'SUCCEEDED' });
    expect(result.payload.apps).toEqual([]);
  });

  it('records a policy without its RPO as a contract failure, naming the field', async () => {
    account360({
      DescribeResiliencyPolicy: () => ({
        policy: { policyArn: POLICY, policy: { AZ: { rtoInSecs: 1800 } } },
      }),
    });
    const result = await resilienceHubCollector.collect(collectContext({ window }));
    expect(result.regions?.['us-east-1']).toEqual({
      status: 'FAILED',
      error: {
        name: 'DataContractError',
        message: `response is missing DescribeResiliencyPolicy(${POLICY}) policy.policy.AZ.rpoInSecs`,
      },
    });
  });

  it('gives an account without applications an empty, successful payload', async () => {
    const calls = account360({ ListApps: () => ({ appSummaries: [] }) });
    const result = await resilienceHubCollector.collect(collectContext({ window }));
    expect(result.payload).toEqual({ apps: [], last_drill_note: LAST_DRILL_NOTE });
    expect(result.skippedReason).toBeUndefined();
    expect(calls.map((c) => c.operation)).toEqual(['ListApps', 'ListApps']);
  });

  it.each([
    ['AccessDeniedException', 'not authorized to perform: resiliencehub:ListApps', 403, SourceAccessError],
    ['ThrottlingException', 'Rate exceeded', 429, TransientError],
    ['InternalServerException', 'internal error', 500, TransientError],
  ])('fails with %s when every region fails', async (name, message, status, type) => {
    account360({
      ListApps: () => {
        throw serviceError(name, message, status);
      },
    });
    await expect(resilienceHubCollector.collect(collectContext({ window }))).rejects.toBeInstanceOf(type);
  });
});
