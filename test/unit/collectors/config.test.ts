import {
  ConfigServiceClient,
  DescribeComplianceByConfigRuleCommand,
  DescribeConfigurationRecorderStatusCommand,
  DescribeConformancePackComplianceCommand,
  DescribeConformancePacksCommand,
  type EvaluationResult,
  GetComplianceDetailsByConfigRuleCommand,
  SelectResourceConfigCommand,
} from '@aws-sdk/client-config-service';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import {
  configCollector,
  INVENTORY_EXPRESSION,
  inventoryItemOf,
  ruleCountsOf,
} from '../../../functions/collectors/config.ts';
import {
  DataContractError,
  SourceAccessError,
  SourceRequestError,
  TransientError,
} from '../../../functions/platform/errors.ts';
import { collectContext, serviceError } from '../../support/collect-context.ts';

const config = mockClient(ConfigServiceClient);
afterEach(() => config.reset());
afterAll(() => config.restore());

const window = { period: 'DAILY' as const, start: '2026-11-25', end: '2026-11-26' };
const account = '123456789012';
const CIS = 'OrgConformsPack-Operational-Best-Practices-for-CIS-AWS-v1-4-Level1-abcd1234';
const S3 = 'Operational-Best-Practices-for-Amazon-S3';
const ENCRYPTED = 'encrypted-volumes-conformance-pack-abcd1234';
const SSH = 'restricted-ssh-conformance-pack-abcd1234';
const PUBLIC_READ = 's3-bucket-public-read-prohibited-conformance-pack-ef567890';
const IN_USE = 'ec2-volume-inuse-check';
const MULTI_AZ = 'rds-multi-az-support';

function result(
  rule: string,
  type: string,
  id: string,
  recorded: string,
  extra: Partial<EvaluationResult> = {},
) {
  return {
    EvaluationResultIdentifier: {
      EvaluationResultQualifier: {
        ConfigRuleName: rule,
        ResourceType: type,
        ResourceId: id,
        EvaluationMode: 'DETECTIVE' as const,
      },
      OrderingTimestamp: new Date(recorded),
    },
    ComplianceType: 'NON_COMPLIANT' as const,
    ResultRecordedTime: new Date(recorded),
    ConfigRuleInvokedTime: new Date(new Date(recorded).getTime() - 30_000),
    ...extra,
  };
}

const json = (value: object) => JSON.stringify(value);
const SELECT_PAGES: Record<string, { Results: string[]; NextToken?: string }> = {
  first: {
    Results: [
      json({
        resourceId: 'i-0123456789abcdef0',
        resourceType: 'AWS::EC2::Instance',
        arn: `arn:aws:ec2:us-east-1:${account}:instance/i-0123456789abcdef0`,
        availabilityZone: 'us-east-1a',
        resourceCreationTime: '2026-06-01T10:00:00.000Z',
        configurationItemCaptureTime: '2026-11-20T08:00:00.000Z',
        configurationItemStatus: 'OK',
        configuration: {
          instanceType: 'm6i.large',
          state: { code: 16, name: 'running' },
          vpcId: 'vpc-0aaaaaaaaaaaaaaaa',
        },
      }),
      json({
        resourceId: 'vol-0bbbbbbbbbbbbbbbb',
        resourceType: 'AWS::EC2::Volume',
        availabilityZone: 'us-east-1a',
        resourceCreationTime: '2026-06-01T10:00:05Z',
        configurationItemStatus: 'ResourceDiscovered',
        configuration: { size: 100, volumeType: 'gp3', state: 'in-use' },
      }),
    ],
    NextToken: 'select-2',
  },
  'select-2': {
    Results: [
      json({
        resourceId: 'db-ABCDEFGHIJKLMNOPQRSTUVWXYZ',
        resourceName: 'shop-db-1',
        resourceType: 'AWS::RDS::DBInstance',
        availabilityZone: 'Multiple Availability Zones',
        configurationItemStatus: 'OK',
        configuration: {
          dBInstanceClass: 'db.r6g.large',
          engine: 'postgres',
          dBInstanceStatus: 'available',
          multiAZ: true,
          allocatedStorage: 200,
          dBSubnetGroup: { vpcId: 'vpc-0aaaaaaaaaaaaaaaa' },
        },
      }),
      json({
        resourceId: 'i-0deleted000000000',
        resourceType: 'AWS::EC2::Instance',
        configurationItemStatus: 'ResourceDeleted',
      }),
      json({
        resourceId: `arn:aws:autoscaling:us-east-1:${account}:autoScalingGroup:1:autoScalingGroupName/shop-asg`,
        resourceName: 'shop-asg',
        resourceType: 'AWS::AutoScaling::AutoScalingGroup',
        configuration: { minSize: 1, maxSize: 4, instances: [{ instanceId: 'i-1' }, { instanceId: 'i-2' }] },
      }),
      json({
        resourceId: `arn:aws:elasticloadbalancing:us-east-1:${account}:loadbalancer/app/shop/0123456789abcdef`,
        resourceName: 'shop',
        resourceType: 'AWS::ElasticLoadBalancingV2::LoadBalancer',
        configuration: { type: 'application', scheme: 'internet-facing', state: { code: 'active' } },
      }),
      json({
        resourceId: 'shop-worker',
        resourceName: 'shop-worker',
        resourceType: 'AWS::Lambda::Function',
        availabilityZone: 'Not Applicable',
        configuration: { state: 'Active' },
      }),
      json({
        resourceId: 'subnet-0ccccccccccccccc',
        resourceType: 'AWS::EC2::Subnet',
        configuration: { vpcId: 'vpc-0aaaaaaaaaaaaaaaa', availableIpAddressCount: 250 },
      }),
    ],
  },
};

