import type { SampleAccount } from '../accounts.ts';
import {
  type RegionInventory,
  regionInventory,
  type SampleInstance,
  type SampleSubnet,
  type SampleVolume,
} from '../inventory.ts';
import { Random } from '../random.ts';
import { awsError, paginate, type SampleCall, type ServiceSimulator } from '../simulator.ts';
import { ec2ReservationOperations, malformEc2Reservations } from './ec2-reservations.ts';

/**
 * EC2 pages are small here so that paging happens with a sample account's few resources; EC2 may return fewer
 * items than MaxResults asks for, with a NextToken.
 */
const SERVER_PAGE = { instances: 10, volumes: 10, subnets: 4 } as const;

/** MaxResults bounds per operation (EC2 API Reference). */
const MAX_RESULTS = {
  DescribeInstances: [5, 1000],
  DescribeVolumes: [5, 500],
  DescribeSubnets: [5, 1000],
} as const;

type Tier = 'public' | 'private';

/**
 * The tier of each subnet: a default VPC has one public subnet per zone, a workload VPC a private and a public
 * one per zone, in that order (see inventory.ts).
 */
export function subnetTiers(inventory: RegionInventory): Map<string, Tier> {
  const tiers = new Map<string, Tier>();
  for (const vpc of inventory.vpcs) {
    inventory.subnets
      .filter((s) => s.vpcId === vpc.id)
      .forEach((subnet, i) => {
        tiers.set(subnet.id, vpc.isDefault || i % 2 === 1 ? 'public' : 'private');
      });
  }
  return tiers;
}

/** A VPC's security group for one purpose, e.g. `alb`, `app`. */
export function securityGroupId(vpcId: string, purpose: string): string {
  return `sg-${new Random(vpcId, 'security-group', purpose).hex(17)}`;
}

const AZ_ID_PREFIX: Readonly<Record<string, string>> = {
  'us-east-1': 'use1',
  'us-east-2': 'use2',
  'us-west-2': 'usw2',
  'eu-west-1': 'euw1',
  'eu-central-1': 'euc1',
  'ap-southeast-2': 'apse2',
  'ap-northeast-1': 'apne1',
  'me-south-1': 'mes1',
};

/** The zone ID of a zone name; AWS maps names to IDs per account, so the number is shuffled by account. */
function zoneId(account: SampleAccount, zone: string): string {
  const region = zone.slice(0, -1);
  const prefix = AZ_ID_PREFIX[region] ?? region.replace(/-/g, '').slice(0, 5);
  const letters = ['a', 'b', 'c', 'd'];
  const shift = new Random(account.id, 'az-ids', region).int(0, 2);
  return `${prefix}-az${((letters.indexOf(zone.slice(-1)) + shift) % 3) + 1}`;
}

function privateDnsName(ip: string, region: string): string {
  const host = `ip-${ip.replace(/\./g, '-')}`;
  return region === 'us-east-1' ? `${host}.ec2.internal` : `${host}.${region}.compute.internal`;
}

/** What EC2 bills an instance's OS as (PlatformDetails) and the matching usage operation. */
function billingOf(instance: SampleInstance): { details: string; operation: string } {
  if (instance.platform === 'Windows') return { details: 'Windows', operation: 'RunInstances:0002' };
  if (instance.platformName === 'Red Hat Enterprise Linux') {
    return { details: 'Red Hat Enterprise Linux', operation: 'RunInstances:0010' };
  }
  return { details: 'Linux/UNIX', operation: 'RunInstances' };
}

const CPU_CORES: Readonly<Record<string, number>> = { medium: 1, large: 1, xlarge: 2 };

function invalidParameter(message: string): Error {
  return awsError('InvalidParameterValue', message);
}

/** EC2's answer to a NextToken it did not issue for this request. */
function invalidToken(): Error {
  return awsError('InvalidPaginationToken', 'The specified pagination token is not valid or is expired.');
}

/**
 * Applies EC2 `Filters` (names are case-sensitive; values of one filter are ORed, filters are ANDed), refusing
 * a filter name the operation does not know, as EC2 does.
 */
