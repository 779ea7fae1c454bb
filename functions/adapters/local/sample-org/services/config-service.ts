import type { SampleAccount } from '../accounts.ts';
import {
  accountBuckets,
  regionInventory,
  type SampleAutoScalingGroup,
  type SampleBucket,
  type SampleDatabase,
  type SampleFunction,
  type SampleInstance,
  type SampleLoadBalancer,
  type SampleSubnet,
  type SampleVolume,
  type SampleVpc,
} from '../inventory.ts';
import { Random } from '../random.ts';
import { awsError, paginate, type SampleCall, type ServiceSimulator } from '../simulator.ts';

const DAY_MS = 86_400_000;
const MINUTE_MS = 60_000;

/** What a rule judges, with the shared inventory's own record of it. */
type Subject =
  | { readonly kind: 'instance'; readonly instance: SampleInstance }
  | { readonly kind: 'volume'; readonly volume: SampleVolume }
  | { readonly kind: 'database'; readonly database: SampleDatabase }
  | { readonly kind: 'load-balancer'; readonly loadBalancer: SampleLoadBalancer }
  | { readonly kind: 'auto-scaling-group'; readonly group: SampleAutoScalingGroup }
  | { readonly kind: 'function'; readonly fn: SampleFunction }
  | { readonly kind: 'bucket'; readonly bucket: SampleBucket }
  | { readonly kind: 'vpc'; readonly vpc: SampleVpc }
  | { readonly kind: 'subnet'; readonly subnet: SampleSubnet }
  | { readonly kind: 'security-group'; readonly vpc: SampleVpc }
  | { readonly kind: 'account' };

/** A resource as Config records it: its configuration item. */
interface ConfigResource {
  readonly type: string;
  readonly id: string;
  readonly name: string | null;
  readonly arn: string;
  readonly availabilityZone: string;
  readonly createdAt: Date;
  readonly capturedAt: Date;
  readonly configuration: Record<string, unknown>;
  readonly subject: Subject;
}

interface Verdict {
  readonly compliant: boolean;
  readonly annotation?: string;
}

/** An AWS managed rule: the resource type it evaluates, how it is triggered, and its verdict on one resource. */
interface RuleSpec {
  readonly rule: string;
  readonly resourceType: string;
  /** Periodic rules run every 24 hours; the others on configuration changes. */
  readonly periodic: boolean;
  /** IAM is global: its rules are deployed in the home region only. */
  readonly homeRegionOnly?: boolean;
  judge(resource: ConfigResource, random: Random): Verdict | null;
}

const ok: Verdict = { compliant: true };
const failing = (annotation?: string): Verdict => ({
  compliant: false,
  ...(annotation ? { annotation } : {}),
});
const share = (random: Random, p: number, annotation?: string) =>
  random.chance(p) ? failing(annotation) : ok;
const subjectOf = <K extends Subject['kind']>(resource: ConfigResource, kind: K) =>
  resource.subject.kind === kind ? (resource.subject as Extract<Subject, { kind: K }>) : null;

const DEPRECATED_RUNTIMES = new Set(['nodejs18.x']);

