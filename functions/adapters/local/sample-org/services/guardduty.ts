import type { SampleAccount } from '../accounts.ts';
import {
  accountBuckets,
  regionInventory,
  type SampleBucket,
  type SampleDatabase,
  type SampleFunction,
  type SampleInstance,
} from '../inventory.ts';
import { Random } from '../random.ts';
import { awsError, paginate, type SampleCall, type ServiceSimulator } from '../simulator.ts';

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

type Kind = 'instance' | 'principal' | 'bucket' | 'function' | 'database' | 'sequence';

/** A GuardDuty finding type: `{name}` in its title and description is the resource it is about. */
interface Threat {
  readonly type: string;
  readonly kind: Kind;
  readonly severity: number;
  readonly weight: number;
  readonly title: string;
  readonly description: string;
  readonly feature: string;
  readonly action: string;
  /** Only for instances of this platform. */
  readonly platform?: 'Linux' | 'Windows';
}

/** The cells of a `|`-separated table, one row per line. */
function table(text: string): string[][] {
  return text
    .trim()
    .split('\n')
    .map((line) => line.split('|').map((cell) => cell.trim()));
}

const THREATS: readonly Threat[] = table(`
instance  | Recon:EC2/PortProbeUnprotectedPort            | 2 | 6   | FlowLogs          | PORT_PROBE         | Unprotected port on EC2 instance {name} is being probed. | EC2 instance {name} has an unprotected port which is being probed by a known malicious host.
instance  | UnauthorizedAccess:EC2/SSHBruteForce           | 2 | 4   | FlowLogs          | NETWORK_CONNECTION | SSH brute force attacks against {name}. | A remote host is performing SSH brute force attacks against {name} to guess its SSH password.
instance  | UnauthorizedAccess:EC2/RDPBruteForce           | 2 | 4   | FlowLogs          | NETWORK_CONNECTION | RDP brute force attacks against {name}. | A remote host is performing RDP brute force attacks against {name} to guess its password.
instance  | Recon:EC2/Portscan                             | 5 | 1.5 | FlowLogs          | NETWORK_CONNECTION | EC2 instance {name} is performing outbound port scans. | EC2 instance {name} is probing ports of a large number of remote hosts, which may mean it is compromised.
instance  | Behavior:EC2/NetworkPortUnusual                | 5 | 1.5 | FlowLogs          | NETWORK_CONNECTION | EC2 instance {name} is communicating on an unusual server port. | EC2 instance {name} is communicating with a remote host on a port it has not used before.
instance  | UnauthorizedAccess:EC2/MaliciousIPCaller.Custom | 5 | 1  | FlowLogs          | NETWORK_CONNECTION | EC2 instance {name} is communicating with an IP address on a custom threat list. | EC2 instance {name} is communicating with an IP address on a threat list you uploaded.
instance  | Impact:EC2/AbusedDomainRequest.Reputation      | 5 | 1   | DnsLogs           | DNS_REQUEST        | EC2 instance {name} is querying a domain name associated with known abused domains. | EC2 instance {name} is querying a low-reputation domain name that is associated with known abused domains.
instance  | UnauthorizedAccess:EC2/TorClient               | 8 | 0.4 | FlowLogs          | NETWORK_CONNECTION | EC2 instance {name} is making connections to Tor Guard or Authority nodes. | EC2 instance {name} is connecting to Tor Guard or Authority nodes, which may indicate unauthorized access.
instance  | CryptoCurrency:EC2/BitcoinTool.B!DNS           | 8 | 0.5 | DnsLogs           | DNS_REQUEST        | Bitcoin-related domain name queried by EC2 instance {name}. | EC2 instance {name} is querying a domain name that is associated with Bitcoin-related activity.
instance  | Backdoor:EC2/C&CActivity.B!DNS                 | 8 | 0.3 | DnsLogs           | DNS_REQUEST        | Command and control server domain name queried by EC2 instance {name}. | EC2 instance {name} is querying a domain name associated with a known command and control server.
instance  | Trojan:EC2/DNSDataExfiltration                 | 8 | 0.3 | DnsLogs           | DNS_REQUEST        | Data exfiltration through DNS queries from EC2 instance {name}. | EC2 instance {name} is running malware that uses DNS queries for outbound data transfers.
principal | Recon:IAMUser/MaliciousIPCaller                | 5 | 2   | CloudTrail        | AWS_API_CALL       | API DescribeInstances was invoked from a known malicious IP address. | API DescribeInstances was invoked by {name} from an IP address on a threat list.
principal | Discovery:IAMUser/AnomalousBehavior            | 2 | 3   | CloudTrail        | AWS_API_CALL       | Unusual discovery API calls by {name}. | APIs commonly used to discover resources were invoked by {name} in an unusual way.
principal | CredentialAccess:IAMUser/AnomalousBehavior     | 5 | 1.5 | CloudTrail        | AWS_API_CALL       | Unusual credential access API calls by {name}. | APIs commonly used to gain access to credentials were invoked by {name} in an unusual way.
principal | Stealth:IAMUser/CloudTrailLoggingDisabled      | 2 | 1   | CloudTrail        | AWS_API_CALL       | AWS CloudTrail trail logging was disabled by {name}. | {name} called StopLogging on a CloudTrail trail.
principal | PenTest:IAMUser/KaliLinux                      | 5 | 1   | CloudTrail        | AWS_API_CALL       | API ListBuckets was invoked from a Kali Linux computer. | API ListBuckets was invoked by {name} from a Kali Linux computer.
principal | UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS | 8 | 0.6 | CloudTrail | AWS_API_CALL | Credentials for the instance role of {name} used from an external IP address. | Credentials created exclusively for an EC2 instance through its launch role are being used from an external IP address.
bucket    | Policy:S3/BucketBlockPublicAccessDisabled      | 2 | 4   | CloudTrail        | AWS_API_CALL       | Amazon S3 Block Public Access was disabled for S3 bucket {name}. | S3 Block Public Access settings were turned off for bucket {name}.
bucket    | Discovery:S3/MaliciousIPCaller                 | 8 | 1   | S3DataEvents      | AWS_API_CALL       | S3 API ListObjects was invoked from a known malicious IP address on bucket {name}. | An S3 API used to discover objects in bucket {name} was invoked from an IP address on a threat list.
bucket    | Exfiltration:S3/AnomalousBehavior              | 8 | 1   | S3DataEvents      | AWS_API_CALL       | Unusual number of objects read from S3 bucket {name}. | An IAM entity retrieved objects from bucket {name} in a way that is unusual for it.
bucket    | Policy:S3/BucketAnonymousAccessGranted         | 8 | 0.5 | CloudTrail        | AWS_API_CALL       | Anonymous access granted to S3 bucket {name}. | A bucket policy or ACL change gives anonymous users access to bucket {name}.
function  | UnauthorizedAccess:Lambda/MaliciousIPCaller.Custom | 5 | 2 | LambdaNetworkLogs | NETWORK_CONNECTION | Lambda function {name} is communicating with an IP address on a custom threat list. | Lambda function {name} is connecting to an IP address on a threat list you uploaded.
function  | Trojan:Lambda/DropPoint                        | 5 | 1   | LambdaNetworkLogs | NETWORK_CONNECTION | Lambda function {name} is communicating with a malware drop point. | Lambda function {name} is connecting to an IP address known to hold data captured by malware.
function  | CryptoCurrency:Lambda/BitcoinTool.B            | 8 | 0.5 | LambdaNetworkLogs | NETWORK_CONNECTION | Lambda function {name} is querying an IP address associated with cryptocurrency activity. | Lambda function {name} is communicating with an IP address associated with Bitcoin-related activity.
function  | Backdoor:Lambda/C&CActivity.B                  | 8 | 0.5 | LambdaNetworkLogs | NETWORK_CONNECTION | Lambda function {name} is querying a command and control server. | Lambda function {name} is communicating with an IP address associated with a command and control server.
database  | CredentialAccess:RDS/AnomalousBehavior.FailedLogin | 2 | 3 | RdsLoginEvents | RDS_LOGIN_ATTEMPT  | Unusual failed login attempts to RDS database {name}. | One or more unusual failed login attempts were made to database {name}.
database  | CredentialAccess:RDS/MaliciousIPCaller.FailedLogin | 5 | 2 | RdsLoginEvents | RDS_LOGIN_ATTEMPT  | Failed login attempts to RDS database {name} from a known malicious IP address. | An IP address on a threat list tried to log in to database {name}.
database  | CredentialAccess:RDS/AnomalousBehavior.SuccessfulLogin | 5 | 1 | RdsLoginEvents | RDS_LOGIN_ATTEMPT | Unusual successful login to RDS database {name}. | A user logged in to database {name} in a way that is unusual for it.
sequence  | AttackSequence:IAM/CompromisedCredentials      | 9 | 2   | CloudTrail        | AWS_API_CALL       | Potential credential compromise of {name} indicated by a sequence of actions. | A sequence of suspicious API calls made with the credentials of {name} indicates they may be compromised.
sequence  | AttackSequence:S3/CompromisedData              | 9 | 1   | S3DataEvents      | AWS_API_CALL       | Potential data compromise of S3 data indicated by a sequence of actions of {name}. | A sequence of suspicious S3 actions by {name} indicates data in the account may be compromised.
`).map((row) => {
  const [kind, type, severity, weight, feature, action, title, description] = row;
  return {
    kind: kind as Kind,
    type: type as string,
    severity: Number(severity),
    weight: Number(weight),
    feature: feature as string,
    action: action as string,
    title: title as string,
    description: description as string,
    ...(type?.endsWith('SSHBruteForce') ? { platform: 'Linux' as const } : {}),
    ...(type?.endsWith('RDPBruteForce') ? { platform: 'Windows' as const } : {}),
  };
});

