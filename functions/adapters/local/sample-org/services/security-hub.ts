import type { Environment, SampleAccount } from '../accounts.ts';
import { Random } from '../random.ts';
import {
  awsError,
  existsAt,
  lifetime,
  paginate,
  type SampleCall,
  type ServiceSimulator,
} from '../simulator.ts';

type Label = 'CRITICAL' | 'HIGH' | 'MEDIUM' | 'LOW' | 'INFORMATIONAL';
type WorkflowStatus = 'NEW' | 'NOTIFIED' | 'RESOLVED' | 'SUPPRESSED';

/** The ASFF finding as the SDK deserialises it (timestamps are ISO strings in this API). */
interface AsffFinding {
  SchemaVersion: string;
  Id: string;
  ProductArn: string;
  ProductName: string;
  CompanyName: string;
  Region: string;
  GeneratorId: string;
  AwsAccountId: string;
  Types: string[];
  FirstObservedAt: string;
  LastObservedAt: string;
  CreatedAt: string;
  UpdatedAt: string;
  Severity: { Label: Label; Normalized: number; Original: string };
  Title: string;
  Description: string;
  Remediation: { Recommendation: { Text: string; Url?: string } };
  ProductFields: Record<string, string>;
  Resources: Array<{ Type: string; Id: string; Partition: 'aws'; Region: string }>;
  Compliance?: {
    Status: string;
    SecurityControlId: string;
    AssociatedStandards: Array<{ StandardsId: string }>;
  };
  WorkflowState: string;
  Workflow: { Status: WorkflowStatus };
  RecordState: 'ACTIVE' | 'ARCHIVED';
  ProcessedAt: string;
}

/** What a finding's type-specific part is made of; the product fills in the rest. */
interface Detail {
  readonly id: string;
  readonly generatorId: string;
  readonly title: string;
  readonly description: string;
  readonly types: string[];
  readonly label: Label;
  readonly resource: { Type: string; Id: string };
  readonly recommendation: { Text: string; Url?: string };
  readonly controlId?: string;
}

interface Product {
  readonly key: string;
  readonly name: string;
  readonly company: string;
  readonly weight: number;
  /** How often the provider updates an open finding (UpdatedAt, LastObservedAt), or never. */
  readonly refreshHours: number | null;
  detail(random: Random, place: Place): Detail;
}

/** Where a finding lives. */
interface Place {
  readonly account: SampleAccount;
  readonly region: string;
  /** Size of the account's resource pools in this region. */
  readonly pool: number;
}

/** The cells of a `|`-separated table, one row per line: the sample catalogues below read best as tables. */
function table(text: string): string[][] {
  return text
    .trim()
    .split('\n')
    .map((line) => line.split('|').map((cell) => cell.trim()));
}

const LABELS: readonly Label[] = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'INFORMATIONAL'];
function label(text: string): Label {
  if (!LABELS.includes(text as Label)) throw new Error(`not a severity label: ${text}`);
  return text as Label;
}
const cell = (row: readonly string[], i: number) => row[i] ?? '';

const CONTROLS = table(`
S3.1         | MEDIUM   | AwsAccount           | 0.3 | S3 general purpose buckets should have block public access settings enabled
S3.5         | MEDIUM   | AwsS3Bucket          | 3   | S3 general purpose buckets should require requests to use SSL
S3.8         | HIGH     | AwsS3Bucket          | 2   | S3 general purpose buckets should block public access
S3.13        | LOW      | AwsS3Bucket          | 3   | S3 general purpose buckets should have Lifecycle configurations
EC2.2        | HIGH     | AwsEc2SecurityGroup  | 1.5 | VPC default security groups should not allow inbound or outbound traffic
EC2.8        | HIGH     | AwsEc2Instance       | 3   | EC2 instances should use Instance Metadata Service Version 2 (IMDSv2)
EC2.9        | HIGH     | AwsEc2Instance       | 1.5 | Amazon EC2 instances should not have a public IPv4 address
EC2.18       | HIGH     | AwsEc2SecurityGroup  | 2   | Security groups should only allow unrestricted incoming traffic for authorized ports
EC2.19       | CRITICAL | AwsEc2SecurityGroup  | 1   | Security groups should not allow unrestricted access to ports with high risk
EC2.6        | MEDIUM   | AwsEc2Vpc            | 1   | VPC flow logging should be enabled in all VPCs
IAM.6        | CRITICAL | AwsAccount           | 0.3 | Hardware MFA should be enabled for the root user
CloudTrail.4 | LOW      | AwsCloudTrailTrail   | 0.5 | CloudTrail log file validation should be enabled
RDS.2        | CRITICAL | AwsRdsDbInstance     | 0.6 | RDS DB Instances should prohibit public access
RDS.3        | MEDIUM   | AwsRdsDbInstance     | 1.5 | RDS DB instances should have encryption at-rest enabled
Lambda.2     | MEDIUM   | AwsLambdaFunction    | 3   | Lambda functions should use supported runtimes
KMS.4        | MEDIUM   | AwsKmsKey            | 1.5 | AWS KMS key rotation should be enabled
DynamoDB.2   | MEDIUM   | AwsDynamoDbTable     | 1.5 | DynamoDB tables should have point-in-time recovery enabled
SSM.1        | MEDIUM   | AwsEc2Instance       | 2   | Amazon EC2 instances should be managed by AWS Systems Manager
ELB.4        | MEDIUM   | AwsElbv2LoadBalancer | 1   | Application Load Balancer should be configured to drop invalid http headers
ECR.1        | HIGH     | AwsEcrRepository     | 1   | ECR private repositories should have image scanning configured
IAM.1        | HIGH     | AwsIamPolicy         | 0.8 | IAM policies should not allow full "*" administrative privileges
`).map((row) => ({
  id: cell(row, 0),
  label: label(cell(row, 1)),
  resource: cell(row, 2),
  weight: Number(cell(row, 3)),
  title: cell(row, 4),
}));

