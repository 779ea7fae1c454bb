import {
  type AwsSecurityFinding,
  GetFindingsCommand,
  type GetFindingsCommandInput,
  SecurityHubClient,
} from '@aws-sdk/client-securityhub';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { securityHubCollector } from '../../../functions/collectors/security-hub.ts';
import {
  DataContractError,
  SourceAccessError,
  SourceRequestError,
  TransientError,
} from '../../../functions/platform/errors.ts';
import { collectContext, serviceError } from '../../support/collect-context.ts';

const sh = mockClient(SecurityHubClient);
afterEach(() => sh.reset());
afterAll(() => sh.restore());

const accountId = '123456789012';
const window = { period: 'DAILY' as const, start: '2026-11-25', end: '2026-11-26' };

const openFilters = {
  AwsAccountId: [{ Value: accountId, Comparison: 'EQUALS' }],
  RecordState: [{ Value: 'ACTIVE', Comparison: 'EQUALS' }],
  WorkflowStatus: [
    { Value: 'NEW', Comparison: 'EQUALS' },
    { Value: 'NOTIFIED', Comparison: 'EQUALS' },
  ],
};
const closedFilters = {
  AwsAccountId: [{ Value: accountId, Comparison: 'EQUALS' }],
  WorkflowStatus: [
    { Value: 'RESOLVED', Comparison: 'EQUALS' },
    { Value: 'SUPPRESSED', Comparison: 'EQUALS' },
  ],
  UpdatedAt: [{ Start: '2026-11-25T00:00:00.000Z', End: '2026-11-25T23:59:59.999Z' }],
};

function asff(region: string, id: string, overrides: Partial<AwsSecurityFinding> = {}): AwsSecurityFinding {
  return {
    SchemaVersion: '2018-10-08',
    Id: `arn:aws:securityhub:${region}:${accountId}:security-control/S3.8/finding/${id}`,
    ProductArn: `arn:aws:securityhub:${region}::product/aws/securityhub`,
    ProductName: 'Security Hub',
    CompanyName: 'AWS',
    Region: region,
    GeneratorId: 'security-control/S3.8',
    AwsAccountId: accountId,
    CreatedAt: '2026-10-01T08:00:00.000Z',
    UpdatedAt: '2026-11-25T08:00:00.000Z',
    Severity: { Label: 'HIGH', Normalized: 70 },
    Title: 'S3 general purpose buckets should block public access',
    Description: 'This control checks whether S3 buckets block public access.',
    Remediation: { Recommendation: { Text: 'Turn on block public access.' } },
    Resources: [{ Type: 'AwsS3Bucket', Id: `arn:aws:s3:::bucket-${id}`, Region: region }],
    Compliance: { Status: 'FAILED' },
    WorkflowState: 'NEW',
    Workflow: { Status: 'NEW' },
    RecordState: 'ACTIVE',
    ...overrides,
  };
}

type Query = 'open' | 'closed';
/** Scripted answers per region, query and page token (undefined = the first page). */
type Script = Record<
  string,
  Partial<Record<Query, Record<string, { Findings?: AwsSecurityFinding[]; NextToken?: string }>>>
>;

const queryOf = (input: GetFindingsCommandInput): Query => (input.Filters?.UpdatedAt ? 'closed' : 'open');

function serve(script: Script, errors: Record<string, Error> = {}) {
  sh.on(GetFindingsCommand).callsFake(async (input: GetFindingsCommandInput, getClient) => {
    const region = await getClient().config.region();
    const error = errors[region];
    if (error) throw error;
    const page = script[region]?.[queryOf(input)]?.[input.NextToken ?? 'first'];
    if (!page) throw new Error(`no scripted page for ${region} ${queryOf(input)} ${input.NextToken}`);
    return page;
  });
}

async function callsByRegion() {
  const calls: Array<{ region: string; input: GetFindingsCommandInput }> = [];
  for (const call of sh.commandCalls(GetFindingsCommand)) {
    calls.push({
      region: await (call.thisValue as SecurityHubClient).config.region(),
      input: call.args[0].input,
    });
  }
  return calls;
}