function applyFilters<T>(
  items: readonly T[],
  filters: unknown,
  known: Readonly<Record<string, (item: T) => readonly string[]>>,
  tags: (item: T) => ReadonlyArray<{ Key: string; Value: string }>,
): T[] {
  if (filters === undefined) return [...items];
  if (!Array.isArray(filters)) throw invalidParameter('The filter list is invalid.');
  let kept = [...items];
  for (const filter of filters as Array<{ Name?: string; Values?: string[] }>) {
    const name = filter.Name ?? '';
    const values = filter.Values ?? [];
    const tagKey = name.startsWith('tag:') ? name.slice(4) : null;
    const read: ((item: T) => readonly string[]) | undefined =
      tagKey !== null
        ? (item) =>
            tags(item)
              .filter((t) => t.Key === tagKey)
              .map((t) => t.Value)
        : known[name];
    if (!read) throw invalidParameter(`The filter '${name}' is invalid`);
    kept = kept.filter((item) => read(item).some((v) => values.includes(v)));
  }
  return kept;
}

/** Validates MaxResults and the id list against it, as EC2 does. */
function pageSize(
  call: SampleCall,
  operation: keyof typeof MAX_RESULTS,
  idsParameter: string,
  serverPage: number,
): number | null {
  const { MaxResults } = call.input;
  const ids = call.input[idsParameter] as string[] | undefined;
  if (MaxResults === undefined) return null;
  if (ids && ids.length > 0) {
    throw awsError(
      'InvalidParameterCombination',
      `The parameter ${idsParameter.replace(/Ids$/, 'sSet').replace(/^./, (c) => c.toLowerCase())} cannot be used with the parameter maxResults`,
    );
  }
  const [low, high] = MAX_RESULTS[operation];
  if (!Number.isInteger(MaxResults) || MaxResults < low || MaxResults > high) {
    throw invalidParameter(
      `Value ( ${MaxResults} ) for parameter maxResults is invalid. Expecting a value between ${low} and ${high}.`,
    );
  }
  return Math.min(MaxResults, serverPage);
}

/** The requested ids, each of which must exist (EC2 fails the whole call on the first unknown one). */
function selectIds<T>(
  items: readonly T[],
  ids: string[] | undefined,
  idOf: (item: T) => string,
  kind: { prefix: string; code: string; notFound: (id: string) => string },
): T[] {
  if (!ids || ids.length === 0) return [...items];
  return ids.map((id) => {
    if (!new RegExp(`^${kind.prefix}-[0-9a-f]{8}([0-9a-f]{9})?$`).test(id)) {
      throw awsError(`${kind.code}.Malformed`, `Invalid id: "${id}"`);
    }
    const found = items.find((item) => idOf(item) === id);
    if (!found) throw awsError(`${kind.code}.NotFound`, kind.notFound(id));
    return found;
  });
}

/** Serves a list whole when the caller does not paginate (as EC2 does), else a page at a time. */
function serve<T>(call: SampleCall, items: readonly T[], size: number | null, operation: string) {
  if (size === null && call.input.NextToken === undefined) return { page: [...items], nextToken: undefined };
  const { NextToken, ...request } = call.input;
  return paginate(items, {
    token: NextToken,
    pageSize: size ?? 1000,
    request: { ...request, operation, account: call.account.id, region: call.region },
    invalidToken,
  });
}

function instanceTags(account: SampleAccount, instance: SampleInstance) {
  return [
    { Key: 'Name', Value: instance.name },
    { Key: 'Environment', Value: account.environment },
    ...(account.product ? [{ Key: 'Product', Value: account.product }] : []),
  ];
}

function volumesOf(inventory: RegionInventory, instanceId: string): SampleVolume[] {
  return inventory.volumes.filter((v) => v.instanceId === instanceId);
}

function deviceName(instance: SampleInstance | undefined, index: number): string {
  if (index > 0) return `/dev/sd${String.fromCharCode(101 + index)}`;
  return instance?.platform === 'Windows' ? '/dev/sda1' : '/dev/xvda';
}

