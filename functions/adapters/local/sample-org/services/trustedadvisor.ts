import { isRegionEnabled, type SampleAccount } from '../accounts.ts';
import { accountBuckets, type RegionInventory, regionInventory, type SampleBucket } from '../inventory.ts';
import { Random } from '../random.ts';
import { awsError, paginate, type SampleCall, type ServiceSimulator } from '../simulator.ts';
import {
  functionFacts,
  instanceFacts,
  instanceMonthly,
  priceFactor,
  volumeFacts,
  volumeMonthly,
} from './compute-optimizer.ts';

/**
 * The Trusted Advisor API of the sample organization. Each check's result is computed from the shared sample
 * inventory (and, for the checks Compute Optimizer feeds, from the compute-optimizer simulator's facts), so the
 * flagged counts and the savings agree with the resources the other categories list. Enterprise Support
 * accounts also have Trusted Advisor Priority recommendations that a TAM opens, that move through their
 * lifecycle and that disappear after a few weeks.
 */

export type SupportPlan = 'basic' | 'business' | 'enterprise';

/** Production and the management account are on Enterprise Support, personal sandboxes on Basic. */
export function supportPlan(account: SampleAccount): SupportPlan {
  if (account.environment === 'sandbox') return 'basic';
  return account.environment === 'production' || account.environment === 'management'
    ? 'enterprise'
    : 'business';
}

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
const HOURS_PER_MONTH = 730;
const PAGE_SIZE = 10;
const MAX_RESULTS = 200;
const ELB_HOURLY = 0.0225;
const IDLE_ADDRESS_HOURLY = 0.005;
/** The metrics a utilization check (or Compute Optimizer, whose findings some checks show) needs first. */
const MIN_HISTORY_MS = 30 * HOUR_MS;

const PILLARS = [
  'cost_optimizing',
  'performance',
  'security',
  'service_limits',
  'fault_tolerance',
  'operational_excellence',
] as const;
const SOURCES = [
  'aws_config',
  'compute_optimizer',
  'cost_explorer',
  'lse',
  'manual',
  'pse',
  'rds',
  'resilience',
  'resilience_hub',
  'security_hub',
  'stir',
  'ta_check',
  'well_architected',
] as const;
const STATUSES = ['ok', 'warning', 'error'] as const;
const LANGUAGES = ['en', 'ja', 'zh', 'fr', 'de', 'ko', 'zh_TW', 'it', 'es', 'pt_BR', 'id'];

/** What Trusted Advisor sees of an account: its resources in every enabled region, and its buckets. */
interface Estate {
  readonly account: SampleAccount;
  readonly now: Date;
  readonly regions: ReadonlyArray<{ readonly region: string; readonly inventory: RegionInventory }>;
  readonly buckets: readonly SampleBucket[];
}

interface Result {
  readonly ok: number;
  readonly warning: number;
  readonly error: number;
  /** Cost optimizing checks: the monthly savings and the monthly spend they are a share of (USD). */
  readonly savings?: { readonly monthly: number; readonly spend: number };
}

interface Check {
  readonly id: string;
  readonly name: string;
  readonly description: string;
  readonly pillars: readonly (typeof PILLARS)[number][];
  readonly awsServices: readonly string[];
  readonly source: (typeof SOURCES)[number];
  readonly metadata: Readonly<Record<string, string>>;
  evaluate(estate: Estate): Result;
}

/** A resource's own, stable draw for a check. */
const draw = (id: string, checkId: string) => new Random(id, 'trusted-advisor', checkId);

/** Splits items into ok / warning / error by a classifier. */
function tally<T>(items: readonly T[], classify: (item: T) => 'ok' | 'warning' | 'error'): Result {
  const result = { ok: 0, warning: 0, error: 0 };
  for (const item of items) result[classify(item)] += 1;
  return result;
}

function withRegion<K extends keyof RegionInventory>(estate: Estate, kind: K) {
  return estate.regions.flatMap(({ region, inventory }) =>
    (inventory[kind] as ReadonlyArray<RegionInventory[K][number]>).map((item) => ({ region, item })),
  );
}

const hasHistory = (createdAt: Date, now: Date) => createdAt.getTime() + MIN_HISTORY_MS <= now.getTime();
/** Running instances with enough metrics to judge their utilization. */
const running = (estate: Estate) =>
  withRegion(estate, 'instances').filter(
    ({ item }) => item.state === 'running' && hasHistory(item.createdAt, estate.now),
  );

const VCPUS: Readonly<Record<string, number>> = { small: 2, medium: 2, large: 2, xlarge: 4, '2xlarge': 8 };
const vcpusOf = (instanceType: string) => VCPUS[instanceType.split('.')[1] ?? ''] ?? 2;

/** Lambda's deprecation dates of the sample runtimes. */
const RUNTIME_DEPRECATION: Readonly<Record<string, string>> = {
  'nodejs18.x': '2025-09-01',
  'nodejs20.x': '2026-04-30',
  'nodejs22.x': '2027-04-30',
  'python3.12': '2028-10-31',
  'python3.13': '2029-06-30',
  java21: '2029-06-30',
  'provided.al2023': '2029-06-30',
};

const DB_HOURLY: Readonly<Record<string, number>> = {
  'db.t4g.medium': 0.065,
  'db.r6g.large': 0.225,
  'db.r6g.xlarge': 0.45,
  'db.m6g.large': 0.152,
};