const RULES: Readonly<Record<string, RuleSpec>> = Object.fromEntries(
  (
    [
      {
        rule: 'iam-root-access-key-check',
        resourceType: 'AWS::::Account',
        periodic: true,
        homeRegionOnly: true,
        judge: (_, r) => share(r, 0.1),
      },
      {
        rule: 'root-account-mfa-enabled',
        resourceType: 'AWS::::Account',
        periodic: true,
        homeRegionOnly: true,
        judge: (_, r) => share(r, 0.05),
      },
      {
        rule: 'iam-password-policy',
        resourceType: 'AWS::::Account',
        periodic: true,
        homeRegionOnly: true,
        judge: (_, r) => share(r, 0.35, 'MinimumPasswordLength is 8, the rule requires 14.'),
      },
      { rule: 'cloudtrail-enabled', resourceType: 'AWS::::Account', periodic: true, judge: () => ok },
      {
        rule: 'ec2-ebs-encryption-by-default',
        resourceType: 'AWS::::Account',
        periodic: true,
        judge: (_, r) => share(r, 0.4),
      },
      {
        rule: 'vpc-flow-logs-enabled',
        resourceType: 'AWS::EC2::VPC',
        periodic: true,
        judge: (res, r) => (subjectOf(res, 'vpc')?.vpc.isDefault ? failing() : share(r, 0.15)),
      },
      { rule: 'restricted-ssh', resourceType: 'AWS::EC2::SecurityGroup', periodic: false, judge: () => ok },
      {
        rule: 's3-bucket-logging-enabled',
        resourceType: 'AWS::S3::Bucket',
        periodic: false,
        judge: (_, r) => share(r, 0.45),
      },
      {
        rule: 'encrypted-volumes',
        resourceType: 'AWS::EC2::Volume',
        periodic: false,
        // Evaluates attached volumes only.
        judge: (res) => {
          const volume = subjectOf(res, 'volume')?.volume;
          if (!volume?.instanceId) return null;
          return volume.encrypted ? ok : failing();
        },
      },
      {
        rule: 'rds-storage-encrypted',
        resourceType: 'AWS::RDS::DBInstance',
        periodic: false,
        judge: (_, r) => share(r, 0.2),
      },
      {
        rule: 'rds-multi-az-support',
        resourceType: 'AWS::RDS::DBInstance',
        periodic: false,
        judge: (res) => (subjectOf(res, 'database')?.database.multiAz ? ok : failing()),
      },
      {
        rule: 'db-instance-backup-enabled',
        resourceType: 'AWS::RDS::DBInstance',
        periodic: false,
        judge: (_, r) => share(r, 0.1),
      },
      {
        rule: 'elb-deletion-protection-enabled',
        resourceType: 'AWS::ElasticLoadBalancingV2::LoadBalancer',
        periodic: false,
        judge: (_, r) => share(r, 0.5),
      },
      {
        rule: 'alb-http-to-https-redirection-check',
        resourceType: 'AWS::ElasticLoadBalancingV2::LoadBalancer',
        periodic: true,
        judge: (res, r) =>
          subjectOf(res, 'load-balancer')?.loadBalancer.type === 'application'
            ? share(r, 0.25, 'HTTP listener on port 80 does not redirect to HTTPS.')
            : null,
      },
      {
        rule: 'ec2-imdsv2-check',
        resourceType: 'AWS::EC2::Instance',
        periodic: false,
        judge: (_, r) => share(r, 0.35),
      },
      {
        rule: 'ec2-instance-managed-by-systems-manager',
        resourceType: 'AWS::EC2::Instance',
        periodic: false,
        judge: (res) => (subjectOf(res, 'instance')?.instance.ssmManaged ? ok : failing()),
      },
      {
        rule: 's3-bucket-versioning-enabled',
        resourceType: 'AWS::S3::Bucket',
        periodic: false,
        judge: (_, r) => share(r, 0.4),
      },
      {
        rule: 's3-bucket-ssl-requests-only',
        resourceType: 'AWS::S3::Bucket',
        periodic: false,
        judge: (_, r) => share(r, 0.3),
      },
      {
        rule: 'lambda-function-public-access-prohibited',
        resourceType: 'AWS::Lambda::Function',
        periodic: false,
        judge: (_, r) => share(r, 0.03),
      },
      {
        rule: 's3-bucket-public-read-prohibited',
        resourceType: 'AWS::S3::Bucket',
        periodic: false,
        judge: (_, r) => share(r, 0.04),
      },
      {
        rule: 's3-bucket-public-write-prohibited',
        resourceType: 'AWS::S3::Bucket',
        periodic: false,
        judge: (_, r) => share(r, 0.01),
      },
      {
        rule: 's3-bucket-server-side-encryption-enabled',
        resourceType: 'AWS::S3::Bucket',
        periodic: false,
        judge: () => ok,
      },
      {
        rule: 's3-bucket-level-public-access-prohibited',
        resourceType: 'AWS::S3::Bucket',
        periodic: false,
        judge: (_, r) => share(r, 0.1),
      },
      {
        rule: 'ec2-stopped-instance',
        resourceType: 'AWS::EC2::Instance',
        periodic: true,
        judge: (res) =>
          subjectOf(res, 'instance')?.instance.state === 'stopped'
            ? failing('The instance has been stopped for longer than the allowed 30 days.')
            : ok,
      },
      {
        rule: 'ec2-volume-inuse-check',
        resourceType: 'AWS::EC2::Volume',
        periodic: false,
        judge: (res) => (subjectOf(res, 'volume')?.volume.instanceId ? ok : failing()),
      },
      {
        rule: 'autoscaling-group-elb-healthcheck-required',
        resourceType: 'AWS::AutoScaling::AutoScalingGroup',
        periodic: false,
        judge: (res) => (res.configuration.healthCheckType === 'ELB' ? ok : failing()),
      },
      {
        rule: 'subnet-auto-assign-public-ip-disabled',
        resourceType: 'AWS::EC2::Subnet',
        periodic: false,
        judge: (res) => (res.configuration.mapPublicIpOnLaunch ? failing() : ok),
      },
      {
        rule: 'lambda-function-settings-check',
        resourceType: 'AWS::Lambda::Function',
        periodic: false,
        judge: (res) => {
          const runtime = subjectOf(res, 'function')?.fn.runtime ?? '';
          return DEPRECATED_RUNTIMES.has(runtime) ? failing(`The runtime ${runtime} is deprecated.`) : ok;
        },
      },
      {
        rule: 'ec2-instance-no-public-ip',
        resourceType: 'AWS::EC2::Instance',
        periodic: false,
        judge: (_, r) => share(r, 0.1),
      },
    ] satisfies RuleSpec[]
  ).map((spec) => [spec.rule, spec]),
);

interface PackSpec {
  readonly name: (suffix: string) => string;
  readonly rules: readonly string[];
  /** Deployed by the organization to every member, or by the account itself. */
  readonly organization: boolean;
}