const CVES = table(`
CVE-2024-3094  | xz-utils         | CRITICAL      | Malicious code in the xz tarballs allows remote code execution via sshd
CVE-2023-38545 | curl             | CRITICAL      | A heap buffer overflow in the SOCKS5 proxy handshake of curl
CVE-2021-44228 | log4j-core       | CRITICAL      | JNDI lookups in Log4j 2 message parameters allow remote code execution
CVE-2023-45853 | zlib             | CRITICAL      | An integer overflow in MiniZip of zlib through 1.3 leads to a heap overflow
CVE-2024-6387  | openssh-server   | HIGH          | A signal handler race in sshd allows unauthenticated remote code execution
CVE-2023-44487 | nghttp2          | HIGH          | HTTP/2 rapid stream resets allow a denial of service
CVE-2024-21626 | runc             | HIGH          | A leaked file descriptor in runc allows a container escape
CVE-2023-39325 | golang.org/x/net | HIGH          | Excessive HTTP/2 stream resets cause excessive resource consumption
CVE-2023-5363  | openssl          | HIGH          | Incorrect cipher key and IV length processing in OpenSSL
CVE-2024-0727  | openssl          | MEDIUM        | Processing a malformed PKCS12 file can crash OpenSSL
CVE-2023-4641  | shadow-utils     | MEDIUM        | gpasswd may leave a password in memory after a failed entry
CVE-2024-2511  | openssl          | MEDIUM        | Unbounded memory growth in TLSv1.3 session handling of OpenSSL
CVE-2023-29383 | shadow-utils     | LOW           | chfn accepts control characters in the user information fields
CVE-2022-27943 | libstdc++        | LOW           | Stack exhaustion in the demangler of libiberty
CVE-2024-26458 | krb5-libs        | INFORMATIONAL | A memory leak in the Kerberos RPC library
CVE-2024-26461 | krb5-libs        | INFORMATIONAL | A memory leak in the Kerberos GSS message token handling
`).map((row) => ({ id: cell(row, 0), pkg: cell(row, 1), label: label(cell(row, 2)), summary: cell(row, 3) }));

/** GuardDuty finding types; `{id}` in the title is the resource's name. */
const THREATS = table(`
Recon:EC2/PortProbeUnprotectedPort         | Discovery           | LOW      | AwsEc2Instance | Unprotected port on EC2 instance {id} is being probed.
UnauthorizedAccess:EC2/SSHBruteForce       | Initial Access      | LOW      | AwsEc2Instance | SSH brute force attacks against {id}.
Recon:IAMUser/MaliciousIPCaller            | Discovery           | MEDIUM   | AwsIamRole     | A known malicious IP address called APIs as {id}.
Policy:S3/BucketBlockPublicAccessDisabled  | Effects             | LOW      | AwsS3Bucket    | Block Public Access was disabled for {id}.
CryptoCurrency:EC2/BitcoinTool.B!DNS       | Impact              | HIGH     | AwsEc2Instance | EC2 instance {id} queries a Bitcoin-related domain.
Backdoor:EC2/C&CActivity.B!DNS             | Command and Control | HIGH     | AwsEc2Instance | EC2 instance {id} queries a known C&C domain.
UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS | Unusual Behaviors | HIGH | AwsIamRole | Credentials of {id} used from an external IP address.
AttackSequence:IAM/CompromisedCredentials  | Impact              | CRITICAL | AwsIamRole     | A sequence of actions indicates that {id} is compromised.
`).map((row) => ({
  type: cell(row, 0),
  tactic: cell(row, 1),
  label: label(cell(row, 2)),
  resource: cell(row, 3),
  title: cell(row, 4),
}));