const CHECKS: readonly Check[] = [
  {
    id: 'Qch7DwouX1',
    name: 'Low Utilization Amazon EC2 Instances',
    description:
      'Checks the Amazon Elastic Compute Cloud (Amazon EC2) instances that were running at any time during the last 14 days and alerts you if the daily CPU utilization was 10% or less and network I/O was 5 MB or less on 4 or more days.',
    pillars: ['cost_optimizing'],
    awsServices: ['ec2'],
    source: 'ta_check',
    metadata: {
      '0': 'Region/AZ',
      '1': 'Instance ID',
      '2': 'Instance Name',
      '3': 'Instance Type',
      '4': 'Estimated Monthly Savings',
    },
    evaluate(estate) {
      const instances = running(estate);
      const idle = ({ item }: (typeof instances)[number]) => {
        const facts = instanceFacts(item);
        return facts.finding === 'Overprovisioned' && facts.cpuMax < 20;
      };
      const result = tally(instances, (i) => (idle(i) ? 'warning' : 'ok'));
      const cost = ({ region, item }: (typeof instances)[number]) =>
        instanceMonthly(item.instanceType, region);
      return {
        ...result,
        savings: {
          monthly: instances.filter(idle).reduce((sum, i) => sum + cost(i), 0),
          spend: instances.reduce((sum, i) => sum + cost(i), 0),
        },
      };
    },
  },
  {
    id: 'DAvU99Dc4C',
    name: 'Underutilized Amazon EBS Volumes',
    description:
      'Checks Amazon Elastic Block Store (Amazon EBS) volume configurations and warns when volumes appear to be underused. Charges begin when a volume is created. If a volume remains unattached or has very low write activity (excluding boot volumes) for a period of time, the volume is underutilized.',
    pillars: ['cost_optimizing'],
    awsServices: ['ebs'],
    source: 'ta_check',
    metadata: {
      '0': 'Region',
      '1': 'Volume ID',
      '2': 'Volume Type',
      '3': 'Volume Size',
      '4': 'Monthly Storage Cost',
    },
    evaluate(estate) {
      const volumes = withRegion(estate, 'volumes');
      const cost = ({ region, item }: (typeof volumes)[number]) =>
        volumeMonthly(item.volumeType, item.sizeGb, item.iops, region);
      const unattached = volumes.filter(({ item }) => item.instanceId === null);
      return {
        ...tally(volumes, ({ item }) => (item.instanceId === null ? 'warning' : 'ok')),
        savings: {
          monthly: unattached.reduce((sum, v) => sum + cost(v), 0),
          spend: volumes.reduce((sum, v) => sum + cost(v), 0),
        },
      };
    },
  },
  {
    id: 'hjLMh88uM8',
    name: 'Idle Load Balancers',
    description:
      'Checks your Elastic Load Balancing configuration for load balancers that are not actively used. Any load balancer that is configured accrues charges. If a load balancer has no associated back-end instances, or if network traffic is severely limited, the load balancer is not being used effectively.',
    pillars: ['cost_optimizing'],
    awsServices: ['elasticloadbalancing'],
    source: 'ta_check',
    metadata: { '0': 'Region', '1': 'Load Balancer Name', '2': 'Reason', '3': 'Estimated Monthly Savings' },
    evaluate(estate) {
      const balancers = withRegion(estate, 'loadBalancers');
      const idle = ({ item }: (typeof balancers)[number]) => draw(item.arn, this.id).chance(0.2);
      const cost = ({ region }: (typeof balancers)[number]) =>
        ELB_HOURLY * HOURS_PER_MONTH * priceFactor(region);
      return {
        ...tally(balancers, (b) => (idle(b) ? 'warning' : 'ok')),
        savings: {
          monthly: balancers.filter(idle).reduce((sum, b) => sum + cost(b), 0),
          spend: balancers.reduce((sum, b) => sum + cost(b), 0),
        },
      };
    },
  },
  {
    id: 'Ti39halfu8',
    name: 'Amazon RDS Idle DB Instances',
    description:
      'Checks the configuration of your Amazon Relational Database Service (Amazon RDS) for any database (DB) instances that appear to be idle. If a DB instance has not had a connection for a prolonged period of time, you can delete the instance to reduce costs.',
    pillars: ['cost_optimizing'],
    awsServices: ['rds'],
    source: 'ta_check',
    metadata: {
      '0': 'Region',
      '1': 'DB Instance Name',
      '2': 'Multi-AZ',
      '3': 'Instance Type',
      '4': 'Estimated Monthly Savings',
    },
    evaluate(estate) {
      const databases = withRegion(estate, 'databases');
      const idle = ({ item }: (typeof databases)[number]) =>
        item.status === 'stopped' || draw(item.arn, this.id).chance(0.08);
      const cost = ({ region, item }: (typeof databases)[number]) =>
        (DB_HOURLY[item.instanceClass] ?? 0.2) *
        HOURS_PER_MONTH *
        priceFactor(region) *
        (item.multiAz ? 2 : 1);
      return {
        ...tally(databases, (d) => (idle(d) ? 'warning' : 'ok')),
        savings: {
          monthly: databases.filter(idle).reduce((sum, d) => sum + cost(d), 0),
          spend: databases.reduce((sum, d) => sum + cost(d), 0),
        },
      };
    },
  },
  {
    id: 'Z4AUBRNSmz',
    name: 'Unassociated Elastic IP Addresses',
    description:
      'Checks for Elastic IP addresses (EIPs) that are not associated with a running Amazon Elastic Compute Cloud (Amazon EC2) instance. EIPs are static IP addresses designed for dynamic cloud computing. A nominal charge is imposed for an EIP that is not associated with a running instance.',
    pillars: ['cost_optimizing'],
    awsServices: ['ec2'],
    source: 'ta_check',
    metadata: { '0': 'Region', '1': 'IP Address' },
    evaluate(estate) {
      let ok = 0;
      let warning = 0;
      let monthly = 0;
      for (const { region, inventory } of estate.regions) {
        const r = new Random(estate.account.id, region, this.id);
        const idle = r.int(0, estate.account.environment === 'production' ? 3 : 1);
        warning += idle;
        ok += Math.round(inventory.instances.length * 0.2);
        monthly += idle * IDLE_ADDRESS_HOURLY * HOURS_PER_MONTH * priceFactor(region);
      }
      return { ok, warning, error: 0, savings: { monthly, spend: monthly } };
    },
  },
  {
    id: 'COr6dfpM05',
    name: 'AWS Lambda over-provisioned functions for memory size',
    description:
      'Checks the AWS Lambda functions that were invoked at least once during the lookback period. This check alerts you if any of your Lambda functions were over-provisioned for memory size. Estimated monthly savings are calculated by AWS Compute Optimizer.',
    pillars: ['cost_optimizing'],
    awsServices: ['lambda'],
    source: 'compute_optimizer',
    metadata: { '0': 'Function Name', '1': 'Recommended Memory Size', '2': 'Estimated Monthly Savings' },
    evaluate(estate) {
      const functions = withRegion(estate, 'functions')
        .filter(({ item }) => hasHistory(item.createdAt, estate.now))
        .map(({ item }) => functionFacts(item))
        .filter((facts) => facts.finding !== 'Unavailable');
      const over = functions.filter((f) => f.reasons.includes('MemoryOverprovisioned'));
      return {
        ...tally(functions, (f) => (f.reasons.includes('MemoryOverprovisioned') ? 'warning' : 'ok')),
        savings: {
          monthly: over.reduce((sum, f) => sum + Math.max(0, f.currentMonthly - f.recommendedMonthly), 0),
          spend: functions.reduce((sum, f) => sum + f.currentMonthly, 0),
        },
      };
    },
  },
  {
    id: 'COr6dfpM03',
    name: 'Amazon EBS over-provisioned volumes',
    description:
      'Checks the Amazon Elastic Block Store (Amazon EBS) volumes that were attached to an instance during the lookback period and alerts you if any volumes are over-provisioned. Estimated monthly savings are calculated by AWS Compute Optimizer.',
    pillars: ['cost_optimizing'],
    awsServices: ['ebs'],
    source: 'compute_optimizer',
    metadata: {
      '0': 'Volume ID',
      '1': 'Current Volume Type',
      '2': 'Recommended Volume Type',
      '3': 'Estimated Monthly Savings',
    },
    evaluate(estate) {
      const volumes = withRegion(estate, 'volumes')
        .filter(({ item }) => item.instanceId !== null && hasHistory(item.createdAt, estate.now))
        .map(({ region, item }) => volumeFacts(item, region));
      return {
        ...tally(volumes, (v) => (v.finding === 'NotOptimized' ? 'warning' : 'ok')),
        savings: {
          monthly: volumes.reduce((sum, v) => sum + (v.currentMonthly - v.recommendedMonthly), 0),
          spend: volumes.reduce((sum, v) => sum + v.currentMonthly, 0),
        },
      };
    },
  },
  {
    id: 'HCP4007jGY',
    name: 'Security Groups - Specific Ports Unrestricted',
    description:
      'Checks security groups for rules that allow unrestricted access (0.0.0.0/0) to specific ports. Unrestricted access increases opportunities for malicious activity (hacking, denial-of-service attacks, loss of data).',
    pillars: ['security'],
    awsServices: ['ec2'],
    source: 'ta_check',
    metadata: {
      '0': 'Region',
      '1': 'Security Group Name',
      '2': 'Security Group ID',
      '3': 'Protocol',
      '4': 'Port',
    },
    evaluate(estate) {
      const result = { ok: 0, warning: 0, error: 0 };
      for (const { region, inventory } of estate.regions) {
        const r = new Random(estate.account.id, region, this.id);
        const groups = inventory.vpcs.length * 3 + Math.ceil(inventory.instances.length / 2);
        result.error += r.chance(0.25) ? 1 : 0;
        result.warning += r.int(0, 3);
        result.ok += Math.max(0, groups - result.error - result.warning);
      }
      return result;
    },
  },
  {
    id: 'Pfx0RwqBli',
    name: 'Amazon S3 Bucket Permissions',
    description:
      'Checks buckets in Amazon Simple Storage Service (Amazon S3) that have open access permissions, or that allow access to any authenticated AWS user.',
    pillars: ['security'],
    awsServices: ['s3'],
    source: 'ta_check',
    metadata: { '0': 'Region', '1': 'Bucket Name', '2': 'ACL Allows List', '3': 'Policy Allows Access' },
    evaluate(estate) {
      return tally(estate.buckets, (b) => {
        const r = draw(b.name, this.id);
        return r.chance(0.05) ? 'error' : r.chance(0.1) ? 'warning' : 'ok';
      });
    },
  },
  {
    id: '7DAFEmoDos',
    name: 'MFA on Root Account',
    description:
      'Checks the root account and warns if multi-factor authentication (MFA) is not enabled. For increased security, we recommend that you protect your account by using MFA.',
    pillars: ['security'],
    awsServices: ['iam'],
    source: 'ta_check',
    metadata: { '0': 'Account' },
    evaluate(estate) {
      const missing =
        estate.account.environment !== 'management' && draw(estate.account.id, this.id).chance(0.12);
      return { ok: missing ? 0 : 1, warning: 0, error: missing ? 1 : 0 };
    },
  },
  {
    id: 'DqdJqYeRm5',
    name: 'IAM Access Key Rotation',
    description:
      'Checks for active IAM access keys that have not been rotated in the last 90 days. When you rotate your access keys regularly, you reduce the chance that a compromised key could be used without your knowledge.',
    pillars: ['security'],
    awsServices: ['iam'],
    source: 'ta_check',
    metadata: { '0': 'IAM User', '1': 'Access Key', '2': 'Key Last Rotated', '3': 'Reason' },
    evaluate(estate) {
      const r = draw(estate.account.id, this.id);
      return { ok: r.int(2, 14), warning: r.int(0, 4), error: r.chance(0.3) ? r.int(1, 2) : 0 };
    },
  },
  {
    id: 'L4dfs2Q4C5',
    name: 'AWS Lambda Functions Using Deprecated Runtimes',
    description:
      'Checks for Lambda functions whose $LATEST version is configured to use a runtime that is approaching deprecation, or is deprecated. Deprecated runtimes are not eligible for security updates or technical support.',
    pillars: ['security'],
    awsServices: ['lambda'],
    source: 'ta_check',
    metadata: {
      '0': 'Region',
      '1': 'Function ARN',
      '2': 'Runtime',
      '3': 'Days to Deprecation',
      '4': 'Deprecation Date',
    },
    evaluate(estate) {
      return tally(withRegion(estate, 'functions'), ({ item }) => {
        const deprecation = RUNTIME_DEPRECATION[item.runtime];
        if (deprecation === undefined) return 'ok';
        const daysLeft = (Date.parse(`${deprecation}T00:00:00Z`) - estate.now.getTime()) / DAY_MS;
        return daysLeft <= 0 ? 'error' : daysLeft <= 180 ? 'warning' : 'ok';
      });
    },
  },
  {
    id: 'Hs4Ma3G127',
    name: 'EC2 instances should use Instance Metadata Service Version 2 (IMDSv2)',
    description:
      'Checks whether your Amazon Elastic Compute Cloud (Amazon EC2) instance metadata version is configured with Instance Metadata Service Version 2 (IMDSv2). This check comes from AWS Security Hub control EC2.8.',
    pillars: ['security'],
    awsServices: ['ec2'],
    source: 'security_hub',
    metadata: { '0': 'Control ID', '1': 'Resource', '2': 'Region' },
    evaluate(estate) {
      return tally(withRegion(estate, 'instances'), ({ item }) =>
        draw(item.id, this.id).chance(0.3) ? 'warning' : 'ok',
      );
    },
  },
  {
    id: 'H7IgTzjTYb',
    name: 'Amazon EBS Snapshots',
    description:
      'Checks the age of the snapshots for your Amazon Elastic Block Store (Amazon EBS) volumes (available or in-use). Even though Amazon EBS volumes are replicated, failures can occur. Snapshots are persisted to Amazon S3 for durable storage and point-in-time recovery.',
    pillars: ['fault_tolerance'],
    awsServices: ['ebs'],
    source: 'ta_check',
    metadata: { '0': 'Region', '1': 'Volume ID', '2': 'Snapshot Age', '3': 'Reason' },
    evaluate(estate) {
      return tally(withRegion(estate, 'volumes'), ({ item }) => {
        const r = draw(item.id, this.id);
        return r.chance(0.08) ? 'error' : r.chance(0.25) ? 'warning' : 'ok';
      });
    },
  },
  {
    id: 'f2iK5R6Dep',
    name: 'Amazon RDS Multi-AZ',
    description:
      'Checks for DB instances that are deployed in a single Availability Zone. Multi-AZ deployments enhance database availability by synchronously replicating to a standby instance in a different Availability Zone.',
    pillars: ['fault_tolerance'],
    awsServices: ['rds'],
    source: 'ta_check',
    metadata: { '0': 'Region', '1': 'DB Instance', '2': 'VPC ID', '3': 'Multi-AZ' },
    evaluate(estate) {
      return tally(withRegion(estate, 'databases'), ({ item }) => (item.multiAz ? 'ok' : 'warning'));
    },
  },
  {
    id: 'opQPADkZvH',
    name: 'Amazon RDS Backups',
    description:
      'Checks for automated backups of Amazon RDS DB instances. By default, backups are enabled with a retention period of one day. Backups reduce the risk of unexpected data loss and allow for point-in-time recovery.',
    pillars: ['fault_tolerance'],
    awsServices: ['rds'],
    source: 'ta_check',
    metadata: { '0': 'Region/AZ', '1': 'DB Instance', '2': 'Backup Retention Period' },
    evaluate(estate) {
      return tally(withRegion(estate, 'databases'), ({ item }) =>
        draw(item.arn, this.id).chance(0.04) ? 'error' : 'ok',
      );
    },
  },
  {
    id: 'iqdCTZKCUp',
    name: 'Load Balancer Optimization',
    description:
      'Checks your load balancer configuration. To help increase the level of fault tolerance in Amazon EC2 when using Elastic Load Balancing, we recommend running an equal number of instances across multiple Availability Zones in a region.',
    pillars: ['fault_tolerance'],
    awsServices: ['elasticloadbalancing'],
    source: 'ta_check',
    metadata: { '0': 'Region', '1': 'Load Balancer Name', '2': '# of Zones', '3': 'Reason' },
    evaluate(estate) {
      return tally(withRegion(estate, 'loadBalancers'), ({ item }) =>
        item.availabilityZones.length < 3 && draw(item.arn, this.id).chance(0.5) ? 'warning' : 'ok',
      );
    },
  },
  {
    id: 'wuy7G1zxql',
    name: 'Amazon EC2 Availability Zone Balance',
    description:
      'Checks the distribution of Amazon Elastic Compute Cloud (Amazon EC2) instances across Availability Zones in a region. Availability Zones are distinct locations that are designed to be insulated from failures in other Availability Zones.',
    pillars: ['fault_tolerance'],
    awsServices: ['ec2'],
    source: 'ta_check',
    metadata: {
      '0': 'Region',
      '1': 'Zone a Instances',
      '2': 'Zone b Instances',
      '3': 'Zone c Instances',
      '4': 'Reason',
    },
    evaluate(estate) {
      const regions = estate.regions.filter(({ inventory }) => inventory.instances.length > 0);
      return tally(regions, ({ region, inventory }) => {
        const zones = ['a', 'b', 'c'].map(
          (z) => inventory.instances.filter((i) => i.availabilityZone === `${region}${z}`).length,
        );
        const used = zones.filter((n) => n > 0).length;
        if (used === 1 && inventory.instances.length > 1) return 'error';
        return Math.max(...zones) - Math.min(...zones) > 2 ? 'warning' : 'ok';
      });
    },
  },
  {
    id: 'R365s2Qddf',
    name: 'Amazon S3 Bucket Versioning',
    description:
      'Checks for Amazon Simple Storage Service buckets that do not have versioning enabled, or have versioning suspended. When versioning is enabled, you can easily recover from both unintended user actions and application failures.',
    pillars: ['fault_tolerance'],
    awsServices: ['s3'],
    source: 'ta_check',
    metadata: { '0': 'Region', '1': 'Bucket Name', '2': 'Versioning', '3': 'MFA Delete Enabled' },
    evaluate(estate) {
      return tally(estate.buckets, (b) => (draw(b.name, this.id).chance(0.35) ? 'warning' : 'ok'));
    },
  },
  {
    id: 'ZRxQlPsb6c',
    name: 'High Utilization Amazon EC2 Instances',
    description:
      'Checks the Amazon Elastic Compute Cloud (Amazon EC2) instances that were running at any time during the last 14 days and alerts you if the daily CPU utilization was more than 90% on 4 or more days.',
    pillars: ['performance'],
    awsServices: ['ec2'],
    source: 'ta_check',
    metadata: {
      '0': 'Region/AZ',
      '1': 'Instance ID',
      '2': 'Instance Type',
      '3': '14-Day Average CPU Utilization',
    },
    evaluate(estate) {
      return tally(running(estate), ({ item }) => {
        const facts = instanceFacts(item);
        return facts.finding === 'Underprovisioned' && facts.cpuMax >= 95 ? 'warning' : 'ok';
      });
    },
  },
  {
    id: 'PPkZrjsH2q',
    name: 'Amazon EBS Provisioned IOPS (SSD) Volume Attachment Configuration',
    description:
      'Checks for Provisioned IOPS (SSD) volumes that are attached to an Amazon Elastic Compute Cloud (Amazon EC2) instance that is not Amazon EBS-optimized. Provisioned IOPS volumes are designed to deliver the expected performance only when they are attached to an EBS-optimized instance.',
    pillars: ['performance'],
    awsServices: ['ebs'],
    source: 'ta_check',
    metadata: { '0': 'Region/AZ', '1': 'Volume ID', '2': 'Instance ID' },
    // Every sample instance type is EBS-optimized.
    evaluate(estate) {
      return tally(
        withRegion(estate, 'volumes').filter(
          ({ item }) => item.volumeType === 'io2' && item.instanceId !== null,
        ),
        () => 'ok',
      );
    },
  },
  {
    id: 'tfg86AVHAZ',
    name: 'Large Number of EC2 Security Group Rules Applied to an Instance',
    description:
      'Checks for Amazon Elastic Compute Cloud (Amazon EC2) instances that have a large number of security group rules. Performance can be degraded if an instance has a large number of rules.',
    pillars: ['performance'],
    awsServices: ['ec2'],
    source: 'ta_check',
    metadata: {
      '0': 'Region',
      '1': 'Instance ID',
      '2': 'VPC ID',
      '3': 'Total Inbound Rules',
      '4': 'Total Outbound Rules',
    },
    evaluate(estate) {
      return tally(withRegion(estate, 'instances'), ({ item }) =>
        draw(item.id, this.id).chance(0.04) ? 'warning' : 'ok',
      );
    },
  },
  {
    id: '0Xc6LMYG8P',
    name: 'EC2 On-Demand Instances',
    description:
      'Checks for usage that is more than 80% of the Amazon EC2 On-Demand Instances Limit. Values are based on a snapshot, so your current usage might differ. Limit and usage data can take up to 24 hours to reflect any changes.',
    pillars: ['service_limits'],
    awsServices: ['ec2'],
    source: 'ta_check',
    metadata: {
      '0': 'Region',
      '1': 'Service',
      '2': 'Limit Name',
      '3': 'Limit Amount',
      '4': 'Current Usage',
      '5': 'Status',
    },
    evaluate(estate) {
      return tally(estate.regions, ({ region, inventory }) => {
        const limit = new Random(estate.account.id, region, this.id).pick(
          estate.account.environment === 'production' ? [128, 256, 512] : [32, 64, 128],
        );
        const used = inventory.instances
          .filter((i) => i.state === 'running')
          .reduce((sum, i) => sum + vcpusOf(i.instanceType), 0);
        return used >= limit ? 'error' : used >= limit * 0.8 ? 'warning' : 'ok';
      });
    },
  },
  {
    id: 'jL7PP0l7J9',
    name: 'VPC',
    description:
      'Checks for usage that is more than 80% of the VPC Limit. Values are based on a snapshot, so your current usage might differ. Limit and usage data can take up to 24 hours to reflect any changes.',
    pillars: ['service_limits'],
    awsServices: ['vpc'],
    source: 'ta_check',
    metadata: {
      '0': 'Region',
      '1': 'Service',
      '2': 'Limit Name',
      '3': 'Limit Amount',
      '4': 'Current Usage',
      '5': 'Status',
    },
    evaluate(estate) {
      return tally(estate.regions, ({ inventory }) => (inventory.vpcs.length >= 4 ? 'warning' : 'ok'));
    },
  },
  {
    id: 'fH7LL0l7J9',
    name: 'EBS Active Volumes',
    description:
      'Checks for usage that is more than 80% of the EBS Active Volumes Limit. Values are based on a snapshot, so your current usage might differ. Limit and usage data can take up to 24 hours to reflect any changes.',
    pillars: ['service_limits'],
    awsServices: ['ebs'],
    source: 'ta_check',
    metadata: {
      '0': 'Region',
      '1': 'Service',
      '2': 'Limit Name',
      '3': 'Limit Amount',
      '4': 'Current Usage',
      '5': 'Status',
    },
    evaluate(estate) {
      return tally(estate.regions, ({ inventory }) => (inventory.volumes.length >= 4000 ? 'warning' : 'ok'));
    },
  },
  {
    id: 'c1fd6b96l4',
    name: 'Amazon S3 Server Access Logs Enabled',
    description:
      'Checks the logging configuration of Amazon Simple Storage Service (Amazon S3) buckets. When server access logging is enabled, detailed access logs are delivered hourly to a bucket that you choose.',
    pillars: ['operational_excellence'],
    awsServices: ['s3'],
    source: 'ta_check',
    metadata: { '0': 'Region', '1': 'Bucket Name', '2': 'Bucket ARN', '3': 'Status' },
    evaluate(estate) {
      return tally(estate.buckets, (b) => (draw(b.name, this.id).chance(0.45) ? 'warning' : 'ok'));
    },
  },
];