/** IAM users and roles whose credentials GuardDuty reports on (IAM is no part of the shared inventory). */
const PRINCIPALS: ReadonlyArray<{ name: string; type: 'IAMUser' | 'AssumedRole' }> = [
  { name: 'ci-deployer', type: 'IAMUser' },
  { name: 'terraform', type: 'AssumedRole' },
  { name: 'backup-operator', type: 'AssumedRole' },
  { name: 'data-engineer', type: 'IAMUser' },
  { name: 'support-readonly', type: 'AssumedRole' },
];

/** A finding slot: its occupants come and go, one per period, each occupied with `occupancy`. */
interface Slot {
  readonly seed: readonly (string | number)[];
  readonly periodDays: readonly [number, number];
  readonly occupancy: number;
  /** The resource exists from then on: no finding about it before. */
  readonly since: Date;
  readonly threats: readonly Threat[];
  readonly resource: (random: Random) => { name: string; resource: Record<string, unknown> };
}

/** How many finding slots a resource of each kind has, and how often they are occupied. */
const PER_INSTANCE = { slots: 3, occupancy: 0.6, periodDays: [4, 30] } as const;
const PER_FUNCTION = { slots: 1, occupancy: 0.12, periodDays: [5, 30] } as const;
const PER_DATABASE = { slots: 1, occupancy: 0.35, periodDays: [5, 30] } as const;
const PER_BUCKET = { slots: 1, occupancy: 0.3, periodDays: [10, 60] } as const;

