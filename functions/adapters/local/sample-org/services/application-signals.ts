import type { Environment, SampleAccount } from '../accounts.ts';
import { regionInventory } from '../inventory.ts';
import { Random } from '../random.ts';
import { awsError, paginate, type SampleCall, type ServiceSimulator } from '../simulator.ts';

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
/** ListServices takes MaxResults 1 to 100, ListServiceLevelObjectives 1 to 50; the server answers fewer. */
const SERVICES_PAGE_SIZE = 8;
const SLO_PAGE_SIZE = 3;

type Platform = 'EKS' | 'ECS' | 'EC2' | 'Generic';

/** Instrumented services (not counting Lambda functions) in the home Region and in each other Region. */
const SERVICE_SLOTS: Record<Environment, { home: [number, number]; other: [number, number] }> = {
  management: { home: [1, 2], other: [0, 0] },
  security: { home: [2, 2], other: [0, 0] },
  production: { home: [8, 14], other: [3, 6] },
  staging: { home: [4, 7], other: [0, 2] },
  development: { home: [2, 3], other: [0, 0] },
  sandbox: { home: [1, 2], other: [0, 0] },
};
/** A service is replaced (renamed, moved, decommissioned) every so many days. */
const SERVICE_PERIOD_DAYS: [number, number] = [15, 90];
const PLATFORMS: Record<Environment, [Platform[], number[]]> = {
  management: [
    ['ECS', 'EC2'],
    [1, 2],
  ],
  security: [
    ['ECS', 'EC2'],
    [1, 2],
  ],
  production: [
    ['EKS', 'ECS', 'EC2'],
    [5, 3, 2],
  ],
  staging: [
    ['EKS', 'ECS', 'EC2'],
    [5, 3, 2],
  ],
  development: [
    ['ECS', 'EC2', 'Generic'],
    [2, 2, 1],
  ],
  sandbox: [
    ['EC2', 'Generic'],
    [1, 1],
  ],
};
const ROLES = [
  'api',
  'worker',
  'web',
  'gateway',
  'scheduler',
  'consumer',
  'indexer',
  'backend',
  'sync',
  'notifier',
  'auth',
  'search',
  'orders',
  'ledger',
  'pricing',
  'inventory',
  'recommendations',
  'reporting',
  'webhooks',
  'graphql',
];
const SDKS = [
  'opentelemetry,1.33.0,java,Auto',
  'opentelemetry,1.29.0,python,Auto',
  'opentelemetry,1.30.1,nodejs,Auto',
  'opentelemetry,1.10.0,dotnet,Auto',
];
/** Lambda functions instrumented with Application Signals. */
const INSTRUMENTED_FUNCTIONS = 0.45;

interface SampleSlo {
  readonly name: string;
  readonly operation: string | null;
  readonly evaluationType: 'PeriodBased' | 'RequestBased';
  readonly createdAt: Date;
}

export interface SampleService {
  readonly name: string;
  readonly environment: string;
  readonly attributeMaps: ReadonlyArray<Record<string, string>>;
  readonly createdAt: Date;
  readonly removedAt: Date;
  readonly slos: readonly SampleSlo[];
}

/** The service in one slot on `day`, or null when the slot is empty (a service between two others). */
function slotOccupant(seed: ReadonlyArray<string | number>, day: number) {
  const shape = new Random(...seed, 'slot');
  const period = shape.int(SERVICE_PERIOD_DAYS[0], SERVICE_PERIOD_DAYS[1]);
  const phase = shape.int(0, period - 1);
  const generation = Math.floor((day + phase) / period);
  const random = new Random(...seed, generation);
  if (random.chance(0.05)) return null;
  const start = generation * period - phase;
  return {
    random,
    createdAt: new Date(start * DAY_MS + random.int(0, 86_399) * 1000),
    removedAt: new Date((start + period) * DAY_MS),
  };
}