/** IAM Access Analyzer external access findings. */
const EXTERNAL_ACCESS = table(`
AwsS3Bucket       | CRITICAL | allows public access
AwsSqsQueue       | HIGH     | allows public access
AwsIamRole        | MEDIUM   | allows cross-account access
AwsKmsKey         | LOW      | allows cross-account access
AwsLambdaFunction | LOW      | allows cross-account access
`).map((row) => ({ resource: cell(row, 0), label: label(cell(row, 1)), grant: cell(row, 2) }));

/** Macie findings, with their ASFF type. */
const SENSITIVE_DATA = table(`
SensitiveData:S3Object/Personal            | MEDIUM | Sensitive Data Identifications/PII         | The S3 object contains personal information.
SensitiveData:S3Object/Credentials         | HIGH   | Sensitive Data Identifications/Passwords   | The S3 object contains credentials data.
SensitiveData:S3Object/Financial           | HIGH   | Sensitive Data Identifications/Financial   | The S3 object contains financial information.
Policy:IAMUser/S3BucketEncryptionDisabled  | LOW    | Software and Configuration Checks/AWS Security Best Practices | Default encryption is disabled for the S3 bucket.
Policy:IAMUser/S3BucketSharedExternally    | MEDIUM | Effects/Data Exposure                      | The S3 bucket is shared with an external AWS account.
`).map((row) => ({
  type: cell(row, 0),
  label: label(cell(row, 1)),
  category: cell(row, 2),
  title: cell(row, 3),
}));

const WORKLOADS = ['api', 'web', 'worker', 'batch', 'etl', 'cache', 'ingest', 'reports'];

/** A resource of the account, drawn from a pool so that several findings hit the same resources. */
function resourceId(type: string, place: Place, random: Random): string {
  const { account, region } = place;
  const slot = random.int(0, place.pool - 1);
  const r = new Random(account.id, region, type, slot);
  const name = `${account.name}-${r.pick(WORKLOADS)}-${slot}`;
  switch (type) {
    case 'AwsAccount':
      return `AWS::::Account:${account.id}`;
    case 'AwsS3Bucket':
      return `arn:aws:s3:::${name}-${r.hex(6)}`;
    case 'AwsEc2Instance':
      return `arn:aws:ec2:${region}:${account.id}:instance/i-0${r.hex(16)}`;
    case 'AwsEc2SecurityGroup':
      return `arn:aws:ec2:${region}:${account.id}:security-group/sg-0${r.hex(16)}`;
    case 'AwsEc2Vpc':
      return `arn:aws:ec2:${region}:${account.id}:vpc/vpc-0${r.hex(16)}`;
    case 'AwsCloudTrailTrail':
      return `arn:aws:cloudtrail:${region}:${account.id}:trail/${account.name}-trail`;
    case 'AwsRdsDbInstance':
      return `arn:aws:rds:${region}:${account.id}:db:${name}`;
    case 'AwsLambdaFunction':
      return `arn:aws:lambda:${region}:${account.id}:function:${name}`;
    case 'AwsKmsKey':
      return `arn:aws:kms:${region}:${account.id}:key/${r.uuid()}`;
    case 'AwsDynamoDbTable':
      return `arn:aws:dynamodb:${region}:${account.id}:table/${name}`;
    case 'AwsElbv2LoadBalancer':
      return `arn:aws:elasticloadbalancing:${region}:${account.id}:loadbalancer/app/${name}/${r.hex(16)}`;
    case 'AwsEcrRepository':
      return `arn:aws:ecr:${region}:${account.id}:repository/${name}`;
    case 'AwsEcrContainerImage':
      return `arn:aws:ecr:${region}:${account.id}:repository/${name}/sha256:${r.hex(64)}`;
    case 'AwsIamPolicy':
      return `arn:aws:iam::${account.id}:policy/${name}-policy`;
    case 'AwsIamRole':
      return `arn:aws:iam::${account.id}:role/${name}-role`;
    case 'AwsSqsQueue':
      return `arn:aws:sqs:${region}:${account.id}:${name}-queue`;
    default:
      throw new Error(`no sample resource of type ${type}`);
  }
}