const checkArn = (id: string) => `arn:aws:trustedadvisor:::check/${id}`;
const round = (value: number, digits: number) => Math.round(value * 10 ** digits) / 10 ** digits;

/** Trusted Advisor refreshes each check once a day, at the check's own time in the account. */
function lastRefresh(account: SampleAccount, checkId: string, now: Date): Date {
  const minute = new Random(account.id, 'trusted-advisor-refresh', checkId).int(30, 600);
  const today = Math.floor(now.getTime() / DAY_MS) * DAY_MS + minute * 60_000;
  return new Date(today <= now.getTime() ? today : today - DAY_MS);
}

function estateOf(account: SampleAccount, call: SampleCall): Estate {
  return {
    account,
    now: call.now,
    regions: call.regions
      .filter((region) => isRegionEnabled(account, region))
      .map((region) => ({ region, inventory: regionInventory(account, region, call.regions, call.now) })),
    buckets: accountBuckets(account, call.regions, call.now),
  };
}

/** A Recommendation as GetRecommendation returns it; ListRecommendations gives its summary fields. */
interface SampleRecommendation {
  readonly id: string;
  readonly type: 'standard' | 'priority';
  readonly checkArn?: string;
  readonly status: (typeof STATUSES)[number];
  readonly lifecycleStage?: string;
  readonly pillars: string[];
  readonly source: string;
  readonly awsServices: string[];
  readonly name: string;
  readonly resourcesAggregates: {
    okCount: number;
    warningCount: number;
    errorCount: number;
    excludedCount: number;
  };
  readonly pillarSpecificAggregates?: {
    costOptimizing: { estimatedMonthlySavings: number; estimatedPercentMonthlySavings: number };
  };
  readonly createdAt?: Date;
  readonly lastUpdatedAt: Date;
  readonly arn: string;
  readonly statusReason?: string;
  readonly description: string;
  readonly createdBy?: string;
  readonly updatedOnBehalfOf?: string;
  readonly updatedOnBehalfOfJobTitle?: string;
  readonly updateReason?: string;
  readonly updateReasonCode?: string;
  readonly resolvedAt?: Date;
}