function instanceOf(call: SampleCall, inventory: RegionInventory, instance: SampleInstance) {
  const random = new Random(instance.id, 'ec2-details');
  const running = instance.state === 'running';
  const billing = billingOf(instance);
  const size = instance.instanceType.split('.')[1] ?? 'large';
  const cores = CPU_CORES[size] ?? 2;
  const launched = instance.createdAt;
  const stoppedAt = new Date(
    Math.max(launched.getTime(), call.now.getTime() - random.int(1, 30) * 86_400_000),
  );
  return {
    AmiLaunchIndex: 0,
    ImageId: instance.imageId,
    InstanceId: instance.id,
    InstanceType: instance.instanceType,
    ...(random.chance(0.6) ? { KeyName: `${call.account.product ?? call.account.name}-ops` } : {}),
    LaunchTime: launched,
    Monitoring: { State: random.chance(0.2) ? 'enabled' : 'disabled' },
    Placement: { AvailabilityZone: instance.availabilityZone, GroupName: '', Tenancy: 'default' },
    ...(instance.platform === 'Windows' ? { Platform: 'windows' } : {}),
    PrivateDnsName: privateDnsName(instance.privateIp, call.region),
    PrivateIpAddress: instance.privateIp,
    ProductCodes: [],
    PublicDnsName: '',
    State: running ? { Code: 16, Name: 'running' } : { Code: 80, Name: 'stopped' },
    StateTransitionReason: running
      ? ''
      : `User initiated (${stoppedAt.toISOString().replace('T', ' ').slice(0, 19)} GMT)`,
    SubnetId: instance.subnetId,
    VpcId: instance.vpcId,
    Architecture: instance.architecture,
    BlockDeviceMappings: volumesOf(inventory, instance.id).map((volume, i) => ({
      DeviceName: deviceName(instance, i),
      Ebs: {
        AttachTime: volume.createdAt,
        DeleteOnTermination: i === 0,
        Status: 'attached',
        VolumeId: volume.id,
      },
    })),
    ClientToken: random.uuid(),
    EbsOptimized: true,
    EnaSupport: true,
    Hypervisor: 'xen',
    ...(random.chance(0.7)
      ? {
          IamInstanceProfile: {
            Arn: `arn:aws:iam::${call.account.id}:instance-profile/${instance.name}-profile`,
            Id: `AIPA${random.hex(17).toUpperCase()}`,
          },
        }
      : {}),
    NetworkInterfaces: [
      {
        Attachment: {
          AttachTime: launched,
          AttachmentId: `eni-attach-${random.hex(17)}`,
          DeleteOnTermination: true,
          DeviceIndex: 0,
          Status: 'attached',
          NetworkCardIndex: 0,
        },
        Description: '',
        Groups: [{ GroupId: securityGroupId(instance.vpcId, 'app'), GroupName: 'app' }],
        MacAddress: `0a:${random.hex(2)}:${random.hex(2)}:${random.hex(2)}:${random.hex(2)}:${random.hex(2)}`,
        NetworkInterfaceId: `eni-${random.hex(17)}`,
        OwnerId: call.account.id,
        PrivateIpAddress: instance.privateIp,
        SourceDestCheck: true,
        Status: 'in-use',
        SubnetId: instance.subnetId,
        VpcId: instance.vpcId,
        InterfaceType: 'interface',
      },
    ],
    RootDeviceName: deviceName(instance, 0),
    RootDeviceType: 'ebs',
    SecurityGroups: [{ GroupId: securityGroupId(instance.vpcId, 'app'), GroupName: 'app' }],
    SourceDestCheck: true,
    Tags: instanceTags(call.account, instance),
    VirtualizationType: 'hvm',
    CpuOptions: { CoreCount: cores, ThreadsPerCore: instance.architecture === 'arm64' ? 1 : 2 },
    HibernationOptions: { Configured: false },
    MetadataOptions: {
      State: 'applied',
      HttpTokens: random.chance(0.75) ? 'required' : 'optional',
      HttpPutResponseHopLimit: 2,
      HttpEndpoint: 'enabled',
      HttpProtocolIpv6: 'disabled',
      InstanceMetadataTags: 'disabled',
    },
    EnclaveOptions: { Enabled: false },
    BootMode: instance.architecture === 'arm64' ? 'uefi' : 'uefi-preferred',
    PlatformDetails: billing.details,
    UsageOperation: billing.operation,
    UsageOperationUpdateTime: launched,
    CurrentInstanceBootMode: instance.architecture === 'arm64' ? 'uefi' : 'legacy-bios',
  };
}