const CIS_PACK: PackSpec = {
  name: (suffix) => `OrgConformsPack-Operational-Best-Practices-for-CIS-AWS-v1-4-Level1-${suffix}`,
  rules: [
    'iam-root-access-key-check',
    'root-account-mfa-enabled',
    'iam-password-policy',
    'cloudtrail-enabled',
    'ec2-ebs-encryption-by-default',
    'vpc-flow-logs-enabled',
    'restricted-ssh',
    's3-bucket-logging-enabled',
    'encrypted-volumes',
  ],
  organization: true,
};
const WELL_ARCHITECTED_PACK: PackSpec = {
  name: () => 'Operational-Best-Practices-for-AWS-Well-Architected-Security-Pillar',
  rules: [
    'rds-storage-encrypted',
    'rds-multi-az-support',
    'db-instance-backup-enabled',
    'elb-deletion-protection-enabled',
    'alb-http-to-https-redirection-check',
    'ec2-imdsv2-check',
    'ec2-instance-managed-by-systems-manager',
    's3-bucket-versioning-enabled',
    's3-bucket-ssl-requests-only',
    'lambda-function-public-access-prohibited',
  ],
  organization: false,
};
const S3_PACK: PackSpec = {
  name: () => 'Operational-Best-Practices-for-Amazon-S3',
  rules: [
    's3-bucket-public-read-prohibited',
    's3-bucket-public-write-prohibited',
    's3-bucket-server-side-encryption-enabled',
    's3-bucket-level-public-access-prohibited',
  ],
  organization: false,
};
const STANDALONE_RULES = [
  'ec2-stopped-instance',
  'ec2-volume-inuse-check',
  'autoscaling-group-elb-healthcheck-required',
  'subnet-auto-assign-public-ip-disabled',
  'lambda-function-settings-check',
];

interface DeployedRule {
  readonly name: string;
  readonly spec: RuleSpec;
  readonly pack: string | null;
}

interface RegionSetup {
  readonly recorder: boolean;
  readonly packs: readonly string[];
  readonly rules: readonly DeployedRule[];
}

/** Whether the account records with AWS Config in the region: not in sandboxes, not in some development regions. */
export function configRecorderOn(
  account: SampleAccount,
  region: string,
  regions: readonly string[],
): boolean {
  if (account.environment === 'sandbox') return false;
  const last = regions.length > 1 ? regions[regions.length - 1] : undefined;
  return !(
    account.environment === 'development' &&
    region === last &&
    new Random(account.id, 'config-recorder-off').chance(0.5)
  );
}

/** The conformance packs and rules of an account's region. IAM rules run in the home region only. */
function setupOf(account: SampleAccount, region: string, regions: readonly string[]): RegionSetup {
  if (!configRecorderOn(account, region, regions)) return { recorder: false, packs: [], rules: [] };
  const home = region === regions[0];
  const random = new Random(account.id, region, 'config-setup');
  const packs =
    account.environment === 'production'
      ? [CIS_PACK, WELL_ARCHITECTED_PACK, S3_PACK]
      : account.environment === 'staging'
        ? [CIS_PACK, WELL_ARCHITECTED_PACK]
        : [CIS_PACK];
  const applies = (rule: string) => home || RULES[rule]?.homeRegionOnly !== true;
  const rules: DeployedRule[] = [];
  const packNames: string[] = [];
  for (const pack of packs) {
    const suffix = random.hex(8);
    const name = pack.name(suffix);
    packNames.push(name);
    for (const rule of pack.rules.filter(applies)) {
      rules.push({ name: `${rule}-conformance-pack-${suffix}`, spec: RULES[rule] as RuleSpec, pack: name });
    }
  }
  for (const rule of STANDALONE_RULES) rules.push({ name: rule, spec: RULES[rule] as RuleSpec, pack: null });
  return { recorder: true, packs: packNames, rules };
}

// Configuration items of the shared inventory -------------------------------------------------------------

const ALNUM_UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

function dbiResourceId(identifier: string): string {
  const random = new Random(identifier, 'dbi-resource-id');
  let id = 'db-';
  while (id.length < 29) id += ALNUM_UPPER[random.int(0, ALNUM_UPPER.length - 1)];
  return id;
}

function defaultSecurityGroupId(vpc: SampleVpc): string {
  return `sg-${new Random(vpc.id, 'default-security-group').hex(17)}`;
}

function capturedAt(createdAt: Date, now: Date, seed: string): Date {
  const random = new Random(seed, 'config-capture');
  const changed = now.getTime() - random.int(1, 40) * DAY_MS - random.int(0, 1439) * MINUTE_MS;
  const recorded = createdAt.getTime() + random.int(2, 15) * MINUTE_MS;
  return new Date(Math.min(now.getTime(), Math.max(recorded, changed)));
}