/** Where GuardDuty is off by design: every region of a sandbox account, the last region of some dev accounts. */
export function guardDutyEnabled(
  account: SampleAccount,
  region: string,
  regions: readonly string[],
): boolean {
  if (account.environment === 'sandbox') return false;
  const last = regions.length > 1 && region === regions[regions.length - 1];
  return !(
    account.environment === 'development' &&
    last &&
    new Random(account.id, 'guardduty-off').chance(0.5)
  );
}

/** The account's detector in a region (the same id Security Hub's GuardDuty findings carry). */
export function detectorId(account: SampleAccount, region: string): string {
  return new Random(account.id, region, 'guardduty-detector').hex(32);
}

const ALNUM_UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
function upper(random: Random, length: number): string {
  let out = '';
  while (out.length < length) out += ALNUM_UPPER[random.int(0, ALNUM_UPPER.length - 1)];
  return out;
}

function instanceResource(account: SampleAccount, region: string, instance: SampleInstance) {
  const r = new Random(instance.id, 'guardduty-instance');
  const role = `${account.product ?? account.name}-instance-role`;
  return {
    ResourceType: 'Instance',
    InstanceDetails: {
      InstanceId: instance.id,
      InstanceType: instance.instanceType,
      InstanceState: instance.state,
      AvailabilityZone: instance.availabilityZone,
      ImageId: instance.imageId,
      ...(instance.platform === 'Windows' ? { Platform: 'windows' } : {}),
      LaunchTime: instance.createdAt.toISOString(),
      IamInstanceProfile: {
        Arn: `arn:aws:iam::${account.id}:instance-profile/${role}`,
        Id: `AIPA${upper(r, 17)}`,
      },
      NetworkInterfaces: [
        {
          NetworkInterfaceId: `eni-${r.hex(17)}`,
          PrivateIpAddress: instance.privateIp,
          PrivateDnsName: `ip-${instance.privateIp.replaceAll('.', '-')}.${region}.compute.internal`,
          SubnetId: instance.subnetId,
          VpcId: instance.vpcId,
          SecurityGroups: [{ GroupId: `sg-${r.hex(17)}`, GroupName: `${instance.name}-sg` }],
        },
      ],
      Tags: [{ Key: 'Name', Value: instance.name }],
    },
  };
}