const telemetry = (random: Random) => ({
  'Telemetry.SDK': random.pick(SDKS),
  'Telemetry.Agent': 'CWAgent/1.300051.0b1081',
  'Telemetry.Source': 'ServerSpan',
});

function slosOf(random: Random, account: SampleAccount, name: string, role: string, createdAt: Date) {
  if (!['production', 'staging', 'management'].includes(account.environment) || !random.chance(0.55))
    return [];
  const created = (days: number) =>
    new Date(createdAt.getTime() + days * DAY_MS + random.int(0, 86_399) * 1000);
  const slos: SampleSlo[] = [
    { name: `${name}-availability`, operation: null, evaluationType: 'RequestBased', createdAt: created(1) },
  ];
  if (random.chance(0.5)) {
    slos.push({
      name: `${name}-latency-p99`,
      operation: `POST /v1/${role}`,
      evaluationType: 'PeriodBased',
      createdAt: created(random.int(2, 6)),
    });
  }
  return slos;
}

/** The instrumented container, EC2 and generic services of one slot at `day`. */
function slotService(
  account: SampleAccount,
  region: string,
  regions: readonly string[],
  slot: number,
  day: number,
): SampleService | null {
  const taken = slotOccupant([account.id, region, 'appsignals', slot], day);
  if (!taken) return null;
  const { random, createdAt, removedAt } = taken;
  const base = account.product ?? account.name;
  const role = random.pick(ROLES);
  const name = `${base}-${role}`;
  const [platforms, weights] = PLATFORMS[account.environment];
  const platform = random.weighted(platforms, weights);
  const common = { name, createdAt, removedAt, slos: slosOf(random, account, name, role, createdAt) };
  switch (platform) {
    case 'EKS': {
      const namespace = account.product ?? 'platform';
      return {
        ...common,
        environment: `eks:${account.name}/${namespace}`,
        attributeMaps: [
          {
            PlatformType: 'AWS::EKS',
            'EKS.Cluster': account.name,
            'K8s.Namespace': namespace,
            'K8s.Workload': name,
            'K8s.Node': `ip-10-${random.int(0, 255)}-${random.int(0, 255)}-${random.int(4, 250)}.${region}.compute.internal`,
            'K8s.Pod': `${name}-${random.hex(10)}-${random.hex(5)}`,
          },
          telemetry(random),
        ],
      };
    }
    case 'ECS':
      return {
        ...common,
        environment: `ecs:${account.name}`,
        attributeMaps: [{ PlatformType: 'AWS::ECS', 'ECS.Cluster': account.name }, telemetry(random)],
      };
    case 'EC2': {
      // An EC2 service runs on the account's instances, in an Auto Scaling group when there is one.
      const inventory = regionInventory(account, region, regions, new Date(day * DAY_MS));
      const group = inventory.autoScalingGroups.length > 0 ? random.pick(inventory.autoScalingGroups) : null;
      const instance =
        inventory.instances.find((i) => group?.instanceIds.includes(i.id)) ??
        (inventory.instances.length > 0 ? random.pick(inventory.instances) : null);
      return {
        ...common,
        environment: group ? `ec2:${group.name}` : 'ec2:default',
        attributeMaps: [
          {
            PlatformType: 'AWS::EC2',
            ...(instance
              ? { 'EC2.InstanceId': instance.id, Host: `ip-${instance.privateIp.replaceAll('.', '-')}` }
              : {}),
            ...(group ? { 'EC2.AutoScalingGroup': group.name } : {}),
          },
          telemetry(random),
        ],
      };
    }
    case 'Generic':
      return {
        ...common,
        environment: 'generic:default',
        attributeMaps: [{ PlatformType: 'Generic', Host: `${name}-${random.hex(6)}` }, telemetry(random)],
      };
  }
}