/** The configuration items of the account's resources in the region that exist at `now`. */
function configResources(
  account: SampleAccount,
  region: string,
  regions: readonly string[],
  now: Date,
): ConfigResource[] {
  const inventory = regionInventory(account, region, regions, now);
  const ec2 = (kind: string, id: string) => `arn:aws:ec2:${region}:${account.id}:${kind}/${id}`;
  const item = (
    fields: Omit<ConfigResource, 'capturedAt' | 'createdAt'> & { createdAt: Date },
  ): ConfigResource => ({
    ...fields,
    capturedAt: capturedAt(fields.createdAt, now, `${fields.type}|${fields.id}`),
  });
  const resources: ConfigResource[] = [];
  for (const vpc of inventory.vpcs) {
    resources.push(
      item({
        type: 'AWS::EC2::VPC',
        id: vpc.id,
        name: null,
        arn: ec2('vpc', vpc.id),
        availabilityZone: 'Multiple Availability Zones',
        createdAt: vpc.createdAt,
        configuration: { vpcId: vpc.id, cidrBlock: vpc.cidr, isDefault: vpc.isDefault, state: 'available' },
        subject: { kind: 'vpc', vpc },
      }),
      item({
        type: 'AWS::EC2::SecurityGroup',
        id: defaultSecurityGroupId(vpc),
        name: 'default',
        arn: ec2('security-group', defaultSecurityGroupId(vpc)),
        availabilityZone: 'Not Applicable',
        createdAt: vpc.createdAt,
        configuration: { groupId: defaultSecurityGroupId(vpc), groupName: 'default', vpcId: vpc.id },
        subject: { kind: 'security-group', vpc },
      }),
    );
  }
  const defaultVpcs = new Set(inventory.vpcs.filter((v) => v.isDefault).map((v) => v.id));
  for (const subnet of inventory.subnets) {
    resources.push(
      item({
        type: 'AWS::EC2::Subnet',
        id: subnet.id,
        name: null,
        arn: subnet.arn,
        availabilityZone: subnet.availabilityZone,
        createdAt: subnet.createdAt,
        configuration: {
          subnetId: subnet.id,
          vpcId: subnet.vpcId,
          cidrBlock: subnet.cidr,
          availableIpAddressCount: subnet.availableIpAddressCount,
          mapPublicIpOnLaunch: defaultVpcs.has(subnet.vpcId),
          state: 'available',
        },
        subject: { kind: 'subnet', subnet },
      }),
    );
  }
  for (const instance of inventory.instances) {
    resources.push(
      item({
        type: 'AWS::EC2::Instance',
        id: instance.id,
        name: null,
        arn: ec2('instance', instance.id),
        availabilityZone: instance.availabilityZone,
        createdAt: instance.createdAt,
        configuration: {
          instanceId: instance.id,
          instanceType: instance.instanceType,
          imageId: instance.imageId,
          state: instance.state === 'running' ? { code: 16, name: 'running' } : { code: 80, name: 'stopped' },
          vpcId: instance.vpcId,
          subnetId: instance.subnetId,
          privateIpAddress: instance.privateIp,
          architecture: instance.architecture,
        },
        subject: { kind: 'instance', instance },
      }),
    );
  }
  for (const volume of inventory.volumes) {
    resources.push(
      item({
        type: 'AWS::EC2::Volume',
        id: volume.id,
        name: null,
        arn: ec2('volume', volume.id),
        availabilityZone: volume.availabilityZone,
        createdAt: volume.createdAt,
        configuration: {
          volumeId: volume.id,
          size: volume.sizeGb,
          volumeType: volume.volumeType,
          ...(volume.iops === null ? {} : { iops: volume.iops }),
          encrypted: volume.encrypted,
          state: volume.instanceId ? 'in-use' : 'available',
          attachments: volume.instanceId ? [{ instanceId: volume.instanceId, state: 'attached' }] : [],
        },
        subject: { kind: 'volume', volume },
      }),
    );
  }
  for (const database of inventory.databases) {
    resources.push(
      item({
        type: 'AWS::RDS::DBInstance',
        id: dbiResourceId(database.identifier),
        name: database.identifier,
        arn: database.arn,
        availabilityZone: database.multiAz ? 'Multiple Availability Zones' : database.availabilityZone,
        createdAt: database.createdAt,
        configuration: {
          dBInstanceIdentifier: database.identifier,
          dBInstanceClass: database.instanceClass,
          engine: database.engine,
          engineVersion: database.engineVersion,
          dBInstanceStatus: database.status,
          multiAZ: database.multiAz,
          allocatedStorage: database.allocatedStorageGb,
          dBSubnetGroup: { vpcId: database.vpcId },
        },
        subject: { kind: 'database', database },
      }),
    );
  }
  for (const loadBalancer of inventory.loadBalancers) {
    resources.push(
      item({
        type: 'AWS::ElasticLoadBalancingV2::LoadBalancer',
        id: loadBalancer.arn,
        name: loadBalancer.name,
        arn: loadBalancer.arn,
        availabilityZone: 'Multiple Availability Zones',
        createdAt: loadBalancer.createdAt,
        configuration: {
          loadBalancerArn: loadBalancer.arn,
          loadBalancerName: loadBalancer.name,
          type: loadBalancer.type,
          scheme: loadBalancer.scheme,
          vpcId: loadBalancer.vpcId,
          dNSName: loadBalancer.dnsName,
          state: { code: 'active' },
        },
        subject: { kind: 'load-balancer', loadBalancer },
      }),
    );
  }
  for (const group of inventory.autoScalingGroups) {
    resources.push(
      item({
        type: 'AWS::AutoScaling::AutoScalingGroup',
        id: group.arn,
        name: group.name,
        arn: group.arn,
        availabilityZone: 'Multiple Availability Zones',
        createdAt: group.createdAt,
        configuration: {
          autoScalingGroupName: group.name,
          minSize: group.minSize,
          maxSize: group.maxSize,
          desiredCapacity: group.desiredCapacity,
          healthCheckType: new Random(group.arn, 'health-check').chance(0.6) ? 'ELB' : 'EC2',
          instances: group.instanceIds.map((instanceId) => ({
            instanceId,
            lifecycleState: 'InService',
            healthStatus: 'Healthy',
          })),
        },
        subject: { kind: 'auto-scaling-group', group },
      }),
    );
  }
  for (const fn of inventory.functions) {
    resources.push(
      item({
        type: 'AWS::Lambda::Function',
        id: fn.name,
        name: fn.name,
        arn: fn.arn,
        availabilityZone: 'Not Applicable',
        createdAt: fn.createdAt,
        configuration: {
          functionName: fn.name,
          runtime: fn.runtime,
          memorySize: fn.memoryMb,
          timeout: fn.timeoutSeconds,
          packageType: fn.packageType,
          architectures: [fn.architecture],
          state: 'Active',
        },
        subject: { kind: 'function', fn },
      }),
    );
  }
  for (const bucket of accountBuckets(account, regions, now).filter((b) => b.region === region)) {
    resources.push(
      item({
        type: 'AWS::S3::Bucket',
        id: bucket.name,
        name: bucket.name,
        arn: `arn:aws:s3:::${bucket.name}`,
        availabilityZone: 'Regional',
        createdAt: bucket.createdAt,
        configuration: { name: bucket.name, creationDate: bucket.createdAt.toISOString() },
        subject: { kind: 'bucket', bucket },
      }),
    );
  }
  return resources.filter((r) => r.createdAt <= now);
}

