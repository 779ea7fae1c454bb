import {
  BatchGetAccountStatusCommand,
  type BatchGetAccountStatusCommandInput,
  type Finding,
  Inspector2Client,
  ListFindingsCommand,
  type ListFindingsCommandInput,
} from '@aws-sdk/client-inspector2';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { iamActionFor } from '../../../functions/collectors/iam.ts';
import { inspectorCollector } from '../../../functions/collectors/inspector.ts';
import {
  DataContractError,
  SourceAccessError,
  SourceRequestError,
  TransientError,
} from '../../../functions/platform/errors.ts';
import { collectContext, serviceError } from '../../support/collect-context.ts';

const inspector = mockClient(Inspector2Client);
/** Every command the collector sent in this file, for the IAM declaration check. */
const sent = new Set<string>();
afterEach(() => {
  for (const call of inspector.calls()) {
    sent.add(
      iamActionFor('@aws-sdk/client-inspector2', call.args[0].constructor.name.replace(/Command$/, '')),
    );
  }
  inspector.reset();
});
afterAll(() => inspector.restore());

const accountId = '123456789012';
const window = { period: 'DAILY' as const, start: '2026-11-25', end: '2026-11-26' };

const activeFilter = {
  awsAccountId: [{ comparison: 'EQUALS', value: accountId }],
  findingStatus: [{ comparison: 'EQUALS', value: 'ACTIVE' }],
};
const inactiveFilter = {
  awsAccountId: [{ comparison: 'EQUALS', value: accountId }],
  findingStatus: [{ comparison: 'NOT_EQUALS', value: 'ACTIVE' }],
  updatedAt: [
    {
      startInclusive: new Date('2026-11-25T00:00:00.000Z'),
      endInclusive: new Date('2026-11-25T23:59:59.999Z'),
    },
  ],
};

function finding(region: string, key: string, overrides: Partial<Finding> = {}): Finding {
  return {
    findingArn: `arn:aws:inspector2:${region}:${accountId}:finding/${key}`,
    awsAccountId: accountId,
    type: 'PACKAGE_VULNERABILITY',
    description: 'A heap buffer overflow in the SOCKS5 proxy handshake of curl.',
    title: 'CVE-2023-38545 - curl',
    remediation: { recommendation: { text: 'Upgrade curl to 8.4.0 or later.' } },
    severity: 'CRITICAL',
    firstObservedAt: new Date('2026-11-01T08:00:00.000Z'),
    lastObservedAt: new Date('2026-11-25T08:00:00.000Z'),
    updatedAt: new Date('2026-11-25T08:00:00.000Z'),
    status: 'ACTIVE',
    resources: [{ type: 'AWS_EC2_INSTANCE', id: `i-0${key}`, partition: 'aws', region }],
    inspectorScore: 9.8,
    packageVulnerabilityDetails: {
      vulnerabilityId: 'CVE-2023-38545',
      source: 'NVD',
      vulnerablePackages: [{ name: 'curl', version: '8.0.1', fixedInVersion: '8.4.0', packageManager: 'OS' }],
    },
    fixAvailable: 'YES',
    exploitAvailable: 'NO',
    ...overrides,
  };
}

type Query = 'active' | 'inactive';
interface RegionScript {
  status?: string;
  findings: Partial<Record<Query, Record<string, { findings?: Finding[]; nextToken?: string }>>>;
}

const queryOf = (input: ListFindingsCommandInput): Query =>
  input.filterCriteria?.updatedAt ? 'inactive' : 'active';