const recommendationArn = (account: SampleAccount, id: string) =>
  `arn:aws:trustedadvisor::${account.id}:recommendation/${id}`;

function statusOf(result: Result): (typeof STATUSES)[number] {
  return result.error > 0 ? 'error' : result.warning > 0 ? 'warning' : 'ok';
}

function costAggregates(savings: Result['savings']) {
  if (!savings) return {};
  return {
    pillarSpecificAggregates: {
      costOptimizing: {
        estimatedMonthlySavings: round(savings.monthly, 2),
        estimatedPercentMonthlySavings:
          savings.spend > 0 ? round((savings.monthly / savings.spend) * 100, 2) : 0,
      },
    },
  };
}

function standardRecommendation(estate: Estate, check: Check): SampleRecommendation {
  const result = check.evaluate(estate);
  const id = new Random(estate.account.id, 'trusted-advisor-recommendation', check.id).uuid();
  // Someone excluded a flagged resource from a few checks (never from a priced one: savings leave it out).
  const excluded =
    !result.savings && result.warning > 2 && draw(estate.account.id, check.id).chance(0.2) ? 1 : 0;
  const total = result.ok + result.warning + result.error;
  return {
    id,
    type: 'standard',
    checkArn: checkArn(check.id),
    status: statusOf({ ...result, warning: result.warning - excluded }),
    pillars: [...check.pillars],
    source: check.source,
    awsServices: [...check.awsServices],
    name: check.name,
    resourcesAggregates: {
      okCount: result.ok,
      warningCount: result.warning - excluded,
      errorCount: result.error,
      excludedCount: excluded,
    },
    ...costAggregates(result.savings),
    lastUpdatedAt: lastRefresh(estate.account, check.id, estate.now),
    arn: recommendationArn(estate.account, id),
    ...(total === 0 ? { statusReason: 'no_data_ok' } : {}),
    description: check.description,
  };
}

