import type { Environment, SampleAccount } from './accounts.ts';
import { Random } from './random.ts';

/**
 * The resources of a sample account, shared by every simulator that talks about them (EC2, RDS, ELB, Auto
 * Scaling, Lambda, S3, SSM, Compute Optimizer, Inspector, GuardDuty, Config...), so the same instance id shows
 * up in the resource inventory, the SSM inventory and the findings about it.
 *
 * Each kind of resource has a fixed number of slots; the resource in a slot is replaced every so many days
 * (its own period), so counts stay steady while a run on the next day finds some resources gone and new ones
 * in their place, as in a real account.
 */

interface Lifetime {
  readonly createdAt: Date;
  /** When it will be replaced (it exists until then). */
  readonly removedAt: Date;
}

const DAY_MS = 86_400_000;

/** The occupant of one slot at `day`: its generation seeds its attributes; null when the slot is empty. */
function occupant(
  seed: readonly (string | number)[],
  day: number,
  periodDays: readonly [number, number],
  emptyShare = 0.08,
): { random: Random; life: Lifetime } | null {
  const shape = new Random(...seed, 'slot');
  const period = shape.int(periodDays[0], periodDays[1]);
  const phase = shape.int(0, period - 1);
  const generation = Math.floor((day + phase) / period);
  const random = new Random(...seed, generation);
  if (random.chance(emptyShare)) return null;
  const start = generation * period - phase;
  return {
    random,
    life: {
      createdAt: new Date(start * DAY_MS + random.int(0, 86_399) * 1000),
      removedAt: new Date((start + period) * DAY_MS),
    },
  };
}

export interface SampleVpc extends Lifetime {
  readonly id: string;
  readonly cidr: string;
  readonly isDefault: boolean;
}

export interface SampleSubnet extends Lifetime {
  readonly id: string;
  readonly arn: string;
  readonly vpcId: string;
  readonly availabilityZone: string;
  readonly cidr: string;
  readonly availableIpAddressCount: number;
}

export interface SampleInstance extends Lifetime {
  readonly id: string;
  readonly name: string;
  readonly instanceType: string;
  readonly state: 'running' | 'stopped';
  readonly platform: 'Linux' | 'Windows';
  /** SSM's PlatformName, e.g. `Amazon Linux`, `Ubuntu`, `Microsoft Windows Server 2022 Datacenter`. */
  readonly platformName: string;
  readonly platformVersion: string;
  readonly architecture: 'x86_64' | 'arm64';
  readonly imageId: string;
  readonly subnetId: string;
  readonly vpcId: string;
  readonly availabilityZone: string;
  readonly privateIp: string;
  /** Whether the SSM agent manages it. */
  readonly ssmManaged: boolean;
}

export interface SampleVolume extends Lifetime {
  readonly id: string;
  readonly sizeGb: number;
  readonly volumeType: 'gp3' | 'gp2' | 'io2' | 'st1';
  readonly iops: number | null;
  readonly encrypted: boolean;
  readonly availabilityZone: string;
  /** The instance it is attached to, or null when available (unattached). */
  readonly instanceId: string | null;
}

export interface SampleDatabase extends Lifetime {
  readonly identifier: string;
  readonly arn: string;
  readonly engine: 'postgres' | 'mysql' | 'aurora-postgresql' | 'aurora-mysql';
  readonly engineVersion: string;
  readonly instanceClass: string;
  readonly multiAz: boolean;
  readonly allocatedStorageGb: number;
  readonly status: 'available' | 'stopped' | 'backing-up';
  readonly availabilityZone: string;
  readonly vpcId: string;
}

export interface SampleLoadBalancer extends Lifetime {
  readonly arn: string;
  readonly name: string;
  readonly type: 'application' | 'network';
  readonly scheme: 'internet-facing' | 'internal';
  readonly vpcId: string;
  readonly availabilityZones: readonly string[];
  readonly dnsName: string;
}

export interface SampleAutoScalingGroup extends Lifetime {
  readonly name: string;
  readonly arn: string;
  readonly minSize: number;
  readonly maxSize: number;
  readonly desiredCapacity: number;
  readonly availabilityZones: readonly string[];
  readonly instanceIds: readonly string[];
}

export interface SampleFunction extends Lifetime {
  readonly name: string;
  readonly arn: string;
  readonly runtime: string;
  readonly memoryMb: number;
  readonly timeoutSeconds: number;
  readonly architecture: 'x86_64' | 'arm64';
  readonly packageType: 'Zip' | 'Image';
  readonly ephemeralStorageMb: number;
  readonly codeSize: number;
  readonly lastModified: Date;
}

