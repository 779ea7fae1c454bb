/** Deterministic `resources` payloads for the loader benchmark, shaped as the collector writes them. */
import type { ResourcesPayload, ServiceResource } from '../../functions/collectors/resources.ts';

/** The regions the generated resources are spread over. */
export const REGIONS = ['us-east-1', 'eu-west-1', 'ap-southeast-2'] as const;

/** mulberry32, seeded: the same rows on every run and every machine. */
function prng(seed: number) {
  let state = seed | 0;
  const next = () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
  return {
    int: (min: number, max: number) => min + Math.floor(next() * (max - min + 1)),
    pick: <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T,
    chance: (p: number) => next() < p,
    hex: (length: number) => {
      let out = '';
      while (out.length < length) out += Math.floor(next() * 16).toString(16);
      return out;
    },
  };
}

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
} as const;

/** The mix of a large account: mostly instances and volumes, then functions, buckets, subnets and the rest. */
const KINDS = [
  ...Array<'EC2'>(30).fill('EC2'),
  ...Array<'EBS'>(35).fill('EBS'),
  ...Array<'Lambda'>(12).fill('Lambda'),
  ...Array<'S3'>(8).fill('S3'),
  ...Array<'VPC'>(6).fill('VPC'),
  ...Array<'RDS'>(3).fill('RDS'),
  ...Array<'ELB'>(3).fill('ELB'),
  ...Array<'AutoScaling'>(3).fill('AutoScaling'),
] as const;

const accountIds = (count: number) =>
  Array.from({ length: count }, (_, i) => String(100_000_000_000 + i * 7_919_123).padStart(12, '0'));

