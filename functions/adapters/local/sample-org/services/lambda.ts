import { type RegionInventory, regionInventory, type SampleFunction } from '../inventory.ts';
import { Random } from '../random.ts';
import { awsError, paginate, type SampleCall, type ServiceSimulator } from '../simulator.ts';
import { securityGroupId, subnetTiers } from './ec2.ts';

/** ListFunctions returns at most 50 functions a page; ten here, so a sample account pages. */
const SERVER_PAGE = 10;
const LAMBDA_PAGE_LIMIT = 50;
const MAX_ITEMS = 10_000;

function invalidParameter(message: string): Error {
  return awsError('InvalidParameterValueException', message);
}

function validation(message: string): Error {
  return awsError('ValidationException', message);
}

/** Lambda writes LastModified as ISO 8601 with a `+0000` offset. */
function lambdaTime(date: Date): string {
  return date.toISOString().replace('Z', '+0000');
}

function handlerOf(runtime: string): string {
  if (runtime.startsWith('nodejs')) return 'index.handler';
  if (runtime.startsWith('python')) return 'app.lambda_handler';
  if (runtime.startsWith('java')) return 'com.example.Handler::handleRequest';
  return 'bootstrap';
}

/** Functions in a VPC get its private subnets; others show an empty VpcConfig or none, as Lambda does. */
function vpcConfigOf(inventory: RegionInventory, fn: SampleFunction) {
  const random = new Random(fn.arn, 'vpc');
  const vpc = inventory.vpcs.find((v) => !v.isDefault);
  if (vpc && random.chance(0.3)) {
    const tiers = subnetTiers(inventory);
    return {
      VpcConfig: {
        SubnetIds: inventory.subnets
          .filter((s) => s.vpcId === vpc.id && tiers.get(s.id) === 'private')
          .map((s) => s.id),
        SecurityGroupIds: [securityGroupId(vpc.id, 'lambda')],
        VpcId: vpc.id,
        Ipv6AllowedForDualStack: false,
      },
    };
  }
  return random.chance(0.5) ? { VpcConfig: { SubnetIds: [], SecurityGroupIds: [], VpcId: '' } } : {};
}

function functionOf(call: SampleCall, inventory: RegionInventory, fn: SampleFunction) {
  const random = new Random(fn.arn, 'lambda-details');
  const zip = fn.packageType === 'Zip';
  return {
    FunctionName: fn.name,
    FunctionArn: fn.arn,
    ...(zip ? { Runtime: fn.runtime } : {}),
    Role: `arn:aws:iam::${call.account.id}:role/service-role/${fn.name.slice(0, 40)}-role-${random.hex(8)}`,
    ...(zip ? { Handler: handlerOf(fn.runtime) } : {}),
    CodeSize: fn.codeSize,
    Description: '',
    Timeout: fn.timeoutSeconds,
    MemorySize: fn.memoryMb,
    LastModified: lambdaTime(fn.lastModified),
    CodeSha256: Buffer.from(random.hex(64), 'hex').toString('base64'),
    Version: '$LATEST',
    ...vpcConfigOf(inventory, fn),
    TracingConfig: { Mode: random.chance(0.3) ? 'Active' : 'PassThrough' },
    RevisionId: random.uuid(),
    PackageType: fn.packageType,
    Architectures: [fn.architecture],
    EphemeralStorage: { Size: fn.ephemeralStorageMb },
    SnapStart: { ApplyOn: 'None', OptimizationStatus: 'Off' },
    LoggingConfig: { LogFormat: 'Text', LogGroup: `/aws/lambda/${fn.name}` },
  };
}

function listFunctions(call: SampleCall): object {
  const { FunctionVersion, Marker, MasterRegion, MaxItems } = call.input;
  if (MaxItems !== undefined && (!Number.isInteger(MaxItems) || MaxItems < 1 || MaxItems > MAX_ITEMS)) {
    throw validation(
      `1 validation error detected: Value '${MaxItems}' at 'maxItems' failed to satisfy constraint: Member must have value between 1 and ${MAX_ITEMS}`,
    );
  }
  if (FunctionVersion !== undefined && FunctionVersion !== 'ALL') {
    throw validation(
      `1 validation error detected: Value '${FunctionVersion}' at 'functionVersion' failed to satisfy constraint: Member must satisfy enum value set: [ALL]`,
    );
  }
  if (MasterRegion !== undefined && FunctionVersion !== 'ALL') {
    throw invalidParameter('MasterRegion must be used with FunctionVersion ALL.');
  }
  const inventory = regionInventory(call.account, call.region, call.regions, call.now);
  // No Lambda@Edge replicas in the sample organization.
  const functions = MasterRegion === undefined ? inventory.functions : [];
  const { page, nextToken } = paginate(functions, {
    token: Marker,
    pageSize: Math.min(MaxItems ?? LAMBDA_PAGE_LIMIT, LAMBDA_PAGE_LIMIT, SERVER_PAGE),
    request: { FunctionVersion, MasterRegion, MaxItems, account: call.account.id, region: call.region },
    invalidToken: () => invalidParameter('The marker that you provided is not valid.'),
  });
  return {
    Functions: page.map((fn) => functionOf(call, inventory, fn)),
    ...(nextToken ? { NextMarker: nextToken } : {}),
  };
}

export const lambdaSimulator: ServiceSimulator = {
  service: 'Lambda',
  operations: { ListFunctions: listFunctions },
  notEnabled: () =>
    awsError('OptInRequired', 'The AWS Access Key Id needs a subscription for the service', { status: 403 }),
  malform(operation, output) {
    const copy = structuredClone(output) as Record<string, unknown>;
    if (operation === 'ListFunctions') {
      const first = (copy.Functions as Array<Record<string, unknown>>)[0];
      if (first) delete first.FunctionArn;
    }
    return copy;
  },
};