function inventoryOf(call: SampleCall): RegionInventory {
  return regionInventory(call.account, call.region, call.regions, call.now);
}

function describeInstances(call: SampleCall): object {
  const size = pageSize(call, 'DescribeInstances', 'InstanceIds', SERVER_PAGE.instances);
  const inventory = inventoryOf(call);
  const selected = applyFilters(
    selectIds(inventory.instances, call.input.InstanceIds, (i) => i.id, {
      prefix: 'i',
      code: 'InvalidInstanceID',
      notFound: (id) => `The instance ID '${id}' does not exist`,
    }),
    call.input.Filters,
    {
      'instance-id': (i) => [i.id],
      'instance-state-name': (i) => [i.state],
      'instance-type': (i) => [i.instanceType],
      'availability-zone': (i) => [i.availabilityZone],
      'vpc-id': (i) => [i.vpcId],
      'subnet-id': (i) => [i.subnetId],
      'image-id': (i) => [i.imageId],
    },
    (i) => instanceTags(call.account, i),
  );
  const { page, nextToken } = serve(call, selected, size, 'DescribeInstances');
  return {
    // One reservation per instance: each was launched on its own.
    Reservations: page.map((instance) => ({
      ReservationId: `r-${new Random(instance.id, 'reservation').hex(17)}`,
      OwnerId: call.account.id,
      Groups: [],
      Instances: [instanceOf(call, inventory, instance)],
    })),
    ...(nextToken ? { NextToken: nextToken } : {}),
  };
}

function volumeOf(call: SampleCall, inventory: RegionInventory, volume: SampleVolume) {
  const random = new Random(volume.id, 'ebs-details');
  const instance = inventory.instances.find((i) => i.id === volume.instanceId);
  const index = instance ? volumesOf(inventory, instance.id).indexOf(volume) : 0;
  const iops = volume.volumeType === 'gp2' ? Math.min(16_000, Math.max(100, 3 * volume.sizeGb)) : volume.iops;
  return {
    Attachments: instance
      ? [
          {
            AttachTime: volume.createdAt,
            Device: deviceName(instance, index),
            InstanceId: instance.id,
            State: 'attached',
            VolumeId: volume.id,
            DeleteOnTermination: index === 0,
          },
        ]
      : [],
    AvailabilityZone: volume.availabilityZone,
    CreateTime: volume.createdAt,
    Encrypted: volume.encrypted,
    ...(volume.encrypted
      ? {
          KmsKeyId: `arn:aws:kms:${call.region}:${call.account.id}:key/${new Random(call.account.id, call.region, 'ebs-key').uuid()}`,
        }
      : {}),
    Size: volume.sizeGb,
    SnapshotId: index === 0 && instance ? `snap-${random.hex(17)}` : '',
    State: instance ? 'in-use' : 'available',
    VolumeId: volume.id,
    ...(iops === null ? {} : { Iops: iops }),
    ...(volume.volumeType === 'gp3' ? { Throughput: 125 } : {}),
    VolumeType: volume.volumeType,
    MultiAttachEnabled: false,
    ...(instance
      ? {}
      : { Tags: [{ Key: 'Name', Value: `${call.account.product ?? call.account.name}-scratch` }] }),
  };
}

function describeVolumes(call: SampleCall): object {
  const size = pageSize(call, 'DescribeVolumes', 'VolumeIds', SERVER_PAGE.volumes);
  const inventory = inventoryOf(call);
  const selected = applyFilters(
    selectIds(inventory.volumes, call.input.VolumeIds, (v) => v.id, {
      prefix: 'vol',
      code: 'InvalidVolume',
      notFound: (id) => `The volume '${id}' does not exist.`,
    }),
    call.input.Filters,
    {
      'volume-id': (v) => [v.id],
      status: (v) => [v.instanceId ? 'in-use' : 'available'],
      'attachment.instance-id': (v) => (v.instanceId ? [v.instanceId] : []),
      'availability-zone': (v) => [v.availabilityZone],
      'volume-type': (v) => [v.volumeType],
    },
    () => [],
  );
  const { page, nextToken } = serve(call, selected, size, 'DescribeVolumes');
  return {
    Volumes: page.map((volume) => volumeOf(call, inventory, volume)),
    ...(nextToken ? { NextToken: nextToken } : {}),
  };
}

