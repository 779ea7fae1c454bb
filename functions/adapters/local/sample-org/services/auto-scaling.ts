import { type RegionInventory, regionInventory, type SampleAutoScalingGroup } from '../inventory.ts';
import { Random } from '../random.ts';
import { awsError, paginate, type SampleCall, type ServiceSimulator } from '../simulator.ts';
import { subnetTiers } from './ec2.ts';

/** Auto Scaling may return fewer groups than MaxRecords with a NextToken; one a page makes accounts page. */
const SERVER_PAGE = 1;
const DEFAULT_RECORDS = 50;
const MAX_RECORDS = 100;

function validation(message: string): Error {
  return awsError('ValidationError', message);
}

function groupOf(call: SampleCall, inventory: RegionInventory, group: SampleAutoScalingGroup) {
  const random = new Random(group.arn, 'asg-details');
  const template = {
    LaunchTemplateId: `lt-${random.hex(17)}`,
    LaunchTemplateName: `${group.name}-template`,
    Version: '$Latest',
  };
  const tiers = subnetTiers(inventory);
  const members = inventory.instances.filter((i) => group.instanceIds.includes(i.id));
  const subnets = inventory.subnets.filter(
    (s) =>
      s.vpcId === members[0]?.vpcId &&
      group.availabilityZones.includes(s.availabilityZone) &&
      tiers.get(s.id) === 'private',
  );
  const behindLoadBalancer = random.chance(0.6) ? inventory.loadBalancers[0] : undefined;
  return {
    AutoScalingGroupName: group.name,
    AutoScalingGroupARN: group.arn,
    LaunchTemplate: template,
    MinSize: group.minSize,
    MaxSize: group.maxSize,
    DesiredCapacity: group.desiredCapacity,
    DefaultCooldown: 300,
    AvailabilityZones: [...group.availabilityZones],
    LoadBalancerNames: [],
    TargetGroupARNs: behindLoadBalancer
      ? [
          `arn:aws:elasticloadbalancing:${call.region}:${call.account.id}:targetgroup/${group.name.slice(0, 28)}-tg/${random.hex(16)}`,
        ]
      : [],
    HealthCheckType: behindLoadBalancer ? 'ELB' : 'EC2',
    HealthCheckGracePeriod: 300,
    Instances: members.map((instance) => ({
      InstanceId: instance.id,
      InstanceType: instance.instanceType,
      AvailabilityZone: instance.availabilityZone,
      LifecycleState: instance.state === 'running' ? 'InService' : 'Standby',
      HealthStatus: 'Healthy',
      LaunchTemplate: template,
      ProtectedFromScaleIn: false,
    })),
    CreatedTime: group.createdAt,
    SuspendedProcesses: [],
    VPCZoneIdentifier: subnets.map((s) => s.id).join(','),
    EnabledMetrics: [],
    Tags: [
      {
        ResourceId: group.name,
        ResourceType: 'auto-scaling-group',
        Key: 'Environment',
        Value: call.account.environment,
        PropagateAtLaunch: true,
      },
    ],
    TerminationPolicies: ['Default'],
    NewInstancesProtectedFromScaleIn: false,
    ServiceLinkedRoleARN: `arn:aws:iam::${call.account.id}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling`,
    CapacityRebalance: false,
    TrafficSources: [],
  };
}

function describeAutoScalingGroups(call: SampleCall): object {
  const { AutoScalingGroupNames, MaxRecords, NextToken, Filters } = call.input;
  if (
    MaxRecords !== undefined &&
    (!Number.isInteger(MaxRecords) || MaxRecords < 1 || MaxRecords > MAX_RECORDS)
  ) {
    throw validation(
      `1 validation error detected: Value '${MaxRecords}' at 'maxRecords' failed to satisfy constraint: Member must have value between 1 and ${MAX_RECORDS}`,
    );
  }
  if (Filters !== undefined) {
    for (const filter of Filters as Array<{ Name?: string }>) {
      if (!['tag-key', 'tag-value'].includes(filter.Name ?? '') && !(filter.Name ?? '').startsWith('tag:')) {
        throw validation(`The filter name '${filter.Name}' is not supported.`);
      }
    }
  }
  const inventory = regionInventory(call.account, call.region, call.regions, call.now);
  // Unknown names are ignored without an error, as Auto Scaling does.
  const groups = inventory.autoScalingGroups.filter(
    (g) => AutoScalingGroupNames === undefined || AutoScalingGroupNames.includes(g.name),
  );
  const { page, nextToken } = paginate(groups, {
    token: NextToken,
    pageSize: Math.min(MaxRecords ?? DEFAULT_RECORDS, SERVER_PAGE),
    request: { AutoScalingGroupNames, MaxRecords, Filters, account: call.account.id, region: call.region },
    invalidToken: () => awsError('InvalidNextToken', `The token '${NextToken}' is invalid.`),
  });
  return {
    AutoScalingGroups: page.map((group) => groupOf(call, inventory, group)),
    ...(nextToken ? { NextToken: nextToken } : {}),
  };
}

export const autoScalingSimulator: ServiceSimulator = {
  service: 'AutoScaling',
  operations: { DescribeAutoScalingGroups: describeAutoScalingGroups },
  // What the Query APIs answer an account not subscribed to the service.
  notEnabled: () =>
    awsError('OptInRequired', 'The AWS Access Key Id needs a subscription for the service', { status: 403 }),
  malform(operation, output) {
    const copy = structuredClone(output) as Record<string, unknown>;
    if (operation === 'DescribeAutoScalingGroups') {
      const first = (copy.AutoScalingGroups as Array<Record<string, unknown>>)[0];
      if (first) delete first.CreatedTime;
    }
    return copy;
  },
};