/** What account-level rules (IAM, EBS defaults) evaluate: the account itself. */
function accountResource(account: SampleAccount): ConfigResource {
  return {
    type: 'AWS::::Account',
    id: account.id,
    name: null,
    arn: `arn:aws:iam::${account.id}:root`,
    availabilityZone: 'Not Applicable',
    createdAt: account.joinedAt,
    capturedAt: account.joinedAt,
    configuration: {},
    subject: { kind: 'account' },
  };
}

// Evaluations ----------------------------------------------------------------------------------------------

interface Evaluation {
  readonly rule: DeployedRule;
  readonly resource: ConfigResource;
  readonly verdict: Verdict;
  readonly invokedAt: Date;
  readonly recordedAt: Date;
}

/** When the rule last evaluated the resource: daily at the rule's own time, or soon after the resource changed. */
function evaluationTimes(rule: DeployedRule, resource: ConfigResource, now: Date) {
  const random = new Random(rule.name, resource.id, 'evaluation', Math.floor(now.getTime() / DAY_MS));
  let invoked: number;
  if (rule.spec.periodic) {
    const offset = new Random(rule.name, 'periodic').int(0, DAY_MS / 1000 - 1) * 1000;
    const today = Math.floor(now.getTime() / DAY_MS) * DAY_MS + offset;
    invoked = Math.max(today <= now.getTime() ? today : today - DAY_MS, resource.createdAt.getTime());
  } else {
    invoked = resource.capturedAt.getTime() + random.int(20, 240) * 1000;
  }
  invoked = Math.min(invoked, now.getTime());
  const recorded = Math.min(invoked + random.int(3, 180) * 1000, now.getTime());
  return { invokedAt: new Date(invoked), recordedAt: new Date(recorded) };
}

interface RegionState {
  readonly setup: RegionSetup;
  readonly resources: readonly ConfigResource[];
  /** Configuration items of resources deleted within the last day. */
  readonly deleted: readonly ConfigResource[];
  readonly evaluations: ReadonlyMap<string, readonly Evaluation[]>;
}

const recentStates = new Map<string, RegionState>();
const RECENT_STATES = 16;

function regionState(call: SampleCall): RegionState {
  const key = `${call.account.id}|${call.account.environment}|${call.account.scale}|${call.region}|${call.regions.join(',')}|${call.now.getTime()}`;
  const cached = recentStates.get(key);
  if (cached) return cached;
  const setup = setupOf(call.account, call.region, call.regions);
  const resources = setup.recorder ? configResources(call.account, call.region, call.regions, call.now) : [];
  const ids = new Set(resources.map((r) => `${r.type}|${r.id}`));
  const yesterday = new Date(call.now.getTime() - DAY_MS);
  const deleted = setup.recorder
    ? configResources(call.account, call.region, call.regions, yesterday).filter(
        (r) => !ids.has(`${r.type}|${r.id}`),
      )
    : [];
  const account = accountResource(call.account);
  const evaluations = new Map<string, Evaluation[]>();
  for (const rule of setup.rules) {
    const subjects =
      rule.spec.resourceType === 'AWS::::Account'
        ? [account]
        : resources.filter((r) => r.type === rule.spec.resourceType);
    const results: Evaluation[] = [];
    for (const resource of subjects) {
      const verdict = rule.spec.judge(
        resource,
        new Random(call.account.id, call.region, rule.spec.rule, resource.id),
      );
      if (verdict) results.push({ rule, resource, verdict, ...evaluationTimes(rule, resource, call.now) });
    }
    evaluations.set(rule.name, results);
  }
  const state = { setup, resources, deleted, evaluations };
  const oldest = recentStates.keys().next().value;
  if (oldest !== undefined && recentStates.size >= RECENT_STATES) recentStates.delete(oldest);
  recentStates.set(key, state);
  return state;
}

