import {
  DescribeInstanceInformationCommand,
  DescribeInstancePatchesCommand,
  DescribeInstancePatchStatesCommand,
  type InstanceInformation,
  type InstancePatchState,
  ListInventoryEntriesCommand,
  type PatchComplianceData,
  SSMClient,
} from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { iamActionFor } from '../../../functions/collectors/iam.ts';
import {
  COLLECTED_PATCH_STATES,
  ssmInventoryCollector,
  ssmInventoryPayloadSchema,
} from '../../../functions/collectors/ssm-inventory.ts';
import { DataContractError, SourceAccessError, TransientError } from '../../../functions/platform/errors.ts';
import { collectContext, serviceError } from '../../support/collect-context.ts';

const ssm = mockClient(SSMClient);
afterEach(() => ssm.reset());
afterAll(() => ssm.restore());

const window = { period: 'DAILY' as const, start: '2026-11-25', end: '2026-11-26' };
const LINUX = 'i-0aaaaaaaaaaaaaaa1';
const HYBRID = 'mi-0bbbbbbbbbbbbbbb2';
const at = (iso: string) => new Date(iso);
const STATE_FILTER = [{ Key: 'State', Values: [...COLLECTED_PATCH_STATES] }];

const linuxNode: InstanceInformation = {
  InstanceId: LINUX,
  PingStatus: 'Online',
  LastPingDateTime: at('2026-11-26T05:58:00Z'),
  AgentVersion: '3.3.1142.0',
  IsLatestVersion: true,
  PlatformType: 'Linux',
  PlatformName: 'Amazon Linux',
  PlatformVersion: '2023',
  ResourceType: 'EC2Instance',
  IPAddress: '10.0.1.17',
  ComputerName: 'ip-10-0-1-17.ec2.internal',
  AssociationStatus: 'Success',
  LastAssociationExecutionDate: at('2026-11-26T03:00:00Z'),
  LastSuccessfulAssociationExecutionDate: at('2026-11-26T03:00:00Z'),
};
const hybridNode: InstanceInformation = {
  InstanceId: HYBRID,
  PingStatus: 'ConnectionLost',
  LastPingDateTime: at('2026-11-20T10:00:00Z'),
  AgentVersion: '3.3.1100.0',
  IsLatestVersion: false,
  PlatformType: 'Windows',
  PlatformName: 'Microsoft Windows Server 2022 Standard',
  PlatformVersion: '10.0.20348',
  ResourceType: 'ManagedInstance',
  IPAddress: '192.168.10.11',
  ComputerName: 'dc1-ad-01.corp.example.com',
  AssociationStatus: 'Pending',
  Name: 'dc1-ad-01',
};

const rpm = (name: string, version: string, release: string, extra: Record<string, string> = {}) => ({
  Name: name,
  ApplicationType: 'System Environment/Libraries',
  Publisher: 'Amazon Linux',
  Version: version,
  Release: release,
  Epoch: '',
  InstalledTime: '2026-11-21T02:14:09Z',
  Architecture: 'x86_64',
  URL: '',
  Summary: `${name} package`,
  PackageId: `${name}-${version}-${release}.x86_64.rpm`,
  ...extra,
});

const patch = (title: string, state: string, extra: Partial<PatchComplianceData> = {}): PatchComplianceData =>
  ({
    Title: title,
    KBId: title,
    Classification: 'Security',
    Severity: 'Important',
    State: state,
    InstalledTime: at('2026-11-21T02:20:00Z'),
    ...extra,
  }) as PatchComplianceData;

const linuxState: InstancePatchState = {
  InstanceId: LINUX,
  PatchGroup: 'production',
  BaselineId: 'pb-0123456789abcdef0',
  InstalledCount: 1,
  InstalledOtherCount: 0,
  InstalledPendingRebootCount: 1,
  InstalledRejectedCount: 0,
  MissingCount: 1,
  FailedCount: 0,
  NotApplicableCount: 512,
  OperationStartTime: at('2026-11-25T04:00:00Z'),
  OperationEndTime: at('2026-11-25T04:02:31Z'),
  Operation: 'Scan',
  RebootOption: 'NoReboot',
  CriticalNonCompliantCount: 0,
  SecurityNonCompliantCount: 2,
  OtherNonCompliantCount: 0,
};

type Operation = 'nodes' | 'entries' | 'patches' | 'states';
interface Call {
  readonly operation: Operation;
  readonly region: string;
  // biome-ignore lint/suspicious/noExplicitAny: the commands' own inputs
  readonly input: any;
}