function serve(script: Record<string, RegionScript>, errors: Record<string, Error> = {}) {
  inspector
    .on(BatchGetAccountStatusCommand)
    .callsFake(async (input: BatchGetAccountStatusCommandInput, getClient) => {
      const region = await getClient().config.region();
      if (errors[region]) throw errors[region];
      return {
        accounts: (input.accountIds ?? []).map((id) => ({
          accountId: id,
          state: { status: script[region]?.status ?? 'ENABLED' },
          resourceState: { ec2: { status: 'ENABLED' }, ecr: { status: 'ENABLED' } },
        })),
        failedAccounts: [],
      };
    });
  inspector.on(ListFindingsCommand).callsFake(async (input: ListFindingsCommandInput, getClient) => {
    const region = await getClient().config.region();
    const page = script[region]?.findings[queryOf(input)]?.[input.nextToken ?? 'first'];
    if (!page) throw new Error(`no findings page ${region} ${queryOf(input)} ${input.nextToken}`);
    return page;
  });
}

/** The inputs of the calls a mocked command received from the clients of one region, in order. */
async function inputsIn(
  region: string,
  calls: ReadonlyArray<{ thisValue: unknown; args: ReadonlyArray<{ input: unknown }> }>,
): Promise<unknown[]> {
  const inputs: unknown[] = [];
  for (const call of calls) {
    if ((await (call.thisValue as Inspector2Client).config.region()) === region)
      inputs.push(call.args[0]?.input);
  }
  return inputs;
}

const empty = { active: { first: { findings: [] } }, inactive: { first: { findings: [] } } };