type ComplianceType = 'COMPLIANT' | 'NON_COMPLIANT' | 'NOT_APPLICABLE' | 'INSUFFICIENT_DATA';

function ruleCompliance(evaluations: readonly Evaluation[]): ComplianceType {
  if (evaluations.length === 0) return 'INSUFFICIENT_DATA';
  return evaluations.some((e) => !e.verdict.compliant) ? 'NON_COMPLIANT' : 'COMPLIANT';
}

// Errors and validation ------------------------------------------------------------------------------------

function validation(message: string): Error {
  return awsError('ValidationException', `1 validation error detected: ${message}`);
}

function invalidLimit(limit: unknown, max: number): Error {
  return awsError(
    'InvalidLimitException',
    `Limit ${String(limit)} is not valid: it must be between 0 and ${max}.`,
  );
}

function limitOf(value: unknown, max: number, error: (limit: unknown) => Error): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > max) throw error(value);
  return value === 0 ? undefined : value;
}

const invalidToken = () =>
  awsError(
    'InvalidNextTokenException',
    'The nextToken provided is invalid. Specify the nextToken string that was returned in the previous response.',
  );

const COMPLIANCE_FILTERS = new Set(['COMPLIANT', 'NON_COMPLIANT', 'NOT_APPLICABLE', 'INSUFFICIENT_DATA']);

function complianceFilter(value: unknown, allowInsufficient: boolean): Set<string> | null {
  if (value === undefined || (Array.isArray(value) && value.length === 0)) return null;
  const types = value as unknown[];
  for (const type of types) {
    if (
      typeof type !== 'string' ||
      !COMPLIANCE_FILTERS.has(type) ||
      (!allowInsufficient && type === 'INSUFFICIENT_DATA')
    ) {
      throw awsError(
        'InvalidParameterValueException',
        `ComplianceType ${String(type)} is not valid for this request.`,
      );
    }
  }
  return new Set(types as string[]);
}

function findRule(state: RegionState, name: unknown): DeployedRule {
  if (typeof name !== 'string' || name === '') {
    throw validation("Value null at 'configRuleName' failed to satisfy constraint: Member must not be null");
  }
  const rule = state.setup.rules.find((r) => r.name === name);
  if (!rule) {
    throw awsError(
      'NoSuchConfigRuleException',
      `The ConfigRule '${name}' provided in the request is invalid. Please check the configRule name.`,
    );
  }
  return rule;
}

function noSuchPack(names: readonly string[]): Error {
  return awsError('NoSuchConformancePackException', `Cannot find conformance pack(s): ${names.join(', ')}.`);
}

// Operations -----------------------------------------------------------------------------------------------

/** Small server pages, which AWS may return whatever the Limit, so paging really happens. */
const PACKS_PAGE = 2;
const PACK_RULES_PAGE = 4;
const RULES_PAGE = 10;
const DETAILS_PAGE = 10;
const SELECT_PAGE = 25;

function recorderArn(call: SampleCall): string {
  return `arn:aws:config:${call.region}:${call.account.id}:configuration-recorder/default/${new Random(call.account.id, call.region, 'recorder').hex(16)}`;
}

function describeConfigurationRecorderStatus(call: SampleCall): object {
  const { ConfigurationRecorderNames } = call.input;
  const state = regionState(call);
  const names: string[] = ConfigurationRecorderNames ?? [];
  const missing = names.filter((n) => !state.setup.recorder || n !== 'default');
  if (missing.length > 0) {
    throw awsError(
      'NoSuchConfigurationRecorderException',
      `Cannot find configuration recorder with the specified name '${missing[0]}'.`,
    );
  }
  if (!state.setup.recorder) return { ConfigurationRecordersStatus: [] };
  const started = new Date(call.account.joinedAt.getTime() + DAY_MS);
  const random = new Random(
    call.account.id,
    call.region,
    'recorder-status',
    Math.floor(call.now.getTime() / 3_600_000),
  );
  return {
    ConfigurationRecordersStatus: [
      {
        arn: recorderArn(call),
        name: 'default',
        lastStartTime: started,
        recording: true,
        lastStatus: 'SUCCESS',
        lastStatusChangeTime: new Date(call.now.getTime() - random.int(1, 50) * MINUTE_MS),
      },
    ],
  };
}

function describeConformancePacks(call: SampleCall): object {
  const { ConformancePackNames, Limit, NextToken } = call.input;
  const limit = limitOf(Limit, 20, (l) => invalidLimit(l, 20));
  const state = regionState(call);
  const names: string[] = ConformancePackNames ?? [];
  const missing = names.filter((n) => !state.setup.packs.includes(n));
  if (missing.length > 0) throw noSuchPack(missing);
  const packs = names.length > 0 ? state.setup.packs.filter((p) => names.includes(p)) : state.setup.packs;
  const { page, nextToken } = paginate(packs, {
    token: NextToken,
    pageSize: Math.min(limit ?? 20, PACKS_PAGE),
    request: { ConformancePackNames, Limit, account: call.account.id, region: call.region },
    invalidToken,
  });
  return {
    ConformancePackDetails: page.map((name) => {
      const random = new Random(call.account.id, call.region, name);
      const id = `conformance-pack-${random.hex(9)}`;
      const organization = name.startsWith('OrgConformsPack-');
      return {
        ConformancePackName: name,
        ConformancePackArn: `arn:aws:config:${call.region}:${call.account.id}:conformance-pack/${name}/${id}`,
        ConformancePackId: id,
        ConformancePackInputParameters: [],
        LastUpdateRequestedTime: new Date(call.account.joinedAt.getTime() + random.int(2, 200) * DAY_MS),
        ...(organization ? { CreatedBy: 'config-conforms.amazonaws.com' } : {}),
      };
    }),
    ...(nextToken ? { NextToken: nextToken } : {}),
  };
}