/**
 * A small account: in us-east-1 an Amazon Linux instance and a hybrid Windows server over two pages of
 * DescribeInstanceInformation (the last with an empty NextToken, as SSM ends its lists), each list of the Linux
 * instance over two pages; nothing in eu-west-1. Every call is recorded with its region; `override` replaces
 * an operation's answer.
 */
function account(override: Partial<Record<Operation, (call: Call) => unknown>> = {}): Call[] {
  const calls: Call[] = [];
  const answer =
    (operation: Operation, fallback: (call: Call) => unknown) =>
    // biome-ignore lint/suspicious/noExplicitAny: the mock's client type
    async (input: any, getClient: () => { config: { region: () => Promise<string> } }) => {
      const call = { operation, region: await getClient().config.region(), input };
      calls.push(call);
      return (override[operation] ?? fallback)(call);
    };
  ssm.on(DescribeInstanceInformationCommand).callsFake(
    answer('nodes', ({ region, input }) => {
      if (region !== 'us-east-1') return { InstanceInformationList: [] };
      return input.NextToken === undefined
        ? { InstanceInformationList: [linuxNode], NextToken: 'nodes-2' }
        : { InstanceInformationList: [hybridNode], NextToken: '' };
    }),
  );
  ssm.on(ListInventoryEntriesCommand).callsFake(
    answer('entries', ({ input }) => {
      if (input.InstanceId === HYBRID) {
        return {
          TypeName: 'AWS:Application',
          InstanceId: HYBRID,
          Entries: [
            {
              Name: 'Microsoft Edge',
              ApplicationType: '',
              Publisher: 'Microsoft Corporation',
              Version: '131.0.2903.51',
              InstalledTime: '20261112',
              Architecture: 'x86_64',
            },
          ],
        };
      }
      return input.NextToken === undefined
        ? {
            TypeName: 'AWS:Application',
            InstanceId: LINUX,
            CaptureTime: '2026-11-26T03:00:12Z',
            Entries: [
              rpm('kernel', '6.1.115', '126.197.amzn2023', { ApplicationType: 'System Environment/Kernel' }),
              rpm('kernel', '6.1.112', '122.189.amzn2023', {
                ApplicationType: 'System Environment/Kernel',
                InstalledTime: '2026-10-02T01:00:00Z',
              }),
              rpm('openssl-libs', '3.0.8', '1.amzn2023.0.14', { Epoch: '1' }),
            ],
            NextToken: 'entries-2',
          }
        : {
            TypeName: 'AWS:Application',
            InstanceId: LINUX,
            Entries: [
              rpm('openssl-libs', '3.0.8', '1.amzn2023.0.14', { Epoch: '1' }),
              rpm('ca-certificates', '2023.2.64', '1.amzn2023.0.1', {
                Architecture: 'noarch',
                InstalledTime: 'last tuesday',
                Publisher: '',
              }),
            ],
          };
    }),
  );
  ssm.on(DescribeInstancePatchesCommand).callsFake(
    answer('patches', ({ input }) => {
      if (input.InstanceId === HYBRID) {
        return {
          Patches: [
            patch('', 'InstalledOther', {
              KBId: 'KB5012170',
              Classification: '',
              Severity: '',
              InstalledTime: at('2026-03-01T00:00:00Z'),
            }),
          ],
        };
      }
      return input.NextToken === undefined
        ? {
            Patches: [
              patch('openssl-libs.x86_64:1:3.0.8-1.amzn2023.0.14', 'Installed'),
              patch('kernel.x86_64:0:6.1.119-129.201.amzn2023', 'Missing', {
                InstalledTime: new Date(0),
                CVEIds: 'CVE-2024-41009,CVE-2024-42284',
              }),
            ],
            NextToken: 'patches-2',
          }
        : {
            Patches: [
              // The SDK's enum spelling of a state.
              patch('glibc.x86_64:0:2.34-117.amzn2023.0.1', 'INSTALLED_PENDING_REBOOT', {
                Classification: 'Bugfix',
                Severity: 'None',
              }),
              patch('openssl-libs.x86_64:1:3.0.8-1.amzn2023.0.14', 'Installed'),
            ],
            NextToken: '',
          };
    }),
  );
  ssm
    .on(DescribeInstancePatchStatesCommand)
    .callsFake(
      answer('states', ({ input }) =>
        input.NextToken === undefined
          ? { InstancePatchStates: [linuxState], NextToken: 'states-2' }
          : { InstancePatchStates: [] },
      ),
    );
  return calls;
}