describe('inspector collector', () => {
  it('checks activation, then pages both queries to the end in every region, every severity', async () => {
    serve({
      'us-east-1': {
        findings: {
          active: {
            first: {
              findings: [
                finding('us-east-1', 'a1'),
                finding('us-east-1', 'a2', {
                  severity: 'HIGH',
                  exploitAvailable: 'YES',
                  fixAvailable: 'PARTIAL',
                }),
              ],
              nextToken: 'active-2',
            },
            'active-2': {
              findings: [
                finding('us-east-1', 'a3', {
                  type: 'NETWORK_REACHABILITY',
                  severity: 'MEDIUM',
                  title: 'Port 22 is reachable from an Internet Gateway - TCP',
                  description:
                    'On the instance i-0a3, the port range 22 - 22 is reachable from the internet gateway.',
                  packageVulnerabilityDetails: undefined,
                  inspectorScore: undefined,
                  fixAvailable: undefined,
                  exploitAvailable: undefined,
                }),
              ],
              nextToken: '',
            },
          },
          inactive: {
            first: { findings: [], nextToken: 'inactive-2' },
            'inactive-2': {
              findings: [
                finding('us-east-1', 'c1', {
                  status: 'CLOSED',
                  severity: 'LOW',
                  updatedAt: new Date('2026-11-25T13:14:15.123Z'),
                  resources: [
                    {
                      type: 'AWS_ECR_CONTAINER_IMAGE',
                      id: `arn:aws:ecr:us-east-1:${accountId}:repository/shop/api/sha256:abc`,
                    },
                  ],
                }),
              ],
            },
          },
        },
      },
      'eu-west-1': {
        findings: {
          active: {
            first: {
              findings: [
                finding('eu-west-1', 'b1', {
                  severity: 'INFORMATIONAL',
                  title: undefined,
                  updatedAt: undefined,
                }),
                finding('eu-west-1', 'b2', { severity: 'UNTRIAGED', inspectorScore: undefined }),
              ],
            },
          },
          inactive: {
            first: {
              findings: [
                finding('eu-west-1', 's1', {
                  status: 'SUPPRESSED',
                  resources: [
                    {
                      type: 'AWS_LAMBDA_FUNCTION',
                      id: `arn:aws:lambda:eu-west-1:${accountId}:function:shop-api:$LATEST`,
                    },
                  ],
                  packageVulnerabilityDetails: {
                    vulnerabilityId: 'CVE-2023-45857',
                    source: 'GITHUB',
                    vulnerablePackages: [{ name: 'axios', version: '1.5.1', packageManager: 'NPM' }],
                  },
                }),
              ],
            },
          },
        },
      },
    });

    const result = await inspectorCollector.collect(collectContext({ window }));

    for (const region of ['us-east-1', 'eu-west-1']) {
      expect(await inputsIn(region, inspector.commandCalls(BatchGetAccountStatusCommand))).toEqual([
        { accountIds: [accountId] },
      ]);
    }
    expect(await inputsIn('us-east-1', inspector.commandCalls(ListFindingsCommand))).toEqual(
      expect.arrayContaining([
        { filterCriteria: activeFilter, maxResults: 100 },
        { filterCriteria: activeFilter, maxResults: 100, nextToken: 'active-2' },
        { filterCriteria: inactiveFilter, maxResults: 100 },
        { filterCriteria: inactiveFilter, maxResults: 100, nextToken: 'inactive-2' },
      ]),
    );
    expect(inspector.commandCalls(ListFindingsCommand)).toHaveLength(6);

    expect(result.regions).toEqual({
      'us-east-1': { status: 'SUCCEEDED' },
      'eu-west-1': { status: 'SUCCEEDED' },
    });
    expect(result.skippedReason).toBeUndefined();
    expect(result.rows).toBe(7);
    const findings = result.payload.inspector;
    expect(findings.map((f) => [f.finding_arn.split('/').pop(), f.status, f.severity, f.region])).toEqual([
      ['a1', 'ACTIVE', 'CRITICAL', 'us-east-1'],
      ['a2', 'ACTIVE', 'HIGH', 'us-east-1'],
      ['a3', 'ACTIVE', 'MEDIUM', 'us-east-1'],
      ['c1', 'CLOSED', 'LOW', 'us-east-1'],
      ['b1', 'ACTIVE', 'INFORMATIONAL', 'eu-west-1'],
      ['b2', 'ACTIVE', 'UNTRIAGED', 'eu-west-1'],
      ['s1', 'SUPPRESSED', 'CRITICAL', 'eu-west-1'],
    ]);
    expect(findings[0]).toEqual({
      finding_arn: `arn:aws:inspector2:us-east-1:${accountId}:finding/a1`,
      severity: 'CRITICAL',
      status: 'ACTIVE',
      type: 'PACKAGE_VULNERABILITY',
      title: 'CVE-2023-38545 - curl',
      description: 'A heap buffer overflow in the SOCKS5 proxy handshake of curl.',
      first_observed_at: '2026-11-01T08:00:00.000Z',
      last_observed_at: '2026-11-25T08:00:00.000Z',
      updated_at: '2026-11-25T08:00:00.000Z',
      region: 'us-east-1',
      resource_type: 'AWS_EC2_INSTANCE',
      resource_id: 'i-0a1',
      vulnerability_id: 'CVE-2023-38545',
      package_name: 'curl',
      package_version: '8.0.1',
      fix_available: 'YES',
      inspector_score: 9.8,
      exploit_available: 'NO',
    });
    expect(findings[1]).toMatchObject({ exploit_available: 'YES', fix_available: 'PARTIAL' });
    expect(findings[2]).toMatchObject({
      type: 'NETWORK_REACHABILITY',
      vulnerability_id: null,
      package_name: null,
      package_version: null,
      inspector_score: null,
      fix_available: null,
      exploit_available: null,
    });
    expect(findings[3]).toMatchObject({
      resource_type: 'AWS_ECR_CONTAINER_IMAGE',
      resource_id: `arn:aws:ecr:us-east-1:${accountId}:repository/shop/api/sha256:abc`,
      updated_at: '2026-11-25T13:14:15.123Z',
    });
    expect(findings[4]).toMatchObject({ title: null, updated_at: null });
    expect(findings[6]).toMatchObject({
      resource_type: 'AWS_LAMBDA_FUNCTION',
      vulnerability_id: 'CVE-2023-45857',
      package_name: 'axios',
      package_version: '1.5.1',
    });
    expect(inspectorCollector.schema.safeParse(result.payload).success).toBe(true);
  });

  it('keeps the later state of a finding closed between the two queries', async () => {
    serve({
      'us-east-1': {
        findings: {
          active: { first: { findings: [finding('us-east-1', 'x')] } },
          inactive: {
            first: {
              findings: [
                finding('us-east-1', 'x', {
                  status: 'CLOSED',
                  updatedAt: new Date('2026-11-25T09:00:00.000Z'),
                }),
              ],
            },
          },
        },
      },
    });
    const result = await inspectorCollector.collect(collectContext({ window, regions: ['us-east-1'] }));
    expect(result.payload.inspector.map((f) => [f.status, f.updated_at])).toEqual([
      ['CLOSED', '2026-11-25T09:00:00.000Z'],
    ]);
  });

  it.each(['DISABLED', 'SUSPENDED', 'DISABLING'])(
    'records a region where Inspector is %s as SKIPPED, without listing findings there',
    async (status) => {
      serve({
        'us-east-1': {
          findings: { ...empty, active: { first: { findings: [finding('us-east-1', 'a1')] } } },
        },
        'eu-west-1': { status, findings: {} },
      });
      const result = await inspectorCollector.collect(collectContext({ window }));
      expect(result.regions).toEqual({
        'us-east-1': { status: 'SUCCEEDED' },
        'eu-west-1': {
          status: 'SKIPPED',
          error: {
            name: 'ServiceNotEnabledError',
            message: `Inspector2.BatchGetAccountStatus (eu-west-1): Amazon Inspector is ${status} for account ${accountId}`,
          },
        },
      });
      expect(await inputsIn('eu-west-1', inspector.commandCalls(ListFindingsCommand))).toEqual([]);
      expect(result.payload.inspector).toHaveLength(1);
      expect(result.skippedReason).toBeUndefined();
    },
  );

  it('collects a region where Inspector is still being enabled', async () => {
    serve({ 'us-east-1': { status: 'ENABLING', findings: empty } });
    const result = await inspectorCollector.collect(collectContext({ window, regions: ['us-east-1'] }));
    expect(result.regions).toEqual({ 'us-east-1': { status: 'SUCCEEDED' } });
    expect(result.payload).toEqual({ inspector: [] });
  });

  it('is SKIPPED, not zero findings, when Inspector refuses the account in every region', async () => {
    const refused = serviceError(
      'AccessDeniedException',
      'Invoking account does not have access to list findings.',
      403,
    );
    serve({}, { 'us-east-1': refused, 'eu-west-1': refused });
    const result = await inspectorCollector.collect(collectContext({ window }));
    expect(result.skippedReason).toMatch(/Invoking account does not have access/);
    expect(result.payload).toEqual({ inspector: [] });
  });

  it('records a failing region as FAILED and keeps the others (a PARTIAL category)', async () => {
    serve(
      {
        'us-east-1': {
          findings: { ...empty, active: { first: { findings: [finding('us-east-1', 'a1')] } } },
        },
      },
      {
        'eu-west-1': serviceError(
          'AccessDeniedException',
          'User: arn:aws:sts::123456789012:assumed-role/a360/x is not authorized to perform: inspector2:BatchGetAccountStatus',
          403,
        ),
      },
    );
    const result = await inspectorCollector.collect(collectContext({ window }));
    expect(result.regions?.['eu-west-1']).toMatchObject({
      status: 'FAILED',
      error: { name: 'SourceAccessError' },
    });
    expect(result.payload.inspector).toHaveLength(1);
  });

  it.each([
    [
      'AccessDeniedException',
      'User: x is not authorized to perform: inspector2:ListFindings',
      403,
      SourceAccessError,
    ],
    ['ThrottlingException', 'Rate exceeded', 429, TransientError],
    ['InternalServerException', 'Internal failure', 500, TransientError],
    ['ValidationException', 'The nextToken is not valid.', 400, SourceRequestError],
  ])('classifies %s in every region as %s', async (name, message, status, type) => {
    const error = serviceError(name, message, status);
    serve({}, { 'us-east-1': error, 'eu-west-1': error });
    await expect(inspectorCollector.collect(collectContext({ window }))).rejects.toBeInstanceOf(type);
  });

  it('fails with the reason when the account status is missing from the answer', async () => {
    inspector.on(BatchGetAccountStatusCommand).resolves({
      accounts: [],
      failedAccounts: [{ accountId, errorCode: 'INTERNAL_ERROR', errorMessage: 'Try again later' }],
    });
    const error = await inspectorCollector
      .collect(collectContext({ window, regions: ['us-east-1'] }))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DataContractError);
    expect((error as Error).message).toBe(
      `BatchGetAccountStatus (us-east-1) has no status for account ${accountId}: INTERNAL_ERROR: Try again later`,
    );
  });

  it.each([
    [
      'findings',
      { findings: { active: { first: {} }, inactive: { first: { findings: [] } } } },
      'ListFindings findings',
    ],
    [
      'severity',
      {
        findings: {
          ...empty,
          active: { first: { findings: [finding('us-east-1', 'a', { severity: undefined })] } },
        },
      },
      'findings[0].severity',
    ],
    [
      'a known severity',
      {
        findings: {
          ...empty,
          active: { first: { findings: [finding('us-east-1', 'a', { severity: 'SEVERE' as never })] } },
        },
      },
      'findings[0].severity is not one of',
    ],
    [
      'resources',
      {
        findings: {
          ...empty,
          active: { first: { findings: [finding('us-east-1', 'a', { resources: [] })] } },
        },
      },
      'findings[0].resources[0]',
    ],
    [
      'lastObservedAt',
      {
        findings: {
          ...empty,
          active: { first: { findings: [finding('us-east-1', 'a', { lastObservedAt: undefined })] } },
        },
      },
      'findings[0].lastObservedAt',
    ],
  ])('rejects a response without %s, naming the field', async (_field, region, path) => {
    serve(
      { 'us-east-1': region as RegionScript },
      { 'eu-west-1': serviceError('InternalServerException', 'x', 500) },
    );
    const error = await inspectorCollector.collect(collectContext({ window })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DataContractError);
    expect((error as Error).message).toContain(path);
  });

  it('rejects an account status answer without the state', async () => {
    inspector.on(BatchGetAccountStatusCommand).resolves({ accounts: [{ accountId } as never] });
    const error = await inspectorCollector
      .collect(collectContext({ window, regions: ['us-east-1'] }))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DataContractError);
    expect((error as Error).message).toContain(`accounts(${accountId}).state.status`);
  });

  it('asks for the findings that left the active state during the whole window of a monthly run', async () => {
    serve({ 'us-east-1': { findings: empty } });
    const result = await inspectorCollector.collect(
      collectContext({
        window: { period: 'MONTHLY', start: '2026-10-01', end: '2026-11-01' },
        regions: ['us-east-1'],
      }),
    );
    const inactive = inspector
      .commandCalls(ListFindingsCommand)
      .find((c) => queryOf(c.args[0].input) === 'inactive');
    expect(inactive?.args[0].input.filterCriteria?.updatedAt).toEqual([
      {
        startInclusive: new Date('2026-10-01T00:00:00.000Z'),
        endInclusive: new Date('2026-10-31T23:59:59.999Z'),
      },
    ]);
    expect(result.payload).toEqual({ inspector: [] });
    expect(result.skippedReason).toBeUndefined();
  });

  it('declares exactly the IAM actions of the commands it sent', () => {
    expect([...inspectorCollector.actions].sort()).toEqual([...sent].sort());
    expect(inspectorCollector.scope).toBe('regional');
    expect(inspectorCollector.tables).toEqual(['inspector_findings']);
  });
});