describe('security-hub collector', () => {
  it('pages both queries to the end in every region and groups every severity per product', async () => {
    serve({
      'us-east-1': {
        open: {
          first: {
            Findings: [
              asff('us-east-1', 'a', { Severity: { Label: 'CRITICAL', Normalized: 90 } }),
              asff('us-east-1', 'b', { Workflow: { Status: 'NOTIFIED' } }),
            ],
            NextToken: 'open-2',
          },
          'open-2': {
            Findings: [
              asff('us-east-1', 'c', {
                Id: 'arn:aws:inspector2:us-east-1:123456789012:finding/c',
                ProductArn: 'arn:aws:securityhub:us-east-1::product/aws/inspector',
                ProductName: 'Inspector',
                CompanyName: 'Amazon',
                GeneratorId: 'AWSInspector',
                Severity: { Label: 'INFORMATIONAL', Normalized: 0 },
                Compliance: undefined,
                Resources: [
                  { Type: 'AwsEc2Instance', Id: 'arn:aws:ec2:us-east-1:123456789012:instance/i-1' },
                ],
              }),
            ],
          },
        },
        closed: {
          first: { Findings: [], NextToken: 'closed-2' },
          'closed-2': {
            Findings: [
              asff('us-east-1', 'd', {
                Workflow: { Status: 'RESOLVED' },
                Severity: { Label: 'INFORMATIONAL', Normalized: 0 },
                Compliance: { Status: 'PASSED' },
                UpdatedAt: '2026-11-25T13:14:15.123456789Z',
              }),
            ],
          },
        },
      },
      'eu-west-1': {
        open: {
          first: {
            Findings: [
              asff('eu-west-1', 'e', {
                Severity: { Label: 'LOW', Normalized: 1 },
                CreatedAt: '2026-10-01T09:30:00-0130',
              }),
            ],
          },
        },
        closed: {
          first: {
            Findings: [
              asff('eu-west-1', 'f', {
                Workflow: { Status: 'SUPPRESSED' },
                Severity: { Normalized: 45 },
                Remediation: undefined,
                WorkflowState: undefined,
                RecordState: undefined,
              }),
            ],
          },
        },
      },
    });

    const result = await securityHubCollector.collect(collectContext({ window }));

    const calls = await callsByRegion();
    expect(calls).toHaveLength(6);
    for (const region of ['us-east-1', 'eu-west-1']) {
      const mine = calls.filter((c) => c.region === region).map((c) => c.input);
      expect(mine).toContainEqual({ Filters: openFilters, MaxResults: 100 });
      expect(mine).toContainEqual({ Filters: closedFilters, MaxResults: 100 });
    }
    const east = calls.filter((c) => c.region === 'us-east-1').map((c) => c.input);
    expect(east).toContainEqual({ Filters: openFilters, MaxResults: 100, NextToken: 'open-2' });
    expect(east).toContainEqual({ Filters: closedFilters, MaxResults: 100, NextToken: 'closed-2' });

    expect(result.regions).toEqual({
      'us-east-1': { status: 'SUCCEEDED' },
      'eu-west-1': { status: 'SUCCEEDED' },
    });
    expect(result.skippedReason).toBeUndefined();
    expect(result.rows).toBe(6 + 2);
    const groups = result.payload.security_hub;
    expect(groups.map((g) => [g.service, g.total_findings, g.open_findings, g.resolved_findings])).toEqual([
      ['Security Hub', 5, 3, 2],
      ['Inspector', 1, 1, 0],
    ]);
    expect(groups[0]?.severity_counts).toEqual({ CRITICAL: 1, HIGH: 1, MEDIUM: 1, LOW: 1, INFORMATIONAL: 1 });
    expect(groups[1]?.severity_counts).toEqual({ CRITICAL: 0, HIGH: 0, MEDIUM: 0, LOW: 0, INFORMATIONAL: 1 });
    expect(groups[0]?.findings.map((f) => [f.finding_id.slice(-1), f.status, f.severity, f.region])).toEqual([
      ['a', 'NEW', 'CRITICAL', 'us-east-1'],
      ['b', 'NOTIFIED', 'HIGH', 'us-east-1'],
      ['d', 'RESOLVED', 'INFORMATIONAL', 'us-east-1'],
      ['e', 'NEW', 'LOW', 'eu-west-1'],
      ['f', 'SUPPRESSED', 'MEDIUM', 'eu-west-1'],
    ]);
    expect(groups[0]?.findings[2]).toEqual({
      finding_id: 'arn:aws:securityhub:us-east-1:123456789012:security-control/S3.8/finding/d',
      service: 'AwsS3Bucket',
      title: 'S3 general purpose buckets should block public access',
      description: 'This control checks whether S3 buckets block public access.',
      severity: 'INFORMATIONAL',
      status: 'RESOLVED',
      resource_type: 'AwsS3Bucket',
      resource_id: 'arn:aws:s3:::bucket-d',
      created_at: '2026-10-01T08:00:00.000Z',
      updated_at: '2026-11-25T13:14:15.123Z',
      recommendation: 'Turn on block public access.',
      compliance_status: 'PASSED',
      region: 'us-east-1',
      workflow_state: 'NEW',
      record_state: 'ACTIVE',
      product_name: 'Security Hub',
      company_name: 'AWS',
      product_arn: 'arn:aws:securityhub:us-east-1::product/aws/securityhub',
      generator_id: 'security-control/S3.8',
      generator: 'Security Hub',
    });
    expect(groups[0]?.findings[3]?.created_at).toBe('2026-10-01T11:00:00.000Z');
    expect(groups[0]?.findings[4]).toMatchObject({
      recommendation: null,
      workflow_state: null,
      record_state: 'ACTIVE',
    });
    expect(groups[1]?.findings[0]).toMatchObject({
      compliance_status: null,
      resource_type: 'AwsEc2Instance',
    });
    expect(securityHubCollector.schema.safeParse(result.payload).success).toBe(true);
  });

  it("keeps one copy of a finding an aggregator also returns, the one read in the finding's own Region", async () => {
    const aggregated = asff('eu-west-1', 'x', {
      Title: 'aggregated copy',
      UpdatedAt: '2026-11-25T09:00:00.000Z',
    });
    const own = asff('eu-west-1', 'x', { Title: 'own copy', UpdatedAt: '2026-11-25T08:00:00.000Z' });
    const linkedOnly = asff('ap-southeast-2', 'y');
    serve({
      'us-east-1': {
        open: { first: { Findings: [aggregated, linkedOnly] } },
        closed: { first: { Findings: [] } },
      },
      'eu-west-1': { open: { first: { Findings: [own] } }, closed: { first: { Findings: [] } } },
    });
    const result = await securityHubCollector.collect(collectContext({ window }));
    const findings = result.payload.security_hub.flatMap((g) => g.findings);
    expect(findings.map((f) => [f.finding_id.slice(-1), f.title, f.region])).toEqual([
      ['x', 'own copy', 'eu-west-1'],
      ['y', 'S3 general purpose buckets should block public access', 'ap-southeast-2'],
    ]);
    expect(result.payload.security_hub[0]?.total_findings).toBe(2);
  });

  it('records a region without Security Hub as SKIPPED and keeps the others', async () => {
    serve(
      {
        'us-east-1': {
          open: { first: { Findings: [asff('us-east-1', 'a')] } },
          closed: { first: { Findings: [] } },
        },
      },
      {
        'eu-west-1': serviceError(
          'InvalidAccessException',
          'Account 123456789012 is not subscribed to AWS Security Hub',
          401,
        ),
      },
    );
    const result = await securityHubCollector.collect(collectContext({ window }));
    expect(result.regions?.['us-east-1']).toEqual({ status: 'SUCCEEDED' });
    expect(result.regions?.['eu-west-1']).toMatchObject({
      status: 'SKIPPED',
      error: { name: 'ServiceNotEnabledError' },
    });
    expect(result.skippedReason).toBeUndefined();
    expect(result.payload.security_hub[0]?.total_findings).toBe(1);
  });

  it('is SKIPPED, not zero findings, when no region has Security Hub', async () => {
    const notSubscribed = serviceError(
      'InvalidAccessException',
      'Account 123456789012 is not subscribed to AWS Security Hub',
      401,
    );
    serve({}, { 'us-east-1': notSubscribed, 'eu-west-1': notSubscribed });
    const result = await securityHubCollector.collect(collectContext({ window }));
    expect(result.skippedReason).toMatch(/not subscribed to AWS Security Hub/);
    expect(Object.values(result.regions ?? {}).map((r) => r.status)).toEqual(['SKIPPED', 'SKIPPED']);
  });

  it('records a failing region as FAILED and keeps the others (a PARTIAL category)', async () => {
    serve(
      {
        'us-east-1': {
          open: { first: { Findings: [asff('us-east-1', 'a')] } },
          closed: { first: { Findings: [] } },
        },
      },
      {
        'eu-west-1': serviceError(
          'AccessDeniedException',
          'not authorized to perform: securityhub:GetFindings',
          403,
        ),
      },
    );
    const result = await securityHubCollector.collect(collectContext({ window }));
    expect(result.regions?.['eu-west-1']).toMatchObject({
      status: 'FAILED',
      error: { name: 'SourceAccessError' },
    });
    expect(result.payload.security_hub[0]?.findings).toHaveLength(1);
  });

  it.each([
    ['AccessDeniedException', 'not authorized to perform: securityhub:GetFindings', 403, SourceAccessError],
    ['LimitExceededException', 'Rate exceeded', 429, TransientError],
    ['InternalException', 'Internal service error', 500, TransientError],
    ['InvalidInputException', 'Invalid filter', 400, SourceRequestError],
    ['InvalidAccessException', 'The account is not a Security Hub administrator', 401, SourceAccessError],
  ])('classifies %s in every region as %s', async (name, message, status, type) => {
    const error = serviceError(name, message, status);
    serve({}, { 'us-east-1': error, 'eu-west-1': error });
    await expect(securityHubCollector.collect(collectContext({ window }))).rejects.toBeInstanceOf(type);
  });

  it.each([
    ['Findings', { NextToken: undefined }, 'GetFindings Findings'],
    [
      'ProductArn',
      { Findings: [asff('us-east-1', 'a', { ProductArn: undefined })] },
      'Findings[0].ProductArn',
    ],
    ['Resources', { Findings: [asff('us-east-1', 'a', { Resources: [] })] }, 'Findings[0].Resources[0]'],
    [
      'Workflow',
      { Findings: [asff('us-east-1', 'a', { Workflow: undefined })] },
      'Findings[0].Workflow.Status',
    ],
    ['Severity', { Findings: [asff('us-east-1', 'a', { Severity: {} })] }, 'Findings[0].Severity.Label'],
  ])('rejects a response without %s, naming the field', async (_field, page, path) => {
    serve({
      'us-east-1': {
        open: { first: page as { Findings?: AwsSecurityFinding[] } },
        closed: { first: { Findings: [] } },
      },
      'eu-west-1': {
        open: { first: page as { Findings?: AwsSecurityFinding[] } },
        closed: { first: { Findings: [] } },
      },
    });
    const error = await securityHubCollector.collect(collectContext({ window })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DataContractError);
    expect((error as Error).message).toContain(path);
  });

  it('asks for the whole window of a monthly run, up to its last millisecond', async () => {
    serve({
      'us-east-1': { open: { first: { Findings: [] } }, closed: { first: { Findings: [] } } },
    });
    await securityHubCollector.collect(
      collectContext({
        window: { period: 'MONTHLY', start: '2026-10-01', end: '2026-11-01' },
        regions: ['us-east-1'],
      }),
    );
    const closed = (await callsByRegion()).find((c) => c.input.Filters?.UpdatedAt);
    expect(closed?.input.Filters?.UpdatedAt).toEqual([
      { Start: '2026-10-01T00:00:00.000Z', End: '2026-10-31T23:59:59.999Z' },
    ]);
  });

  it('declares exactly the IAM action it calls', () => {
    expect(securityHubCollector.actions).toEqual(['securityhub:GetFindings']);
    expect(securityHubCollector.scope).toBe('regional');
    expect(securityHubCollector.tables).toEqual(['security', 'findings']);
  });

  it('returns no groups, and is not SKIPPED, for an account without findings', async () => {
    serve({
      'us-east-1': { open: { first: { Findings: [] } }, closed: { first: { Findings: [] } } },
      'eu-west-1': { open: { first: { Findings: [] } }, closed: { first: { Findings: [] } } },
    });
    const result = await securityHubCollector.collect(collectContext({ window }));
    expect(result.payload).toEqual({ security_hub: [] });
    expect(result.skippedReason).toBeUndefined();
    expect(result.rows).toBe(0);
  });
});