function describeConformancePackCompliance(call: SampleCall): object {
  const { ConformancePackName, Filters, Limit, NextToken } = call.input;
  if (typeof ConformancePackName !== 'string' || ConformancePackName === '') {
    throw validation(
      "Value null at 'conformancePackName' failed to satisfy constraint: Member must not be null",
    );
  }
  const limit = limitOf(Limit, 1000, (l) => invalidLimit(l, 1000));
  const state = regionState(call);
  if (!state.setup.packs.includes(ConformancePackName)) throw noSuchPack([ConformancePackName]);
  const inPack = state.setup.rules.filter((r) => r.pack === ConformancePackName);
  const wanted: string[] = Filters?.ConfigRuleNames ?? [];
  const unknown = wanted.filter((name) => !inPack.some((r) => r.name === name));
  if (unknown.length > 0) {
    throw awsError(
      'NoSuchConfigRuleInConformancePackException',
      `Config rule ${unknown[0]} does not exist in conformance pack ${ConformancePackName}.`,
    );
  }
  const rules = inPack
    .filter((r) => wanted.length === 0 || wanted.includes(r.name))
    .map((r) => ({ rule: r, compliance: ruleCompliance(state.evaluations.get(r.name) ?? []) }))
    .filter((r) => Filters?.ComplianceType === undefined || r.compliance === Filters.ComplianceType);
  const { page, nextToken } = paginate(rules, {
    token: NextToken,
    pageSize: Math.min(limit ?? 100, PACK_RULES_PAGE),
    request: { ConformancePackName, Filters, Limit, account: call.account.id, region: call.region },
    invalidToken,
  });
  return {
    ConformancePackName,
    ConformancePackRuleComplianceList: page.map((r) => ({
      ConfigRuleName: r.rule.name,
      ComplianceType: r.compliance,
      Controls: [],
    })),
    ...(nextToken ? { NextToken: nextToken } : {}),
  };
}

function describeComplianceByConfigRule(call: SampleCall): object {
  const { ConfigRuleNames, ComplianceTypes, NextToken } = call.input;
  const state = regionState(call);
  const types = complianceFilter(ComplianceTypes, true);
  const names: string[] = ConfigRuleNames ?? [];
  for (const name of names) findRule(state, name);
  const rules = state.setup.rules
    .filter((r) => names.length === 0 || names.includes(r.name))
    .map((rule) => {
      const evaluations = state.evaluations.get(rule.name) ?? [];
      const compliance = ruleCompliance(evaluations);
      const failing = evaluations.filter((e) => !e.verdict.compliant).length;
      return {
        ConfigRuleName: rule.name,
        Compliance: {
          ComplianceType: compliance,
          ...(compliance === 'NON_COMPLIANT'
            ? {
                ComplianceContributorCount: {
                  CappedCount: Math.min(failing, 100),
                  CapExceeded: failing > 100,
                },
              }
            : {}),
        },
      };
    })
    .filter((r) => types === null || types.has(r.Compliance.ComplianceType));
  const { page, nextToken } = paginate(rules, {
    token: NextToken,
    pageSize: RULES_PAGE,
    request: { ConfigRuleNames, ComplianceTypes, account: call.account.id, region: call.region },
    invalidToken,
  });
  return { ComplianceByConfigRules: page, ...(nextToken ? { NextToken: nextToken } : {}) };
}

function getComplianceDetailsByConfigRule(call: SampleCall): object {
  const { ConfigRuleName, ComplianceTypes, Limit, NextToken } = call.input;
  const limit = limitOf(Limit, 100, (l) =>
    validation(
      `Value '${String(l)}' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 100`,
    ),
  );
  const state = regionState(call);
  const rule = findRule(state, ConfigRuleName);
  const types = complianceFilter(ComplianceTypes, false);
  const results = (state.evaluations.get(rule.name) ?? []).filter(
    (e) => types === null || types.has(e.verdict.compliant ? 'COMPLIANT' : 'NON_COMPLIANT'),
  );
  const { page, nextToken } = paginate(results, {
    token: NextToken,
    pageSize: Math.min(limit ?? 10, DETAILS_PAGE),
    request: { ConfigRuleName, ComplianceTypes, Limit, account: call.account.id, region: call.region },
    invalidToken,
  });
  return {
    EvaluationResults: page.map((e) => ({
      EvaluationResultIdentifier: {
        EvaluationResultQualifier: {
          ConfigRuleName: rule.name,
          ResourceType: e.resource.type,
          ResourceId: e.resource.id,
          EvaluationMode: 'DETECTIVE',
        },
        OrderingTimestamp: rule.spec.periodic ? e.invokedAt : e.resource.capturedAt,
      },
      ComplianceType: e.verdict.compliant ? 'COMPLIANT' : 'NON_COMPLIANT',
      ResultRecordedTime: e.recordedAt,
      ConfigRuleInvokedTime: e.invokedAt,
      ...(e.verdict.annotation ? { Annotation: e.verdict.annotation } : {}),
    })),
    ...(nextToken ? { NextToken: nextToken } : {}),
  };
}