function subnetName(call: SampleCall, subnet: SampleSubnet, tier: Tier): string {
  return `${call.account.product ?? call.account.name}-${tier}-${subnet.availabilityZone.slice(-1)}`;
}

function describeSubnets(call: SampleCall): object {
  const size = pageSize(call, 'DescribeSubnets', 'SubnetIds', SERVER_PAGE.subnets);
  const inventory = inventoryOf(call);
  const tiers = subnetTiers(inventory);
  const defaultVpc = inventory.vpcs.find((v) => v.isDefault)?.id;
  const tagsOf = (subnet: SampleSubnet) =>
    subnet.vpcId === defaultVpc
      ? []
      : [{ Key: 'Name', Value: subnetName(call, subnet, tiers.get(subnet.id) ?? 'private') }];
  const selected = applyFilters(
    selectIds(inventory.subnets, call.input.SubnetIds, (s) => s.id, {
      prefix: 'subnet',
      code: 'InvalidSubnetID',
      notFound: (id) => `The subnet ID '${id}' does not exist`,
    }),
    call.input.Filters,
    {
      'subnet-id': (s) => [s.id],
      'vpc-id': (s) => [s.vpcId],
      'availability-zone': (s) => [s.availabilityZone],
      'default-for-az': (s) => [String(s.vpcId === defaultVpc)],
      state: () => ['available'],
    },
    tagsOf,
  );
  const { page, nextToken } = serve(call, selected, size, 'DescribeSubnets');
  return {
    Subnets: page.map((subnet) => ({
      AvailabilityZoneId: zoneId(call.account, subnet.availabilityZone),
      MapCustomerOwnedIpOnLaunch: false,
      OwnerId: call.account.id,
      AssignIpv6AddressOnCreation: false,
      Ipv6CidrBlockAssociationSet: [],
      ...(tagsOf(subnet).length > 0 ? { Tags: tagsOf(subnet) } : {}),
      SubnetArn: subnet.arn,
      EnableDns64: false,
      Ipv6Native: false,
      PrivateDnsNameOptionsOnLaunch: {
        HostnameType: 'ip-name',
        EnableResourceNameDnsARecord: false,
        EnableResourceNameDnsAAAARecord: false,
      },
      BlockPublicAccessStates: { InternetGatewayBlockMode: 'off' },
      SubnetId: subnet.id,
      State: 'available',
      VpcId: subnet.vpcId,
      CidrBlock: subnet.cidr,
      AvailableIpAddressCount: subnet.availableIpAddressCount,
      AvailabilityZone: subnet.availabilityZone,
      DefaultForAz: subnet.vpcId === defaultVpc,
      MapPublicIpOnLaunch: subnet.vpcId === defaultVpc,
    })),
    ...(nextToken ? { NextToken: nextToken } : {}),
  };
}

/** Drops the first item's identifier (`path` leads to the list), which the API always returns. */
function withoutFirst(output: object, path: readonly string[], field: string): object {
  const copy = structuredClone(output) as Record<string, unknown>;
  let node: unknown = copy;
  for (const key of path) node = (node as Record<string, unknown[]> | undefined)?.[key]?.[0];
  if (node) delete (node as Record<string, unknown>)[field];
  return copy;
}

export const ec2Simulator: ServiceSimulator = {
  service: 'EC2',
  operations: {
    DescribeInstances: describeInstances,
    DescribeVolumes: describeVolumes,
    DescribeSubnets: describeSubnets,
    ...ec2ReservationOperations,
  },
  // What EC2 answers an account that has not (yet) been signed up for the service.
  notEnabled: () =>
    awsError(
      'OptInRequired',
      'You are not subscribed to this service. Please go to http://aws.amazon.com to subscribe.',
      { status: 401 },
    ),
  malform(operation, output) {
    switch (operation) {
      case 'DescribeInstances':
        return withoutFirst(output, ['Reservations', 'Instances'], 'InstanceId');
      case 'DescribeVolumes':
        return withoutFirst(output, ['Volumes'], 'VolumeId');
      case 'DescribeSubnets':
        return withoutFirst(output, ['Subnets'], 'SubnetId');
      default:
        return malformEc2Reservations(operation, output) ?? output;
    }
  },
};