const productArn = (region: string, key: string) => `arn:aws:securityhub:${region}::product/aws/${key}`;

const PRODUCTS: readonly Product[] = [
  {
    key: 'securityhub',
    name: 'Security Hub',
    company: 'AWS',
    weight: 52,
    refreshHours: 24,
    detail(random, place) {
      const control = random.weighted(
        CONTROLS,
        CONTROLS.map((c) => c.weight),
      );
      return {
        id: `arn:aws:securityhub:${place.region}:${place.account.id}:security-control/${control.id}/finding/${random.uuid()}`,
        generatorId: `security-control/${control.id}`,
        title: control.title,
        description: `This control checks the configuration behind "${control.title}" and fails when it is not met.`,
        types: ['Software and Configuration Checks/Industry and Regulatory Standards'],
        label: control.label,
        resource: { Type: control.resource, Id: resourceId(control.resource, place, random) },
        recommendation: {
          Text: 'For information on how to correct this issue, consult the AWS Security Hub controls documentation.',
          Url: `https://docs.aws.amazon.com/console/securityhub/${control.id}/remediation`,
        },
        controlId: control.id,
      };
    },
  },
  {
    key: 'inspector',
    name: 'Inspector',
    company: 'Amazon',
    weight: 22,
    refreshHours: 24,
    detail(random, place) {
      const cve = random.pick(CVES);
      const type = random.weighted(
        ['AwsEc2Instance', 'AwsEcrContainerImage', 'AwsLambdaFunction'],
        [6, 3, 1],
      );
      return {
        id: `arn:aws:inspector2:${place.region}:${place.account.id}:finding/${random.hex(32)}`,
        generatorId: 'AWSInspector',
        title: `${cve.id} - ${cve.pkg}`,
        description: `${cve.summary}.`,
        types: ['Software and Configuration Checks/Vulnerabilities/CVE'],
        label: cve.label,
        resource: { Type: type, Id: resourceId(type, place, random) },
        recommendation: { Text: `Upgrade ${cve.pkg} to a version that fixes ${cve.id}.` },
      };
    },
  },
  {
    key: 'guardduty',
    name: 'GuardDuty',
    company: 'Amazon',
    weight: 8,
    refreshHours: 72,
    detail(random, place) {
      const threat = random.pick(THREATS);
      const detector = new Random(place.account.id, place.region, 'guardduty-detector').hex(32);
      const type = threat.resource;
      const resource = resourceId(type, place, random);
      const detectorArn = `arn:aws:guardduty:${place.region}:${place.account.id}:detector/${detector}`;
      return {
        id: `${detectorArn}/finding/${random.hex(32)}`,
        generatorId: detectorArn,
        title: threat.title.replace('{id}', resource.slice(resource.lastIndexOf('/') + 1)),
        description: `GuardDuty detected ${threat.type} activity involving ${resource}.`,
        types: [`TTPs/${threat.tactic}/${threat.type.replace('/', '-')}`],
        label: threat.label,
        resource: { Type: type, Id: resource },
        recommendation: {
          Text: 'Investigate the activity and remediate the affected resource as the GuardDuty finding type describes.',
          Url: 'https://docs.aws.amazon.com/guardduty/latest/ug/guardduty_remediate.html',
        },
      };
    },
  },
  {
    key: 'access-analyzer',
    name: 'IAM Access Analyzer',
    company: 'AWS',
    weight: 10,
    refreshHours: 24,
    detail(random, place) {
      const access = random.pick(EXTERNAL_ACCESS);
      const analyzer = new Random(place.account.id, place.region, 'access-analyzer').uuid();
      const resource = resourceId(access.resource, place, random);
      return {
        id: `arn:aws:access-analyzer:${place.region}:${place.account.id}:analyzer/ConsoleAnalyzer-${analyzer}/finding/${random.uuid()}`,
        generatorId: 'aws/access-analyzer',
        title: `${access.resource}/${resource} ${access.grant}`,
        description: `A policy attached to ${resource} ${access.grant.replace('allows', 'grants')} outside the zone of trust.`,
        types: ['Software and Configuration Checks/AWS Security Best Practices/External Access Granted'],
        label: access.label,
        resource: { Type: access.resource, Id: resource },
        recommendation: {
          Text: 'If this access is not intended, change the resource policy so that it no longer grants it.',
        },
      };
    },
  },
  {
    key: 'macie',
    name: 'Macie',
    company: 'Amazon',
    weight: 8,
    refreshHours: null,
    detail(random, place) {
      const kind = random.pick(SENSITIVE_DATA);
      return {
        id: `arn:aws:macie2:${place.region}:${place.account.id}:finding/${random.hex(32)}`,
        generatorId: kind.type,
        title: kind.title,
        description: `Amazon Macie reported ${kind.type} for a bucket of this account.`,
        types: [kind.category],
        label: kind.label,
        resource: { Type: 'AwsS3Bucket', Id: resourceId('AwsS3Bucket', place, random) },
        recommendation: {
          Text: 'Review the bucket and its objects, and restrict or remove the data as your policy requires.',
        },
      };
    },
  },
];

