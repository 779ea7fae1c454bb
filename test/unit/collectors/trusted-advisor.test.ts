import {
  type CheckSummary,
  GetRecommendationCommand,
  ListChecksCommand,
  ListRecommendationsCommand,
  type Recommendation,
  type RecommendationSummary,
  TrustedAdvisorClient,
} from '@aws-sdk/client-trustedadvisor';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { iamActionFor } from '../../../functions/collectors/iam.ts';
import { trustedAdvisorCollector } from '../../../functions/collectors/trusted-advisor.ts';
import {
  DataContractError,
  ServiceNotEnabledError,
  SourceAccessError,
  SourceRequestError,
  TransientError,
} from '../../../functions/platform/errors.ts';
import { collectContext, serviceError } from '../../support/collect-context.ts';

const ta = mockClient(TrustedAdvisorClient);
afterEach(() => ta.reset());
afterAll(() => ta.restore());

const accountId = '123456789012';
const window = { period: 'DAILY' as const, start: '2026-11-25', end: '2026-11-26' };
const arnOf = (id: string) => `arn:aws:trustedadvisor::${accountId}:recommendation/${id}`;

function check(id: string, name: string, pillar: string, description = `Checks ${name}.`): CheckSummary {
  return {
    id,
    arn: `arn:aws:trustedadvisor:::check/${id}`,
    name,
    description,
    pillars: [pillar as never],
    awsServices: ['ec2'],
    source: 'ta_check',
    metadata: { '0': 'Region', '1': 'Resource' },
  };
}

function summary(
  id: string,
  checkId: string | null,
  overrides: Partial<RecommendationSummary> = {},
): RecommendationSummary {
  return {
    id,
    type: 'standard',
    ...(checkId ? { checkArn: `arn:aws:trustedadvisor:::check/${checkId}` } : {}),
    status: 'warning',
    pillars: ['cost_optimizing'],
    source: 'ta_check',
    awsServices: ['ec2'],
    name: 'Low Utilization Amazon EC2 Instances',
    resourcesAggregates: { okCount: 12, warningCount: 3, errorCount: 0, excludedCount: 1 },
    pillarSpecificAggregates: {
      costOptimizing: { estimatedMonthlySavings: 412.35, estimatedPercentMonthlySavings: 17.5 },
    },
    lastUpdatedAt: new Date('2026-11-26T04:10:00Z'),
    arn: arnOf(id),
    ...overrides,
  };
}

const checks = [
  check('Qch7DwouX1', 'Low Utilization Amazon EC2 Instances', 'cost_optimizing'),
  check('HCP4007jGY', 'Security Groups - Specific Ports Unrestricted', 'security'),
  check('f2iK5R6Dep', 'Amazon RDS Multi-AZ', 'fault_tolerance'),
];

const priority: Recommendation = {
  ...summary('5f1c2d3e-4a5b-4c6d-a7e8-9f0a1b2c3d4e', 'f2iK5R6Dep', {
    type: 'priority',
    source: 'manual',
    pillars: ['fault_tolerance'],
    name: 'Turn on Multi-AZ for production Amazon RDS databases',
    status: 'ok',
    lifecycleStage: 'resolved',
    pillarSpecificAggregates: undefined,
    createdAt: new Date('2026-11-10T09:00:00Z'),
    resourcesAggregates: { okCount: 2, warningCount: 0, errorCount: 0 },
  }),
  description: 'Single-AZ database instances serve production traffic.',
  resolvedAt: new Date('2026-11-24T15:30:00Z'),
} as Recommendation;

const manual: Recommendation = {
  ...summary('0b1c2d3e-4a5b-4c6d-a7e8-9f0a1b2c3d4f', null, {
    type: 'priority',
    source: 'cost_explorer',
    name: 'Increase Compute Savings Plans coverage',
    lifecycleStage: 'in_progress',
    createdAt: new Date('2026-11-20T09:00:00Z'),
  }),
  description: 'On-Demand compute spend has been steady for three months.',
} as Recommendation;