// Trusted Advisor Priority ------------------------------------------------------------------------------

interface PriorityTopic {
  readonly name: string;
  readonly description: string;
  readonly pillars: readonly (typeof PILLARS)[number][];
  readonly awsServices: readonly string[];
  readonly source: (typeof SOURCES)[number];
  /** The check whose flagged resources it is about, if any. */
  readonly checkId: string | null;
  /** Monthly savings range for a cost topic without a check (USD, scale 1). */
  readonly savings?: readonly [number, number];
}

const PRIORITY_TOPICS: readonly PriorityTopic[] = [
  {
    name: 'Rightsize or stop idle Amazon EC2 instances',
    description:
      'Your account team found EC2 instances with sustained low utilization. Stopping or downsizing them lowers the monthly bill without affecting the workload.',
    pillars: ['cost_optimizing'],
    awsServices: ['ec2'],
    source: 'compute_optimizer',
    checkId: 'Qch7DwouX1',
  },
  {
    name: 'Turn on Multi-AZ for production Amazon RDS databases',
    description:
      'Single-AZ database instances serve production traffic. Your account team recommends Multi-AZ deployments so that an Availability Zone failure does not interrupt the workload.',
    pillars: ['fault_tolerance'],
    awsServices: ['rds'],
    source: 'manual',
    checkId: 'f2iK5R6Dep',
  },
  {
    name: 'Move Lambda functions off deprecated runtimes',
    description:
      'Functions still run on a runtime that no longer receives security patches. Upgrade them to a supported runtime version.',
    pillars: ['security', 'operational_excellence'],
    awsServices: ['lambda'],
    source: 'manual',
    checkId: 'L4dfs2Q4C5',
  },
  {
    name: 'Increase Compute Savings Plans coverage',
    description:
      'On-Demand compute spend has been steady for three months. A one-year Compute Savings Plan sized to the steady baseline would reduce the cost of this usage.',
    pillars: ['cost_optimizing'],
    awsServices: ['ec2', 'lambda'],
    source: 'cost_explorer',
    checkId: null,
    savings: [120, 900],
  },
  {
    name: 'Block public access on S3 buckets flagged by Security Hub',
    description:
      'Security Hub reports buckets that allow public access. Unless a bucket must serve public content, turn on S3 Block Public Access for it.',
    pillars: ['security'],
    awsServices: ['s3'],
    source: 'security_hub',
    checkId: null,
  },
  {
    name: 'Address Resilience Hub policy breaches for the critical application',
    description:
      'The application does not meet its resiliency policy: its estimated recovery time objective exceeds the target. Review the Resilience Hub recommendations.',
    pillars: ['fault_tolerance'],
    awsServices: ['resiliencehub'],
    source: 'resilience_hub',
    checkId: null,
  },
];