interface Call {
  readonly operation: string;
  readonly region: string;
  // biome-ignore lint/suspicious/noExplicitAny: the commands' own inputs
  readonly input: any;
}

/**
 * us-east-1 (and any other region but eu-west-1) records with two conformance packs and five rules, every list
 * over two pages where it can be; eu-west-1 has no configuration recorder. `errors` makes an operation fail in a region.
 */
function serve(errors: Record<string, Error> = {}): Call[] {
  const calls: Call[] = [];
  const answer =
    (operation: string, fallback: (call: Call) => unknown) =>
    // biome-ignore lint/suspicious/noExplicitAny: the mock's own signature
    async (input: any, getClient: () => { config: { region: () => Promise<string> } }) => {
      const call = { operation, region: await getClient().config.region(), input };
      calls.push(call);
      const error = errors[`${operation} ${call.region}`];
      if (error) throw error;
      return fallback(call);
    };
  config.on(DescribeConfigurationRecorderStatusCommand).callsFake(
    answer('DescribeConfigurationRecorderStatus', ({ region }) => ({
      ConfigurationRecordersStatus:
        region !== 'eu-west-1'
          ? [
              {
                name: 'default',
                recording: true,
                lastStatus: 'SUCCESS',
                lastStartTime: new Date('2025-01-01'),
              },
            ]
          : [],
    })),
  );
  config.on(DescribeConformancePacksCommand).callsFake(
    answer('DescribeConformancePacks', ({ input }) =>
      input.NextToken === undefined
        ? {
            ConformancePackDetails: [
              {
                ConformancePackName: CIS,
                ConformancePackArn: 'arn:cis',
                ConformancePackId: 'conformance-pack-1',
              },
            ],
            NextToken: 'packs-2',
          }
        : {
            ConformancePackDetails: [
              {
                ConformancePackName: S3,
                ConformancePackArn: 'arn:s3',
                ConformancePackId: 'conformance-pack-2',
              },
            ],
          },
    ),
  );
  config.on(DescribeConformancePackComplianceCommand).callsFake(
    answer('DescribeConformancePackCompliance', ({ input }) => {
      if (input.ConformancePackName === S3) {
        return {
          ConformancePackName: S3,
          ConformancePackRuleComplianceList: [{ ConfigRuleName: PUBLIC_READ, ComplianceType: 'COMPLIANT' }],
        };
      }
      return input.NextToken === undefined
        ? {
            ConformancePackName: CIS,
            ConformancePackRuleComplianceList: [{ ConfigRuleName: SSH, ComplianceType: 'COMPLIANT' }],
            NextToken: 'cis-2',
          }
        : {
            ConformancePackName: CIS,
            ConformancePackRuleComplianceList: [
              { ConfigRuleName: ENCRYPTED, ComplianceType: 'NON_COMPLIANT' },
            ],
          };
    }),
  );
  config.on(DescribeComplianceByConfigRuleCommand).callsFake(
    answer('DescribeComplianceByConfigRule', ({ input }) =>
      input.NextToken === undefined
        ? {
            ComplianceByConfigRules: [
              {
                ConfigRuleName: ENCRYPTED,
                Compliance: {
                  ComplianceType: 'NON_COMPLIANT',
                  ComplianceContributorCount: { CappedCount: 2, CapExceeded: false },
                },
              },
              { ConfigRuleName: SSH, Compliance: { ComplianceType: 'COMPLIANT' } },
            ],
            NextToken: 'rules-2',
          }
        : {
            ComplianceByConfigRules: [
              { ConfigRuleName: PUBLIC_READ, Compliance: { ComplianceType: 'COMPLIANT' } },
              { ConfigRuleName: IN_USE, Compliance: { ComplianceType: 'NON_COMPLIANT' } },
              { ConfigRuleName: MULTI_AZ, Compliance: { ComplianceType: 'INSUFFICIENT_DATA' } },
            ],
          },
    ),
  );
  config.on(GetComplianceDetailsByConfigRuleCommand).callsFake(
    answer('GetComplianceDetailsByConfigRule', ({ input }) => {
      if (input.ConfigRuleName === IN_USE) {
        return {
          EvaluationResults: [
            result(IN_USE, 'AWS::EC2::Volume', 'vol-0ddddddddddddddddd', '2026-11-25T09:00:00.000Z', {
              Annotation: 'The volume is not attached to an instance.',
            }),
          ],
        };
      }
      return input.NextToken === undefined
        ? {
            EvaluationResults: [
              result(ENCRYPTED, 'AWS::EC2::Volume', 'vol-0bbbbbbbbbbbbbbbb', '2026-10-01T12:00:00.000Z'),
            ],
            NextToken: 'encrypted-2',
          }
        : {
            EvaluationResults: [
              result(ENCRYPTED, 'AWS::EC2::Volume', 'vol-0eeeeeeeeeeeeeeee', '2026-11-24T12:00:00.000Z'),
              // Listed again with a later result: one row, the later one.
              result(ENCRYPTED, 'AWS::EC2::Volume', 'vol-0bbbbbbbbbbbbbbbb', '2026-11-25T12:00:00.000Z'),
            ],
          };
    }),
  );
  config
    .on(SelectResourceConfigCommand)
    .callsFake(
      answer(
        'SelectResourceConfig',
        ({ input }) => SELECT_PAGES[input.NextToken ?? 'first'] ?? { Results: [] },
      ),
    );
  return calls;
}