function accessKey(account: SampleAccount, principal: (typeof PRINCIPALS)[number]) {
  const r = new Random(account.id, 'guardduty-principal', principal.name);
  return {
    AccessKeyId: `${principal.type === 'IAMUser' ? 'AKIA' : 'ASIA'}${upper(r, 16)}`,
    PrincipalId:
      principal.type === 'IAMUser' ? `AIDA${upper(r, 17)}` : `AROA${upper(r, 17)}:${principal.name}-session`,
    UserName: principal.name,
    UserType: principal.type,
  };
}

function bucketResource(account: SampleAccount, bucket: SampleBucket) {
  return {
    ResourceType: 'S3Bucket',
    S3BucketDetails: [
      {
        Arn: `arn:aws:s3:::${bucket.name}`,
        Name: bucket.name,
        Type: 'Destination',
        CreatedAt: bucket.createdAt,
        Owner: { Id: new Random(account.id, 'canonical-user').hex(64) },
        DefaultServerSideEncryption: { EncryptionType: 'AES256' },
      },
    ],
  };
}

function functionResource(account: SampleAccount, fn: SampleFunction) {
  return {
    ResourceType: 'Lambda',
    LambdaDetails: {
      FunctionArn: fn.arn,
      FunctionName: fn.name,
      FunctionVersion: '$LATEST',
      LastModifiedAt: fn.lastModified,
      RevisionId: new Random(fn.arn, 'revision').uuid(),
      Role: `arn:aws:iam::${account.id}:role/${fn.name}-role`,
    },
  };
}

function databaseResource(database: SampleDatabase) {
  return {
    ResourceType: 'RDSDBInstance',
    RdsDbInstanceDetails: {
      DbInstanceIdentifier: database.identifier,
      Engine: database.engine,
      EngineVersion: database.engineVersion,
      DbInstanceArn: database.arn,
    },
    RdsDbUserDetails: {
      User: 'app_admin',
      Application: database.engine.includes('postgres') ? 'psql' : 'mysql',
      Database: 'app',
      Ssl: 'true',
      AuthMethod: 'PASSWORD',
    },
  };
}