export interface SampleBucket extends Lifetime {
  readonly name: string;
  readonly region: string;
}

export interface RegionInventory {
  readonly vpcs: readonly SampleVpc[];
  readonly subnets: readonly SampleSubnet[];
  readonly instances: readonly SampleInstance[];
  readonly volumes: readonly SampleVolume[];
  readonly databases: readonly SampleDatabase[];
  readonly loadBalancers: readonly SampleLoadBalancer[];
  readonly autoScalingGroups: readonly SampleAutoScalingGroup[];
  readonly functions: readonly SampleFunction[];
}

/** Instances in the home region of a scale-1 account, per environment; other regions get fewer. */
const INSTANCES: Record<Environment, number> = {
  management: 2,
  security: 3,
  production: 9,
  staging: 6,
  development: 5,
  sandbox: 2,
};

const INSTANCE_TYPES = [
  't3.medium',
  't3.large',
  'm6i.large',
  'm6i.xlarge',
  'c6g.xlarge',
  'r6g.large',
  'm7g.large',
];
const AMIS: ReadonlyArray<{ platform: 'Linux' | 'Windows'; name: string; version: string; weight: number }> =
  [
    { platform: 'Linux', name: 'Amazon Linux', version: '2023', weight: 6 },
    { platform: 'Linux', name: 'Amazon Linux', version: '2', weight: 2 },
    { platform: 'Linux', name: 'Ubuntu', version: '22.04', weight: 3 },
    { platform: 'Linux', name: 'Red Hat Enterprise Linux', version: '9.3', weight: 1 },
    {
      platform: 'Windows',
      name: 'Microsoft Windows Server 2022 Datacenter',
      version: '10.0.20348',
      weight: 1,
    },
  ];
const RUNTIMES = [
  'nodejs22.x',
  'nodejs20.x',
  'python3.12',
  'python3.13',
  'java21',
  'provided.al2023',
  'nodejs18.x',
];
const WORKLOADS = [
  'api',
  'worker',
  'web',
  'batch',
  'ingest',
  'scheduler',
  'search',
  'cache',
  'etl',
  'gateway',
];

const cache = new Map<string, RegionInventory>();

/** The home region carries most of an account's workload; the others a part of it. */
function regionWeight(region: string, regions: readonly string[]): number {
  return region === regions[0] ? 1 : 0.45;
}

function azs(region: string): string[] {
  return ['a', 'b', 'c'].map((z) => `${region}${z}`);
}

