import { AutoScalingClient, DescribeAutoScalingGroupsCommand } from '@aws-sdk/client-auto-scaling';
import {
  DescribeInstancesCommand,
  DescribeSubnetsCommand,
  DescribeVolumesCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import {
  DescribeLoadBalancersCommand,
  ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { LambdaClient, ListFunctionsCommand } from '@aws-sdk/client-lambda';
import { DescribeDBInstancesCommand, RDSClient } from '@aws-sdk/client-rds';
import { ListBucketsCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { iamActionFor } from '../../../functions/collectors/iam.ts';
import { resourcesCollector, type ServiceResource } from '../../../functions/collectors/resources.ts';
import { SourceAccessError, TransientError } from '../../../functions/platform/errors.ts';
import { collectContext, serviceError } from '../../support/collect-context.ts';

const mocks = {
  '@aws-sdk/client-ec2': mockClient(EC2Client),
  '@aws-sdk/client-rds': mockClient(RDSClient),
  '@aws-sdk/client-s3': mockClient(S3Client),
  '@aws-sdk/client-elastic-load-balancing-v2': mockClient(ElasticLoadBalancingV2Client),
  '@aws-sdk/client-auto-scaling': mockClient(AutoScalingClient),
  '@aws-sdk/client-lambda': mockClient(LambdaClient),
};
afterEach(() => {
  for (const mock of Object.values(mocks)) mock.reset();
});
afterAll(() => {
  for (const mock of Object.values(mocks)) mock.restore();
});

const window = { period: 'DAILY' as const, start: '2026-11-25', end: '2026-11-26' };
const account = '123456789012';
const VPC = 'vpc-0a1b2c3d4e5f60718';
const SUBNET_A = 'subnet-0aaaaaaaaaaaaaaaa';
const SUBNET_B = 'subnet-0bbbbbbbbbbbbbbbb';
const DB_ARN = `arn:aws:rds:us-east-1:${account}:db:orders-db`;
const AURORA_ARN = `arn:aws:rds:us-east-1:${account}:db:reports-db-1`;
const ALB_ARN = `arn:aws:elasticloadbalancing:us-east-1:${account}:loadbalancer/app/shop-alb/0123456789abcdef`;
const NLB_ARN = `arn:aws:elasticloadbalancing:us-east-1:${account}:loadbalancer/net/shop-nlb/fedcba9876543210`;
const ASG_ARN = `arn:aws:autoscaling:us-east-1:${account}:autoScalingGroup:11111111-1111-4111-8111-111111111111:autoScalingGroupName/web-asg`;
const BATCH_ARN = `arn:aws:autoscaling:us-east-1:${account}:autoScalingGroup:22222222-2222-4222-8222-222222222222:autoScalingGroupName/batch`;
const API_FN = `arn:aws:lambda:us-east-1:${account}:function:shop-api`;
const IMAGE_FN = `arn:aws:lambda:us-east-1:${account}:function:shop-thumbnails`;
const launched = new Date('2026-10-01T08:30:00Z');

type Answer = (input: Record<string, unknown>, region: string) => unknown;
type Operation =
  | 'DescribeInstances'
  | 'DescribeVolumes'
  | 'DescribeSubnets'
  | 'DescribeDBInstances'
  | 'ListBuckets'
  | 'DescribeLoadBalancers'
  | 'DescribeAutoScalingGroups'
  | 'ListFunctions';

/** Two pages in us-east-1 for every call; `token` is the field that carries the next page's token. */
function twoPages(
  token: string,
  inputToken: string,
  first: Record<string, unknown>,
  second: Record<string, unknown>,
): Answer {
  return (input) => (input[inputToken] === undefined ? { ...first, [token]: `${token}-2` } : second);
}

/** Two pages of everything in us-east-1, buckets in both regions. */
const US_EAST: Record<Operation, Answer> = {
  DescribeInstances: twoPages(
    'NextToken',
    'NextToken',
    {
      Reservations: [
        {
          ReservationId: 'r-0123456789abcdef0',
          Instances: [
            {
              InstanceId: 'i-0aaaaaaaaaaaaaaaa',
              InstanceType: 't3.medium',
              LaunchTime: launched,
              Placement: { AvailabilityZone: 'us-east-1a' },
              State: { Code: 16, Name: 'running' },
              SubnetId: SUBNET_A,
              VpcId: VPC,
              Architecture: 'x86_64',
              PlatformDetails: 'Linux/UNIX',
              Tags: [
                { Key: 'Environment', Value: 'production' },
                { Key: 'Name', Value: 'shop-web-1' },
              ],
            },
          ],
        },
      ],
    },
    {
      Reservations: [
        {
          Instances: [
            {
              InstanceId: 'i-0bbbbbbbbbbbbbbbb',
              InstanceType: 'm6i.large',
              LaunchTime: launched,
              Placement: { AvailabilityZone: 'us-east-1b' },
              State: { Code: 80, Name: 'stopped' },
              SubnetId: SUBNET_B,
              VpcId: VPC,
              Architecture: 'x86_64',
              Platform: 'windows',
            },
          ],
        },
      ],
    },
  ),
  DescribeVolumes: twoPages(
    'NextToken',
    'NextToken',
    {
      Volumes: [
        {
          VolumeId: 'vol-0aaaaaaaaaaaaaaaa',
          Size: 8,
          VolumeType: 'gp3',
          State: 'in-use',
          AvailabilityZone: 'us-east-1a',
          CreateTime: launched,
          Attachments: [{ InstanceId: 'i-0aaaaaaaaaaaaaaaa', State: 'attached' }],
        },
      ],
    },
    {
      Volumes: [
        {
          VolumeId: 'vol-0bbbbbbbbbbbbbbbb',
          Size: 100,
          VolumeType: 'gp2',
          State: 'available',
          AvailabilityZone: 'us-east-1b',
          CreateTime: launched,
          Attachments: [],
          Tags: [{ Key: 'Name', Value: 'scratch' }],
        },
      ],
    },
  ),
  DescribeSubnets: twoPages(
    'NextToken',
    'NextToken',
    {
      Subnets: [
        {
          SubnetId: SUBNET_A,
          SubnetArn: `arn:aws:ec2:us-east-1:${account}:subnet/${SUBNET_A}`,
          VpcId: VPC,
          AvailabilityZone: 'us-east-1a',
          AvailableIpAddressCount: 4000,
          State: 'available',
          Tags: [{ Key: 'Name', Value: 'shop-private-a' }],
        },
      ],
    },
    {
      Subnets: [
        {
          SubnetId: SUBNET_B,
          VpcId: VPC,
          AvailabilityZone: 'us-east-1b',
          AvailableIpAddressCount: 251,
          State: 'available',
        },
      ],
    },
  ),
  DescribeDBInstances: twoPages(
    'Marker',
    'Marker',
    {
      DBInstances: [
        {
          DBInstanceIdentifier: 'orders-db',
          DBInstanceArn: DB_ARN,
          DBInstanceClass: 'db.r6g.large',
          Engine: 'postgres',
          DBInstanceStatus: 'available',
          AllocatedStorage: 200,
          StorageType: 'gp3',
          MultiAZ: true,
          AvailabilityZone: 'us-east-1a',
          DBSubnetGroup: { VpcId: VPC },
          InstanceCreateTime: launched,
        },
      ],
    },
    {
      DBInstances: [
        {
          DBInstanceIdentifier: 'reports-db-1',
          DBInstanceArn: AURORA_ARN,
          DBInstanceClass: 'db.r6g.xlarge',
          Engine: 'aurora-mysql',
          DBInstanceStatus: 'backing-up',
          AllocatedStorage: 1,
          StorageType: 'aurora',
          MultiAZ: false,
          AvailabilityZone: 'us-east-1c',
          DBSubnetGroup: { VpcId: VPC },
          InstanceCreateTime: launched,
        },
      ],
    },
  ),
  DescribeLoadBalancers: twoPages(
    'NextMarker',
    'Marker',
    {
      LoadBalancers: [
        {
          LoadBalancerArn: ALB_ARN,
          LoadBalancerName: 'shop-alb',
          Type: 'application',
          Scheme: 'internet-facing',
          State: { Code: 'active' },
          VpcId: VPC,
          CreatedTime: launched,
          AvailabilityZones: [
            { ZoneName: 'us-east-1b', SubnetId: SUBNET_B },
            { ZoneName: 'us-east-1a', SubnetId: SUBNET_A },
          ],
        },
      ],
    },
    {
      LoadBalancers: [
        {
          LoadBalancerArn: NLB_ARN,
          LoadBalancerName: 'shop-nlb',
          Type: 'network',
          Scheme: 'internal',
          State: { Code: 'provisioning' },
          VpcId: VPC,
          CreatedTime: launched,
          AvailabilityZones: [{ ZoneName: 'us-east-1a', SubnetId: SUBNET_A }],
        },
      ],
    },
  ),
  DescribeAutoScalingGroups: twoPages(
    'NextToken',
    'NextToken',
    {
      AutoScalingGroups: [
        {
          AutoScalingGroupName: 'web-asg',
          AutoScalingGroupARN: ASG_ARN,
          MinSize: 1,
          MaxSize: 4,
          DesiredCapacity: 2,
          DefaultCooldown: 300,
          AvailabilityZones: ['us-east-1b', 'us-east-1a'],
          HealthCheckType: 'ELB',
          CreatedTime: launched,
          Instances: [{ InstanceId: 'i-0aaaaaaaaaaaaaaaa' }, { InstanceId: 'i-0cccccccccccccccc' }],
        },
      ],
    },
    {
      AutoScalingGroups: [
        {
          AutoScalingGroupName: 'batch',
          AutoScalingGroupARN: BATCH_ARN,
          MinSize: 0,
          MaxSize: 2,
          DesiredCapacity: 0,
          DefaultCooldown: 300,
          AvailabilityZones: ['us-east-1c'],
          HealthCheckType: 'EC2',
          CreatedTime: launched,
          Status: 'Delete in progress',
        },
      ],
    },
  ),
  ListFunctions: twoPages(
    'NextMarker',
    'Marker',
    {
      Functions: [
        {
          FunctionName: 'shop-api',
          FunctionArn: API_FN,
          Runtime: 'nodejs22.x',
          MemorySize: 1769,
          LastModified: '2026-11-20T10:15:30.123+0000',
          PackageType: 'Zip',
          Architectures: ['arm64'],
          EphemeralStorage: { Size: 512 },
          VpcConfig: { SubnetIds: [SUBNET_A], SecurityGroupIds: ['sg-0123'], VpcId: VPC },
        },
      ],
    },
    {
      Functions: [
        {
          FunctionName: 'shop-thumbnails',
          FunctionArn: IMAGE_FN,
          MemorySize: 3008,
          LastModified: '2026-11-21T23:59:59.000+0000',
          PackageType: 'Image',
          EphemeralStorage: { Size: 10240 },
          VpcConfig: { SubnetIds: [], SecurityGroupIds: [], VpcId: '' },
        },
      ],
    },
  ),
  ListBuckets: twoPages(
    'ContinuationToken',
    'ContinuationToken',
    { Buckets: [{ Name: 'shop-assets', CreationDate: launched, BucketRegion: 'us-east-1' }] },
    { Buckets: [{ Name: 'shop-logs-eu', CreationDate: launched, BucketRegion: 'eu-west-1' }] },
  ),
};
/** What a region without resources answers. */
const EMPTY: Record<Operation, unknown> = {
  DescribeInstances: { Reservations: [] },
  DescribeVolumes: { Volumes: [] },
  DescribeSubnets: { Subnets: [] },
  DescribeDBInstances: { DBInstances: [] },
  DescribeLoadBalancers: { LoadBalancers: [] },
  DescribeAutoScalingGroups: { AutoScalingGroups: [] },
  ListFunctions: { Functions: [] },
  ListBuckets: { Buckets: [] },
};
/**
 * A small account: two pages of everything in us-east-1, nothing in eu-west-1, two pages of buckets (one in
 * each region). `override` replaces an operation's answer; every call is recorded with its region.
 */
function account360(override: Partial<Record<Operation, Answer>> = {}) {
  const calls: Array<{ operation: Operation; region: string; input: Record<string, unknown> }> = [];
  const answer =
    (operation: Operation) =>
    // biome-ignore lint/suspicious/noExplicitAny: the mock's client type
    async (input: any, getClient: () => { config: { region: () => Promise<string> } }) => {
      const region = await getClient().config.region();
      calls.push({ operation, region, input });
      const chosen = override[operation];
      if (chosen) return chosen(input, region);
      return region === 'us-east-1' ? US_EAST[operation](input, region) : EMPTY[operation];
    };
  mocks['@aws-sdk/client-ec2'].on(DescribeInstancesCommand).callsFake(answer('DescribeInstances'));
  mocks['@aws-sdk/client-ec2'].on(DescribeVolumesCommand).callsFake(answer('DescribeVolumes'));
  mocks['@aws-sdk/client-ec2'].on(DescribeSubnetsCommand).callsFake(answer('DescribeSubnets'));
  mocks['@aws-sdk/client-rds'].on(DescribeDBInstancesCommand).callsFake(answer('DescribeDBInstances'));
  mocks['@aws-sdk/client-s3'].on(ListBucketsCommand).callsFake(answer('ListBuckets'));
  mocks['@aws-sdk/client-elastic-load-balancing-v2']
    .on(DescribeLoadBalancersCommand)
    .callsFake(answer('DescribeLoadBalancers'));
  mocks['@aws-sdk/client-auto-scaling']
    .on(DescribeAutoScalingGroupsCommand)
    .callsFake(answer('DescribeAutoScalingGroups'));
  mocks['@aws-sdk/client-lambda'].on(ListFunctionsCommand).callsFake(answer('ListFunctions'));
  return calls;
}

const NONE = {
  resource_name: null,
  availability_zone: null,
  state: null,
  instance_type: null,
  platform: null,
  architecture: null,
  vpc_id: null,
  subnet_id: null,
  engine: null,
  instance_class: null,
  multi_az: null,
  size_gb: null,
  volume_type: null,
  creation_date: null,
  type: null,
  scheme: null,
  instance_count: null,
  min_size: null,
  max_size: null,
  available_ip_count: null,
  memory_mb: null,
  runtime: null,
  ephemeral_storage_mb: null,
  package_type: null,
  last_modified: null,
};
const row = (fields: Partial<ServiceResource>) => ({ ...NONE, ...fields });
const LAUNCHED = launched.toISOString();
const byId = (resources: readonly ServiceResource[], id: string) =>
  resources.find((r) => r.resource_id === id);

describe('resources collector', () => {
  it('pages every list of every region to the end, and lists the buckets once, from the home region', async () => {
    const calls = account360();

    const result = await resourcesCollector.collect(collectContext({ window }));

    const inputs = (operation: Operation) =>
      calls.filter((c) => c.operation === operation).map((c) => [c.region, c.input]);
    const regional = (first: Record<string, unknown>, token: Record<string, unknown>) =>
      expect.arrayContaining([
        ['us-east-1', first],
        ['us-east-1', { ...first, ...token }],
        ['eu-west-1', first],
      ]);
    const expectPages = (
      operation: Operation,
      first: Record<string, unknown>,
      token: Record<string, unknown>,
    ) => {
      expect(inputs(operation)).toEqual(regional(first, token));
      expect(inputs(operation)).toHaveLength(3);
    };
    expectPages('DescribeInstances', { MaxResults: 1000 }, { NextToken: 'NextToken-2' });
    expectPages('DescribeVolumes', { MaxResults: 500 }, { NextToken: 'NextToken-2' });
    expectPages('DescribeSubnets', { MaxResults: 1000 }, { NextToken: 'NextToken-2' });
    expectPages('DescribeDBInstances', { MaxRecords: 100 }, { Marker: 'Marker-2' });
    expectPages('DescribeLoadBalancers', { PageSize: 400 }, { Marker: 'NextMarker-2' });
    expectPages('DescribeAutoScalingGroups', { MaxRecords: 100 }, { NextToken: 'NextToken-2' });
    expectPages('ListFunctions', { MaxItems: 50 }, { Marker: 'NextMarker-2' });
    expect(inputs('ListBuckets')).toEqual([
      ['us-east-1', { MaxBuckets: 10000 }],
      ['us-east-1', { MaxBuckets: 10000, ContinuationToken: 'ContinuationToken-2' }],
    ]);

    expect(result.regions).toEqual({
      global: { status: 'SUCCEEDED' },
      'us-east-1': { status: 'SUCCEEDED' },
      'eu-west-1': { status: 'SUCCEEDED' },
    });
    expect(result.skippedReason).toBeUndefined();
    const resources = result.payload.service_resources;
    expect(resources).toHaveLength(16);
    expect(result.rows).toBe(16);
    expect(resourcesCollector.schema.safeParse(result.payload).success).toBe(true);

    expect(byId(resources, 'i-0aaaaaaaaaaaaaaaa')).toEqual(
      row({
        service_name: 'EC2',
        resource_type: 'Instance',
        resource_id: 'i-0aaaaaaaaaaaaaaaa',
        resource_name: 'shop-web-1',
        arn: `arn:aws:ec2:us-east-1:${account}:instance/i-0aaaaaaaaaaaaaaaa`,
        region: 'us-east-1',
        availability_zone: 'us-east-1a',
        state: 'running',
        instance_type: 't3.medium',
        platform: 'Linux/UNIX',
        architecture: 'x86_64',
        vpc_id: VPC,
        subnet_id: SUBNET_A,
        creation_date: LAUNCHED,
      }),
    );
    expect(byId(resources, 'i-0bbbbbbbbbbbbbbbb')).toMatchObject({
      resource_name: null,
      state: 'stopped',
      platform: 'Windows',
    });
    expect(byId(resources, 'vol-0aaaaaaaaaaaaaaaa')).toEqual(
      row({
        service_name: 'EBS',
        resource_type: 'Volume',
        resource_id: 'vol-0aaaaaaaaaaaaaaaa',
        arn: `arn:aws:ec2:us-east-1:${account}:volume/vol-0aaaaaaaaaaaaaaaa`,
        region: 'us-east-1',
        availability_zone: 'us-east-1a',
        state: 'in-use',
        size_gb: 8,
        volume_type: 'gp3',
        creation_date: LAUNCHED,
        instance_count: 1,
      }),
    );
    expect(byId(resources, 'vol-0bbbbbbbbbbbbbbbb')).toMatchObject({
      resource_name: 'scratch',
      state: 'available',
      size_gb: 100,
      instance_count: 0,
    });
    expect(byId(resources, SUBNET_A)).toEqual(
      row({
        service_name: 'VPC',
        resource_type: 'Subnet',
        resource_id: SUBNET_A,
        resource_name: 'shop-private-a',
        arn: `arn:aws:ec2:us-east-1:${account}:subnet/${SUBNET_A}`,
        region: 'us-east-1',
        availability_zone: 'us-east-1a',
        state: 'available',
        vpc_id: VPC,
        subnet_id: SUBNET_A,
        available_ip_count: 4000,
      }),
    );
    expect(byId(resources, SUBNET_B)?.arn).toBe(`arn:aws:ec2:us-east-1:${account}:subnet/${SUBNET_B}`);
    expect(byId(resources, DB_ARN)).toEqual(
      row({
        service_name: 'RDS',
        resource_type: 'DBInstance',
        resource_id: DB_ARN,
        resource_name: 'orders-db',
        arn: DB_ARN,
        region: 'us-east-1',
        availability_zone: 'us-east-1a',
        state: 'available',
        vpc_id: VPC,
        engine: 'postgres',
        instance_class: 'db.r6g.large',
        multi_az: true,
        size_gb: 200,
        volume_type: 'gp3',
        creation_date: LAUNCHED,
      }),
    );
    expect(byId(resources, AURORA_ARN)).toMatchObject({ engine: 'aurora-mysql', state: 'backing-up' });
    expect(byId(resources, ALB_ARN)).toEqual(
      row({
        service_name: 'ELB',
        resource_type: 'LoadBalancer',
        resource_id: ALB_ARN,
        resource_name: 'shop-alb',
        arn: ALB_ARN,
        region: 'us-east-1',
        availability_zone: 'us-east-1a,us-east-1b',
        state: 'active',
        vpc_id: VPC,
        creation_date: LAUNCHED,
        type: 'application',
        scheme: 'internet-facing',
      }),
    );
    expect(byId(resources, NLB_ARN)).toMatchObject({
      type: 'network',
      scheme: 'internal',
      state: 'provisioning',
    });
    expect(byId(resources, ASG_ARN)).toEqual(
      row({
        service_name: 'AutoScaling',
        resource_type: 'AutoScalingGroup',
        resource_id: ASG_ARN,
        resource_name: 'web-asg',
        arn: ASG_ARN,
        region: 'us-east-1',
        availability_zone: 'us-east-1a,us-east-1b',
        creation_date: LAUNCHED,
        instance_count: 2,
        min_size: 1,
        max_size: 4,
      }),
    );
    expect(byId(resources, BATCH_ARN)).toMatchObject({ state: 'Delete in progress', instance_count: 0 });
    expect(byId(resources, API_FN)).toEqual(
      row({
        service_name: 'Lambda',
        resource_type: 'Function',
        resource_id: API_FN,
        resource_name: 'shop-api',
        arn: API_FN,
        region: 'us-east-1',
        architecture: 'arm64',
        vpc_id: VPC,
        memory_mb: 1769,
        runtime: 'nodejs22.x',
        ephemeral_storage_mb: 512,
        package_type: 'Zip',
        last_modified: '2026-11-20T10:15:30.123Z',
      }),
    );
    expect(byId(resources, IMAGE_FN)).toMatchObject({
      runtime: null,
      architecture: 'x86_64',
      vpc_id: null,
      memory_mb: 3008,
      ephemeral_storage_mb: 10240,
      package_type: 'Image',
      last_modified: '2026-11-21T23:59:59.000Z',
    });
    expect(byId(resources, 'shop-assets')).toEqual(
      row({
        service_name: 'S3',
        resource_type: 'Bucket',
        resource_id: 'shop-assets',
        resource_name: 'shop-assets',
        arn: 'arn:aws:s3:::shop-assets',
        region: 'us-east-1',
        state: 'Active',
        creation_date: LAUNCHED,
      }),
    );
    expect(byId(resources, 'shop-logs-eu')?.region).toBe('eu-west-1');
  });

  it('declares exactly the IAM actions of the calls it makes', async () => {
    account360();
    await resourcesCollector.collect(collectContext({ window }));
    const sent = new Set<string>();
    for (const [packageName, mock] of Object.entries(mocks)) {
      for (const call of mock.calls()) {
        sent.add(iamActionFor(packageName, call.args[0].constructor.name.replace(/Command$/, '')));
      }
    }
    expect([...resourcesCollector.actions].sort()).toEqual([...sent].sort());
  });

  it("keeps a region's other resources when one of its calls fails, and records the region FAILED", async () => {
    account360({
      ListFunctions: (_input, region) => {
        if (region === 'us-east-1')
          throw serviceError('AccessDeniedException', 'not authorized to perform: lambda:ListFunctions', 403);
        return { Functions: [] };
      },
      DescribeDBInstances: (_input, region) => {
        if (region === 'us-east-1') throw serviceError('Throttling', 'Rate exceeded');
        return { DBInstances: [] };
      },
    });
    const result = await resourcesCollector.collect(collectContext({ window }));
    expect(result.regions?.['us-east-1']).toEqual({
      status: 'FAILED',
      error: {
        name: 'TransientError',
        message:
          "2 of 7 calls failed (the others' resources are kept, none here is marked removed): RDS.DescribeDBInstances: Throttling: Rate exceeded; Lambda.ListFunctions: AccessDeniedException: not authorized to perform: lambda:ListFunctions",
      },
    });
    expect(result.regions?.['eu-west-1']).toEqual({ status: 'SUCCEEDED' });
    expect(result.regions?.global).toEqual({ status: 'SUCCEEDED' });
    const kinds = result.payload.service_resources
      .filter((r) => r.region === 'us-east-1')
      .map((r) => r.service_name);
    expect([...new Set(kinds)].sort()).toEqual(['AutoScaling', 'EBS', 'EC2', 'ELB', 'S3', 'VPC']);
    expect(result.rows).toBe(12);
  });

  it('records a failed bucket list under "global" and keeps every region', async () => {
    account360({
      ListBuckets: () => {
        throw serviceError('AccessDenied', 'Access Denied', 403);
      },
    });
    const result = await resourcesCollector.collect(collectContext({ window }));
    expect(result.regions?.global).toEqual({
      status: 'FAILED',
      error: { name: 'SourceAccessError', message: 'AccessDenied: Access Denied' },
    });
    expect(result.regions?.['us-east-1']).toEqual({ status: 'SUCCEEDED' });
    expect(result.payload.service_resources.some((r) => r.service_name === 'S3')).toBe(false);
    expect(result.payload.service_resources).toHaveLength(14);
  });

  it('counts a service the account is not subscribed to as having no resources', async () => {
    account360({
      DescribeDBInstances: () => {
        throw serviceError(
          'OptInRequired',
          'The AWS Access Key Id needs a subscription for the service',
          403,
        );
      },
    });
    const result = await resourcesCollector.collect(collectContext({ window }));
    expect(Object.values(result.regions ?? {}).every((r) => r.status === 'SUCCEEDED')).toBe(true);
    expect(result.payload.service_resources.some((r) => r.service_name === 'RDS')).toBe(false);
    expect(result.payload.service_resources).toHaveLength(14);
  });

  it('skips the category when no service is enabled anywhere (OptInRequired, S3 NotSignedUp)', async () => {
    const notSubscribed = () => {
      throw serviceError('OptInRequired', 'You are not subscribed to this service.', 401);
    };
    account360({
      DescribeInstances: notSubscribed,
      DescribeVolumes: notSubscribed,
      DescribeSubnets: notSubscribed,
      DescribeDBInstances: notSubscribed,
      DescribeLoadBalancers: notSubscribed,
      DescribeAutoScalingGroups: notSubscribed,
      ListFunctions: notSubscribed,
      ListBuckets: () => {
        throw serviceError('NotSignedUp', 'Your account is not signed up for the Amazon S3 service.', 403);
      },
    });
    const result = await resourcesCollector.collect(collectContext({ window }));
    expect(result.skippedReason).toMatch(/NotSignedUp|OptInRequired/);
    expect(result.payload.service_resources).toEqual([]);
    expect(result.regions?.global).toMatchObject({
      status: 'SKIPPED',
      error: { name: 'ServiceNotEnabledError' },
    });
    expect(result.regions?.['eu-west-1']?.status).toBe('SKIPPED');
  });

  it('skips an opt-in region that rejects credentials which work in the home region', async () => {
    const rejectedInEurope =
      (operation: Operation): Answer =>
      (input, region) => {
        if (region === 'eu-west-1') {
          throw serviceError(
            'UnrecognizedClientException',
            'The security token included in the request is invalid.',
          );
        }
        return US_EAST[operation](input, region);
      };
    account360(
      Object.fromEntries(
        (Object.keys(US_EAST) as Operation[]).map((operation) => [operation, rejectedInEurope(operation)]),
      ),
    );
    const result = await resourcesCollector.collect(collectContext({ window }));
    expect(result.regions?.['eu-west-1']).toMatchObject({
      status: 'SKIPPED',
      error: { name: 'ServiceNotEnabledError' },
    });
    expect(result.regions?.['eu-west-1']?.error?.message).toMatch(/eu-west-1 is an opt-in region/);
    expect(result.regions?.['us-east-1']).toEqual({ status: 'SUCCEEDED' });
    expect(result.regions?.global).toEqual({ status: 'SUCCEEDED' });
    expect(result.payload.service_resources).toHaveLength(16);
  });

  it('records a response without the fields the API reference promises as that call failing, naming the field', async () => {
    account360({
      DescribeAutoScalingGroups: (input, region) => {
        if (region !== 'us-east-1') return { AutoScalingGroups: [] };
        const page = US_EAST.DescribeAutoScalingGroups(input, region) as {
          AutoScalingGroups: Array<Record<string, unknown>>;
        };
        return {
          ...page,
          AutoScalingGroups: page.AutoScalingGroups.map(({ CreatedTime: _, ...rest }) => rest),
        };
      },
    });
    const result = await resourcesCollector.collect(collectContext({ window }));
    expect(result.regions?.['us-east-1']).toMatchObject({
      status: 'FAILED',
      error: {
        name: 'DataContractError',
        message: expect.stringContaining(
          'AutoScaling.DescribeAutoScalingGroups: response is missing DescribeAutoScalingGroups (us-east-1) AutoScalingGroups[0].CreatedTime',
        ),
      },
    });
    expect(result.payload.service_resources.some((r) => r.service_name === 'AutoScaling')).toBe(false);
    expect(result.payload.service_resources.filter((r) => r.service_name === 'EC2')).toHaveLength(2);
  });

  it.each([
    ['Throttling', 'Rate exceeded', 400, TransientError],
    ['RequestLimitExceeded', 'Request limit exceeded.', 503, TransientError],
    ['InternalError', 'An internal error has occurred', 500, TransientError],
    ['UnauthorizedOperation', 'You are not authorized to perform this operation.', 403, SourceAccessError],
    ['AccessDenied', 'Access Denied', 403, SourceAccessError],
  ])('fails as a whole, classified, when every call fails with %s', async (name, message, status, type) => {
    const failing = () => {
      throw serviceError(name, message, status);
    };
    account360({
      DescribeInstances: failing,
      DescribeVolumes: failing,
      DescribeSubnets: failing,
      DescribeDBInstances: failing,
      DescribeLoadBalancers: failing,
      DescribeAutoScalingGroups: failing,
      ListFunctions: failing,
      ListBuckets: failing,
    });
    await expect(resourcesCollector.collect(collectContext({ window }))).rejects.toBeInstanceOf(type);
  });

  it('gives an account without resources an empty, successful payload', async () => {
    account360(
      Object.fromEntries(
        (Object.keys(EMPTY) as Operation[]).map((operation) => [operation, () => EMPTY[operation]]),
      ),
    );
    const result = await resourcesCollector.collect(collectContext({ window }));
    expect(result.payload).toEqual({ service_resources: [] });
    expect(result.rows).toBe(0);
    expect(result.skippedReason).toBeUndefined();
    expect(Object.values(result.regions ?? {}).every((r) => r.status === 'SUCCEEDED')).toBe(true);
  });
});