/** The instrumented Lambda functions of the Region at `day` (the shared inventory's functions). */
function lambdaServices(
  account: SampleAccount,
  region: string,
  regions: readonly string[],
  day: number,
): SampleService[] {
  return regionInventory(account, region, regions, new Date(day * DAY_MS)).functions.flatMap((fn) => {
    const random = new Random(fn.arn, 'appsignals');
    if (!random.chance(INSTRUMENTED_FUNCTIONS)) return [];
    return [
      {
        name: fn.name,
        environment: 'lambda:default',
        attributeMaps: [{ PlatformType: 'AWS::Lambda', 'Lambda.Function.Name': fn.name }, telemetry(random)],
        createdAt: fn.createdAt,
        removedAt: fn.removedAt,
        slos: [],
      },
    ];
  });
}

/** The services that reported telemetry in the Region between two instants. */
export function sampleServices(
  account: SampleAccount,
  region: string,
  regions: readonly string[],
  from: Date,
  to: Date,
): SampleService[] {
  const counts = SERVICE_SLOTS[account.environment][region === regions[0] ? 'home' : 'other'];
  const slots = new Random(account.id, region, 'appsignals-slots').int(counts[0], counts[1]);
  const days = [...new Set([Math.floor(from.getTime() / DAY_MS), Math.floor(to.getTime() / DAY_MS)])];
  const found = new Map<string, SampleService>();
  for (const day of days) {
    const services = [
      ...Array.from({ length: slots }, (_, slot) => slotService(account, region, regions, slot, day)),
      ...lambdaServices(account, region, regions, day),
    ];
    for (const service of services) {
      if (!service || service.createdAt > to || service.removedAt <= from) continue;
      const key = JSON.stringify([service.name, service.environment]);
      if (!found.has(key)) found.set(key, service);
    }
  }
  return [...found.values()].sort(
    (a, b) => a.name.localeCompare(b.name) || a.environment.localeCompare(b.environment),
  );
}

const keyAttributes = (service: SampleService) => ({
  Type: 'Service',
  Name: service.name,
  Environment: service.environment,
});

function metricReferences(service: SampleService) {
  const dimensions = [
    { Name: 'Environment', Value: service.environment },
    { Name: 'Service', Value: service.name },
  ];
  return [
    { Namespace: 'ApplicationSignals', MetricType: 'LATENCY', Dimensions: dimensions, MetricName: 'Latency' },
    { Namespace: 'ApplicationSignals', MetricType: 'ERROR', Dimensions: dimensions, MetricName: 'Error' },
    { Namespace: 'ApplicationSignals', MetricType: 'FAULT', Dimensions: dimensions, MetricName: 'Fault' },
  ];
}

function validation(message: string): Error {
  return awsError('ValidationException', message);
}

function checkMaxResults(value: unknown, max: number): void {
  if (value !== undefined && (!Number.isInteger(value) || (value as number) < 1 || (value as number) > max)) {
    throw validation(`MaxResults must be between 1 and ${max}`);
  }
}

/** Application Signals rounds requested times to the nearest hour. */
const roundToHour = (date: Date) => new Date(Math.round(date.getTime() / HOUR_MS) * HOUR_MS);

function listServices(call: SampleCall): object {
  const { StartTime, EndTime, MaxResults, NextToken } = call.input;
  if (!(StartTime instanceof Date) || !(EndTime instanceof Date)) {
    throw validation('StartTime and EndTime are required');
  }
  checkMaxResults(MaxResults, 100);
  const start = roundToHour(StartTime);
  const end = roundToHour(EndTime);
  if (start >= end) throw validation('StartTime must be before EndTime');
  const services = sampleServices(call.account, call.region, call.regions, start, end).map((service) => ({
    KeyAttributes: keyAttributes(service),
    AttributeMaps: service.attributeMaps.map((map) => ({ ...map })),
    MetricReferences: metricReferences(service),
  }));
  const { page, nextToken } = paginate(services, {
    token: NextToken,
    pageSize: Math.min(MaxResults ?? 50, SERVICES_PAGE_SIZE),
    request: { start: start.toISOString(), end: end.toISOString() },
    invalidToken: () => validation('The NextToken is invalid.'),
  });
  return {
    StartTime: start,
    EndTime: end,
    ServiceSummaries: page,
    ...(nextToken ? { NextToken: nextToken } : {}),
  };
}