const of = (calls: Call[], operation: Operation) => calls.filter((c) => c.operation === operation);

const unscanned = {
  patch_group: null,
  baseline_id: null,
  patch_operation: null,
  patch_operation_start_time: null,
  patch_operation_end_time: null,
  installed_count: null,
  installed_other_count: null,
  installed_pending_reboot_count: null,
  installed_rejected_count: null,
  missing_count: null,
  failed_count: null,
  not_applicable_count: null,
  available_security_update_count: null,
  critical_non_compliant_count: null,
  security_non_compliant_count: null,
  other_non_compliant_count: null,
  patch_compliance: null,
};

describe('ssm-inventory collector', () => {
  it('pages every list to its end in every region, with the largest page sizes SSM accepts', async () => {
    const calls = account();

    const result = await ssmInventoryCollector.collect(collectContext({ window }));

    expect(of(calls, 'nodes').map((c) => [c.region, c.input])).toEqual([
      ['us-east-1', { MaxResults: 50 }],
      ['eu-west-1', { MaxResults: 50 }],
      ['us-east-1', { MaxResults: 50, NextToken: 'nodes-2' }],
    ]);
    const entries = of(calls, 'entries').map((c) => c.input);
    expect(entries).toHaveLength(3);
    expect(entries).toEqual(
      expect.arrayContaining([
        { InstanceId: LINUX, TypeName: 'AWS:Application', MaxResults: 50 },
        { InstanceId: LINUX, TypeName: 'AWS:Application', MaxResults: 50, NextToken: 'entries-2' },
        { InstanceId: HYBRID, TypeName: 'AWS:Application', MaxResults: 50 },
      ]),
    );
    const patches = of(calls, 'patches').map((c) => c.input);
    expect(patches).toHaveLength(3);
    expect(patches).toEqual(
      expect.arrayContaining([
        { InstanceId: LINUX, Filters: STATE_FILTER, MaxResults: 100 },
        { InstanceId: LINUX, Filters: STATE_FILTER, MaxResults: 100, NextToken: 'patches-2' },
        { InstanceId: HYBRID, Filters: STATE_FILTER, MaxResults: 100 },
      ]),
    );
    expect(STATE_FILTER[0]?.Values).toEqual([
      'Installed',
      'InstalledOther',
      'InstalledPendingReboot',
      'InstalledRejected',
      'Missing',
      'Failed',
      'AvailableSecurityUpdate',
    ]);
    expect(of(calls, 'states').map((c) => c.input)).toEqual([
      { InstanceIds: [LINUX, HYBRID], MaxResults: 100 },
      { InstanceIds: [LINUX, HYBRID], MaxResults: 100, NextToken: 'states-2' },
    ]);
    expect(of(calls, 'states').every((c) => c.region === 'us-east-1')).toBe(true);
    expect(result.regions).toEqual({
      'us-east-1': { status: 'SUCCEEDED' },
      'eu-west-1': { status: 'SUCCEEDED' },
    });
  });

  it('attaches every application and patch to its own instance, once, with the patch summary', async () => {
    account();
    const result = await ssmInventoryCollector.collect(collectContext({ window }));

    expect(result.payload.instances).toEqual([
      {
        region: 'us-east-1',
        instance_id: LINUX,
        platform: 'Amazon Linux',
        platform_type: 'Linux',
        platform_version: '2023',
        agent_version: '3.3.1142.0',
        is_latest_version: true,
        last_ping: '2026-11-26T05:58:00.000Z',
        computer_name: 'ip-10-0-1-17.ec2.internal',
        instance_type: 'EC2Instance',
        ip_address: '10.0.1.17',
        ping_status: 'Online',
        last_ping_date_time: '2026-11-26T05:58:00.000Z',
        association_status: 'Success',
        association_execution_date: '2026-11-26T03:00:00.000Z',
        association_success_date: '2026-11-26T03:00:00.000Z',
        patch_group: 'production',
        baseline_id: 'pb-0123456789abcdef0',
        patch_operation: 'Scan',
        patch_operation_start_time: '2026-11-25T04:00:00.000Z',
        patch_operation_end_time: '2026-11-25T04:02:31.000Z',
        installed_count: 1,
        installed_other_count: 0,
        installed_pending_reboot_count: 1,
        installed_rejected_count: 0,
        missing_count: 1,
        failed_count: 0,
        not_applicable_count: 512,
        available_security_update_count: null,
        critical_non_compliant_count: 0,
        security_non_compliant_count: 2,
        other_non_compliant_count: 0,
        patch_compliance: 'NON_COMPLIANT',
      },
      {
        region: 'us-east-1',
        instance_id: HYBRID,
        platform: 'Microsoft Windows Server 2022 Standard',
        platform_type: 'Windows',
        platform_version: '10.0.20348',
        agent_version: '3.3.1100.0',
        is_latest_version: false,
        last_ping: '2026-11-20T10:00:00.000Z',
        computer_name: 'dc1-ad-01.corp.example.com',
        instance_type: 'ManagedInstance',
        ip_address: '192.168.10.11',
        ping_status: 'ConnectionLost',
        last_ping_date_time: '2026-11-20T10:00:00.000Z',
        association_status: 'Pending',
        association_execution_date: null,
        association_success_date: null,
        ...unscanned,
      },
    ]);
    const linuxApp = (name: string, version: string, release: string, installed: string | null) => ({
      region: 'us-east-1',
      instance_id: LINUX,
      name,
      version,
      release,
      publisher: 'Amazon Linux',
      architecture: 'x86_64',
      application_type: 'System Environment/Libraries',
      install_time: installed,
    });
    expect(result.payload.applications).toEqual([
      {
        ...linuxApp('kernel', '6.1.115', '126.197.amzn2023', '2026-11-21T02:14:09.000Z'),
        application_type: 'System Environment/Kernel',
      },
      {
        ...linuxApp('kernel', '6.1.112', '122.189.amzn2023', '2026-10-02T01:00:00.000Z'),
        application_type: 'System Environment/Kernel',
      },
      linuxApp('openssl-libs', '3.0.8', '1.amzn2023.0.14', '2026-11-21T02:14:09.000Z'),
      {
        ...linuxApp('ca-certificates', '2023.2.64', '1.amzn2023.0.1', null),
        publisher: null,
        architecture: 'noarch',
      },
      {
        region: 'us-east-1',
        instance_id: HYBRID,
        name: 'Microsoft Edge',
        version: '131.0.2903.51',
        release: null,
        publisher: 'Microsoft Corporation',
        architecture: 'x86_64',
        application_type: null,
        install_time: '2026-11-12T00:00:00.000Z',
      },
    ]);
    expect(result.payload.patches).toEqual([
      {
        region: 'us-east-1',
        instance_id: LINUX,
        title: 'openssl-libs.x86_64:1:3.0.8-1.amzn2023.0.14',
        kb_id: 'openssl-libs.x86_64:1:3.0.8-1.amzn2023.0.14',
        classification: 'Security',
        severity: 'Important',
        state: 'Installed',
        installed_time: '2026-11-21T02:20:00.000Z',
        cve_ids: null,
      },
      {
        region: 'us-east-1',
        instance_id: LINUX,
        title: 'kernel.x86_64:0:6.1.119-129.201.amzn2023',
        kb_id: 'kernel.x86_64:0:6.1.119-129.201.amzn2023',
        classification: 'Security',
        severity: 'Important',
        state: 'Missing',
        installed_time: null,
        cve_ids: 'CVE-2024-41009,CVE-2024-42284',
      },
      {
        region: 'us-east-1',
        instance_id: LINUX,
        title: 'glibc.x86_64:0:2.34-117.amzn2023.0.1',
        kb_id: 'glibc.x86_64:0:2.34-117.amzn2023.0.1',
        classification: 'Bugfix',
        severity: 'None',
        state: 'InstalledPendingReboot',
        installed_time: '2026-11-21T02:20:00.000Z',
        cve_ids: null,
      },
      {
        region: 'us-east-1',
        instance_id: HYBRID,
        title: null,
        kb_id: 'KB5012170',
        classification: null,
        severity: null,
        state: 'InstalledOther',
        installed_time: '2026-03-01T00:00:00.000Z',
        cve_ids: null,
      },
    ]);
    expect(result.rows).toBe(2 + 5 + 4);
    expect(ssmInventoryCollector.schema.safeParse(result.payload).success).toBe(true);
  });

  it('asks for patch summaries 50 nodes at a time', async () => {
    const ids = Array.from({ length: 51 }, (_, i) => `i-0${String(i).padStart(16, '0')}`);
    const calls = account({
      nodes: ({ region, input }) => {
        if (region !== 'us-east-1') return { InstanceInformationList: [] };
        const page = input.NextToken === undefined ? ids.slice(0, 50) : ids.slice(50);
        return {
          InstanceInformationList: page.map((InstanceId) => ({ InstanceId, PingStatus: 'Online' })),
          ...(input.NextToken === undefined ? { NextToken: 'nodes-2' } : {}),
        };
      },
      entries: () => ({ Entries: [] }),
      patches: () => ({ Patches: [] }),
      states: ({ input }) => ({
        InstancePatchStates: input.InstanceIds.map((id: string) => ({ ...linuxState, InstanceId: id })),
      }),
    });

    const result = await ssmInventoryCollector.collect(collectContext({ window }));

    expect(of(calls, 'states').map((c) => c.input)).toEqual([
      { InstanceIds: ids.slice(0, 50), MaxResults: 100 },
      { InstanceIds: ids.slice(50), MaxResults: 100 },
    ]);
    expect(result.payload.instances.map((i) => i.instance_id)).toEqual(ids);
    expect(result.payload.instances.every((i) => i.baseline_id === 'pb-0123456789abcdef0')).toBe(true);
  });

  it('calls COMPLIANT a node with nothing missing, failed, rejected or waiting for a reboot', async () => {
    account({
      states: () => ({
        InstancePatchStates: [
          {
            ...linuxState,
            PatchGroup: '',
            InstalledPendingRebootCount: 0,
            MissingCount: 0,
            SecurityNonCompliantCount: 0,
            AvailableSecurityUpdateCount: 2,
            Operation: 'Install',
          },
        ],
      }),
    });
    const { payload } = await ssmInventoryCollector.collect(collectContext({ window }));
    expect(payload.instances[0]).toMatchObject({
      patch_group: null,
      patch_operation: 'Install',
      missing_count: 0,
      available_security_update_count: 2,
      patch_compliance: 'COMPLIANT',
    });
  });

  it('leaves out a node deregistered between the listing and its inventory, and keeps the region', async () => {
    account({
      entries: ({ input }) => {
        if (input.InstanceId === HYBRID) {
          throw serviceError('InvalidInstanceId', `Instances [[${HYBRID}]] not in a valid state`);
        }
        return { Entries: [rpm('bash', '5.2.15', '1.amzn2023.0.2')] };
      },
      patches: () => ({ Patches: [] }),
    });
    const result = await ssmInventoryCollector.collect(collectContext({ window }));
    expect(result.regions?.['us-east-1']).toEqual({ status: 'SUCCEEDED' });
    expect(result.payload.instances.map((i) => i.instance_id)).toEqual([LINUX]);
    expect(result.payload.applications.map((a) => [a.instance_id, a.name])).toEqual([[LINUX, 'bash']]);
  });

  it('records a response without the fields the API reference promises, naming the field', async () => {
    account({
      patches: ({ input }) => {
        const { KBId: _dropped, ...rest } = patch('bash.x86_64:0:5.2.15-1.amzn2023.0.3', 'Missing');
        return { Patches: input.InstanceId === LINUX ? [rest] : [] };
      },
    });
    const result = await ssmInventoryCollector.collect(collectContext({ window }));
    expect(result.regions?.['us-east-1']).toEqual({
      status: 'FAILED',
      error: {
        name: 'DataContractError',
        message: `response is missing DescribeInstancePatches(${LINUX}) Patches[0].KBId`,
      },
    });
    expect(result.regions?.['eu-west-1']).toEqual({ status: 'SUCCEEDED' });
  });

  it('fails on a patch state it does not know rather than guessing', async () => {
    account({
      patches: ({ input }) => ({ Patches: input.InstanceId === LINUX ? [patch('bash', 'Superseded')] : [] }),
    });
    const result = await ssmInventoryCollector.collect(collectContext({ window }));
    expect(result.regions?.['us-east-1']?.error).toEqual({
      name: 'DataContractError',
      message: `response DescribeInstancePatches(${LINUX}) Patches[0].State is not a known patch state: "Superseded"`,
    });
  });

  it('fails when every region does, with a missing node id named', async () => {
    account({ nodes: () => ({ InstanceInformationList: [{ PingStatus: 'Online' }] }) });
    await expect(ssmInventoryCollector.collect(collectContext({ window }))).rejects.toThrow(
      new DataContractError(
        'response is missing DescribeInstanceInformation (us-east-1) InstanceInformationList[0].InstanceId',
      ),
    );
  });

  it('records a failed region and keeps the others (PARTIAL)', async () => {
    account({
      nodes: ({ region, input }) => {
        if (region === 'eu-west-1') {
          throw serviceError(
            'AccessDeniedException',
            'not authorized to perform: ssm:DescribeInstanceInformation',
            403,
          );
        }
        return input.NextToken === undefined ? { InstanceInformationList: [linuxNode] } : {};
      },
    });
    const result = await ssmInventoryCollector.collect(collectContext({ window }));
    expect(result.regions).toEqual({
      'us-east-1': { status: 'SUCCEEDED' },
      'eu-west-1': {
        status: 'FAILED',
        error: {
          name: 'SourceAccessError',
          message: 'AccessDeniedException: not authorized to perform: ssm:DescribeInstanceInformation',
        },
      },
    });
    expect(result.payload.instances.map((i) => i.instance_id)).toEqual([LINUX]);
  });

  it('skips an opt-in region that rejects credentials which work in the home region', async () => {
    account({
      nodes: ({ region }) => {
        if (region === 'eu-west-1') {
          throw serviceError(
            'UnrecognizedClientException',
            'The security token included in the request is invalid.',
          );
        }
        return { InstanceInformationList: [] };
      },
    });
    const result = await ssmInventoryCollector.collect(collectContext({ window }));
    expect(result.regions?.['eu-west-1']).toMatchObject({
      status: 'SKIPPED',
      error: { name: 'ServiceNotEnabledError' },
    });
    expect(result.regions?.['us-east-1']).toEqual({ status: 'SUCCEEDED' });
    expect(result.skippedReason).toBeUndefined();
  });

  it.each([
    ['ThrottlingException', 'Rate exceeded', 400, TransientError],
    ['InternalServerError', 'An error occurred on the server side.', 500, TransientError],
    [
      'AccessDeniedException',
      'not authorized to perform: ssm:DescribeInstanceInformation',
      403,
      SourceAccessError,
    ],
    [
      'UnrecognizedClientException',
      'The security token included in the request is invalid.',
      400,
      SourceAccessError,
    ],
  ])('classifies %s when every region fails', async (name, message, status, type) => {
    account({
      nodes: () => {
        throw serviceError(name, message, status);
      },
    });
    await expect(ssmInventoryCollector.collect(collectContext({ window }))).rejects.toBeInstanceOf(type);
  });

  it('gives an account without managed nodes an empty, successful payload', async () => {
    const calls = account({ nodes: () => ({ InstanceInformationList: [] }) });
    const result = await ssmInventoryCollector.collect(collectContext({ window }));
    expect(result.payload).toEqual({ instances: [], applications: [], patches: [] });
    expect(result.rows).toBe(0);
    expect(result.skippedReason).toBeUndefined();
    expect(of(calls, 'states')).toEqual([]);
  });

  it('declares exactly the IAM actions of the calls it makes', async () => {
    account();
    await ssmInventoryCollector.collect(collectContext({ window }));
    const calls: Record<string, number> = {
      DescribeInstanceInformation: ssm.commandCalls(DescribeInstanceInformationCommand).length,
      ListInventoryEntries: ssm.commandCalls(ListInventoryEntriesCommand).length,
      DescribeInstancePatches: ssm.commandCalls(DescribeInstancePatchesCommand).length,
      DescribeInstancePatchStates: ssm.commandCalls(DescribeInstancePatchStatesCommand).length,
    };
    const sent = Object.entries(calls)
      .filter(([, count]) => count > 0)
      .map(([operation]) => iamActionFor('@aws-sdk/client-ssm', operation));
    expect(sent).toHaveLength(4);
    expect([...ssmInventoryCollector.actions].sort()).toEqual(sent.sort());
  });
});

describe('ssm-inventory payload schema', () => {
  it('rejects inventory of an instance it does not list', () => {
    const parsed = ssmInventoryPayloadSchema.safeParse({
      instances: [],
      applications: [
        {
          region: 'us-east-1',
          instance_id: LINUX,
          name: 'bash',
          version: '5.2.15',
          release: null,
          publisher: null,
          architecture: null,
          application_type: null,
          install_time: null,
        },
      ],
      patches: [],
    });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]?.message).toBe(
      `${LINUX} (us-east-1) has inventory but is not among the instances`,
    );
  });
});
