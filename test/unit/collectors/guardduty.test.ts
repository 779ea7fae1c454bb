import {
  type Finding,
  GetFindingsCommand,
  type GetFindingsCommandInput,
  GuardDutyClient,
  ListDetectorsCommand,
  type ListDetectorsCommandInput,
  ListFindingsCommand,
  type ListFindingsCommandInput,
} from '@aws-sdk/client-guardduty';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { guarddutyCollector, severityLabel } from '../../../functions/collectors/guardduty.ts';
import { iamActionFor } from '../../../functions/collectors/iam.ts';
import {
  DataContractError,
  SourceAccessError,
  SourceRequestError,
  TransientError,
} from '../../../functions/platform/errors.ts';
import { collectContext, serviceError } from '../../support/collect-context.ts';

const gd = mockClient(GuardDutyClient);
/** Every command the collector sent in this file, for the IAM declaration check. */
const sent = new Set<string>();
afterEach(() => {
  for (const call of gd.calls()) {
    sent.add(
      iamActionFor('@aws-sdk/client-guardduty', call.args[0].constructor.name.replace(/Command$/, '')),
    );
  }
  gd.reset();
});
afterAll(() => gd.restore());

const accountId = '123456789012';
const window = { period: 'DAILY' as const, start: '2026-11-25', end: '2026-11-26' };
const EAST = 'e1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6';
const WEST = 'f0e1d2c3b4a5968778695a4b3c2d1e0f';

const current = { Criterion: { 'service.archived': { Equals: ['false'] } } };
const archivedInWindow = {
  Criterion: {
    'service.archived': { Equals: ['true'] },
    updatedAt: { GreaterThanOrEqual: 1795564800000, LessThan: 1795651200000 },
  },
};

function finding(region: string, detector: string, id: string, overrides: Partial<Finding> = {}): Finding {
  return {
    AccountId: accountId,
    Arn: `arn:aws:guardduty:${region}:${accountId}:detector/${detector}/finding/${id}`,
    Confidence: 5,
    CreatedAt: '2026-11-20T08:00:00.000Z',
    Description: `EC2 instance i-0${id} is communicating on an unusual server port.`,
    Id: id,
    Partition: 'aws',
    Region: region,
    Resource: {
      ResourceType: 'Instance',
      InstanceDetails: { InstanceId: `i-0${id}`, InstanceType: 'm6i.large', InstanceState: 'running' },
    },
    SchemaVersion: '2.0',
    Service: { ServiceName: 'guardduty', DetectorId: detector, Archived: false, Count: 3 },
    Severity: 5,
    Title: `EC2 instance i-0${id} is communicating on an unusual server port.`,
    Type: 'Behavior:EC2/NetworkPortUnusual',
    UpdatedAt: '2026-11-25T10:00:00.000Z',
    ...overrides,
  };
}

type Query = 'current' | 'archived';
interface RegionScript {
  detectors: Record<string, { DetectorIds?: string[]; NextToken?: string }>;
  findings?: Partial<Record<Query, Record<string, { FindingIds?: string[]; NextToken?: string }>>>;
  details?: Finding[];
}
type Script = Record<string, RegionScript>;

const queryOf = (input: ListFindingsCommandInput): Query =>
  input.FindingCriteria?.Criterion?.updatedAt ? 'archived' : 'current';

async function regionOf(getClient: () => GuardDutyClient) {
  return getClient().config.region();
}

function serve(script: Script, errors: Record<string, Error> = {}) {
  gd.on(ListDetectorsCommand).callsFake(async (input: ListDetectorsCommandInput, getClient) => {
    const region = await regionOf(getClient);
    if (errors[region]) throw errors[region];
    const page = script[region]?.detectors[input.NextToken ?? 'first'];
    if (!page) throw new Error(`no detectors page ${region} ${input.NextToken}`);
    return page;
  });
  gd.on(ListFindingsCommand).callsFake(async (input: ListFindingsCommandInput, getClient) => {
    const region = await regionOf(getClient);
    const page = script[region]?.findings?.[queryOf(input)]?.[input.NextToken ?? 'first'];
    if (!page) throw new Error(`no findings page ${region} ${queryOf(input)} ${input.NextToken}`);
    return page;
  });
  gd.on(GetFindingsCommand).callsFake(async (input: GetFindingsCommandInput, getClient) => {
    const region = await regionOf(getClient);
    const details = script[region]?.details ?? [];
    return { Findings: details.filter((f) => input.FindingIds?.includes(f.Id as string)) };
  });
}