const ACCOUNT_TEAM = ['Priya Raman', 'Tomás Ortega', 'Hannah Keller', 'Kenji Watanabe'];
const OWNERS = [
  { who: 'platform-team@example.com', title: 'Head of Cloud Platform' },
  { who: 'secops@example.com', title: 'Security Operations Lead' },
  { who: 'finops@example.com', title: 'FinOps Analyst' },
];
const PRIORITY_SLOTS = 3;
const PRIORITY_PERIOD_DAYS: readonly [number, number] = [6, 24];

/**
 * The occupant of a slot at `day`: it is replaced every `period` days (the slot's own), and some slots stay
 * empty for a generation. The same idea as the shared inventory's slots, so counts are steady while the
 * recommendations themselves come and go.
 */
function occupant(seed: readonly (string | number)[], day: number, emptyShare: number) {
  const shape = new Random(...seed, 'slot');
  const period = shape.int(PRIORITY_PERIOD_DAYS[0], PRIORITY_PERIOD_DAYS[1]);
  const phase = shape.int(0, period - 1);
  const generation = Math.floor((day + phase) / period);
  const random = new Random(...seed, generation);
  if (random.chance(emptyShare)) return null;
  const start = (generation * period - phase) * DAY_MS + random.int(8 * 3600, 18 * 3600) * 1000;
  return {
    random,
    createdAt: new Date(start),
    removedAt: new Date((generation * period - phase + period) * DAY_MS),
  };
}