const threatsOf = (kind: Kind, platform?: 'Linux' | 'Windows') =>
  THREATS.filter((t) => t.kind === kind && (t.platform === undefined || t.platform === platform));

/** Every finding slot of an account in a region at `now`: the resources that exist then, and its principals. */
function slots(account: SampleAccount, region: string, regions: readonly string[], now: Date): Slot[] {
  const inventory = regionInventory(account, region, regions, now);
  const home = region === regions[0];
  const out: Slot[] = [];
  const many = <T>(count: number, make: (index: number) => T): T[] =>
    Array.from({ length: count }, (_, i) => make(i));
  for (const instance of inventory.instances) {
    out.push(
      ...many(PER_INSTANCE.slots, (i) => ({
        seed: [account.id, region, instance.id, 'guardduty', i],
        periodDays: PER_INSTANCE.periodDays,
        occupancy: PER_INSTANCE.occupancy,
        since: instance.createdAt,
        threats: threatsOf('instance', instance.platform),
        resource: () => ({ name: instance.id, resource: instanceResource(account, region, instance) }),
      })),
    );
  }
  for (const fn of inventory.functions) {
    out.push({
      seed: [account.id, region, fn.arn, 'guardduty'],
      periodDays: PER_FUNCTION.periodDays,
      occupancy: PER_FUNCTION.occupancy,
      since: fn.createdAt,
      threats: threatsOf('function'),
      resource: () => ({ name: fn.name, resource: functionResource(account, fn) }),
    });
  }
  for (const database of inventory.databases) {
    out.push({
      seed: [account.id, region, database.arn, 'guardduty'],
      periodDays: PER_DATABASE.periodDays,
      occupancy: PER_DATABASE.occupancy,
      since: database.createdAt,
      threats: threatsOf('database'),
      resource: () => ({ name: database.identifier, resource: databaseResource(database) }),
    });
  }
  for (const bucket of accountBuckets(account, regions, now).filter((b) => b.region === region)) {
    out.push({
      seed: [account.id, region, bucket.name, 'guardduty'],
      periodDays: PER_BUCKET.periodDays,
      occupancy: PER_BUCKET.occupancy,
      since: bucket.createdAt,
      threats: threatsOf('bucket'),
      resource: (r) => ({
        name: bucket.name,
        resource: {
          ...bucketResource(account, bucket),
          AccessKeyDetails: accessKey(account, r.pick(PRINCIPALS)),
        },
      }),
    });
  }
  // Findings about the account's IAM credentials, in every region their API calls reach.
  out.push(
    ...many(3, (i) => ({
      seed: [account.id, region, 'principal', i],
      periodDays: [6, 40] as const,
      occupancy: 0.6,
      since: account.joinedAt,
      threats: threatsOf('principal'),
      resource: (r: Random) => {
        const principal = r.pick(PRINCIPALS);
        return {
          name: principal.name,
          resource: { ResourceType: 'AccessKey', AccessKeyDetails: accessKey(account, principal) },
        };
      },
    })),
  );
  if (home && account.environment === 'production') {
    out.push({
      seed: [account.id, region, 'attack-sequence'],
      periodDays: [8, 30],
      occupancy: 0.5,
      since: account.joinedAt,
      threats: threatsOf('sequence'),
      resource: (r) => {
        const principal = r.pick(PRINCIPALS);
        return {
          name: principal.name,
          resource: { ResourceType: 'AccessKey', AccessKeyDetails: accessKey(account, principal) },
        };
      },
    });
  }
  return out;
}

/** A GuardDuty finding as the SDK deserialises it (its timestamps are ISO strings). */
interface SampleFinding {
  readonly AccountId: string;
  readonly Arn: string;
  readonly Confidence: number;
  readonly CreatedAt: string;
  readonly Description: string;
  readonly Id: string;
  readonly Partition: 'aws';
  readonly Region: string;
  readonly Resource: Record<string, unknown>;
  readonly SchemaVersion: '2.0';
  readonly Service: {
    ServiceName: 'guardduty';
    DetectorId: string;
    Archived: boolean;
    Count: number;
    EventFirstSeen: string;
    EventLastSeen: string;
    ResourceRole: 'TARGET' | 'ACTOR';
    FeatureName: string;
    Action: { ActionType: string };
    AdditionalInfo: { Value: string; Type: 'default' };
  };
  readonly Severity: number;
  readonly Title: string;
  readonly Type: string;
  readonly UpdatedAt: string;
}