function serveHappy() {
  ta.on(ListChecksCommand)
    .resolvesOnce({ checkSummaries: checks.slice(0, 2), nextToken: 'checks-2' })
    .resolvesOnce({ checkSummaries: checks.slice(2) });
  ta.on(ListRecommendationsCommand)
    .resolvesOnce({
      recommendationSummaries: [
        summary('a1b2c3d4-0000-4000-a000-000000000001', 'Qch7DwouX1'),
        summary('a1b2c3d4-0000-4000-a000-000000000002', 'HCP4007jGY', {
          status: 'error',
          pillars: ['security'],
          name: 'Security Groups - Specific Ports Unrestricted',
          pillarSpecificAggregates: undefined,
          resourcesAggregates: { okCount: 20, warningCount: 2, errorCount: 1 },
        }),
      ],
      nextToken: 'recs-2',
    })
    .resolvesOnce({
      recommendationSummaries: [
        {
          ...priority,
          description: undefined,
          resolvedAt: undefined,
        } as RecommendationSummary,
        { ...manual, description: undefined } as RecommendationSummary,
      ],
    });
  ta.on(GetRecommendationCommand, { recommendationIdentifier: priority.arn }).resolves({
    recommendation: priority,
  });
  ta.on(GetRecommendationCommand, { recommendationIdentifier: manual.arn }).resolves({
    recommendation: manual,
  });
}