/** The inputs of the calls a mocked command received from the clients of one region, in order. */
async function inputsIn(
  region: string,
  calls: ReadonlyArray<{ thisValue: unknown; args: ReadonlyArray<{ input: unknown }> }>,
): Promise<unknown[]> {
  const inputs: unknown[] = [];
  for (const call of calls) {
    if ((await (call.thisValue as GuardDutyClient).config.region()) === region)
      inputs.push(call.args[0]?.input);
  }
  return inputs;
}

const ids = (prefix: string, count: number) =>
  Array.from({ length: count }, (_, i) => `${prefix}${String(i).padStart(3, '0')}`);

describe('guardduty collector', () => {
  it('pages detectors and both finding queries to the end and reads findings 50 at a time', async () => {
    const many = ids('c', 55);
    serve({
      'us-east-1': {
        detectors: { first: { DetectorIds: [EAST], NextToken: 'd-2' }, 'd-2': { DetectorIds: [] } },
        findings: {
          current: {
            first: { FindingIds: many.slice(0, 50), NextToken: 'c-2' },
            'c-2': { FindingIds: many.slice(50), NextToken: '' },
          },
          archived: { first: { FindingIds: ['a000'] } },
        },
        details: [
          ...many.map((id) => finding('us-east-1', EAST, id)),
          finding('us-east-1', EAST, 'a000', {
            Severity: 8,
            Type: 'CryptoCurrency:EC2/BitcoinTool.B!DNS',
            Title: 'Bitcoin-related domain name queried by EC2 instance i-0a000.',
            Service: { DetectorId: EAST, Archived: true, Count: 12 },
            UpdatedAt: '2026-11-25T17:30:00.250Z',
          }),
        ],
      },
      'eu-west-1': {
        detectors: { first: { DetectorIds: [WEST] } },
        findings: {
          current: {
            first: { FindingIds: ['w001', 'w002', 'w003', 'w004'] },
          },
          archived: { first: { FindingIds: [] } },
        },
        details: [
          finding('eu-west-1', WEST, 'w001', {
            Severity: 9,
            Type: 'AttackSequence:IAM/CompromisedCredentials',
            Title: 'Potential credential compromise of ci-deployer indicated by a sequence of actions.',
            Description: undefined,
            Confidence: undefined,
            Resource: {
              ResourceType: 'AccessKey',
              AccessKeyDetails: {
                AccessKeyId: 'AKIAEXAMPLEKEY000001',
                UserName: 'ci-deployer',
                UserType: 'IAMUser',
              },
            },
            Service: undefined,
          }),
          finding('eu-west-1', WEST, 'w002', {
            Severity: 2,
            Type: 'Policy:S3/BucketBlockPublicAccessDisabled',
            Resource: {
              ResourceType: 'S3Bucket',
              S3BucketDetails: [{ Arn: 'arn:aws:s3:::shop-assets', Name: 'shop-assets' }],
              AccessKeyDetails: { AccessKeyId: 'ASIAEXAMPLEKEY000002', UserName: 'terraform' },
            },
          }),
          finding('eu-west-1', WEST, 'w003', {
            Severity: 7,
            Type: 'Backdoor:Lambda/C&CActivity.B',
            Resource: {
              ResourceType: 'Lambda',
              LambdaDetails: {
                FunctionArn: `arn:aws:lambda:eu-west-1:${accountId}:function:shop-api`,
                FunctionName: 'shop-api',
              },
            },
          }),
          finding('eu-west-1', WEST, 'w004', {
            Severity: 3.9,
            Type: 'CredentialAccess:RDS/AnomalousBehavior.FailedLogin',
            Title: undefined,
            CreatedAt: '2026-11-20T09:30:00+01:30',
            Resource: {
              ResourceType: 'RDSDBInstance',
              RdsDbInstanceDetails: {
                DbInstanceIdentifier: 'shop-db-1',
                DbInstanceArn: `arn:aws:rds:eu-west-1:${accountId}:db:shop-db-1`,
              },
            },
          }),
        ],
      },
    });

    const result = await guarddutyCollector.collect(collectContext({ window }));

    expect(await inputsIn('us-east-1', gd.commandCalls(ListDetectorsCommand))).toEqual([
      { MaxResults: 50 },
      { MaxResults: 50, NextToken: 'd-2' },
    ]);
    expect(await inputsIn('eu-west-1', gd.commandCalls(ListDetectorsCommand))).toEqual([{ MaxResults: 50 }]);
    expect(await inputsIn('us-east-1', gd.commandCalls(ListFindingsCommand))).toEqual([
      { DetectorId: EAST, FindingCriteria: current, MaxResults: 50 },
      { DetectorId: EAST, FindingCriteria: current, MaxResults: 50, NextToken: 'c-2' },
      { DetectorId: EAST, FindingCriteria: archivedInWindow, MaxResults: 50 },
    ]);
    expect(await inputsIn('eu-west-1', gd.commandCalls(ListFindingsCommand))).toEqual([
      { DetectorId: WEST, FindingCriteria: current, MaxResults: 50 },
      { DetectorId: WEST, FindingCriteria: archivedInWindow, MaxResults: 50 },
    ]);
    expect(await inputsIn('us-east-1', gd.commandCalls(GetFindingsCommand))).toEqual([
      { DetectorId: EAST, FindingIds: many.slice(0, 50) },
      { DetectorId: EAST, FindingIds: many.slice(50) },
      { DetectorId: EAST, FindingIds: ['a000'] },
    ]);
    // No GetFindings for an empty list of ids.
    expect(await inputsIn('eu-west-1', gd.commandCalls(GetFindingsCommand))).toEqual([
      { DetectorId: WEST, FindingIds: ['w001', 'w002', 'w003', 'w004'] },
    ]);

    expect(result.regions).toEqual({
      'us-east-1': { status: 'SUCCEEDED' },
      'eu-west-1': { status: 'SUCCEEDED' },
    });
    expect(result.skippedReason).toBeUndefined();
    expect(result.rows).toBe(60);
    const findings = result.payload.guard_duty;
    expect(findings).toHaveLength(60);
    expect(findings[0]).toEqual({
      id: 'c000',
      arn: `arn:aws:guardduty:us-east-1:${accountId}:detector/${EAST}/finding/c000`,
      detector_id: EAST,
      type: 'Behavior:EC2/NetworkPortUnusual',
      severity: 5,
      severity_label: 'MEDIUM',
      title: 'EC2 instance i-0c000 is communicating on an unusual server port.',
      description: 'EC2 instance i-0c000 is communicating on an unusual server port.',
      created_at: '2026-11-20T08:00:00.000Z',
      updated_at: '2026-11-25T10:00:00.000Z',
      confidence: 5,
      region: 'us-east-1',
      resource_type: 'Instance',
      resource_id: 'i-0c000',
      count: 3,
      archived: false,
    });
    expect(findings.find((f) => f.id === 'a000')).toMatchObject({
      severity: 8,
      severity_label: 'HIGH',
      archived: true,
      count: 12,
      updated_at: '2026-11-25T17:30:00.250Z',
    });
    const west = findings.filter((f) => f.region === 'eu-west-1');
    expect(west.map((f) => [f.id, f.severity_label, f.resource_type, f.resource_id])).toEqual([
      ['w001', 'CRITICAL', 'AccessKey', 'AKIAEXAMPLEKEY000001'],
      ['w002', 'LOW', 'S3Bucket', 'arn:aws:s3:::shop-assets'],
      ['w003', 'HIGH', 'Lambda', `arn:aws:lambda:eu-west-1:${accountId}:function:shop-api`],
      ['w004', 'LOW', 'RDSDBInstance', `arn:aws:rds:eu-west-1:${accountId}:db:shop-db-1`],
    ]);
    expect(west[0]).toMatchObject({ description: null, confidence: null, count: null, archived: false });
    expect(west[3]).toMatchObject({ title: null, created_at: '2026-11-20T08:00:00.000Z' });
    expect(guarddutyCollector.schema.safeParse(result.payload).success).toBe(true);
  });

  it.each([
    [1, 'LOW'],
    [3.9, 'LOW'],
    [4, 'MEDIUM'],
    [6.9, 'MEDIUM'],
    [7, 'HIGH'],
    [8.9, 'HIGH'],
    [9, 'CRITICAL'],
    [10, 'CRITICAL'],
  ])('labels severity %s as %s, by the GuardDuty ranges', (value, label) => {
    expect(severityLabel(value)).toBe(label);
  });

  it('keeps the later state of a finding archived between the two queries', async () => {
    serve({
      'us-east-1': {
        detectors: { first: { DetectorIds: [EAST] } },
        findings: { current: { first: { FindingIds: ['x'] } }, archived: { first: { FindingIds: ['x'] } } },
        details: [finding('us-east-1', EAST, 'x')],
      },
    });
    let reads = 0;
    gd.on(GetFindingsCommand).callsFake(async () => {
      reads += 1;
      return reads === 1
        ? { Findings: [finding('us-east-1', EAST, 'x')] }
        : {
            Findings: [
              finding('us-east-1', EAST, 'x', {
                Service: { Archived: true, Count: 3 },
                UpdatedAt: '2026-11-25T11:00:00.000Z',
              }),
            ],
          };
    });
    const result = await guarddutyCollector.collect(collectContext({ window, regions: ['us-east-1'] }));
    expect(result.payload.guard_duty.map((f) => [f.id, f.archived, f.updated_at])).toEqual([
      ['x', true, '2026-11-25T11:00:00.000Z'],
    ]);
  });

  it('records a region without a detector as SKIPPED, not as zero findings, and keeps the others', async () => {
    serve({
      'us-east-1': {
        detectors: { first: { DetectorIds: [EAST] } },
        findings: { current: { first: { FindingIds: ['c1'] } }, archived: { first: { FindingIds: [] } } },
        details: [finding('us-east-1', EAST, 'c1')],
      },
      'eu-west-1': { detectors: { first: { DetectorIds: [] } } },
    });
    const result = await guarddutyCollector.collect(collectContext({ window }));
    expect(result.regions).toEqual({
      'us-east-1': { status: 'SUCCEEDED' },
      'eu-west-1': {
        status: 'SKIPPED',
        error: {
          name: 'ServiceNotEnabledError',
          message: 'GuardDuty.ListDetectors (eu-west-1): no detector, GuardDuty is not enabled',
        },
      },
    });
    expect(result.skippedReason).toBeUndefined();
    expect(result.payload.guard_duty.map((f) => f.id)).toEqual(['c1']);
  });

  it('is SKIPPED when no region has a detector', async () => {
    serve({
      'us-east-1': { detectors: { first: { DetectorIds: [] } } },
      'eu-west-1': { detectors: { first: { DetectorIds: [], NextToken: '' } } },
    });
    const result = await guarddutyCollector.collect(collectContext({ window }));
    expect(result.skippedReason).toMatch(/no detector, GuardDuty is not enabled/);
    expect(result.payload).toEqual({ guard_duty: [] });
    expect(gd.commandCalls(ListFindingsCommand)).toHaveLength(0);
  });

  it('records a region whose detector was deleted mid-collection as SKIPPED', async () => {
    serve({
      'us-east-1': { detectors: { first: { DetectorIds: [EAST] } } },
      'eu-west-1': {
        detectors: { first: { DetectorIds: [WEST] } },
        findings: { current: { first: { FindingIds: [] } }, archived: { first: { FindingIds: [] } } },
      },
    });
    gd.on(ListFindingsCommand, { DetectorId: EAST }).rejects(
      serviceError(
        'BadRequestException',
        'The request is rejected because the input detectorId is not owned by the current account.',
      ),
    );
    const result = await guarddutyCollector.collect(collectContext({ window }));
    expect(result.regions?.['us-east-1']).toMatchObject({
      status: 'SKIPPED',
      error: { name: 'ServiceNotEnabledError' },
    });
    expect(result.regions?.['eu-west-1']).toEqual({ status: 'SUCCEEDED' });
  });

  it('records a failing region as FAILED and keeps the others (a PARTIAL category)', async () => {
    serve(
      {
        'us-east-1': {
          detectors: { first: { DetectorIds: [EAST] } },
          findings: { current: { first: { FindingIds: ['c1'] } }, archived: { first: { FindingIds: [] } } },
          details: [finding('us-east-1', EAST, 'c1')],
        },
      },
      {
        'eu-west-1': serviceError(
          'AccessDeniedException',
          'User: arn:aws:sts::123456789012:assumed-role/a360/x is not authorized to perform: guardduty:ListDetectors',
          403,
        ),
      },
    );
    const result = await guarddutyCollector.collect(collectContext({ window }));
    expect(result.regions?.['eu-west-1']).toMatchObject({
      status: 'FAILED',
      error: { name: 'SourceAccessError' },
    });
    expect(result.payload.guard_duty).toHaveLength(1);
  });

  it.each([
    ['AccessDeniedException', 'not authorized to perform: guardduty:ListDetectors', 403, SourceAccessError],
    ['TooManyRequestsException', 'Rate exceeded', 429, TransientError],
    ['InternalServerErrorException', 'Internal server error', 500, TransientError],
    [
      'BadRequestException',
      'The request is rejected because an invalid or out-of-range value is specified as an input parameter.',
      400,
      SourceRequestError,
    ],
  ])('classifies %s in every region as %s', async (name, message, status, type) => {
    const error = serviceError(name, message, status);
    serve({}, { 'us-east-1': error, 'eu-west-1': error });
    await expect(guarddutyCollector.collect(collectContext({ window }))).rejects.toBeInstanceOf(type);
  });

  it.each([
    ['DetectorIds', { detectors: { first: {} } }, 'ListDetectors DetectorIds'],
    [
      'FindingIds',
      { detectors: { first: { DetectorIds: [EAST] } }, findings: { current: { first: {} } } },
      'ListFindings FindingIds',
    ],
    [
      'Severity',
      {
        detectors: { first: { DetectorIds: [EAST] } },
        findings: { current: { first: { FindingIds: ['c1'] } }, archived: { first: { FindingIds: [] } } },
        details: [finding('us-east-1', EAST, 'c1', { Severity: undefined })],
      },
      'Findings[0].Severity',
    ],
    [
      'Resource',
      {
        detectors: { first: { DetectorIds: [EAST] } },
        findings: { current: { first: { FindingIds: ['c1'] } }, archived: { first: { FindingIds: [] } } },
        details: [finding('us-east-1', EAST, 'c1', { Resource: undefined })],
      },
      'Findings[0].Resource',
    ],
    [
      'CreatedAt',
      {
        detectors: { first: { DetectorIds: [EAST] } },
        findings: { current: { first: { FindingIds: ['c1'] } }, archived: { first: { FindingIds: [] } } },
        details: [finding('us-east-1', EAST, 'c1', { CreatedAt: 'yesterday' })],
      },
      'Findings[0].CreatedAt is not a timestamp',
    ],
  ])('rejects a response without %s, naming the field', async (_field, region, path) => {
    serve(
      { 'us-east-1': region as RegionScript },
      { 'eu-west-1': serviceError('InternalServerErrorException', 'x', 500) },
    );
    const error = await guarddutyCollector.collect(collectContext({ window })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DataContractError);
    expect((error as Error).message).toContain(path);
  });

  it('asks for the findings archived during the whole window of a monthly run', async () => {
    serve({
      'us-east-1': {
        detectors: { first: { DetectorIds: [EAST] } },
        findings: { current: { first: { FindingIds: [] } }, archived: { first: { FindingIds: [] } } },
      },
    });
    const result = await guarddutyCollector.collect(
      collectContext({
        window: { period: 'MONTHLY', start: '2026-10-01', end: '2026-11-01' },
        regions: ['us-east-1'],
      }),
    );
    const archived = gd
      .commandCalls(ListFindingsCommand)
      .find((c) => queryOf(c.args[0].input) === 'archived');
    expect(archived?.args[0].input.FindingCriteria?.Criterion?.updatedAt).toEqual({
      GreaterThanOrEqual: 1790812800000,
      LessThan: 1793491200000,
    });
    // A detector without findings: zero findings, not SKIPPED.
    expect(result.payload).toEqual({ guard_duty: [] });
    expect(result.skippedReason).toBeUndefined();
    expect(gd.commandCalls(GetFindingsCommand)).toHaveLength(0);
  });

  it('declares exactly the IAM actions of the commands it sent', () => {
    expect([...guarddutyCollector.actions].sort()).toEqual([...sent].sort());
    expect(guarddutyCollector.scope).toBe('regional');
    expect(guarddutyCollector.tables).toEqual(['guard_duty_findings']);
  });
});