/** The Priority recommendations open at `now` in an Enterprise Support account, with their lifecycle. */
function priorityRecommendations(
  estate: Estate,
  standard: readonly SampleRecommendation[],
): SampleRecommendation[] {
  if (supportPlan(estate.account) !== 'enterprise') return [];
  const day = Math.floor(estate.now.getTime() / DAY_MS);
  const out: SampleRecommendation[] = [];
  for (let slot = 0; slot < PRIORITY_SLOTS; slot++) {
    const taken = occupant([estate.account.id, 'trusted-advisor-priority', slot], day, 0.3);
    if (!taken || taken.createdAt > estate.now) continue;
    const { random: r, createdAt, removedAt } = taken;
    const topic = r.pick(PRIORITY_TOPICS);
    const life = removedAt.getTime() - createdAt.getTime();
    const respondedAt = new Date(createdAt.getTime() + life * 0.2);
    const closedAt = new Date(createdAt.getTime() + life * r.float(0.6, 0.8));
    const closing = r.chance(0.7) ? 'resolved' : 'dismissed';
    const stage =
      estate.now < respondedAt ? 'pending_response' : estate.now < closedAt ? 'in_progress' : closing;
    const lastUpdatedAt =
      stage === 'pending_response' ? createdAt : stage === 'in_progress' ? respondedAt : closedAt;
    const related =
      topic.checkId === null
        ? undefined
        : standard.find((s) => s.checkArn === checkArn(topic.checkId as string));
    const flagged = related
      ? related.resourcesAggregates.warningCount + related.resourcesAggregates.errorCount
      : r.int(1, 6);
    const resolved = stage === 'resolved';
    const owner = r.pick(OWNERS);
    const id = r.uuid();
    const savings =
      related?.pillarSpecificAggregates?.costOptimizing ??
      (topic.savings
        ? {
            estimatedMonthlySavings: round(
              r.float(topic.savings[0], topic.savings[1]) * Math.max(0.5, estate.account.scale),
              2,
            ),
            estimatedPercentMonthlySavings: round(r.float(8, 22), 2),
          }
        : undefined);
    out.push({
      id,
      type: 'priority',
      ...(related?.checkArn ? { checkArn: related.checkArn } : {}),
      status: resolved ? 'ok' : topic.pillars.includes('security') ? 'error' : 'warning',
      lifecycleStage: stage,
      pillars: [...topic.pillars],
      source: topic.source,
      awsServices: [...topic.awsServices],
      name: topic.name,
      resourcesAggregates: {
        okCount: resolved ? flagged : 0,
        warningCount: resolved || topic.pillars.includes('security') ? 0 : flagged,
        errorCount: !resolved && topic.pillars.includes('security') ? flagged : 0,
        excludedCount: 0,
      },
      ...(savings ? { pillarSpecificAggregates: { costOptimizing: savings } } : {}),
      createdAt,
      lastUpdatedAt,
      arn: recommendationArn(estate.account, id),
      description: topic.description,
      createdBy: `${r.pick(ACCOUNT_TEAM)} (Technical Account Manager)`,
      ...(stage === 'pending_response'
        ? {}
        : { updatedOnBehalfOf: owner.who, updatedOnBehalfOfJobTitle: owner.title }),
      ...(stage === 'dismissed'
        ? {
            updateReasonCode: r.pick(['valid_business_case', 'low_priority', 'other_methods_available']),
            updateReason:
              'Reviewed with the workload owners; accepted for now and tracked in the risk register.',
          }
        : {}),
      ...(resolved ? { resolvedAt: closedAt } : {}),
    });
  }
  return out;
}

/** Every recommendation of the account at `now`: one per check, then the open Priority recommendations. */
function recommendationsOf(account: SampleAccount, call: SampleCall): SampleRecommendation[] {
  const estate = estateOf(account, call);
  const standard = CHECKS.map((check) => standardRecommendation(estate, check));
  return [...standard, ...priorityRecommendations(estate, standard)];
}

// Operations --------------------------------------------------------------------------------------------

function validation(message: string): Error {
  return awsError('ValidationException', message);
}

function noSupportPlan(): Error {
  return awsError('AccessDeniedException', 'Access denied due to support level', { status: 403 });
}

function requireSupportPlan(call: SampleCall): void {
  if (supportPlan(call.account) === 'basic') throw noSupportPlan();
}

function oneOf(value: unknown, allowed: readonly string[], field: string): void {
  if (value !== undefined && !allowed.includes(value as string)) {
    throw validation(
      `1 validation error detected: Value '${String(value)}' at '${field}' failed to satisfy constraint: Member must satisfy enum value set: [${allowed.join(', ')}]`,
    );
  }
}