/** Findings open at any time in one region, per unit of account scale. */
const OPEN_PER_SCALE: Record<Environment, number> = {
  management: 25,
  security: 30,
  production: 48,
  staging: 22,
  development: 18,
  sandbox: 10,
};
/**
 * Catalogue entries per finding open at a time. Findings appear over 1,800 days around 2026 (`lifetime()`) and
 * most close 1 to 120 days later, so in 2026 about one entry in nineteen is open on a given day, and a
 * production region sees a few findings resolved each day.
 */
const CATALOGUE_PER_OPEN = 19;
const CLOSING_SHARE = 0.97;
const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
const SERVER_PAGE_SIZE = 50;

/** How a finding leaves the open state: its workflow is closed, or its record archived (it just disappears). */
type Closing = 'RESOLVED' | 'SUPPRESSED' | 'ARCHIVED';

interface CatalogueEntry {
  readonly index: number;
  readonly product: Product;
  readonly createdAt: Date;
  /** When it leaves the open state, or null when it stays open. */
  readonly closedAt: Date | null;
  readonly closing: Closing;
  /** After how long someone marks it NOTIFIED, or never. */
  readonly notifiedAfterMs: number | null;
}

interface Catalogue {
  /** How many findings are open at a time in the region; it also sizes the resource pools. */
  readonly openTarget: number;
  readonly entries: readonly CatalogueEntry[];
}

/** Recently built catalogues: a collection pages through the same few account x region pairs in a row. */
const recentCatalogues = new Map<string, Catalogue>();
const RECENT_CATALOGUES = 16;

/** Every finding of an account's region over time. */
function catalogue(account: SampleAccount, region: string): Catalogue {
  const key = `${account.id}|${account.environment}|${account.scale}|${region}`;
  const cached = recentCatalogues.get(key);
  if (cached) return cached;
  const built = buildCatalogue(account, region);
  const oldest = recentCatalogues.keys().next().value;
  if (oldest !== undefined && recentCatalogues.size >= RECENT_CATALOGUES) recentCatalogues.delete(oldest);
  recentCatalogues.set(key, built);
  return built;
}

function buildCatalogue(account: SampleAccount, region: string): Catalogue {
  const volume = new Random(account.id, region, 'securityhub-volume');
  const target = Math.round(OPEN_PER_SCALE[account.environment] * account.scale * volume.float(0.85, 1.15));
  const openTarget =
    account.environment === 'production' ? Math.min(400, Math.max(150, target)) : Math.max(3, target);
  const random = new Random(account.id, region, 'securityhub-catalogue');
  const entries: CatalogueEntry[] = [];
  for (let index = 0; index < openTarget * CATALOGUE_PER_OPEN; index++) {
    const life = lifetime(random, { removedShare: CLOSING_SHARE });
    const closingSecond = random.int(0, DAY_MS / 1000 - 1);
    const product = random.weighted(
      PRODUCTS,
      PRODUCTS.map((p) => p.weight),
    );
    const closing = random.weighted<Closing>(['RESOLVED', 'SUPPRESSED', 'ARCHIVED'], [60, 15, 25]);
    const notifiedAfterMs = random.chance(0.3) ? random.int(1, 20) * DAY_MS : null;
    entries.push({
      index,
      product,
      createdAt: life.createdAt,
      closedAt: life.removedAt === null ? null : new Date(life.removedAt.getTime() + closingSecond * 1000),
      closing,
      notifiedAfterMs,
    });
  }
  return { openTarget, entries };
}

const NORMALIZED: Record<Label, number> = { CRITICAL: 90, HIGH: 70, MEDIUM: 40, LOW: 1, INFORMATIONAL: 0 };

