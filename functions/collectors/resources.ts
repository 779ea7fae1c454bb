import {
  AutoScalingClient,
  type AutoScalingGroup,
  DescribeAutoScalingGroupsCommand,
} from '@aws-sdk/client-auto-scaling';
import {
  DescribeInstancesCommand,
  DescribeSubnetsCommand,
  DescribeVolumesCommand,
  EC2Client,
  type Instance,
  type Subnet,
  type Tag,
  type Volume,
} from '@aws-sdk/client-ec2';
import {
  DescribeLoadBalancersCommand,
  ElasticLoadBalancingV2Client,
  type LoadBalancer,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { type FunctionConfiguration, LambdaClient, ListFunctionsCommand } from '@aws-sdk/client-lambda';
import { type DBInstance, DescribeDBInstancesCommand, RDSClient } from '@aws-sdk/client-rds';
import { type Bucket, ListBucketsCommand, S3Client } from '@aws-sdk/client-s3';
import { z } from 'zod';
import { type AppError, DataContractError, ServiceNotEnabledError } from '../platform/errors.ts';
import { classifyAwsError, type NotEnabledMatcher, required } from './aws-errors.ts';
import { collectEachRegion } from './regional.ts';
import { type CollectContext, defineCollector, type RegionOutcome } from './types.ts';

/** The key of the S3 part in the regions map: buckets are listed once per account, in the home region. */
export const GLOBAL_REGION = 'global';

/** The seed's service_name / resource_type pairs, one per kind of resource. */
export const RESOURCE_KINDS = {
  EC2: 'Instance',
  EBS: 'Volume',
  VPC: 'Subnet',
  RDS: 'DBInstance',
  S3: 'Bucket',
  ELB: 'LoadBalancer',
  AutoScaling: 'AutoScalingGroup',
  Lambda: 'Function',
} as const;
type ServiceName = keyof typeof RESOURCE_KINDS;
const SERVICE_NAMES = Object.keys(RESOURCE_KINDS) as [ServiceName, ...ServiceName[]];
const RESOURCE_TYPES = Object.values(RESOURCE_KINDS) as [string, ...string[]];

/** Page sizes: the largest each API accepts (a server may still return fewer, with a token). */
const EC2_INSTANCES_PAGE = 1000;
const EC2_VOLUMES_PAGE = 500;
const EC2_SUBNETS_PAGE = 1000;
const RDS_PAGE = 100;
const ELB_PAGE = 400;
const ASG_PAGE = 100;
/** ListFunctions returns at most 50 functions per page whatever MaxItems says. */
const LAMBDA_PAGE = 50;
const S3_PAGE = 10_000;

const text = z.string().min(1);
const count = z.number().int().nonnegative();
const timestamp = z.iso.datetime();

const resourceSchema = z
  .object({
    service_name: z.enum(SERVICE_NAMES),
    resource_type: z.enum(RESOURCE_TYPES),
    /** Unique in the account for its type: the id where AWS ids are global, the ARN where names are regional. */
    resource_id: text,
    resource_name: text.nullable(),
    arn: text,
    /** The resource's region; for an S3 bucket, its BucketRegion. */
    region: text,
    /** A load balancer's or Auto Scaling group's zones as a comma list, as the seed had them. */
    availability_zone: text.nullable(),
    state: text.nullable(),
    instance_type: text.nullable(),
    /** EC2 PlatformDetails, e.g. `Linux/UNIX`, `Windows`. */
    platform: text.nullable(),
    /** EC2 instance or Lambda function instruction set: `x86_64`, `arm64`. */
    architecture: text.nullable(),
    vpc_id: text.nullable(),
    subnet_id: text.nullable(),
    engine: text.nullable(),
    instance_class: text.nullable(),
    multi_az: z.boolean().nullable(),
    /** EBS volume size or RDS allocated storage, in GiB. */
    size_gb: z.number().nonnegative().nullable(),
    volume_type: text.nullable(),
    creation_date: timestamp.nullable(),
    /** Load balancer type: `application`, `network`, `gateway`. */
    type: text.nullable(),
    scheme: text.nullable(),
    instance_count: count.nullable(),
    min_size: count.nullable(),
    max_size: count.nullable(),
    available_ip_count: count.nullable(),
    memory_mb: z.number().int().positive().nullable(),
    runtime: text.nullable(),
    ephemeral_storage_mb: z.number().int().positive().nullable(),
    package_type: text.nullable(),
    last_modified: timestamp.nullable(),
  })
  .refine((r) => RESOURCE_KINDS[r.service_name] === r.resource_type, {
    message: 'resource_type does not belong to service_name',
  });

export const resourcesPayloadSchema = z.object({ service_resources: z.array(resourceSchema) });
export type ResourcesPayload = z.infer<typeof resourcesPayloadSchema>;
export type ServiceResource = ResourcesPayload['service_resources'][number];

type Identity = Pick<ServiceResource, 'service_name' | 'resource_id' | 'arn' | 'region'>;

const NOTHING = {
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
} as const satisfies Omit<ServiceResource, keyof Identity | 'resource_type'>;

function resource(identity: Identity, facts: Partial<ServiceResource>): ServiceResource {
  return { ...NOTHING, ...facts, ...identity, resource_type: RESOURCE_KINDS[identity.service_name] };
}

/** An empty string is as good as absent in these APIs (e.g. a Lambda function outside a VPC has VpcId ""). */
const present = (value: string | undefined | null) => value || null;
const nameTag = (tags: readonly Tag[] | undefined) => present(tags?.find((t) => t.Key === 'Name')?.Value);
const iso = (value: Date | undefined) => (value === undefined ? null : value.toISOString());
const zones = (names: ReadonlyArray<string | undefined>) =>
  present(
    names
      .filter((z): z is string => typeof z === 'string')
      .sort()
      .join(','),
  );

function partition(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}

/** Lambda's LastModified is ISO 8601 with an offset lacking its colon (`2026-11-20T10:15:30.123+0000`). */
function lambdaTimestamp(value: string, path: string): string {
  const date = new Date(value.replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
  if (Number.isNaN(date.getTime()))
    throw new DataContractError(`response ${path} is not a timestamp: "${value}"`);
  return date.toISOString();
}

/** Every item of a token-paginated list: `fetch` gets the previous page's token (none for the first page). */
async function allPages<P, T>(
  fetch: (token: string | undefined) => Promise<P>,
  read: (page: P) => { items: readonly T[]; next: string | undefined },
): Promise<T[]> {
  const items: T[] = [];
  let token: string | undefined;
  do {
    const page = read(await fetch(token));
    items.push(...page.items);
    token = page.next || undefined;
  } while (token);
  return items;
}

async function instances(ctx: CollectContext, region: string): Promise<ServiceResource[]> {
  const ec2 = ctx.clients.client(EC2Client, region);
  const found = await allPages(
    (token) =>
      ec2.send(
        new DescribeInstancesCommand({
          MaxResults: EC2_INSTANCES_PAGE,
          ...(token ? { NextToken: token } : {}),
        }),
      ),
    (page) => ({
      items: (page.Reservations ?? []).flatMap((r) => r.Instances ?? []),
      next: page.NextToken,
    }),
  );
  return found.map((instance: Instance, i) => {
    const id = required(instance.InstanceId, `DescribeInstances (${region}) Instances[${i}].InstanceId`);
    return resource(
      {
        service_name: 'EC2',
        resource_id: id,
        arn: `arn:${partition(region)}:ec2:${region}:${ctx.accountId}:instance/${id}`,
        region,
      },
      {
        resource_name: nameTag(instance.Tags),
        availability_zone: present(instance.Placement?.AvailabilityZone),
        state: present(instance.State?.Name),
        instance_type: present(instance.InstanceType),
        // PlatformDetails names the OS family billed; without it only Windows is flagged, in Platform (sent as
        // `windows` although the SDK's enum spells it `Windows`).
        platform:
          present(instance.PlatformDetails) ??
          (instance.Platform?.toLowerCase() === 'windows' ? 'Windows' : 'Linux/UNIX'),
        architecture: present(instance.Architecture),
        vpc_id: present(instance.VpcId),
        subnet_id: present(instance.SubnetId),
        creation_date: iso(instance.LaunchTime),
      },
    );
  });
}

async function volumes(ctx: CollectContext, region: string): Promise<ServiceResource[]> {
  const ec2 = ctx.clients.client(EC2Client, region);
  const found = await allPages(
    (token) =>
      ec2.send(
        new DescribeVolumesCommand({ MaxResults: EC2_VOLUMES_PAGE, ...(token ? { NextToken: token } : {}) }),
      ),
    (page) => ({ items: page.Volumes ?? [], next: page.NextToken }),
  );
  return found.map((volume: Volume, i) => {
    const id = required(volume.VolumeId, `DescribeVolumes (${region}) Volumes[${i}].VolumeId`);
    return resource(
      {
        service_name: 'EBS',
        resource_id: id,
        arn: `arn:${partition(region)}:ec2:${region}:${ctx.accountId}:volume/${id}`,
        region,
      },
      {
        resource_name: nameTag(volume.Tags),
        availability_zone: present(volume.AvailabilityZone),
        state: present(volume.State),
        size_gb: volume.Size ?? null,
        volume_type: present(volume.VolumeType),
        creation_date: iso(volume.CreateTime),
        instance_count: volume.Attachments?.length ?? 0,
      },
    );
  });
}

async function subnets(ctx: CollectContext, region: string): Promise<ServiceResource[]> {
  const ec2 = ctx.clients.client(EC2Client, region);
  const found = await allPages(
    (token) =>
      ec2.send(
        new DescribeSubnetsCommand({ MaxResults: EC2_SUBNETS_PAGE, ...(token ? { NextToken: token } : {}) }),
      ),
    (page) => ({ items: page.Subnets ?? [], next: page.NextToken }),
  );
  return found.map((subnet: Subnet, i) => {
    const id = required(subnet.SubnetId, `DescribeSubnets (${region}) Subnets[${i}].SubnetId`);
    return resource(
      {
        service_name: 'VPC',
        resource_id: id,
        arn: subnet.SubnetArn || `arn:${partition(region)}:ec2:${region}:${ctx.accountId}:subnet/${id}`,
        region,
      },
      {
        resource_name: nameTag(subnet.Tags),
        availability_zone: present(subnet.AvailabilityZone),
        state: present(subnet.State),
        vpc_id: present(subnet.VpcId),
        subnet_id: id,
        available_ip_count: subnet.AvailableIpAddressCount ?? null,
      },
    );
  });
}

async function databases(ctx: CollectContext, region: string): Promise<ServiceResource[]> {
  const rds = ctx.clients.client(RDSClient, region);
  const found = await allPages(
    (token) =>
      rds.send(new DescribeDBInstancesCommand({ MaxRecords: RDS_PAGE, ...(token ? { Marker: token } : {}) })),
    (page) => ({ items: page.DBInstances ?? [], next: page.Marker }),
  );
  return found.map((db: DBInstance, i) => {
    const at = `DescribeDBInstances (${region}) DBInstances[${i}]`;
    const identifier = required(db.DBInstanceIdentifier, `${at}.DBInstanceIdentifier`);
    const arn = required(db.DBInstanceArn, `${at}.DBInstanceArn`);
    return resource(
      { service_name: 'RDS', resource_id: arn, arn, region },
      {
        resource_name: identifier,
        availability_zone: present(db.AvailabilityZone),
        state: present(db.DBInstanceStatus),
        vpc_id: present(db.DBSubnetGroup?.VpcId),
        engine: present(db.Engine),
        instance_class: present(db.DBInstanceClass),
        multi_az: db.MultiAZ ?? null,
        size_gb: db.AllocatedStorage ?? null,
        volume_type: present(db.StorageType),
        creation_date: iso(db.InstanceCreateTime),
      },
    );
  });
}

async function loadBalancers(ctx: CollectContext, region: string): Promise<ServiceResource[]> {
  const elb = ctx.clients.client(ElasticLoadBalancingV2Client, region);
  const found = await allPages(
    (token) =>
      elb.send(new DescribeLoadBalancersCommand({ PageSize: ELB_PAGE, ...(token ? { Marker: token } : {}) })),
    (page) => ({ items: page.LoadBalancers ?? [], next: page.NextMarker }),
  );
  return found.map((lb: LoadBalancer, i) => {
    const arn = required(
      lb.LoadBalancerArn,
      `DescribeLoadBalancers (${region}) LoadBalancers[${i}].LoadBalancerArn`,
    );
    return resource(
      { service_name: 'ELB', resource_id: arn, arn, region },
      {
        resource_name: present(lb.LoadBalancerName),
        availability_zone: zones((lb.AvailabilityZones ?? []).map((z) => z.ZoneName)),
        state: present(lb.State?.Code),
        vpc_id: present(lb.VpcId),
        creation_date: iso(lb.CreatedTime),
        type: present(lb.Type),
        scheme: present(lb.Scheme),
      },
    );
  });
}

async function autoScalingGroups(ctx: CollectContext, region: string): Promise<ServiceResource[]> {
  const autoScaling = ctx.clients.client(AutoScalingClient, region);
  const found = await allPages(
    (token) =>
      autoScaling.send(
        new DescribeAutoScalingGroupsCommand({
          MaxRecords: ASG_PAGE,
          ...(token ? { NextToken: token } : {}),
        }),
      ),
    (page) => ({ items: page.AutoScalingGroups ?? [], next: page.NextToken }),
  );
  return found.map((group: AutoScalingGroup, i) => {
    const at = `DescribeAutoScalingGroups (${region}) AutoScalingGroups[${i}]`;
    const name = required(group.AutoScalingGroupName, `${at}.AutoScalingGroupName`);
    const arn = required(group.AutoScalingGroupARN, `${at}.AutoScalingGroupARN`);
    return resource(
      { service_name: 'AutoScaling', resource_id: arn, arn, region },
      {
        resource_name: name,
        availability_zone: zones(required(group.AvailabilityZones, `${at}.AvailabilityZones`)),
        // Status is only set while the group is being deleted.
        state: present(group.Status),
        creation_date: iso(required(group.CreatedTime, `${at}.CreatedTime`)),
        instance_count: group.Instances?.length ?? 0,
        min_size: required(group.MinSize, `${at}.MinSize`),
        max_size: required(group.MaxSize, `${at}.MaxSize`),
      },
    );
  });
}

async function functions(ctx: CollectContext, region: string): Promise<ServiceResource[]> {
  const lambda = ctx.clients.client(LambdaClient, region);
  const found = await allPages(
    (token) =>
      lambda.send(new ListFunctionsCommand({ MaxItems: LAMBDA_PAGE, ...(token ? { Marker: token } : {}) })),
    (page) => ({ items: page.Functions ?? [], next: page.NextMarker }),
  );
  return found.map((fn: FunctionConfiguration, i) => {
    const at = `ListFunctions (${region}) Functions[${i}]`;
    const arn = required(fn.FunctionArn, `${at}.FunctionArn`);
    return resource(
      { service_name: 'Lambda', resource_id: arn, arn, region },
      {
        resource_name: required(fn.FunctionName, `${at}.FunctionName`),
        // ListFunctions leaves out State (GetFunction has it): unknown here rather than guessed.
        state: present(fn.State),
        // x86_64 is the documented default of a function that names no architecture.
        architecture: fn.Architectures?.[0] ?? 'x86_64',
        vpc_id: present(fn.VpcConfig?.VpcId),
        memory_mb: fn.MemorySize ?? null,
        // Container image functions have no runtime.
        runtime: present(fn.Runtime),
        ephemeral_storage_mb: fn.EphemeralStorage
          ? required(fn.EphemeralStorage.Size, `${at}.EphemeralStorage.Size`)
          : null,
        package_type: present(fn.PackageType),
        last_modified: fn.LastModified ? lambdaTimestamp(fn.LastModified, `${at}.LastModified`) : null,
      },
    );
  });
}

/**
 * The account's buckets, listed once from the home region. MaxBuckets is always sent: ListBuckets only returns
 * each bucket's BucketRegion when the request carries at least one parameter.
 */
async function buckets(ctx: CollectContext, endpoint: string): Promise<ServiceResource[]> {
  const s3 = ctx.clients.client(S3Client, endpoint);
  const found = await allPages(
    (token) =>
      s3.send(
        new ListBucketsCommand({ MaxBuckets: S3_PAGE, ...(token ? { ContinuationToken: token } : {}) }),
      ),
    (page) => ({ items: page.Buckets ?? [], next: page.ContinuationToken }),
  );
  return found.map((bucket: Bucket, i) => {
    const name = required(bucket.Name, `ListBuckets Buckets[${i}].Name`);
    const region = required(bucket.BucketRegion, `ListBuckets Buckets[${i}].BucketRegion`);
    return resource(
      { service_name: 'S3', resource_id: name, arn: `arn:${partition(region)}:s3:::${name}`, region },
      {
        resource_name: name,
        // Buckets have no state; the seed's `Active` is what its summary view counts as active.
        state: 'Active',
        creation_date: iso(bucket.CreationDate),
      },
    );
  });
}

interface Source {
  /** `Service.Operation`, as the client factory names calls in errors. */
  readonly call: string;
  collect(ctx: CollectContext, endpoint: string): Promise<ServiceResource[]>;
}

const REGIONAL_SOURCES: readonly Source[] = [
  { call: 'EC2.DescribeInstances', collect: instances },
  { call: 'EC2.DescribeVolumes', collect: volumes },
  { call: 'EC2.DescribeSubnets', collect: subnets },
  { call: 'RDS.DescribeDBInstances', collect: databases },
  { call: 'ElasticLoadBalancingV2.DescribeLoadBalancers', collect: loadBalancers },
  { call: 'AutoScaling.DescribeAutoScalingGroups', collect: autoScalingGroups },
  { call: 'Lambda.ListFunctions', collect: functions },
];
const GLOBAL_SOURCES: readonly Source[] = [{ call: 'S3.ListBuckets', collect: buckets }];

/**
 * Services answer OptInRequired to an account not subscribed to them (classified as not enabled everywhere);
 * S3 answers NotSignedUp.
 */
const isNotSignedUp: NotEnabledMatcher = ({ name }) => name === 'NotSignedUp';

interface Part {
  readonly resources: ServiceResource[];
  readonly failures: ReadonlyArray<{ readonly call: string; readonly error: AppError }>;
  readonly sources: number;
}

/**
 * Runs a region's sources side by side. A source that fails does not take the others' resources with it: they
 * are returned with the failure, and the region is then recorded FAILED, so that nothing in it is marked
 * removed. A source whose service is not enabled has no resources. Only when no source answered does this
 * throw, with the first failure as AWS raised it (so an opt-in region's rejected credentials are recognised).
 */
async function collectPart(ctx: CollectContext, endpoint: string, sources: readonly Source[]): Promise<Part> {
  const settled = await Promise.allSettled(sources.map((source) => source.collect(ctx, endpoint)));
  const resources: ServiceResource[] = [];
  const failures: Array<{ call: string; error: AppError; raw: unknown }> = [];
  const notEnabled: unknown[] = [];
  settled.forEach((outcome, i) => {
    const call = (sources[i] as Source).call;
    if (outcome.status === 'fulfilled') {
      resources.push(...outcome.value);
      return;
    }
    const error = classifyAwsError(outcome.reason, isNotSignedUp);
    if (error instanceof ServiceNotEnabledError) {
      ctx.log.info('service not enabled: no resources of it', {
        call,
        region: endpoint,
        error: error.message,
      });
      notEnabled.push(outcome.reason);
    } else {
      failures.push({ call, error, raw: outcome.reason });
    }
  });
  if (settled.every((outcome) => outcome.status === 'rejected')) {
    throw failures[0]?.raw ?? notEnabled[0];
  }
  return { resources, failures, sources: sources.length };
}

/** The FAILED outcome of a part whose sources did not all answer, naming each failed call. */
function failedOutcome(part: Part): RegionOutcome {
  const first = part.failures[0] as Part['failures'][number];
  const described = part.failures.map(({ call, error }) =>
    error.message.includes(call) ? error.message : `${call}: ${error.message}`,
  );
  return {
    status: 'FAILED',
    error: {
      name: first.error.name,
      message: `${part.failures.length} of ${part.sources} calls failed (the others' resources are kept, none here is marked removed): ${described.join('; ')}`,
    },
  };
}

export const resourcesCollector = defineCollector({
  id: 'resources',
  title:
    'Resources: EC2 instances, EBS volumes, subnets, RDS, load balancers, Auto Scaling, Lambda, S3 buckets',
  scope: 'regional',
  actions: [
    'ec2:DescribeInstances',
    'ec2:DescribeVolumes',
    'ec2:DescribeSubnets',
    'rds:DescribeDBInstances',
    'elasticloadbalancing:DescribeLoadBalancers',
    'autoscaling:DescribeAutoScalingGroups',
    'lambda:ListFunctions',
    's3:ListAllMyBuckets',
  ],
  tables: ['service_resources'],
  schema: resourcesPayloadSchema,
  async collect(ctx) {
    // S3 is global: its buckets are listed once, beside the regions, under their own key.
    const collection = await collectEachRegion(
      { ...ctx, regions: [GLOBAL_REGION, ...ctx.regions] },
      (region) =>
        region === GLOBAL_REGION
          ? collectPart(ctx, ctx.homeRegion, GLOBAL_SOURCES)
          : collectPart(ctx, region, REGIONAL_SOURCES),
      isNotSignedUp,
    );
    const regions: Record<string, RegionOutcome> = { ...collection.regions };
    for (const { region, value } of collection.results) {
      if (value.failures.length > 0) regions[region] = failedOutcome(value);
    }
    const payload: ResourcesPayload = {
      service_resources: collection.results.flatMap((r) => r.value.resources),
    };
    return {
      payload,
      rows: payload.service_resources.length,
      regions,
      ...(collection.skippedReason === undefined ? {} : { skippedReason: collection.skippedReason }),
    };
  },
});