/**
 * The occupant of a slot at `now`: a finding created a while into the period (never before its resource), seen
 * again every few hours, and archived by the account's analysts before the period ends. Its whole period past,
 * GuardDuty no longer lists it and the next occupant may come.
 */
function findingOf(slot: Slot, account: SampleAccount, region: string, now: Date): SampleFinding | null {
  const shape = new Random(...slot.seed, 'period');
  const period = shape.int(slot.periodDays[0], slot.periodDays[1]) * DAY_MS;
  const phase = shape.int(0, period - 1);
  const generation = Math.floor((now.getTime() + phase) / period);
  const start = generation * period - phase;
  const end = start + period;
  const random = new Random(...slot.seed, generation);
  if (!random.chance(slot.occupancy)) return null;
  const createdAt = Math.max(start, slot.since.getTime() + HOUR_MS) + random.float(0, 0.35) * period;
  const archivedAt = createdAt + random.float(0.45, 0.95) * (end - createdAt);
  if (createdAt > now.getTime()) return null;
  const threat = random.weighted(
    slot.threats,
    slot.threats.map((t) => t.weight),
  );
  const cadence = random.int(2, 48) * HOUR_MS;
  const archived = archivedAt <= now.getTime();
  const activeUntil = archived ? archivedAt : now.getTime();
  const occurrences = 1 + Math.floor((activeUntil - createdAt) / cadence);
  const lastSeen = createdAt + (occurrences - 1) * cadence;
  const { name, resource } = slot.resource(random);
  const id = random.hex(32);
  const detector = detectorId(account, region);
  const iso = (ms: number) => new Date(Math.floor(ms)).toISOString();
  return {
    AccountId: account.id,
    Arn: `arn:aws:guardduty:${region}:${account.id}:detector/${detector}/finding/${id}`,
    Confidence: threat.severity,
    CreatedAt: iso(createdAt),
    Description: threat.description.replaceAll('{name}', name),
    Id: id,
    Partition: 'aws',
    Region: region,
    Resource: resource,
    SchemaVersion: '2.0',
    Service: {
      ServiceName: 'guardduty',
      DetectorId: detector,
      Archived: archived,
      Count: occurrences,
      EventFirstSeen: iso(createdAt),
      EventLastSeen: iso(lastSeen),
      ResourceRole: threat.type.startsWith('Recon:EC2/Portscan') ? 'ACTOR' : 'TARGET',
      FeatureName: threat.feature,
      Action: { ActionType: threat.action },
      AdditionalInfo: { Value: '{}', Type: 'default' },
    },
    Severity: threat.severity,
    Title: threat.title.replaceAll('{name}', name),
    Type: threat.type,
    UpdatedAt: iso(archived ? archivedAt : lastSeen),
  };
}

const recent = new Map<string, SampleFinding[]>();
const RECENT = 24;

/** Every finding the region's detector lists at `now` (archived ones included), oldest first. */
function sampleGuardDutyFindings(
  account: SampleAccount,
  region: string,
  regions: readonly string[],
  now: Date,
): SampleFinding[] {
  const key = `${account.id}|${account.environment}|${account.scale}|${region}|${regions.join(',')}|${now.getTime()}`;
  const cached = recent.get(key);
  if (cached) return cached;
  const findings = slots(account, region, regions, now)
    .map((slot) => findingOf(slot, account, region, now))
    .filter((f): f is SampleFinding => f !== null)
    .sort((a, b) => a.CreatedAt.localeCompare(b.CreatedAt) || a.Id.localeCompare(b.Id));
  const oldest = recent.keys().next().value;
  if (oldest !== undefined && recent.size >= RECENT) recent.delete(oldest);
  recent.set(key, findings);
  return findings;
}