/** The part of a finding known from its catalogue entry alone: enough to filter on state and dates cheaply. */
function stateOf(entry: CatalogueEntry, account: SampleAccount, region: string, now: Date) {
  if (entry.createdAt > now) return undefined;
  const open = existsAt({ createdAt: entry.createdAt, removedAt: entry.closedAt }, now);
  // Until when the finding was open: now, or when it closed.
  const openUntil = open || entry.closedAt === null ? now : entry.closedAt;
  const openFor = openUntil.getTime() - entry.createdAt.getTime();
  const notified = entry.notifiedAfterMs !== null && openFor >= entry.notifiedAfterMs;
  // The provider refreshes an open finding periodically (or never); a closed one keeps the time it closed.
  const refreshMs = (entry.product.refreshHours ?? 0) * HOUR_MS;
  const lastObserved = new Date(
    entry.createdAt.getTime() + (refreshMs > 0 ? openFor - (openFor % refreshMs) : 0),
  );
  let status: WorkflowStatus = notified ? 'NOTIFIED' : 'NEW';
  let recordState: AsffFinding['RecordState'] = 'ACTIVE';
  if (!open) {
    if (entry.closing === 'ARCHIVED') recordState = 'ARCHIVED';
    else status = entry.closing;
    // A resolved control finding stays ACTIVE (its control passes again); other products archive it.
    if (entry.closing === 'RESOLVED' && entry.product.key !== 'securityhub') recordState = 'ARCHIVED';
  }
  return {
    ProductArn: productArn(region, entry.product.key),
    ProductName: entry.product.name,
    CompanyName: entry.product.company,
    Region: region,
    AwsAccountId: account.id,
    CreatedAt: entry.createdAt.toISOString(),
    FirstObservedAt: entry.createdAt.toISOString(),
    LastObservedAt: lastObserved.toISOString(),
    UpdatedAt: (open ? lastObserved : openUntil).toISOString(),
    RecordState: recordState,
    Workflow: { Status: status },
    WorkflowState: status === 'RESOLVED' ? 'RESOLVED' : status === 'SUPPRESSED' ? 'DEFERRED' : 'NEW',
  };
}

type State = NonNullable<ReturnType<typeof stateOf>>;

function materialise(entry: CatalogueEntry, place: Place, state: State): AsffFinding {
  const random = new Random(place.account.id, place.region, 'securityhub-finding', entry.index);
  const detail = entry.product.detail(random, place);
  // A control that passes again is resolved by Security Hub itself, with an informational severity.
  const passed = detail.controlId !== undefined && state.Workflow.Status === 'RESOLVED';
  const label: Label = passed ? 'INFORMATIONAL' : detail.label;
  const complianceStatus = passed ? 'PASSED' : random.weighted(['FAILED', 'WARNING'], [9, 1]);
  return {
    SchemaVersion: '2018-10-08',
    Id: detail.id,
    ...state,
    GeneratorId: detail.generatorId,
    Types: detail.types,
    Severity: { Label: label, Normalized: NORMALIZED[label], Original: label },
    Title: detail.title,
    Description: detail.description,
    Remediation: { Recommendation: detail.recommendation },
    ProductFields: {
      'aws/securityhub/ProductName': entry.product.name,
      'aws/securityhub/CompanyName': entry.product.company,
      'aws/securityhub/FindingId': detail.id,
    },
    Resources: [{ ...detail.resource, Partition: 'aws', Region: place.region }],
    ...(detail.controlId !== undefined
      ? {
          Compliance: {
            Status: complianceStatus,
            SecurityControlId: detail.controlId,
            AssociatedStandards: [
              { StandardsId: 'standards/aws-foundational-security-best-practices/v/1.0.0' },
            ],
          },
        }
      : {}),
    ProcessedAt: state.UpdatedAt,
  };
}

// Filters -----------------------------------------------------------------------------------------------

type Accessor = (finding: AsffFinding) => readonly (string | undefined)[];

const STRING_FIELDS: Record<string, Accessor> = {
  ProductArn: (f) => [f.ProductArn],
  AwsAccountId: (f) => [f.AwsAccountId],
  Id: (f) => [f.Id],
  GeneratorId: (f) => [f.GeneratorId],
  Region: (f) => [f.Region],
  Type: (f) => f.Types,
  SeverityLabel: (f) => [f.Severity.Label],
  Title: (f) => [f.Title],
  Description: (f) => [f.Description],
  ProductName: (f) => [f.ProductName],
  CompanyName: (f) => [f.CompanyName],
  ResourceType: (f) => f.Resources.map((r) => r.Type),
  ResourceId: (f) => f.Resources.map((r) => r.Id),
  ComplianceStatus: (f) => [f.Compliance?.Status],
  WorkflowState: (f) => [f.WorkflowState],
  WorkflowStatus: (f) => [f.Workflow.Status],
  RecordState: (f) => [f.RecordState],
};