/** The resources an account has in a region at `now`. */
export function regionInventory(
  account: SampleAccount,
  region: string,
  regions: readonly string[],
  now: Date,
): RegionInventory {
  const day = Math.floor(now.getTime() / DAY_MS);
  const key = `${account.id}|${region}|${regions.join(',')}|${day}`;
  const cached = cache.get(key);
  if (cached) return cached;
  if (cache.size > 2_000) cache.clear();
  const random = new Random(account.id, 'inventory', region);
  const weight = regionWeight(region, regions);
  const zones = azs(region);
  const octet = random.int(0, 200);
  const forever = { createdAt: account.joinedAt, removedAt: new Date(8.64e15) };

  const vpcs: SampleVpc[] = [
    { id: `vpc-${random.hex(17)}`, cidr: '172.31.0.0/16', isDefault: true, ...forever },
  ];
  if (account.environment !== 'sandbox') {
    vpcs.push({ id: `vpc-${random.hex(17)}`, cidr: `10.${octet}.0.0/16`, isDefault: false, ...forever });
  }
  const subnets: SampleSubnet[] = vpcs.flatMap((vpc, v) =>
    zones.flatMap((zone, z) =>
      (vpc.isDefault ? ['public'] : ['private', 'public']).map((_tier, t) => {
        const id = `subnet-${random.hex(17)}`;
        return {
          id,
          arn: `arn:aws:ec2:${region}:${account.id}:subnet/${id}`,
          vpcId: vpc.id,
          availabilityZone: zone,
          cidr: vpc.isDefault ? `172.31.${z * 16}.0/20` : `10.${octet}.${v * 64 + z * 16 + t * 8}.0/21`,
          availableIpAddressCount: random.int(180, 2040),
          ...forever,
        };
      }),
    ),
  );
  const workloadSubnets = subnets.filter((s) => s.vpcId === (vpcs[1] ?? vpcs[0])?.id);

  const instanceCount = Math.round(INSTANCES[account.environment] * Math.max(0.5, account.scale) * weight);
  const instances: SampleInstance[] = slots(instanceCount, (slot) => {
    const taken = occupant([account.id, region, 'instance', slot], day, [20, 180]);
    if (!taken) return null;
    const { random: r } = taken;
    const subnet = r.pick(workloadSubnets);
    const ami = r.weighted(
      AMIS,
      AMIS.map((a) => a.weight),
    );
    const type = r.pick(INSTANCE_TYPES);
    return {
      id: `i-${r.hex(17)}`,
      name: `${account.product ?? account.name}-${r.pick(WORKLOADS)}-${slot + 1}`,
      instanceType: type,
      state: r.chance(0.85) ? 'running' : 'stopped',
      platform: ami.platform,
      platformName: ami.name,
      platformVersion: ami.version,
      architecture: /g\./.test(type) ? 'arm64' : 'x86_64',
      imageId: `ami-${r.hex(17)}`,
      subnetId: subnet.id,
      vpcId: subnet.vpcId,
      availabilityZone: subnet.availabilityZone,
      privateIp: `10.${octet}.${r.int(0, 255)}.${r.int(4, 250)}`,
      ssmManaged: r.chance(0.85),
      ...taken.life,
    };
  });

  const volumes: SampleVolume[] = [
    ...instances.flatMap((instance) => {
      const r = new Random(instance.id, 'volumes');
      return Array.from({ length: r.int(1, 2) }, () =>
        volume(r, instance.availabilityZone, instance.id, instance),
      );
    }),
    ...slots(3, (slot) => {
      const taken = occupant([account.id, region, 'volume', slot], day, [10, 90], 0.4);
      return taken && volume(taken.random, taken.random.pick(zones), null, taken.life);
    }),
  ];

  const databaseCount =
    account.environment === 'sandbox' ? 0 : Math.round(2 * weight * Math.min(account.scale, 3));
  const databases: SampleDatabase[] = slots(databaseCount, (slot) => {
    const taken = occupant([account.id, region, 'database', slot], day, [200, 900], 0.25);
    if (!taken) return null;
    const { random: r } = taken;
    const identifier = `${account.product ?? account.name}-db-${slot + 1}-${r.hex(4)}`;
    const engine = r.pick(['postgres', 'mysql', 'aurora-postgresql', 'aurora-mysql'] as const);
    return {
      identifier,
      arn: `arn:aws:rds:${region}:${account.id}:db:${identifier}`,
      engine,
      engineVersion: engine.includes('postgres')
        ? r.pick(['15.8', '16.4', '17.2'])
        : r.pick(['8.0.39', '8.0.40']),
      instanceClass: r.pick(['db.t4g.medium', 'db.r6g.large', 'db.r6g.xlarge', 'db.m6g.large']),
      multiAz: account.environment === 'production' && r.chance(0.7),
      allocatedStorageGb: r.pick([20, 100, 200, 500]),
      status: r.chance(0.9) ? 'available' : r.pick(['stopped', 'backing-up'] as const),
      availabilityZone: r.pick(zones),
      vpcId: (vpcs[1] ?? vpcs[0])?.id as string,
      ...taken.life,
    };
  });

  const loadBalancers: SampleLoadBalancer[] = slots(
    account.environment === 'sandbox' ? 0 : Math.round(3 * weight),
    (slot) => {
      const taken = occupant([account.id, region, 'load-balancer', slot], day, [120, 700], 0.3);
      if (!taken) return null;
      const { random: r } = taken;
      const type = r.chance(0.8) ? ('application' as const) : ('network' as const);
      const name =
        `${account.product ?? account.name}-${type === 'application' ? 'alb' : 'nlb'}-${slot + 1}`.slice(
          0,
          32,
        );
      return {
        arn: `arn:aws:elasticloadbalancing:${region}:${account.id}:loadbalancer/${type === 'application' ? 'app' : 'net'}/${name}/${r.hex(16)}`,
        name,
        type,
        scheme: r.chance(0.6) ? 'internet-facing' : 'internal',
        vpcId: (vpcs[1] ?? vpcs[0])?.id as string,
        availabilityZones: zones.slice(0, r.int(2, 3)),
        dnsName: `${name}-${r.digits(9)}.${region}.elb.amazonaws.com`,
        ...taken.life,
      };
    },
  );

  const autoScalingGroups: SampleAutoScalingGroup[] = slots(
    account.environment === 'sandbox' ? 0 : Math.round(2 * weight),
    (slot) => {
      const taken = occupant([account.id, region, 'asg', slot], day, [150, 800], 0.3);
      if (!taken) return null;
      const name = `${account.product ?? account.name}-asg-${slot + 1}`;
      const members = instances.filter((_, n) => n % 3 === slot % 3).slice(0, 4);
      return {
        name,
        arn: `arn:aws:autoscaling:${region}:${account.id}:autoScalingGroup:${taken.random.uuid()}:autoScalingGroupName/${name}`,
        minSize: Math.min(1, members.length),
        maxSize: Math.max(members.length, 1) * 2,
        desiredCapacity: members.length,
        availabilityZones: zones,
        instanceIds: members.map((m) => m.id),
        ...taken.life,
      };
    },
  );

  const functionCount = Math.round(5 * Math.max(0.5, account.scale) * weight);
  const functions: SampleFunction[] = slots(functionCount, (slot) => {
    const taken = occupant([account.id, region, 'function', slot], day, [30, 400]);
    if (!taken) return null;
    const { random: r } = taken;
    const name = `${account.product ?? account.name}-${r.pick(WORKLOADS)}-fn-${slot + 1}`;
    return {
      name,
      arn: `arn:aws:lambda:${region}:${account.id}:function:${name}`,
      runtime: r.pick(RUNTIMES),
      memoryMb: r.pick([128, 256, 512, 1024, 1769, 3008]),
      timeoutSeconds: r.pick([3, 15, 30, 60, 300, 900]),
      architecture: r.chance(0.55) ? 'arm64' : 'x86_64',
      packageType: r.chance(0.9) ? 'Zip' : 'Image',
      ephemeralStorageMb: r.chance(0.9) ? 512 : r.pick([1024, 2048, 10240]),
      codeSize: r.int(2_000, 45_000_000),
      lastModified: new Date(Math.min(now.getTime(), taken.life.createdAt.getTime() + r.int(0, 20) * DAY_MS)),
      ...taken.life,
    };
  });

  const inventory = {
    vpcs,
    subnets,
    instances,
    volumes,
    databases,
    loadBalancers,
    autoScalingGroups,
    functions,
  };
  cache.set(key, inventory);
  return inventory;
}