// Requests ------------------------------------------------------------------------------------------------

const MAX_PAGE = 50;
/** GuardDuty's pages here hold fewer findings than asked for, so collectors must follow NextToken. */
const SERVER_PAGE = 10;

function badRequest(message: string): Error {
  return Object.assign(awsError('BadRequestException', message), { Type: 'InvalidInputException' });
}

const outOfRange = () =>
  badRequest(
    'The request is rejected because an invalid or out-of-range value is specified as an input parameter.',
  );

function detectorGone(): Error {
  return badRequest(
    'The request is rejected because the input detectorId is not owned by the current account.',
  );
}

function checkMaxResults(value: unknown): void {
  if (
    value !== undefined &&
    (!Number.isInteger(value) || (value as number) < 1 || (value as number) > MAX_PAGE)
  ) {
    throw outOfRange();
  }
}

function checkDetector(call: SampleCall): void {
  const id = call.input.DetectorId;
  if (typeof id !== 'string' || id.length === 0) {
    throw badRequest('The request is rejected because the input detectorId is missing.');
  }
  if (
    !guardDutyEnabled(call.account, call.region, call.regions) ||
    id !== detectorId(call.account, call.region)
  ) {
    throw detectorGone();
  }
}

/**
 * Lists the region's detector. A full page carries a NextToken even when nothing follows, as a store that pages
 * by key does: the collector reads one more, empty page.
 */
function listDetectors(call: SampleCall): object {
  const { MaxResults, NextToken } = call.input;
  checkMaxResults(MaxResults);
  const detectors = guardDutyEnabled(call.account, call.region, call.regions)
    ? [detectorId(call.account, call.region)]
    : [];
  const size = Math.min(MaxResults ?? MAX_PAGE, 1);
  const pages: string[][] = [];
  for (let i = 0; i < detectors.length; i += size) pages.push(detectors.slice(i, i + size));
  if (pages.length === 0 || (pages.at(-1)?.length ?? 0) === size) pages.push([]);
  const { page, nextToken } = paginate(pages, {
    token: NextToken,
    pageSize: 1,
    request: { MaxResults, account: call.account.id, region: call.region },
    invalidToken: outOfRange,
  });
  return { DetectorIds: page[0] ?? [], ...(nextToken ? { NextToken: nextToken } : {}) };
}

type Predicate = (finding: SampleFinding) => boolean;

const STRING_CRITERIA: Record<string, (f: SampleFinding) => string> = {
  'service.archived': (f) => String(f.Service.Archived),
  type: (f) => f.Type,
  id: (f) => f.Id,
  region: (f) => f.Region,
  accountId: (f) => f.AccountId,
  'resource.resourceType': (f) => String(f.Resource.ResourceType),
  'resource.instanceDetails.instanceId': (f) =>
    String((f.Resource.InstanceDetails as { InstanceId?: string } | undefined)?.InstanceId ?? ''),
};
const NUMBER_CRITERIA: Record<string, (f: SampleFinding) => number> = {
  updatedAt: (f) => Date.parse(f.UpdatedAt),
  severity: (f) => f.Severity,
  confidence: (f) => f.Confidence,
};