const DATE_FIELDS: Record<string, (finding: AsffFinding) => string> = {
  FirstObservedAt: (f) => f.FirstObservedAt,
  LastObservedAt: (f) => f.LastObservedAt,
  CreatedAt: (f) => f.CreatedAt,
  UpdatedAt: (f) => f.UpdatedAt,
};

/** Filters answerable from a catalogue entry's state, before the finding is built. */
const STATE_FIELDS = new Set([
  'ProductArn',
  'AwsAccountId',
  'Region',
  'ProductName',
  'CompanyName',
  'WorkflowState',
  'WorkflowStatus',
  'RecordState',
  ...Object.keys(DATE_FIELDS),
]);

const POSITIVE = new Set(['EQUALS', 'PREFIX', 'CONTAINS', 'CONTAINS_WORD']);
const NEGATIVE = new Set(['NOT_EQUALS', 'PREFIX_NOT_EQUALS', 'NOT_CONTAINS']);
const MAX_FILTER_FIELDS = 10;
const MAX_FILTER_VALUES = 20;

interface StringCondition {
  readonly Value: string;
  readonly Comparison: string;
}
interface DateCondition {
  readonly start: number;
  readonly end: number;
}
interface ParsedFilters {
  readonly strings: ReadonlyArray<[string, readonly StringCondition[]]>;
  readonly dates: ReadonlyArray<[string, readonly DateCondition[]]>;
}

function invalidInput(message: string): Error {
  return awsError('InvalidInputException', message);
}

function parseTimestamp(value: unknown, where: string): number {
  const time = typeof value === 'string' ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(time)) throw invalidInput(`${where} is not a valid timestamp: ${JSON.stringify(value)}`);
  return time;
}

/** Checks the filters as Security Hub does and puts them in a form that is quick to apply. */
// biome-ignore lint/suspicious/noExplicitAny: the request's Filters are the SDK's own loosely typed shape
function parseFilters(filters: any, now: Date): ParsedFilters {
  if (filters === undefined) return { strings: [], dates: [] };
  const fields = Object.entries(filters as Record<string, unknown>).filter(([, v]) => v !== undefined);
  if (fields.length > MAX_FILTER_FIELDS) {
    throw invalidInput(
      `You can filter by up to ${MAX_FILTER_FIELDS} finding attributes, got ${fields.length}`,
    );
  }
  const strings: Array<[string, StringCondition[]]> = [];
  const dates: Array<[string, DateCondition[]]> = [];
  for (const [field, conditions] of fields) {
    if (!Array.isArray(conditions) || conditions.length === 0 || conditions.length > MAX_FILTER_VALUES) {
      throw invalidInput(`Filters.${field} must list 1 to ${MAX_FILTER_VALUES} filter values`);
    }
    if (field in STRING_FIELDS) {
      strings.push([
        field,
        conditions.map((c, i) => {
          if (typeof c?.Value !== 'string' || !(POSITIVE.has(c?.Comparison) || NEGATIVE.has(c?.Comparison))) {
            throw invalidInput(`Filters.${field}[${i}] needs a Value and a valid Comparison`);
          }
          return { Value: c.Value, Comparison: c.Comparison };
        }),
      ]);
    } else if (field in DATE_FIELDS) {
      dates.push([
        field,
        conditions.map((c, i) => {
          const where = `Filters.${field}[${i}]`;
          const range = c?.DateRange;
          if (range !== undefined) {
            if (range.Unit !== 'DAYS' || !Number.isInteger(range.Value) || range.Value < 1) {
              throw invalidInput(`${where}.DateRange needs a positive Value and the Unit DAYS`);
            }
            const boundary = now.getTime() - range.Value * DAY_MS;
            return range.Comparison === 'OLDER_THAN'
              ? { start: Number.NEGATIVE_INFINITY, end: boundary }
              : { start: boundary, end: now.getTime() };
          }
          if (c?.Start === undefined && c?.End === undefined) {
            throw invalidInput(`${where} needs Start and End, or a DateRange`);
          }
          const start =
            c.Start === undefined ? Number.NEGATIVE_INFINITY : parseTimestamp(c.Start, `${where}.Start`);
          const end = c.End === undefined ? Number.POSITIVE_INFINITY : parseTimestamp(c.End, `${where}.End`);
          if (start > end) throw invalidInput(`${where}.Start must not be after End`);
          return { start, end };
        }),
      ]);
    } else {
      throw invalidInput(`the sample organization does not filter findings on ${field}`);
    }
  }
  return { strings, dates };
}