/** One account's payload of `count` resources, as the `resources` collector writes it. */
export function resourcesPayload(accountId: string, count: number, seed: number): ResourcesPayload {
  const random = prng(seed);
  const at = (days: number) => new Date(Date.UTC(2024, 0, 1) + days * 86_400_000 + random.int(0, 86_399_999));
  const iso = (days: number) => at(days).toISOString();
  const team = () => random.pick(['payments', 'search', 'identity', 'billing', 'data', 'web', 'platform']);
  const env = () => random.pick(['prod', 'staging', 'dev']);
  const resources: ServiceResource[] = [];
  for (let i = 0; i < count; i++) {
    const region = random.pick(REGIONS);
    const zone = `${region}${random.pick(['a', 'b', 'c'])}`;
    const zones = `${region}a,${region}b${random.chance(0.5) ? `,${region}c` : ''}`;
    // The index makes every id unique in the account; the random part makes them look like AWS ids.
    const suffix = `${random.hex(9)}${i.toString(16).padStart(8, '0')}`;
    const vpc = `vpc-0${random.hex(16)}`;
    const name = `${team()}-${env()}-${random.hex(6)}`;
    const kind = random.pick(KINDS);
    const base = { service_name: kind, region };
    switch (kind) {
      case 'EC2': {
        const id = `i-${suffix}`;
        resources.push({
          ...NOTHING,
          ...base,
          resource_type: 'Instance',
          resource_id: id,
          arn: `arn:aws:ec2:${region}:${accountId}:instance/${id}`,
          resource_name: name,
          availability_zone: zone,
          state: random.pick(['running', 'running', 'running', 'stopped']),
          instance_type: random.pick(['t3.micro', 'm6i.large', 'm7g.xlarge', 'c6g.2xlarge', 'r6i.4xlarge']),
          platform: random.pick(['Linux/UNIX', 'Linux/UNIX', 'Windows', 'Red Hat Enterprise Linux']),
          architecture: random.pick(['x86_64', 'arm64']),
          vpc_id: vpc,
          subnet_id: `subnet-0${random.hex(16)}`,
          creation_date: iso(random.int(0, 1000)),
        });
        break;
      }
      case 'EBS': {
        const id = `vol-${suffix}`;
        resources.push({
          ...NOTHING,
          ...base,
          resource_type: 'Volume',
          resource_id: id,
          arn: `arn:aws:ec2:${region}:${accountId}:volume/${id}`,
          resource_name: random.chance(0.6) ? name : null,
          availability_zone: zone,
          state: random.pick(['in-use', 'in-use', 'available']),
          size_gb: random.pick([8, 20, 50, 100, 500, 1000]),
          volume_type: random.pick(['gp3', 'gp2', 'io2', 'st1']),
          creation_date: iso(random.int(0, 1000)),
          instance_count: random.int(0, 1),
        });
        break;
      }
      case 'VPC': {
        const id = `subnet-${suffix}`;
        resources.push({
          ...NOTHING,
          ...base,
          resource_type: 'Subnet',
          resource_id: id,
          arn: `arn:aws:ec2:${region}:${accountId}:subnet/${id}`,
          resource_name: name,
          availability_zone: zone,
          state: 'available',
          vpc_id: vpc,
          subnet_id: id,
          available_ip_count: random.int(0, 4091),
        });
        break;
      }
      case 'RDS': {
        const arn = `arn:aws:rds:${region}:${accountId}:db:${name}-${suffix}`;
        resources.push({
          ...NOTHING,
          ...base,
          resource_type: 'DBInstance',
          resource_id: arn,
          arn,
          resource_name: `${name}-${suffix}`,
          availability_zone: zone,
          state: 'available',
          vpc_id: vpc,
          engine: random.pick(['postgres', 'aurora-postgresql', 'mysql']),
          instance_class: random.pick(['db.t4g.medium', 'db.r6g.large', 'db.m6i.xlarge']),
          multi_az: random.chance(0.4),
          size_gb: random.pick([20, 100, 400]),
          volume_type: random.pick(['gp3', 'io1', 'aurora']),
          creation_date: iso(random.int(0, 1000)),
        });
        break;
      }
      case 'S3': {
        const bucket = `${name}-${suffix}`;
        resources.push({
          ...NOTHING,
          ...base,
          resource_type: 'Bucket',
          resource_id: bucket,
          arn: `arn:aws:s3:::${bucket}`,
          resource_name: bucket,
          state: 'Active',
          creation_date: iso(random.int(0, 1000)),
        });
        break;
      }
      case 'ELB': {
        const type = random.pick(['application', 'network']);
        const arn = `arn:aws:elasticloadbalancing:${region}:${accountId}:loadbalancer/${type === 'application' ? 'app' : 'net'}/${name}/${suffix}`;
        resources.push({
          ...NOTHING,
          ...base,
          resource_type: 'LoadBalancer',
          resource_id: arn,
          arn,
          resource_name: name,
          availability_zone: zones,
          state: 'active',
          vpc_id: vpc,
          creation_date: iso(random.int(0, 1000)),
          type,
          scheme: random.pick(['internet-facing', 'internal']),
        });
        break;
      }
      case 'AutoScaling': {
        const group = `${name}-asg-${suffix}`;
        const arn = `arn:aws:autoscaling:${region}:${accountId}:autoScalingGroup:${random.hex(8)}-${random.hex(4)}-${random.hex(4)}-${random.hex(4)}-${random.hex(12)}:autoScalingGroupName/${group}`;
        const min = random.int(0, 4);
        resources.push({
          ...NOTHING,
          ...base,
          resource_type: 'AutoScalingGroup',
          resource_id: arn,
          arn,
          resource_name: group,
          availability_zone: zones,
          creation_date: iso(random.int(0, 1000)),
          instance_count: min + random.int(0, 2),
          min_size: min,
          max_size: min + random.int(1, 10),
        });
        break;
      }
      case 'Lambda': {
        const fn = `${name}-${suffix}`;
        const arn = `arn:aws:lambda:${region}:${accountId}:function:${fn}`;
        const image = random.chance(0.1);
        resources.push({
          ...NOTHING,
          ...base,
          resource_type: 'Function',
          resource_id: arn,
          arn,
          resource_name: fn,
          architecture: random.pick(['x86_64', 'arm64']),
          vpc_id: random.chance(0.3) ? vpc : null,
          memory_mb: random.pick([128, 256, 512, 1024, 3008]),
          runtime: image ? null : random.pick(['nodejs22.x', 'python3.13', 'java21', 'provided.al2023']),
          ephemeral_storage_mb: 512,
          package_type: image ? 'Image' : 'Zip',
          last_modified: iso(random.int(600, 1060)),
        });
        break;
      }
    }
  }
  return { service_resources: resources };
}

export interface Dataset {
  readonly accounts: ReadonlyArray<{ readonly accountId: string; readonly payload: ResourcesPayload }>;
  readonly rows: number;
}

export function dataset(rows: number, accounts: number): Dataset {
  const ids = accountIds(accounts);
  return {
    rows,
    accounts: ids.map((accountId, i) => ({
      accountId,
      payload: resourcesPayload(
        accountId,
        Math.floor(rows / accounts) + (i < rows % accounts ? 1 : 0),
        0x5eed + i,
      ),
    })),
  };
}