describe('trusted-advisor collector', () => {
  it('pages checks and recommendations to the end, and reads the detail of Priority recommendations only', async () => {
    serveHappy();
    const result = await trustedAdvisorCollector.collect(collectContext({ window }));

    expect(ta.commandCalls(ListChecksCommand).map((c) => c.args[0].input)).toEqual([
      { language: 'en', maxResults: 200 },
      { language: 'en', maxResults: 200, nextToken: 'checks-2' },
    ]);
    expect(ta.commandCalls(ListRecommendationsCommand).map((c) => c.args[0].input)).toEqual([
      { maxResults: 200 },
      { maxResults: 200, nextToken: 'recs-2' },
    ]);
    expect(
      ta
        .commandCalls(GetRecommendationCommand)
        .map((c) => c.args[0].input.recommendationIdentifier)
        .sort(),
    ).toEqual([manual.arn, priority.arn].sort());
    for (const call of ta.calls()) {
      expect(await (call.thisValue as TrustedAdvisorClient).config.region()).toBe('us-east-1');
    }

    expect(result.rows).toBe(4);
    const recs = result.payload.recommendations;
    expect(recs.map((r) => [r.category, r.check_name, r.severity, r.type])).toEqual([
      ['cost_optimizing', 'Increase Compute Savings Plans coverage', 'warning', 'priority'],
      ['cost_optimizing', 'Low Utilization Amazon EC2 Instances', 'warning', 'standard'],
      ['fault_tolerance', 'Turn on Multi-AZ for production Amazon RDS databases', 'ok', 'priority'],
      ['security', 'Security Groups - Specific Ports Unrestricted', 'error', 'standard'],
    ]);
    expect(recs[1]).toEqual({
      recommendation_id: 'a1b2c3d4-0000-4000-a000-000000000001',
      recommendation_arn: arnOf('a1b2c3d4-0000-4000-a000-000000000001'),
      check_id: 'Qch7DwouX1',
      check_arn: 'arn:aws:trustedadvisor:::check/Qch7DwouX1',
      check_name: 'Low Utilization Amazon EC2 Instances',
      category: 'cost_optimizing',
      pillars: ['cost_optimizing'],
      severity: 'warning',
      recommendation: 'Checks Low Utilization Amazon EC2 Instances.',
      type: 'standard',
      source: 'ta_check',
      aws_services: ['ec2'],
      lifecycle_stage: null,
      affected_resources_count: 3,
      ok_count: 12,
      warning_count: 3,
      error_count: 0,
      excluded_count: 1,
      potential_savings: 412.35,
      potential_savings_percentage: 17.5,
      timestamp: '2026-11-26T04:10:00.000Z',
      recommendation_created_at: null,
      resolved_at: null,
    });
    expect(recs[3]).toMatchObject({
      affected_resources_count: 3,
      potential_savings: null,
      excluded_count: null,
    });
    expect(recs[2]).toMatchObject({
      check_id: 'f2iK5R6Dep',
      lifecycle_stage: 'resolved',
      recommendation: 'Single-AZ database instances serve production traffic.',
      recommendation_created_at: '2026-11-10T09:00:00.000Z',
      resolved_at: '2026-11-24T15:30:00.000Z',
      affected_resources_count: 0,
    });
    expect(recs[0]).toMatchObject({
      check_id: null,
      check_arn: null,
      source: 'cost_explorer',
      lifecycle_stage: 'in_progress',
      recommendation: 'On-Demand compute spend has been steady for three months.',
      resolved_at: null,
    });
    expect(trustedAdvisorCollector.schema.safeParse(result.payload).success).toBe(true);
  });

  it('is SKIPPED without a Business or Enterprise support plan', async () => {
    const denied = serviceError('AccessDeniedException', 'Access denied due to support level', 403);
    ta.on(ListChecksCommand).rejects(denied);
    ta.on(ListRecommendationsCommand).rejects(denied);
    const error = await trustedAdvisorCollector.collect(collectContext({ window })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServiceNotEnabledError);
    expect((error as Error).message).toBe('AccessDeniedException: Access denied due to support level');
  });

  it('returns no recommendations, and is not SKIPPED, when Trusted Advisor has none', async () => {
    ta.on(ListChecksCommand).resolves({ checkSummaries: checks });
    ta.on(ListRecommendationsCommand).resolves({ recommendationSummaries: [] });
    const result = await trustedAdvisorCollector.collect(collectContext({ window }));
    expect(result).toEqual({ payload: { recommendations: [] }, rows: 0 });
  });

  it.each([
    [
      'AccessDeniedException',
      'not authorized to perform: trustedadvisor:ListRecommendations',
      403,
      SourceAccessError,
    ],
    ['ThrottlingException', 'Rate exceeded', 429, TransientError],
    ['InternalServerException', 'Internal error', 500, TransientError],
    ['ValidationException', 'Invalid next token', 400, SourceRequestError],
  ])('classifies %s as %s', async (name, message, status, type) => {
    ta.on(ListChecksCommand).resolves({ checkSummaries: checks });
    ta.on(ListRecommendationsCommand).rejects(serviceError(name, message, status));
    await expect(trustedAdvisorCollector.collect(collectContext({ window }))).rejects.toBeInstanceOf(type);
  });

  it.each([
    ['id', { id: undefined }, 'recommendationSummaries[0].id'],
    ['status', { status: undefined }, 'recommendationSummaries[0].status'],
    ['an unknown status', { status: 'critical' as never }, 'recommendationSummaries[0].status is not one of'],
    [
      'the warning count',
      { resourcesAggregates: { okCount: 1, errorCount: 0 } as never },
      'recommendationSummaries[0].resourcesAggregates.warningCount',
    ],
    [
      'the savings of a cost aggregate',
      { pillarSpecificAggregates: { costOptimizing: { estimatedPercentMonthlySavings: 1 } as never } },
      'costOptimizing.estimatedMonthlySavings',
    ],
  ])('rejects a recommendation without %s, naming the field', async (_what, overrides, path) => {
    ta.on(ListChecksCommand).resolves({ checkSummaries: checks });
    ta.on(ListRecommendationsCommand).resolves({
      recommendationSummaries: [summary('a1b2c3d4-0000-4000-a000-000000000001', 'Qch7DwouX1', overrides)],
    });
    const error = await trustedAdvisorCollector.collect(collectContext({ window })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DataContractError);
    expect((error as Error).message).toContain(path);
  });

  it('rejects a check without its description when a recommendation needs it', async () => {
    ta.on(ListChecksCommand).resolves({
      checkSummaries: [{ ...check('Qch7DwouX1', 'x', 'cost_optimizing'), description: undefined }],
    });
    ta.on(ListRecommendationsCommand).resolves({
      recommendationSummaries: [summary('a1b2c3d4-0000-4000-a000-000000000001', 'Qch7DwouX1')],
    });
    const error = await trustedAdvisorCollector.collect(collectContext({ window })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DataContractError);
    expect((error as Error).message).toContain(
      'checkSummaries(arn:aws:trustedadvisor:::check/Qch7DwouX1).description',
    );
  });

  it('declares exactly the IAM actions of the commands it sends', async () => {
    serveHappy();
    await trustedAdvisorCollector.collect(collectContext({ window }));
    const sent = new Set(
      ta
        .calls()
        .map((c) =>
          iamActionFor('@aws-sdk/client-trustedadvisor', c.args[0].constructor.name.replace(/Command$/, '')),
        ),
    );
    expect([...trustedAdvisorCollector.actions].sort()).toEqual([...sent].sort());
    expect(trustedAdvisorCollector.scope).toBe('global');
    expect(trustedAdvisorCollector.tables).toEqual(['trusted_advisor_checks']);
  });
});