function compare(value: string | undefined, condition: StringCondition): boolean {
  const v = value ?? '';
  switch (condition.Comparison) {
    case 'EQUALS':
      return v === condition.Value;
    case 'NOT_EQUALS':
      return v !== condition.Value;
    case 'PREFIX':
      return v.startsWith(condition.Value);
    case 'PREFIX_NOT_EQUALS':
      return !v.startsWith(condition.Value);
    case 'CONTAINS':
      return v.includes(condition.Value);
    case 'NOT_CONTAINS':
      return !v.includes(condition.Value);
    default:
      return v.split(/\W+/).includes(condition.Value);
  }
}

/**
 * Security Hub's filter semantics: within one attribute, positive comparisons (EQUALS, PREFIX, CONTAINS) match
 * if any matches and negative ones must all hold; attributes combine with AND; date ranges are inclusive.
 */
function matches(filters: ParsedFilters, finding: AsffFinding, only?: ReadonlySet<string>): boolean {
  for (const [field, conditions] of filters.strings) {
    if (only && !only.has(field)) continue;
    const values = (STRING_FIELDS[field] as Accessor)(finding);
    const positives = conditions.filter((c) => POSITIVE.has(c.Comparison));
    const negatives = conditions.filter((c) => NEGATIVE.has(c.Comparison));
    if (positives.length > 0 && !positives.some((c) => values.some((v) => compare(v, c)))) return false;
    if (!negatives.every((c) => values.every((v) => compare(v, c)))) return false;
  }
  for (const [field, ranges] of filters.dates) {
    if (only && !only.has(field)) continue;
    const time = Date.parse((DATE_FIELDS[field] as (f: AsffFinding) => string)(finding));
    if (!ranges.some((r) => time >= r.start && time <= r.end)) return false;
  }
  return true;
}

// The operation -----------------------------------------------------------------------------------------

function getFindings(call: SampleCall): object {
  const { Filters, MaxResults, NextToken, SortCriteria } = call.input;
  if (
    call.account.disabledServices.has('securityhub') ||
    call.account.securityHubOffRegions.has(call.region)
  ) {
    throw notSubscribed(call);
  }
  if (MaxResults !== undefined && (!Number.isInteger(MaxResults) || MaxResults < 1 || MaxResults > 100)) {
    throw invalidInput('MaxResults must be an integer from 1 to 100');
  }
  if (SortCriteria !== undefined) throw invalidInput('the sample organization does not sort findings');
  const filters = parseFilters(Filters, call.now);
  const { openTarget, entries } = catalogue(call.account, call.region);
  // About six open findings per resource.
  const place: Place = {
    account: call.account,
    region: call.region,
    pool: Math.max(3, Math.ceil(openTarget / 6)),
  };
  const found: AsffFinding[] = [];
  for (const entry of entries) {
    const state = stateOf(entry, call.account, call.region, call.now);
    // The state has every field STATE_FIELDS reads.
    if (!state || !matches(filters, state as unknown as AsffFinding, STATE_FIELDS)) continue;
    const finding = materialise(entry, place, state);
    if (matches(filters, finding)) found.push(finding);
  }
  const { page, nextToken } = paginate(found, {
    token: NextToken,
    pageSize: Math.min(MaxResults ?? 100, SERVER_PAGE_SIZE),
    request: { Filters },
    invalidToken: () => invalidInput('The NextToken value is not valid.'),
  });
  return { Findings: page, ...(nextToken ? { NextToken: nextToken } : {}) };
}

/** What Security Hub answers in a Region where the account has not enabled it. */
function notSubscribed(call: SampleCall): Error {
  const message = `Account ${call.account.id} is not subscribed to AWS Security Hub`;
  return awsError('InvalidAccessException', message, { status: 401 });
}

export const securityHubSimulator: ServiceSimulator = {
  service: 'SecurityHub',
  operations: { GetFindings: getFindings },
  notEnabled: notSubscribed,
  malform(_operation, output) {
    const copy = structuredClone(output) as { Findings?: Array<Partial<AsffFinding>> };
    const first = copy.Findings?.[0];
    if (first) delete first.ProductArn;
    else delete copy.Findings;
    return copy;
  },
};