describe('config collector', () => {
  it('collects rules, packs, every non-compliant resource and the inventory, paging every list', async () => {
    const calls = serve();
    const result = await configCollector.collect(collectContext({ window }));

    const of = (operation: string) =>
      calls.filter((c) => c.operation === operation && c.region === 'us-east-1').map((c) => c.input);
    expect(of('DescribeConfigurationRecorderStatus')).toEqual([{}]);
    expect(of('DescribeConformancePacks')).toEqual([{ Limit: 20 }, { Limit: 20, NextToken: 'packs-2' }]);
    expect(of('DescribeConformancePackCompliance')).toEqual(
      expect.arrayContaining([
        { ConformancePackName: CIS, Limit: 1000 },
        { ConformancePackName: CIS, Limit: 1000, NextToken: 'cis-2' },
        { ConformancePackName: S3, Limit: 1000 },
      ]),
    );
    expect(of('DescribeConformancePackCompliance')).toHaveLength(3);
    expect(of('DescribeComplianceByConfigRule')).toEqual([{}, { NextToken: 'rules-2' }]);
    // Details for the two NON_COMPLIANT rules only, to their last page.
    const details = { ComplianceTypes: ['NON_COMPLIANT'], Limit: 100 };
    expect(of('GetComplianceDetailsByConfigRule')).toEqual(
      expect.arrayContaining([
        { ConfigRuleName: ENCRYPTED, ...details },
        { ConfigRuleName: ENCRYPTED, ...details, NextToken: 'encrypted-2' },
        { ConfigRuleName: IN_USE, ...details },
      ]),
    );
    expect(of('GetComplianceDetailsByConfigRule')).toHaveLength(3);
    expect(of('SelectResourceConfig')).toEqual([
      { Expression: INVENTORY_EXPRESSION, Limit: 100 },
      { Expression: INVENTORY_EXPRESSION, Limit: 100, NextToken: 'select-2' },
    ]);
    // Without a recorder, nothing else is asked.
    expect(calls.filter((c) => c.region === 'eu-west-1').map((c) => c.operation)).toEqual([
      'DescribeConfigurationRecorderStatus',
    ]);

    expect(result.regions).toEqual({
      'us-east-1': { status: 'SUCCEEDED' },
      'eu-west-1': {
        status: 'SKIPPED',
        error: {
          name: 'ServiceNotEnabledError',
          message: 'AWS Config has no configuration recorder in eu-west-1',
        },
      },
    });
    expect(result.skippedReason).toBeUndefined();
    expect(configCollector.schema.safeParse(result.payload).success).toBe(true);
    const { rules, regions, non_compliant_resources, config_inventory, ...totals } = result.payload;
    expect(totals).toEqual({
      date_from: '2026-11-25',
      date_to: '2026-11-26',
      compliance_score: 50,
      total_rules: 5,
      compliant_rules: 2,
      non_compliant_rules: 2,
      insufficient_data_rules: 1,
    });
    expect(regions).toEqual([
      {
        region: 'us-east-1',
        recorder_name: 'default',
        recorder_recording: true,
        recorder_last_status: 'SUCCESS',
        conformance_packs: [CIS, S3],
        compliance_score: 50,
        total_rules: 5,
        compliant_rules: 2,
        non_compliant_rules: 2,
        insufficient_data_rules: 1,
      },
    ]);
    expect(rules).toEqual([
      { name: ENCRYPTED, compliance: 'NON_COMPLIANT', pack: CIS, region: 'us-east-1' },
      { name: SSH, compliance: 'COMPLIANT', pack: CIS, region: 'us-east-1' },
      { name: PUBLIC_READ, compliance: 'COMPLIANT', pack: S3, region: 'us-east-1' },
      { name: IN_USE, compliance: 'NON_COMPLIANT', pack: null, region: 'us-east-1' },
      { name: MULTI_AZ, compliance: 'INSUFFICIENT_DATA', pack: null, region: 'us-east-1' },
    ]);
    expect(non_compliant_resources).toEqual([
      {
        rule_name: ENCRYPTED,
        resource_id: 'vol-0bbbbbbbbbbbbbbbb',
        resource_type: 'AWS::EC2::Volume',
        config_rule_invoked_time: '2026-11-25T11:59:30.000Z',
        result_recorded_time: '2026-11-25T12:00:00.000Z',
        conformance_pack: CIS,
        compliance_type: 'NON_COMPLIANT',
        annotation: null,
        evaluation_mode: 'DETECTIVE',
        region: 'us-east-1',
      },
      {
        rule_name: ENCRYPTED,
        resource_id: 'vol-0eeeeeeeeeeeeeeee',
        resource_type: 'AWS::EC2::Volume',
        config_rule_invoked_time: '2026-11-24T11:59:30.000Z',
        result_recorded_time: '2026-11-24T12:00:00.000Z',
        conformance_pack: CIS,
        compliance_type: 'NON_COMPLIANT',
        annotation: null,
        evaluation_mode: 'DETECTIVE',
        region: 'us-east-1',
      },
      {
        rule_name: IN_USE,
        resource_id: 'vol-0ddddddddddddddddd',
        resource_type: 'AWS::EC2::Volume',
        config_rule_invoked_time: '2026-11-25T08:59:30.000Z',
        result_recorded_time: '2026-11-25T09:00:00.000Z',
        conformance_pack: null,
        compliance_type: 'NON_COMPLIANT',
        annotation: 'The volume is not attached to an instance.',
        evaluation_mode: 'DETECTIVE',
        region: 'us-east-1',
      },
    ]);
    const empty = {
      resource_name: null,
      arn: null,
      availability_zone: null,
      state: null,
      instance_type: null,
      instance_class: null,
      engine: null,
      vpc_id: null,
      size_gb: null,
      volume_type: null,
      creation_date: null,
      multi_az: null,
      scheme: null,
      type: null,
      instance_count: null,
      min_size: null,
      max_size: null,
      available_ip_count: null,
      configuration_item_capture_time: null,
      configuration_item_status: null,
      region: 'us-east-1',
    };
    // The deleted instance's configuration item is left out.
    expect(config_inventory).toEqual([
      {
        ...empty,
        resource_type: 'AWS::EC2::Instance',
        resource_id: 'i-0123456789abcdef0',
        arn: `arn:aws:ec2:us-east-1:${account}:instance/i-0123456789abcdef0`,
        availability_zone: 'us-east-1a',
        state: 'running',
        instance_type: 'm6i.large',
        vpc_id: 'vpc-0aaaaaaaaaaaaaaaa',
        creation_date: '2026-06-01T10:00:00.000Z',
        configuration_item_capture_time: '2026-11-20T08:00:00.000Z',
        configuration_item_status: 'OK',
      },
      {
        ...empty,
        resource_type: 'AWS::EC2::Volume',
        resource_id: 'vol-0bbbbbbbbbbbbbbbb',
        availability_zone: 'us-east-1a',
        state: 'in-use',
        size_gb: 100,
        volume_type: 'gp3',
        creation_date: '2026-06-01T10:00:05.000Z',
        configuration_item_status: 'ResourceDiscovered',
      },
      {
        ...empty,
        resource_type: 'AWS::RDS::DBInstance',
        resource_id: 'db-ABCDEFGHIJKLMNOPQRSTUVWXYZ',
        resource_name: 'shop-db-1',
        availability_zone: 'Multiple Availability Zones',
        state: 'available',
        instance_class: 'db.r6g.large',
        engine: 'postgres',
        vpc_id: 'vpc-0aaaaaaaaaaaaaaaa',
        size_gb: 200,
        multi_az: true,
        configuration_item_status: 'OK',
      },
      {
        ...empty,
        resource_type: 'AWS::AutoScaling::AutoScalingGroup',
        resource_id: `arn:aws:autoscaling:us-east-1:${account}:autoScalingGroup:1:autoScalingGroupName/shop-asg`,
        resource_name: 'shop-asg',
        instance_count: 2,
        min_size: 1,
        max_size: 4,
      },
      {
        ...empty,
        resource_type: 'AWS::ElasticLoadBalancingV2::LoadBalancer',
        resource_id: `arn:aws:elasticloadbalancing:us-east-1:${account}:loadbalancer/app/shop/0123456789abcdef`,
        resource_name: 'shop',
        state: 'active',
        scheme: 'internet-facing',
        type: 'application',
      },
      {
        ...empty,
        resource_type: 'AWS::Lambda::Function',
        resource_id: 'shop-worker',
        resource_name: 'shop-worker',
        state: 'Active',
      },
      {
        ...empty,
        resource_type: 'AWS::EC2::Subnet',
        resource_id: 'subnet-0ccccccccccccccc',
        vpc_id: 'vpc-0aaaaaaaaaaaaaaaa',
        available_ip_count: 250,
      },
    ]);
    expect(result.rows).toBe(1 + 5 + 3 + 7);
  });

  it('declares exactly the IAM actions of the calls it makes', async () => {
    serve();
    await configCollector.collect(collectContext({ window }));
    const sent = new Set(
      config
        .calls()
        .map((call) => `config:${(call.args[0] as object).constructor.name.replace(/Command$/, '')}`),
    );
    expect([...configCollector.actions].sort()).toEqual([...sent].sort());
    expect(configCollector.scope).toBe('regional');
    expect(configCollector.tables).toEqual(['config_reports', 'non_compliant_resources', 'config_inventory']);
  });

  it('is SKIPPED, not zero rules, when no region has a configuration recorder', async () => {
    const noRecorder = serviceError(
      'NoAvailableConfigurationRecorderException',
      'There are no customer managed configuration recorders available to record your resources.',
    );
    serve({
      'DescribeConfigurationRecorderStatus us-east-1': noRecorder,
    });
    const result = await configCollector.collect(collectContext({ window }));
    expect(result.regions).toMatchObject({
      'us-east-1': { status: 'SKIPPED', error: { name: 'ServiceNotEnabledError' } },
      'eu-west-1': { status: 'SKIPPED', error: { name: 'ServiceNotEnabledError' } },
    });
    expect(result.skippedReason).toMatch(
      /NoAvailableConfigurationRecorderException|no configuration recorder/,
    );
    expect(result.payload.total_rules).toBe(0);
  });

  it('records a region that fails as FAILED and keeps the others', async () => {
    serve({
      'GetComplianceDetailsByConfigRule us-east-1': serviceError(
        'AccessDeniedException',
        'not authorized',
        403,
      ),
    });
    const result = await configCollector.collect(
      collectContext({ window, regions: ['us-east-1', 'eu-west-1', 'ap-southeast-2'] }),
    );
    expect(result.regions?.['us-east-1']).toMatchObject({
      status: 'FAILED',
      error: { name: 'SourceAccessError' },
    });
    expect(result.regions?.['eu-west-1']?.status).toBe('SKIPPED');
    expect(result.regions?.['ap-southeast-2']).toEqual({ status: 'SUCCEEDED' });
    expect(result.payload.regions.map((r) => r.region)).toEqual(['ap-southeast-2']);
    expect(new Set(result.payload.non_compliant_resources.map((r) => r.region))).toEqual(
      new Set(['ap-southeast-2']),
    );
  });

  it.each([
    [
      'AccessDeniedException',
      'not authorized to perform: config:SelectResourceConfig',
      403,
      SourceAccessError,
    ],
    ['ThrottlingException', 'Rate exceeded', 400, TransientError],
    ['InvalidNextTokenException', 'The nextToken provided is invalid.', 400, SourceRequestError],
    ['InvalidExpressionException', 'Invalid query expression', 400, SourceRequestError],
  ])('classifies %s as %s', async (name, message, status, type) => {
    serve({ 'SelectResourceConfig us-east-1': serviceError(name, message, status) });
    await expect(
      configCollector.collect(collectContext({ window, regions: ['us-east-1'] })),
    ).rejects.toBeInstanceOf(type);
  });

  it.each([
    [
      'ConformancePackRuleComplianceList',
      () =>
        config.on(DescribeConformancePackComplianceCommand).resolves({ ConformancePackName: CIS } as never),
      'ConformancePackRuleComplianceList',
    ],
    [
      'ConformancePackName',
      () => config.on(DescribeConformancePacksCommand).resolves({ ConformancePackDetails: [{} as never] }),
      'ConformancePackDetails[0].ConformancePackName',
    ],
    [
      'ResultRecordedTime',
      () =>
        config.on(GetComplianceDetailsByConfigRuleCommand).resolves({
          EvaluationResults: [
            result(IN_USE, 'AWS::EC2::Volume', 'vol-1', '2026-11-25T09:00:00Z', {
              ResultRecordedTime: undefined,
            }),
          ],
        }),
      'EvaluationResults[0].ResultRecordedTime',
    ],
    [
      'a NON_COMPLIANT type',
      () =>
        config.on(GetComplianceDetailsByConfigRuleCommand).resolves({
          EvaluationResults: [
            result(IN_USE, 'AWS::EC2::Volume', 'vol-1', '2026-11-25T09:00:00Z', {
              ComplianceType: 'COMPLIANT',
            }),
          ],
        }),
      'asked for NON_COMPLIANT only',
    ],
    [
      'JSON results',
      () => config.on(SelectResourceConfigCommand).resolves({ Results: ['{"resourceId":'] }),
      'SelectResourceConfig (us-east-1, page 1) Results[0] is not JSON',
    ],
    [
      'resourceId',
      () =>
        config
          .on(SelectResourceConfigCommand)
          .resolves({ Results: [json({ resourceType: 'AWS::S3::Bucket' })] }),
      'Results[0].resourceId',
    ],
    [
      'a known rule compliance',
      () =>
        config.on(DescribeComplianceByConfigRuleCommand).resolves({
          ComplianceByConfigRules: [
            { ConfigRuleName: SSH, Compliance: { ComplianceType: 'MOSTLY' as never } },
          ],
        }),
      'Compliance.ComplianceType is unknown',
    ],
  ])('rejects a response without %s, naming the field', async (_what, change, path) => {
    serve();
    change();
    const error = await configCollector
      .collect(collectContext({ window, regions: ['us-east-1'] }))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DataContractError);
    expect((error as Error).message).toContain(path);
  });
});