const FIELD_RE = /^[A-Za-z][A-Za-z0-9]*(\.[A-Za-z][A-Za-z0-9]*)*$/;

/** The properties of `SELECT a, b.c, ...`; the sample answers plain property lists, without WHERE or aggregates. */
function selectedFields(expression: unknown): string[] {
  if (typeof expression !== 'string' || expression === '') {
    throw validation("Value null at 'expression' failed to satisfy constraint: Member must not be null");
  }
  if (expression.length > 4096) {
    throw validation(
      "Value at 'expression' failed to satisfy constraint: Member must have length less than or equal to 4096",
    );
  }
  const match = /^\s*SELECT\s+(.+?)\s*$/is.exec(expression);
  const fields = match?.[1]?.split(',').map((f) => f.trim()) ?? [];
  if (fields.length === 0 || fields.some((f) => !FIELD_RE.test(f))) {
    throw awsError('InvalidExpressionException', `Invalid query expression: ${expression}`);
  }
  return fields;
}

/** A configuration item's queryable properties, as advanced query names them. */
function itemProperties(resource: ConfigResource, region: string, accountId: string, status: string) {
  return {
    accountId,
    awsRegion: region,
    resourceId: resource.id,
    resourceType: resource.type,
    ...(resource.name === null ? {} : { resourceName: resource.name }),
    arn: resource.arn,
    availabilityZone: resource.availabilityZone,
    resourceCreationTime: resource.createdAt.toISOString(),
    configurationItemCaptureTime: resource.capturedAt.toISOString(),
    configurationItemStatus: status,
    configuration: resource.configuration,
  };
}

function pick(source: Record<string, unknown>, path: readonly string[], into: Record<string, unknown>): void {
  const [head, ...rest] = path as [string, ...string[]];
  const value = source[head];
  if (value === undefined) return;
  if (rest.length === 0) {
    into[head] = structuredClone(value);
    return;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return;
  const nested = (into[head] as Record<string, unknown> | undefined) ?? {};
  pick(value as Record<string, unknown>, rest, nested);
  if (Object.keys(nested).length > 0) into[head] = nested;
}

function selectResourceConfig(call: SampleCall): object {
  const { Expression, Limit, NextToken } = call.input;
  const fields = selectedFields(Expression);
  const limit = limitOf(Limit, 100, (l) => invalidLimit(l, 100));
  const state = regionState(call);
  const items = [
    ...state.resources.map((r) => {
      const fresh = r.capturedAt.getTime() - r.createdAt.getTime() < 3_600_000;
      return itemProperties(r, call.region, call.account.id, fresh ? 'ResourceDiscovered' : 'OK');
    }),
    ...state.deleted.map((r) => itemProperties(r, call.region, call.account.id, 'ResourceDeleted')),
  ];
  const { page, nextToken } = paginate(items, {
    token: NextToken,
    pageSize: Math.min(limit ?? 100, SELECT_PAGE),
    request: { Expression, Limit, account: call.account.id, region: call.region },
    invalidToken,
  });
  return {
    Results: page.map((item) => {
      const selected: Record<string, unknown> = {};
      for (const field of fields) pick(item, field.split('.'), selected);
      return JSON.stringify(selected);
    }),
    QueryInfo: { SelectFields: fields.map((Name) => ({ Name })) },
    ...(nextToken ? { NextToken: nextToken } : {}),
  };
}

/** What Config answers where the account has no configuration recorder. */
function noRecorder(): Error {
  return awsError(
    'NoAvailableConfigurationRecorderException',
    'There are no customer managed configuration recorders available to record your resources. Use the PutConfigurationRecorder operation to create the customer managed configuration recorder.',
  );
}

export const configServiceSimulator: ServiceSimulator = {
  service: 'ConfigService',
  operations: {
    DescribeConfigurationRecorderStatus: describeConfigurationRecorderStatus,
    DescribeConformancePacks: describeConformancePacks,
    DescribeConformancePackCompliance: describeConformancePackCompliance,
    DescribeComplianceByConfigRule: describeComplianceByConfigRule,
    GetComplianceDetailsByConfigRule: getComplianceDetailsByConfigRule,
    SelectResourceConfig: selectResourceConfig,
  },
  notEnabled: () => noRecorder(),
  malform(operation, output) {
    const copy = structuredClone(output) as Record<string, unknown>;
    if (operation === 'DescribeConformancePacks') {
      const first = (copy.ConformancePackDetails as Array<Record<string, unknown>>)[0];
      if (first) delete first.ConformancePackName;
    } else if (operation === 'DescribeConformancePackCompliance') {
      delete copy.ConformancePackRuleComplianceList;
    }
    return copy;
  },
};