function volume(random: Random, zone: string, instanceId: string | null, life: Lifetime): SampleVolume {
  const volumeType = random.weighted(['gp3', 'gp2', 'io2', 'st1'] as const, [7, 2, 0.5, 0.5]);
  return {
    id: `vol-${random.hex(17)}`,
    sizeGb: random.pick([8, 20, 30, 50, 100, 200, 500]),
    volumeType,
    iops: volumeType === 'gp3' ? 3000 : volumeType === 'io2' ? random.pick([4000, 8000]) : null,
    encrypted: random.chance(0.8),
    availabilityZone: zone,
    instanceId,
    createdAt: life.createdAt,
    removedAt: life.removedAt,
  };
}

function slots<T>(count: number, fill: (slot: number) => T | null): T[] {
  return Array.from({ length: count }, (_, slot) => fill(slot)).filter((item): item is T => item !== null);
}

/** The account's S3 buckets at `now`: one global list (S3 ListBuckets answers it from any region). */
export function accountBuckets(
  account: SampleAccount,
  regions: readonly string[],
  now: Date,
): SampleBucket[] {
  const day = Math.floor(now.getTime() / DAY_MS);
  const base = account.product ?? account.name;
  const purposes = [
    'assets',
    'logs',
    'backups',
    'data-lake',
    'artifacts',
    'exports',
    'uploads',
    'reports',
    'config',
    'tmp',
  ];
  const count = Math.max(2, Math.round(4 * Math.max(0.5, Math.min(account.scale, 4))));
  return slots(count, (slot) => {
    const taken = occupant([account.id, 'bucket', slot], day, [60, 900], 0.1);
    if (!taken) return null;
    const suffix = taken.random.hex(6);
    return {
      name: `${base}-${purposes[slot % purposes.length]}-${account.id}-${suffix}`,
      region: slot === 0 || taken.random.chance(0.75) ? (regions[0] as string) : taken.random.pick(regions),
      ...taken.life,
    };
  });
}
