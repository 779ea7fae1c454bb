import { type RegionInventory, regionInventory, type SampleLoadBalancer } from '../inventory.ts';
import { awsError, paginate, type SampleCall, type ServiceSimulator } from '../simulator.ts';
import { securityGroupId, subnetTiers } from './ec2.ts';

/** Elastic Load Balancing may end a page before PageSize with a NextMarker; two a page makes accounts page. */
const SERVER_PAGE = 2;
const MAX_PAGE_SIZE = 400;
const MAX_ARNS = 20;

/** The Route 53 hosted zones of load balancer DNS names, per region and type (ELB endpoints table). */
const HOSTED_ZONES: Readonly<Record<string, { application: string; network: string }>> = {
  'us-east-1': { application: 'Z35SXDOTRQ7X7K', network: 'Z26RNL4JYFTOTI' },
  'eu-west-1': { application: 'Z32O12XQLNTSW2', network: 'Z2IFOLAFXWLO4F' },
  'ap-southeast-2': { application: 'Z1GM3OXH4ZPM65', network: 'ZCT6FZBF4DROD' },
  'us-west-2': { application: 'Z1H1FL5HABSF5', network: 'Z18D5FSROUN65G' },
  'eu-central-1': { application: 'Z215JYRZR1TBD5', network: 'Z3F0SRJ5LGBH90' },
};

function validation(message: string): Error {
  return awsError('ValidationError', message);
}

function loadBalancerOf(inventory: RegionInventory, region: string, lb: SampleLoadBalancer) {
  const tier = lb.scheme === 'internet-facing' ? 'public' : 'private';
  const tiers = subnetTiers(inventory);
  const zones = HOSTED_ZONES[region] ?? { application: 'Z35SXDOTRQ7X7K', network: 'Z26RNL4JYFTOTI' };
  return {
    LoadBalancerArn: lb.arn,
    DNSName: lb.scheme === 'internal' ? `internal-${lb.dnsName}` : lb.dnsName,
    CanonicalHostedZoneId: zones[lb.type],
    CreatedTime: lb.createdAt,
    LoadBalancerName: lb.name,
    Scheme: lb.scheme,
    VpcId: lb.vpcId,
    State: { Code: 'active' },
    Type: lb.type,
    AvailabilityZones: lb.availabilityZones.map((zone) => ({
      ZoneName: zone,
      SubnetId: inventory.subnets.find(
        (s) => s.vpcId === lb.vpcId && s.availabilityZone === zone && tiers.get(s.id) === tier,
      )?.id,
      LoadBalancerAddresses: [],
    })),
    ...(lb.type === 'application' ? { SecurityGroups: [securityGroupId(lb.vpcId, 'alb')] } : {}),
    IpAddressType: 'ipv4',
  };
}

function describeLoadBalancers(call: SampleCall): object {
  const { LoadBalancerArns, Names, Marker, PageSize } = call.input;
  if (PageSize !== undefined && (!Number.isInteger(PageSize) || PageSize < 1 || PageSize > MAX_PAGE_SIZE)) {
    throw validation(
      `1 validation error detected: Value '${PageSize}' at 'pageSize' failed to satisfy constraint: Member must have value between 1 and ${MAX_PAGE_SIZE}`,
    );
  }
  if (LoadBalancerArns !== undefined && Names !== undefined) {
    throw validation('Load balancer names and load balancer ARNs cannot be specified at the same time');
  }
  if (LoadBalancerArns !== undefined && LoadBalancerArns.length > MAX_ARNS) {
    throw validation(`You can specify up to ${MAX_ARNS} load balancer ARNs`);
  }
  const inventory = regionInventory(call.account, call.region, call.regions, call.now);
  let selected = [...inventory.loadBalancers];
  const wanted: string[] | undefined = LoadBalancerArns ?? Names;
  if (wanted !== undefined) {
    selected = wanted.map((key) => {
      const found = selected.find((lb) => lb.arn === key || lb.name === key);
      if (!found) {
        throw awsError('LoadBalancerNotFound', `One or more load balancers not found`, { status: 400 });
      }
      return found;
    });
  }
  const { page, nextToken } = paginate(selected, {
    token: Marker,
    pageSize: Math.min(PageSize ?? MAX_PAGE_SIZE, SERVER_PAGE),
    request: { LoadBalancerArns, Names, PageSize, account: call.account.id, region: call.region },
    invalidToken: () => validation('Invalid value for parameter marker'),
  });
  return {
    LoadBalancers: page.map((lb) => loadBalancerOf(inventory, call.region, lb)),
    ...(nextToken ? { NextMarker: nextToken } : {}),
  };
}

export const elasticLoadBalancingV2Simulator: ServiceSimulator = {
  service: 'ElasticLoadBalancingV2',
  operations: { DescribeLoadBalancers: describeLoadBalancers },
  // What the Query APIs answer an account not subscribed to the service.
  notEnabled: () =>
    awsError('OptInRequired', 'The AWS Access Key Id needs a subscription for the service', { status: 403 }),
  malform(operation, output) {
    const copy = structuredClone(output) as Record<string, unknown>;
    if (operation === 'DescribeLoadBalancers') {
      const first = (copy.LoadBalancers as Array<Record<string, unknown>>)[0];
      if (first) delete first.LoadBalancerArn;
    }
    return copy;
  },
};