describe('config helpers', () => {
  it('scores the rules with a verdict only', () => {
    expect(ruleCountsOf([])).toEqual({
      compliance_score: null,
      total_rules: 0,
      compliant_rules: 0,
      non_compliant_rules: 0,
      insufficient_data_rules: 0,
    });
    expect(
      ruleCountsOf([
        { compliance: 'COMPLIANT' },
        { compliance: 'COMPLIANT' },
        { compliance: 'NON_COMPLIANT' },
        { compliance: 'INSUFFICIENT_DATA' },
        { compliance: 'NOT_APPLICABLE' },
      ]),
    ).toEqual({
      compliance_score: 66.67,
      total_rules: 5,
      compliant_rules: 2,
      non_compliant_rules: 1,
      insufficient_data_rules: 1,
    });
  });

  it('reads an advanced-query item and rejects a malformed timestamp', () => {
    expect(
      inventoryItemOf(json({ resourceId: 'x', resourceType: 'AWS::S3::Bucket' }), 'r', 'eu-west-1'),
    ).toMatchObject({
      region: 'eu-west-1',
      resource_id: 'x',
      availability_zone: null,
    });
    expect(() =>
      inventoryItemOf(
        json({ resourceId: 'x', resourceType: 'T', resourceCreationTime: 'soon' }),
        'r',
        'eu-west-1',
      ),
    ).toThrow(DataContractError);
  });
});