function pageOf<T>(call: SampleCall, items: readonly T[], request: unknown) {
  const { maxResults, nextToken } = call.input;
  if (
    maxResults !== undefined &&
    (!Number.isInteger(maxResults) || maxResults < 1 || maxResults > MAX_RESULTS)
  ) {
    throw validation(
      `1 validation error detected: Value '${maxResults}' at 'maxResults' failed to satisfy constraint: Member must have value between 1 and ${MAX_RESULTS}`,
    );
  }
  if (nextToken !== undefined && (typeof nextToken !== 'string' || nextToken.length < 4)) {
    throw validation(
      `1 validation error detected: Value at 'nextToken' failed to satisfy constraint: Member must have length greater than or equal to 4`,
    );
  }
  return paginate(items, {
    token: nextToken,
    pageSize: Math.min(PAGE_SIZE, maxResults ?? PAGE_SIZE),
    request,
    invalidToken: () => validation('The next token is invalid.'),
  });
}

function listChecks(call: SampleCall): object {
  requireSupportPlan(call);
  const { pillar, awsService, source, language } = call.input;
  oneOf(pillar, PILLARS, 'pillar');
  oneOf(source, SOURCES, 'source');
  oneOf(language, LANGUAGES, 'language');
  const checks = CHECKS.filter(
    (c) =>
      (pillar === undefined || (c.pillars as readonly string[]).includes(pillar)) &&
      (awsService === undefined || c.awsServices.includes(awsService)) &&
      (source === undefined || c.source === source),
  );
  const { page, nextToken } = pageOf(call, checks, { pillar, awsService, source, language });
  return {
    checkSummaries: page.map((c) => ({
      id: c.id,
      arn: checkArn(c.id),
      name: c.name,
      description: c.description,
      pillars: [...c.pillars],
      awsServices: [...c.awsServices],
      source: c.source,
      metadata: { ...c.metadata },
    })),
    ...(nextToken ? { nextToken } : {}),
  };
}

const SUMMARY_FIELDS = [
  'id',
  'type',
  'checkArn',
  'status',
  'lifecycleStage',
  'pillars',
  'source',
  'awsServices',
  'name',
  'resourcesAggregates',
  'pillarSpecificAggregates',
  'createdAt',
  'lastUpdatedAt',
  'arn',
  'statusReason',
] as const;

function summaryOf(recommendation: SampleRecommendation): object {
  return Object.fromEntries(
    SUMMARY_FIELDS.filter((f) => recommendation[f] !== undefined).map((f) => [f, recommendation[f]]),
  );
}

function dateInput(value: unknown, field: string): number | undefined {
  if (value === undefined) return undefined;
  const time = value instanceof Date ? value.getTime() : Number.NaN;
  if (Number.isNaN(time)) throw validation(`${field} is not a valid timestamp`);
  return time;
}

function listRecommendations(call: SampleCall): object {
  requireSupportPlan(call);
  const { type, status, pillar, awsService, source, checkIdentifier, language } = call.input;
  oneOf(type, ['standard', 'priority'], 'type');
  oneOf(status, STATUSES, 'status');
  oneOf(pillar, PILLARS, 'pillar');
  oneOf(source, SOURCES, 'source');
  oneOf(language, LANGUAGES, 'language');
  if (checkIdentifier !== undefined && !/^arn:[\w-]+:trustedadvisor:::check\/[\w-]+$/.test(checkIdentifier)) {
    throw validation(
      `1 validation error detected: Value '${checkIdentifier}' at 'checkIdentifier' failed to satisfy constraint: Member must satisfy regular expression pattern`,
    );
  }
  const after = dateInput(call.input.afterLastUpdatedAt, 'afterLastUpdatedAt');
  const before = dateInput(call.input.beforeLastUpdatedAt, 'beforeLastUpdatedAt');
  const recommendations = recommendationsOf(call.account, call).filter(
    (r) =>
      (type === undefined || r.type === type) &&
      (status === undefined || r.status === status) &&
      (pillar === undefined || r.pillars.includes(pillar)) &&
      (awsService === undefined || r.awsServices.includes(awsService)) &&
      (source === undefined || r.source === source) &&
      (checkIdentifier === undefined || r.checkArn === checkIdentifier) &&
      (after === undefined || r.lastUpdatedAt.getTime() > after) &&
      (before === undefined || r.lastUpdatedAt.getTime() < before),
  );
  const { page, nextToken } = pageOf(call, recommendations, {
    type,
    status,
    pillar,
    awsService,
    source,
    checkIdentifier,
    after,
    before,
  });
  return { recommendationSummaries: page.map(summaryOf), ...(nextToken ? { nextToken } : {}) };
}

function getRecommendation(call: SampleCall): object {
  requireSupportPlan(call);
  const identifier: unknown = call.input.recommendationIdentifier;
  if (
    typeof identifier !== 'string' ||
    !/^arn:[\w-]+:trustedadvisor::\d{12}:recommendation\/[\w-]+$/.test(identifier)
  ) {
    throw validation(
      `1 validation error detected: Value '${String(identifier)}' at 'recommendationIdentifier' failed to satisfy constraint: Member must satisfy regular expression pattern`,
    );
  }
  const found = recommendationsOf(call.account, call).find((r) => r.arn === identifier);
  if (!found)
    throw awsError('ResourceNotFoundException', `Recommendation ${identifier} not found`, { status: 404 });
  return { recommendation: { ...found } };
}

export const trustedAdvisorSimulator: ServiceSimulator = {
  service: 'TrustedAdvisor',
  operations: {
    ListChecks: listChecks,
    ListRecommendations: listRecommendations,
    GetRecommendation: getRecommendation,
  },
  notEnabled: () => noSupportPlan(),
  malform(operation, output) {
    const copy = structuredClone(output) as Record<string, unknown>;
    if (operation === 'ListRecommendations') {
      const first = (copy.recommendationSummaries as Array<Record<string, unknown>>)[0];
      if (first) delete first.id;
    } else if (operation === 'ListChecks') {
      const first = (copy.checkSummaries as Array<Record<string, unknown>>)[0];
      if (first) delete first.description;
    } else if (operation === 'GetRecommendation') {
      delete (copy.recommendation as Record<string, unknown>).description;
    }
    return copy;
  },
};