interface SloSummary {
  readonly Arn: string;
  readonly Name: string;
  readonly KeyAttributes?: Record<string, string>;
  readonly OperationName?: string;
  readonly CreatedTime: Date;
  readonly EvaluationType: string;
  readonly MetricSourceType: string;
}

/** The Region's SLOs at `now`: on its services, and one on a CloudWatch metric of its own in production. */
function sampleSlos(call: SampleCall): SloSummary[] {
  const services = sampleServices(call.account, call.region, call.regions, call.now, call.now);
  const arn = (name: string) => `arn:aws:application-signals:${call.region}:${call.account.id}:slo/${name}`;
  const onServices = services.flatMap((service) =>
    service.slos
      .filter((slo) => slo.createdAt <= call.now)
      .map((slo) => ({
        Arn: arn(slo.name),
        Name: slo.name,
        KeyAttributes: keyAttributes(service),
        ...(slo.operation ? { OperationName: slo.operation } : {}),
        CreatedTime: slo.createdAt,
        EvaluationType: slo.evaluationType,
        MetricSourceType: slo.operation ? 'ServiceOperation' : 'Service',
      })),
  );
  if (call.account.environment !== 'production' || call.region !== call.regions[0]) return onServices;
  const name = `${call.account.product ?? call.account.name}-queue-backlog`;
  const created = new Date(call.account.joinedAt.getTime() + 30 * DAY_MS);
  return [
    ...onServices,
    {
      Arn: arn(name),
      Name: name,
      CreatedTime: created,
      EvaluationType: 'PeriodBased',
      MetricSourceType: 'CloudWatchMetric',
    },
  ];
}

function listServiceLevelObjectives(call: SampleCall): object {
  const { KeyAttributes, OperationName, MaxResults, NextToken } = call.input;
  checkMaxResults(MaxResults, 50);
  const wanted = Object.entries((KeyAttributes ?? {}) as Record<string, string>);
  const slos = sampleSlos(call).filter(
    (slo) =>
      wanted.every(
        ([key, value]) => (slo.KeyAttributes as Record<string, string> | undefined)?.[key] === value,
      ) &&
      (OperationName === undefined || slo.OperationName === OperationName),
  );
  const { page, nextToken } = paginate(slos, {
    token: NextToken,
    pageSize: Math.min(MaxResults ?? 50, SLO_PAGE_SIZE),
    request: { KeyAttributes, OperationName },
    invalidToken: () => validation('The NextToken is invalid.'),
  });
  return { SloSummaries: page, ...(nextToken ? { NextToken: nextToken } : {}) };
}

export const applicationSignalsSimulator: ServiceSimulator = {
  service: 'ApplicationSignals',
  operations: {
    ListServices: listServices,
    ListServiceLevelObjectives: listServiceLevelObjectives,
  },
  // Application Signals has no "not enabled" answer: an account that never enabled it lists no services. What
  // remains is the service refusing the account in the Region, as for an opt-in Region it has not enabled.
  notEnabled: () =>
    awsError('UnrecognizedClientException', 'The security token included in the request is invalid.', {
      status: 403,
    }),
  malform(operation, output) {
    const copy = structuredClone(output) as Record<string, unknown>;
    if (operation === 'ListServices') {
      const first = (copy.ServiceSummaries as Array<Record<string, unknown>>)[0];
      if (first) delete first.KeyAttributes;
      else delete copy.ServiceSummaries;
    } else {
      const first = (copy.SloSummaries as Array<Record<string, unknown>> | undefined)?.[0];
      if (first) delete first.Name;
    }
    return copy;
  },
};