// biome-ignore lint/suspicious/noExplicitAny: a condition is the SDK's loosely typed Condition shape
function predicateOf(field: string, condition: any): Predicate {
  if (condition === null || typeof condition !== 'object') throw outOfRange();
  const text = STRING_CRITERIA[field];
  const number = NUMBER_CRITERIA[field];
  if (!text && !number) {
    throw badRequest(
      `The request is rejected because the criterion ${field} is not supported by the sample.`,
    );
  }
  const checks: Predicate[] = [];
  for (const [operator, operand] of Object.entries(condition as Record<string, unknown>)) {
    if (operand === undefined) continue;
    if (['Equals', 'NotEquals', 'Eq', 'Neq'].includes(operator)) {
      if (!text || !Array.isArray(operand) || operand.length === 0 || operand.length > MAX_PAGE)
        throw outOfRange();
      const values = operand.map(String);
      const positive = operator === 'Equals' || operator === 'Eq';
      checks.push((f) => values.includes(text(f)) === positive);
    } else if (
      ['GreaterThan', 'GreaterThanOrEqual', 'LessThan', 'LessThanOrEqual', 'Gt', 'Gte', 'Lt', 'Lte'].includes(
        operator,
      )
    ) {
      if (!number || typeof operand !== 'number' || !Number.isFinite(operand)) throw outOfRange();
      const compare = {
        GreaterThan: (v: number) => v > operand,
        Gt: (v: number) => v > operand,
        GreaterThanOrEqual: (v: number) => v >= operand,
        Gte: (v: number) => v >= operand,
        LessThan: (v: number) => v < operand,
        Lt: (v: number) => v < operand,
        LessThanOrEqual: (v: number) => v <= operand,
        Lte: (v: number) => v <= operand,
      }[operator] as (v: number) => boolean;
      checks.push((f) => compare(number(f)));
    } else {
      throw outOfRange();
    }
  }
  if (checks.length === 0) throw outOfRange();
  return (f) => checks.every((check) => check(f));
}

function listFindings(call: SampleCall): object {
  const { FindingCriteria, MaxResults, NextToken, SortCriteria } = call.input;
  checkDetector(call);
  checkMaxResults(MaxResults);
  if (SortCriteria !== undefined) {
    throw badRequest('The request is rejected because the sample organization does not sort findings.');
  }
  const predicates = Object.entries((FindingCriteria?.Criterion ?? {}) as Record<string, unknown>).map(
    ([field, condition]) => predicateOf(field, condition),
  );
  const ids = sampleGuardDutyFindings(call.account, call.region, call.regions, call.now)
    .filter((f) => predicates.every((p) => p(f)))
    .map((f) => f.Id);
  const { page, nextToken } = paginate(ids, {
    token: NextToken,
    pageSize: Math.min(MaxResults ?? MAX_PAGE, SERVER_PAGE),
    request: { DetectorId: call.input.DetectorId, FindingCriteria, MaxResults },
    invalidToken: outOfRange,
  });
  return { FindingIds: page, ...(nextToken ? { NextToken: nextToken } : {}) };
}

function getFindings(call: SampleCall): object {
  const { FindingIds, SortCriteria } = call.input;
  checkDetector(call);
  if (!Array.isArray(FindingIds)) {
    throw badRequest('The request is rejected because the input findingIds is missing.');
  }
  if (FindingIds.length > MAX_PAGE) throw outOfRange();
  if (SortCriteria !== undefined) {
    throw badRequest('The request is rejected because the sample organization does not sort findings.');
  }
  const byId = new Map(
    sampleGuardDutyFindings(call.account, call.region, call.regions, call.now).map((f) => [f.Id, f]),
  );
  // Ids GuardDuty no longer has are left out of the answer, not reported as errors.
  return {
    Findings: FindingIds.map((id: string) => byId.get(id)).filter((f): f is SampleFinding => f !== undefined),
  };
}

export const guardDutySimulator: ServiceSimulator = {
  service: 'GuardDuty',
  operations: { ListDetectors: listDetectors, ListFindings: listFindings, GetFindings: getFindings },
  // GuardDuty turned off: its detector is gone, and calls naming it are refused.
  notEnabled: () => detectorGone(),
  malform(operation, output) {
    const copy = structuredClone(output) as Record<string, unknown>;
    if (operation === 'GetFindings') {
      const first = (copy.Findings as Array<Record<string, unknown>> | undefined)?.[0];
      if (first) delete first.Severity;
      else delete copy.Findings;
    } else {
      delete copy[operation === 'ListDetectors' ? 'DetectorIds' : 'FindingIds'];
    }
    return copy;
  },
};
