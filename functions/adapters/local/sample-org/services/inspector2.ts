import type { Environment, SampleAccount } from '../accounts.ts';
import { regionInventory, type SampleFunction, type SampleInstance } from '../inventory.ts';
import { Random } from '../random.ts';
import { awsError, paginate, type SampleCall, type ServiceSimulator } from '../simulator.ts';

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
const MINUTE_MS = 60_000;

type Severity = 'CRITICAL' | 'HIGH' | 'MEDIUM' | 'LOW' | 'INFORMATIONAL' | 'UNTRIAGED';
type Ecosystem = 'linux' | 'windows' | 'npm' | 'pip' | 'jar' | 'go';

/** A known vulnerability of a package, as Inspector reports it. */
interface Vulnerability {
  readonly id: string;
  readonly ecosystem: Ecosystem;
  readonly pkg: string;
  readonly version: string;
  /** `-` when no fixed version exists yet. */
  readonly fixedIn: string;
  readonly severity: Severity;
  /** The CVSS v3.1 base score; none for an untriaged vulnerability. */
  readonly score: number | null;
  readonly exploit: boolean;
  readonly weight: number;
  readonly summary: string;
}

/** The cells of a `|`-separated table, one row per line. */
function table(text: string): string[][] {
  return text
    .trim()
    .split('\n')
    .map((line) => line.split('|').map((cell) => cell.trim()));
}

const VULNERABILITIES: readonly Vulnerability[] = table(`
CVE-2024-3094  | linux   | xz                 | 5.6.0        | 5.6.1-1      | CRITICAL      | 10   | no  | 0.2 | Malicious code in the upstream tarballs of xz allows remote code execution through sshd.
CVE-2023-38545 | linux   | curl               | 8.0.1        | 8.4.0        | CRITICAL      | 9.8  | no  | 1   | A heap buffer overflow in the SOCKS5 proxy handshake of curl.
CVE-2023-45853 | linux   | zlib               | 1.2.13       | 1.3.1        | CRITICAL      | 9.8  | no  | 0.8 | An integer overflow in MiniZip of zlib leads to a heap-based buffer overflow.
CVE-2024-6387  | linux   | openssh-server     | 8.7p1        | 9.8p1        | HIGH          | 8.1  | yes | 1.5 | A signal handler race condition in sshd allows unauthenticated remote code execution.
CVE-2023-4911  | linux   | glibc              | 2.34         | 2.34-100     | HIGH          | 7.8  | yes | 1.5 | A buffer overflow in the dynamic loader's GLIBC_TUNABLES handling allows local privilege escalation.
CVE-2024-1086  | linux   | kernel             | 6.1.72       | 6.1.77       | HIGH          | 7.8  | yes | 1.5 | A use-after-free in the netfilter nf_tables component allows local privilege escalation.
CVE-2021-3156  | linux   | sudo               | 1.8.23       | 1.9.5p2      | HIGH          | 7.8  | yes | 0.5 | A heap-based buffer overflow in sudo allows privilege escalation to root.
CVE-2023-5363  | linux   | openssl            | 3.0.8        | 3.0.12       | HIGH          | 7.5  | no  | 2   | Incorrect cipher key and IV length processing may expose data in OpenSSL.
CVE-2023-52425 | linux   | expat              | 2.5.0        | 2.6.0        | HIGH          | 7.5  | no  | 1.5 | Parsing a large token requires many full reparsings in libexpat, allowing a denial of service.
CVE-2024-0727  | linux   | openssl            | 3.0.8        | 3.0.13       | MEDIUM        | 5.5  | no  | 3   | Processing a maliciously formatted PKCS12 file may crash OpenSSL.
CVE-2024-2511  | linux   | openssl            | 3.0.8        | 3.0.14       | MEDIUM        | 5.9  | no  | 3   | Unbounded memory growth with session handling in TLSv1.3 in OpenSSL.
CVE-2023-48795 | linux   | openssh            | 8.7p1        | 9.6p1        | MEDIUM        | 5.9  | no  | 3   | The SSH transport protocol allows a prefix truncation attack (Terrapin).
CVE-2024-28182 | linux   | nghttp2            | 1.57.0       | 1.61.0       | MEDIUM        | 5.3  | no  | 2   | Reading unbounded HTTP/2 CONTINUATION frames in nghttp2 allows a denial of service.
CVE-2023-29383 | linux   | shadow-utils       | 4.9          | 4.14.0       | LOW           | 3.3  | no  | 3   | chfn in shadow-utils accepts control characters in user information fields.
CVE-2023-28322 | linux   | curl               | 8.0.1        | 8.1.0        | LOW           | 3.7  | no  | 3   | curl may reuse a previously used read callback with a POST that follows a PUT.
CVE-2022-27943 | linux   | libstdc++          | 11.3.1       | -            | LOW           | 5.5  | no  | 2   | Stack exhaustion in the demangler of libiberty.
CVE-2024-26458 | linux   | krb5-libs          | 1.21.1       | 1.21.3       | INFORMATIONAL | 5.3  | no  | 2   | A memory leak in the Kerberos RPC library.
CVE-2024-26461 | linux   | krb5-libs          | 1.21.1       | 1.21.3       | INFORMATIONAL | 5.3  | no  | 2   | A memory leak in the Kerberos GSS message token handling.
CVE-2025-0395  | linux   | glibc              | 2.34         | -            | UNTRIAGED     | -    | no  | 0.8 | An assertion failure in glibc may overflow a buffer; the advisory is not scored yet.
CVE-2024-38063 | windows | Windows Server     | 10.0.20348.2529 | 10.0.20348.2582 | CRITICAL | 9.8  | no  | 1   | A remote code execution vulnerability in Windows TCP/IP with IPv6.
CVE-2024-21338 | windows | Windows Server     | 10.0.20348.2227 | 10.0.20348.2322 | HIGH     | 7.8  | yes | 2   | An elevation of privilege vulnerability in the Windows kernel.
CVE-2024-30088 | windows | Windows Server     | 10.0.20348.2461 | 10.0.20348.2527 | HIGH     | 7    | yes | 2   | An elevation of privilege vulnerability in the Windows kernel.
CVE-2024-20666 | windows | Windows Server     | 10.0.20348.2113 | 10.0.20348.2227 | MEDIUM   | 6.6  | no  | 2   | A BitLocker security feature bypass vulnerability.
CVE-2024-29041 | npm     | express            | 4.18.2       | 4.19.2       | MEDIUM        | 6.1  | no  | 3   | Malformed URLs evaluated by express before encoding may enable open redirects.
CVE-2023-45857 | npm     | axios              | 1.5.1        | 1.6.0        | MEDIUM        | 6.5  | no  | 3   | axios reveals the XSRF-TOKEN cookie in headers of every request to any host.
CVE-2024-4068  | npm     | braces             | 3.0.2        | 3.0.3        | HIGH          | 7.5  | no  | 2   | braces fails to limit the characters it handles, leading to memory exhaustion.
CVE-2021-23337 | npm     | lodash             | 4.17.20      | 4.17.21      | HIGH          | 7.2  | no  | 1.5 | Command injection in lodash through the template function.
CVE-2022-25883 | npm     | semver             | 7.3.8        | 7.5.2        | MEDIUM        | 5.3  | no  | 2   | Regular expression denial of service in semver's Range constructor.
CVE-2024-37890 | npm     | ws                 | 8.13.0       | 8.17.1       | HIGH          | 7.5  | no  | 1   | A request with many HTTP headers crashes a ws server.
CVE-2023-43804 | pip     | urllib3            | 1.26.16      | 1.26.17      | HIGH          | 8.1  | no  | 2   | urllib3 does not strip the Cookie header on cross-origin redirects.
CVE-2024-35195 | pip     | requests           | 2.31.0       | 2.32.0       | MEDIUM        | 5.6  | no  | 3   | A requests Session keeps certificate verification disabled for later requests to the same host.
CVE-2024-22195 | pip     | jinja2             | 3.1.2        | 3.1.3        | MEDIUM        | 5.4  | no  | 2   | The xmlattr filter of Jinja accepts keys with spaces, allowing cross-site scripting.
CVE-2023-37920 | pip     | certifi            | 2023.5.7     | 2023.7.22    | CRITICAL      | 9.8  | no  | 1   | certifi trusts the root certificates of e-Tugra, removed after a security investigation.
CVE-2024-6345  | pip     | setuptools         | 65.5.1       | 70.0.0       | HIGH          | 8.8  | no  | 1.5 | Remote code execution through the package_index module of setuptools.
CVE-2021-44228 | jar     | log4j-core         | 2.14.1       | 2.15.0       | CRITICAL      | 10   | yes | 0.8 | JNDI lookups in Log4j 2 message parameters allow remote code execution (Log4Shell).
CVE-2022-22965 | jar     | spring-beans       | 5.3.17       | 5.3.18       | CRITICAL      | 9.8  | yes | 0.6 | Data binding in Spring MVC on JDK 9+ allows remote code execution (Spring4Shell).
CVE-2022-42003 | jar     | jackson-databind   | 2.13.4       | 2.13.4.2     | HIGH          | 7.5  | no  | 2   | Resource exhaustion in jackson-databind through deep wrapper array nesting.
CVE-2023-6378  | jar     | logback-classic    | 1.4.11       | 1.4.12       | HIGH          | 7.5  | no  | 1.5 | A serialization vulnerability in the logback receiver allows a denial of service.
CVE-2023-44487 | go      | golang.org/x/net   | v0.15.0      | v0.17.0      | HIGH          | 7.5  | yes | 2   | HTTP/2 rapid stream resets allow a denial of service.
CVE-2023-39325 | go      | golang.org/x/net   | v0.15.0      | v0.17.0      | HIGH          | 7.5  | no  | 2   | Excessive HTTP/2 stream resets cause excessive server resource consumption.
CVE-2024-24790 | go      | stdlib             | go1.21.8     | go1.21.11    | CRITICAL      | 9.8  | no  | 1   | The net/netip Is methods misclassify IPv4-mapped IPv6 addresses.
CVE-2023-45288 | go      | golang.org/x/net   | v0.21.0      | v0.23.0      | MEDIUM        | 5.3  | no  | 2   | Reading unbounded HTTP/2 CONTINUATION frames allows a denial of service.
`).map((row) => {
  const [id, ecosystem, pkg, version, fixedIn, severity, score, exploit, weight, summary] = row;
  return {
    id: id as string,
    ecosystem: ecosystem as Ecosystem,
    pkg: pkg as string,
    version: version as string,
    fixedIn: fixedIn as string,
    severity: severity as Severity,
    score: score === '-' ? null : Number(score),
    exploit: exploit === 'yes',
    weight: Number(weight),
    summary: summary as string,
  };
});

/** Ports an instance may have reachable from an internet gateway, and the severity Inspector gives them. */
const OPEN_PORTS: ReadonlyArray<{ port: number; severity: Severity; weight: number }> = [
  { port: 22, severity: 'MEDIUM', weight: 3 },
  { port: 3389, severity: 'MEDIUM', weight: 1 },
  { port: 5432, severity: 'LOW', weight: 1 },
  { port: 443, severity: 'INFORMATIONAL', weight: 3 },
];

/** Where Amazon Inspector is not activated by design: sandboxes, and the last region of some dev accounts. */
export function inspectorStatus(
  account: SampleAccount,
  region: string,
  regions: readonly string[],
): 'ENABLED' | 'DISABLED' {
  if (account.environment === 'sandbox') return 'DISABLED';
  const last = regions.length > 1 && region === regions[regions.length - 1];
  const off =
    account.environment === 'development' && last && new Random(account.id, 'inspector-off').chance(0.5);
  return off ? 'DISABLED' : 'ENABLED';
}

/** A resource Inspector scans, with when it exists. */
interface Scanned {
  readonly type: 'AWS_EC2_INSTANCE' | 'AWS_ECR_CONTAINER_IMAGE' | 'AWS_LAMBDA_FUNCTION';
  readonly id: string;
  readonly createdAt: number;
  readonly removedAt: number;
  readonly ecosystems: readonly Ecosystem[];
  /** Vulnerability slots, and how often each is occupied. */
  readonly slots: number;
  readonly occupancy: number;
  /** Images are immutable: their vulnerabilities stay until the image goes. Hosts and functions get patched. */
  readonly patched: boolean;
  readonly openPorts: boolean;
  readonly resource: Record<string, unknown>;
}

/**
 * Vulnerability slots per instance: about as many findings per region whatever the size of the fleet (a large
 * fleet runs fewer, better-kept images), and more outside the home region, where standby capacity is patched less.
 */
function instanceSlots(account: SampleAccount, home: boolean): number {
  return Math.min(12, Math.max(2, Math.round((home ? 24 : 48) / Math.max(0.5, account.scale))));
}
const IMAGE_REPOSITORIES: Record<Environment, [home: number, other: number]> = {
  management: [0, 0],
  security: [1, 0],
  production: [4, 3],
  staging: [2, 1],
  development: [1, 1],
  sandbox: [0, 0],
};
const APP_ECOSYSTEMS: readonly Ecosystem[] = ['npm', 'pip', 'jar', 'go'];

const EC2_PLATFORMS: Record<string, { platform: string; ecosystem: Ecosystem }> = {
  'Amazon Linux 2023': { platform: 'AMAZON_LINUX_2023', ecosystem: 'linux' },
  'Amazon Linux 2': { platform: 'AMAZON_LINUX_2', ecosystem: 'linux' },
  'Ubuntu 22.04': { platform: 'UBUNTU_22_04', ecosystem: 'linux' },
  'Red Hat Enterprise Linux 9.3': { platform: 'RHEL_9', ecosystem: 'linux' },
};

function instanceScanned(
  account: SampleAccount,
  region: string,
  regions: readonly string[],
  instance: SampleInstance,
): Scanned {
  const os = EC2_PLATFORMS[`${instance.platformName} ${instance.platformVersion}`] ?? {
    platform: 'WINDOWS_SERVER_2022',
    ecosystem: 'windows' as const,
  };
  return {
    type: 'AWS_EC2_INSTANCE',
    id: instance.id,
    createdAt: instance.createdAt.getTime(),
    removedAt: instance.removedAt.getTime(),
    ecosystems: [os.ecosystem],
    slots: instanceSlots(account, region === regions[0]),
    occupancy: 0.7,
    patched: true,
    openPorts: true,
    resource: {
      type: 'AWS_EC2_INSTANCE',
      id: instance.id,
      partition: 'aws',
      region,
      tags: { Name: instance.name },
      details: {
        awsEc2Instance: {
          type: instance.instanceType,
          imageId: instance.imageId,
          ipV4Addresses: [instance.privateIp],
          iamInstanceProfileArn: `arn:aws:iam::${account.id}:instance-profile/${account.product ?? account.name}-instance-role`,
          vpcId: instance.vpcId,
          subnetId: instance.subnetId,
          launchedAt: instance.createdAt,
          platform: os.platform,
        },
      },
    },
  };
}

/** Lambda runtimes Inspector's standard scanning reads the dependencies of. */
const RUNTIMES: Record<string, { runtime: string; ecosystem: Ecosystem }> = {
  'nodejs22.x': { runtime: 'NODEJS_22_X', ecosystem: 'npm' },
  'nodejs20.x': { runtime: 'NODEJS_20_X', ecosystem: 'npm' },
  'nodejs18.x': { runtime: 'NODEJS_18_X', ecosystem: 'npm' },
  'python3.12': { runtime: 'PYTHON_3_12', ecosystem: 'pip' },
  'python3.13': { runtime: 'PYTHON_3_13', ecosystem: 'pip' },
  java21: { runtime: 'JAVA_21', ecosystem: 'jar' },
};

function functionScanned(account: SampleAccount, region: string, fn: SampleFunction): Scanned | null {
  const runtime = RUNTIMES[fn.runtime];
  if (!runtime) return null;
  const r = new Random(fn.arn, 'inspector-function');
  return {
    type: 'AWS_LAMBDA_FUNCTION',
    id: `${fn.arn}:$LATEST`,
    createdAt: fn.createdAt.getTime(),
    removedAt: fn.removedAt.getTime(),
    ecosystems: [runtime.ecosystem],
    slots: 2,
    occupancy: 0.35,
    patched: true,
    openPorts: false,
    resource: {
      type: 'AWS_LAMBDA_FUNCTION',
      id: `${fn.arn}:$LATEST`,
      partition: 'aws',
      region,
      details: {
        awsLambdaFunction: {
          functionName: fn.name,
          runtime: runtime.runtime,
          codeSha256: Buffer.from(r.hex(64), 'hex').toString('base64'),
          version: '$LATEST',
          executionRoleArn: `arn:aws:iam::${account.id}:role/${fn.name}-role`,
          packageType: fn.packageType === 'Zip' ? 'ZIP' : 'IMAGE',
          architectures: [fn.architecture === 'arm64' ? 'ARM64' : 'X86_64'],
          lastModifiedAt: fn.lastModified,
        },
      },
    },
  };
}

/**
 * The images an account's ECR repositories hold in a region at `at` (ECR is no part of the shared inventory): each
 * repository's latest push, replaced by the next push every few days, and the image before it until then.
 */
function images(account: SampleAccount, region: string, regions: readonly string[], at: number): Scanned[] {
  const [home, other] = IMAGE_REPOSITORIES[account.environment];
  const count = region === regions[0] ? home : other;
  const base = account.product ?? account.name;
  const out: Scanned[] = [];
  for (let slot = 0; slot < count; slot++) {
    const shape = new Random(account.id, region, 'ecr', slot);
    const repository = `${base}/${['api', 'worker', 'web', 'ingest', 'jobs'][slot % 5]}`;
    const app = shape.pick(APP_ECOSYSTEMS);
    const period = shape.int(3, 21) * DAY_MS;
    const phase = shape.int(0, period - 1);
    const latest = Math.floor((at + phase) / period);
    // The image pushed before the latest stays in use until the latest is rolled out.
    for (const generation of [latest - 1, latest]) {
      const start = generation * period - phase;
      const r = new Random(account.id, region, 'ecr', slot, generation);
      const pushedAt = start + r.int(0, 8 * 60) * MINUTE_MS;
      const digest = r.hex(64);
      const arn = `arn:aws:ecr:${region}:${account.id}:repository/${repository}/sha256:${digest}`;
      out.push({
        type: 'AWS_ECR_CONTAINER_IMAGE',
        id: arn,
        createdAt: pushedAt,
        removedAt: start + 2 * period,
        ecosystems: ['linux', app],
        slots: 6,
        occupancy: 0.55,
        patched: false,
        openPorts: false,
        resource: {
          type: 'AWS_ECR_CONTAINER_IMAGE',
          id: arn,
          partition: 'aws',
          region,
          details: {
            awsEcrContainerImage: {
              repositoryName: repository,
              imageTags: [`1.${generation % 1000}.${r.int(0, 9)}`],
              pushedAt: new Date(pushedAt),
              architecture: r.chance(0.6) ? 'arm64' : 'amd64',
              imageHash: `sha256:${digest}`,
              registry: account.id,
              platform: 'AMAZON_LINUX_2023',
            },
          },
        },
      });
    }
  }
  return out;
}

/** Inspector deletes a closed finding 30 days after a fix, 3 days after its resource is gone. */
const FIXED_RETENTION_MS = 30 * DAY_MS;
const GONE_RETENTION_MS = 3 * DAY_MS;

/** Every resource Inspector reports on at `now`: those that exist, and those gone in the last days. */
function scannedResources(
  account: SampleAccount,
  region: string,
  regions: readonly string[],
  now: Date,
): Scanned[] {
  const byId = new Map<string, Scanned>();
  const days = Math.ceil(GONE_RETENTION_MS / DAY_MS);
  for (let back = days; back >= 0; back--) {
    const at = back === 0 ? now.getTime() : (Math.floor(now.getTime() / DAY_MS) - back) * DAY_MS;
    const inventory = regionInventory(account, region, regions, new Date(at));
    for (const instance of inventory.instances)
      byId.set(instance.id, instanceScanned(account, region, regions, instance));
    for (const fn of inventory.functions) {
      const scanned = functionScanned(account, region, fn);
      if (scanned) byId.set(scanned.id, scanned);
    }
    for (const image of images(account, region, regions, at)) byId.set(image.id, image);
  }
  return [...byId.values()].filter((r) => r.createdAt <= now.getTime());
}

type Status = 'ACTIVE' | 'SUPPRESSED' | 'CLOSED';

/** An Inspector finding as the SDK deserialises it (its timestamps are Dates). */
interface SampleFinding {
  readonly findingArn: string;
  readonly awsAccountId: string;
  readonly type: 'PACKAGE_VULNERABILITY' | 'NETWORK_REACHABILITY';
  readonly description: string;
  readonly title: string;
  readonly remediation: { recommendation: { text: string; Url?: string } };
  readonly severity: Severity;
  readonly firstObservedAt: Date;
  readonly lastObservedAt: Date;
  readonly updatedAt: Date;
  readonly status: Status;
  readonly resources: Array<Record<string, unknown>>;
  readonly inspectorScore?: number;
  readonly packageVulnerabilityDetails?: Record<string, unknown>;
  readonly networkReachabilityDetails?: Record<string, unknown>;
  readonly fixAvailable?: 'YES' | 'NO' | 'PARTIAL';
  readonly exploitAvailable?: 'YES' | 'NO';
  readonly exploitabilityDetails?: { lastKnownExploitAt: Date };
  readonly epss?: { score: number };
}

/** One occupant of a vulnerability slot: when Inspector found it, and when it was suppressed or closed. */
interface Occurrence {
  readonly random: Random;
  readonly firstObservedAt: number;
  readonly suppressedAt: number | null;
  readonly closedAt: number;
  /** Closed because the resource went away (kept 3 days), not because it was fixed (kept 30). */
  readonly gone: boolean;
}

/**
 * The occupants of a slot that Inspector still lists at `now`. A host or function slot is patched every so many
 * days (its period): its vulnerability closes and another may appear. An image slot lasts as long as the image.
 */
function occurrences(resource: Scanned, seed: readonly (string | number)[], now: number): Occurrence[] {
  const shape = new Random(...seed, 'period');
  const period = resource.patched ? shape.int(15, 90) * DAY_MS : resource.removedAt - resource.createdAt;
  const phase = resource.patched ? shape.int(0, period - 1) : -resource.createdAt;
  const out: Occurrence[] = [];
  for (let generation = Math.floor((now + phase) / period); ; generation--) {
    const start = generation * period - phase;
    const end = Math.min(start + period, resource.removedAt);
    if (end <= resource.createdAt || end + FIXED_RETENTION_MS <= now) break;
    const random = new Random(...seed, generation);
    if (!random.chance(resource.occupancy)) continue;
    const discovered = resource.patched || random.chance(0.3) ? random.float(0, 0.5) : 0;
    const firstObservedAt =
      Math.max(start, resource.createdAt) + random.int(5, 90) * MINUTE_MS + discovered * period;
    if (firstObservedAt >= end) continue;
    const closedAt = end + random.int(10, 240) * MINUTE_MS;
    const gone = end === resource.removedAt;
    if (closedAt + (gone ? GONE_RETENTION_MS : FIXED_RETENTION_MS) <= now || firstObservedAt > now) continue;
    const suppressedAt = random.chance(0.07)
      ? firstObservedAt + random.float(0.1, 0.7) * (closedAt - firstObservedAt)
      : null;
    out.push({ random, firstObservedAt, suppressedAt, closedAt, gone });
    if (!resource.patched) break;
  }
  return out;
}

function statusAt(o: Occurrence, now: number): { status: Status; updatedAt: number; lastObservedAt: number } {
  // Inspector rescans a resource about daily and on every new vulnerability advisory.
  const cadence = o.random.int(12, 36) * HOUR_MS;
  const observedUntil = Math.min(now, o.closedAt);
  const lastObservedAt =
    o.firstObservedAt + Math.floor((observedUntil - o.firstObservedAt) / cadence) * cadence;
  if (o.closedAt <= now) return { status: 'CLOSED', updatedAt: o.closedAt, lastObservedAt };
  if (o.suppressedAt !== null && o.suppressedAt <= now) {
    return { status: 'SUPPRESSED', updatedAt: o.suppressedAt, lastObservedAt };
  }
  return { status: 'ACTIVE', updatedAt: lastObservedAt, lastObservedAt };
}

const PACKAGE_MANAGERS: Record<Ecosystem, string> = {
  linux: 'OS',
  windows: 'OS',
  npm: 'NPM',
  pip: 'PYTHONPKG',
  jar: 'JAR',
  go: 'GOBINARY',
};
const PACKAGE_PATHS: Partial<Record<Ecosystem, (pkg: string) => string>> = {
  npm: (pkg) => `node_modules/${pkg}/package.json`,
  pip: (pkg) => `python/${pkg}/METADATA`,
  jar: (pkg) => `lib/${pkg}.jar`,
  go: () => 'bootstrap',
};

function packageFinding(
  resource: Scanned,
  occurrence: Occurrence,
  account: SampleAccount,
  region: string,
  now: number,
): SampleFinding {
  const r = occurrence.random;
  const ecosystem = r.pick(resource.ecosystems);
  const candidates = VULNERABILITIES.filter((v) => v.ecosystem === ecosystem);
  const v = r.weighted(
    candidates,
    candidates.map((c) => c.weight),
  );
  const state = statusAt(occurrence, now);
  const fixAvailable = v.fixedIn === '-' ? 'NO' : r.chance(0.1) ? 'PARTIAL' : 'YES';
  const path = PACKAGE_PATHS[ecosystem];
  const epss = Math.round(r.float(v.exploit ? 0.4 : 0.0005, v.exploit ? 0.97 : 0.05) * 100_000) / 100_000;
  return {
    findingArn: `arn:aws:inspector2:${region}:${account.id}:finding/${r.hex(32)}`,
    awsAccountId: account.id,
    type: 'PACKAGE_VULNERABILITY',
    description: v.summary,
    title: `${v.id} - ${v.pkg}`,
    remediation: {
      recommendation: {
        text: v.fixedIn === '-' ? 'None Provided' : `Upgrade ${v.pkg} to ${v.fixedIn} or later.`,
      },
    },
    severity: v.severity,
    firstObservedAt: new Date(occurrence.firstObservedAt),
    lastObservedAt: new Date(state.lastObservedAt),
    updatedAt: new Date(state.updatedAt),
    status: state.status,
    resources: [resource.resource],
    ...(v.score === null ? {} : { inspectorScore: v.score }),
    packageVulnerabilityDetails: {
      vulnerabilityId: v.id,
      source: ecosystem === 'linux' || ecosystem === 'windows' ? 'NVD' : 'GITHUB',
      sourceUrl: `https://nvd.nist.gov/vuln/detail/${v.id}`,
      vendorSeverity: v.severity === 'UNTRIAGED' ? 'UNTRIAGED' : v.severity,
      referenceUrls: [`https://nvd.nist.gov/vuln/detail/${v.id}`],
      vulnerablePackages: [
        {
          name: v.pkg,
          version: v.version,
          packageManager: PACKAGE_MANAGERS[ecosystem],
          ...(v.fixedIn === '-' ? {} : { fixedInVersion: v.fixedIn }),
          ...(path ? { filePath: path(v.pkg) } : {}),
        },
      ],
      ...(v.score === null
        ? {}
        : {
            cvss: [
              {
                baseScore: v.score,
                scoringVector: `CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:${v.score >= 7 ? 'H' : 'L'}/I:${v.score >= 9 ? 'H' : 'N'}/A:H`,
                version: '3.1',
                source: 'NVD',
              },
            ],
          }),
    },
    fixAvailable,
    exploitAvailable: v.exploit ? 'YES' : 'NO',
    ...(v.exploit
      ? {
          exploitabilityDetails: {
            lastKnownExploitAt: new Date(occurrence.firstObservedAt - r.int(1, 120) * DAY_MS),
          },
        }
      : {}),
    epss: { score: epss },
  };
}

function reachabilityFinding(
  resource: Scanned,
  occurrence: Occurrence,
  account: SampleAccount,
  region: string,
  now: number,
): SampleFinding {
  const r = occurrence.random;
  const open = r.weighted(
    OPEN_PORTS,
    OPEN_PORTS.map((p) => p.weight),
  );
  const state = statusAt(occurrence, now);
  const gateway = `igw-${new Random(account.id, region, 'igw').hex(17)}`;
  return {
    findingArn: `arn:aws:inspector2:${region}:${account.id}:finding/${r.hex(32)}`,
    awsAccountId: account.id,
    type: 'NETWORK_REACHABILITY',
    description: `On the instance ${resource.id}, the port range ${open.port} - ${open.port} is reachable from the internet gateway ${gateway}.`,
    title: `Port ${open.port} is reachable from an Internet Gateway - TCP`,
    remediation: {
      recommendation: {
        text: 'You can restrict access to your instance by modifying the Security Groups or ACLs in the network path.',
      },
    },
    severity: open.severity,
    firstObservedAt: new Date(occurrence.firstObservedAt),
    lastObservedAt: new Date(state.lastObservedAt),
    updatedAt: new Date(state.updatedAt),
    status: state.status,
    resources: [resource.resource],
    networkReachabilityDetails: {
      openPortRange: { begin: open.port, end: open.port },
      protocol: 'TCP',
      networkPath: {
        steps: [
          { componentId: gateway, componentType: 'AWS::EC2::InternetGateway' },
          { componentId: `sg-${r.hex(17)}`, componentType: 'AWS::EC2::SecurityGroup' },
          { componentId: resource.id, componentType: 'AWS::EC2::Instance' },
        ],
      },
    },
  };
}

const recent = new Map<string, SampleFinding[]>();
const RECENT = 24;

/** Every finding Inspector lists for the account in a region at `now`, whatever its status, oldest first. */
function sampleInspectorFindings(
  account: SampleAccount,
  region: string,
  regions: readonly string[],
  now: Date,
): SampleFinding[] {
  const key = `${account.id}|${account.environment}|${account.scale}|${region}|${regions.join(',')}|${now.getTime()}`;
  const cached = recent.get(key);
  if (cached) return cached;
  const at = now.getTime();
  const findings: SampleFinding[] = [];
  for (const resource of scannedResources(account, region, regions, now)) {
    for (let slot = 0; slot < resource.slots; slot++) {
      for (const o of occurrences(resource, [account.id, region, resource.id, 'inspector', slot], at)) {
        findings.push(packageFinding(resource, o, account, region, at));
      }
    }
    if (resource.openPorts) {
      const reachable = { ...resource, occupancy: 0.2, patched: true };
      for (const o of occurrences(reachable, [account.id, region, resource.id, 'inspector', 'network'], at)) {
        findings.push(reachabilityFinding(resource, o, account, region, at));
      }
    }
  }
  findings.sort(
    (a, b) =>
      a.firstObservedAt.getTime() - b.firstObservedAt.getTime() || a.findingArn.localeCompare(b.findingArn),
  );
  const oldest = recent.keys().next().value;
  if (oldest !== undefined && recent.size >= RECENT) recent.delete(oldest);
  recent.set(key, findings);
  return findings;
}

// Requests ------------------------------------------------------------------------------------------------

const MAX_RESULTS = 100;
/** Inspector's pages here hold fewer findings than asked for, so collectors must follow nextToken. */
const SERVER_PAGE = 25;
const MAX_FILTER_VALUES = 10;

function validation(message: string): Error {
  return awsError('ValidationException', message);
}

/** Inspector's own refusal of an account it is not activated for (an IAM denial names the user and action). */
function notActivated(call: SampleCall): Error {
  const action = call.operation === 'BatchGetAccountStatus' ? 'get account status' : 'list findings';
  return awsError('AccessDeniedException', `Invoking account does not have access to ${action}.`, {
    status: 403,
  });
}

function batchGetAccountStatus(call: SampleCall): object {
  const requested: unknown = call.input.accountIds ?? [call.account.id];
  if (!Array.isArray(requested) || requested.length > MAX_FILTER_VALUES) {
    throw validation('accountIds must list at most 10 account ids');
  }
  const status = inspectorStatus(call.account, call.region, call.regions);
  const scan = (on: boolean) => ({ status: status === 'ENABLED' && on ? 'ENABLED' : 'DISABLED' });
  const accounts: object[] = [];
  const failedAccounts: object[] = [];
  for (const id of requested as string[]) {
    if (typeof id !== 'string' || !/^\d{12}$/.test(id)) throw validation(`${id} is not an account id`);
    if (id !== call.account.id) {
      failedAccounts.push({
        accountId: id,
        errorCode: 'ACCESS_DENIED',
        errorMessage: 'The account is not a member of your organization in Amazon Inspector.',
      });
      continue;
    }
    accounts.push({
      accountId: id,
      state: { status },
      resourceState: {
        ec2: scan(true),
        ecr: scan(IMAGE_REPOSITORIES[call.account.environment].some((n) => n > 0)),
        lambda: scan(true),
        lambdaCode: scan(false),
      },
    });
  }
  return { accounts, failedAccounts };
}

type Filter = (finding: SampleFinding) => boolean;

const STRING_FIELDS: Record<string, (f: SampleFinding) => string | undefined> = {
  awsAccountId: (f) => f.awsAccountId,
  findingArn: (f) => f.findingArn,
  findingStatus: (f) => f.status,
  findingType: (f) => f.type,
  severity: (f) => f.severity,
  title: (f) => f.title,
  resourceType: (f) => f.resources[0]?.type as string | undefined,
  resourceId: (f) => f.resources[0]?.id as string | undefined,
  vulnerabilityId: (f) => f.packageVulnerabilityDetails?.vulnerabilityId as string | undefined,
  fixAvailable: (f) => f.fixAvailable,
  exploitAvailable: (f) => f.exploitAvailable,
};
const DATE_FIELDS: Record<string, (f: SampleFinding) => Date> = {
  firstObservedAt: (f) => f.firstObservedAt,
  lastObservedAt: (f) => f.lastObservedAt,
  updatedAt: (f) => f.updatedAt,
};

/**
 * Inspector's filter semantics: within one field, EQUALS and PREFIX filters match if any matches and NOT_EQUALS
 * filters must all hold; date ranges match if any does; fields combine with AND.
 */
// biome-ignore lint/suspicious/noExplicitAny: the request's filterCriteria are the SDK's own loosely typed shape
function filterOf(criteria: any): Filter[] {
  if (criteria === undefined) return [];
  const filters: Filter[] = [];
  for (const [field, list] of Object.entries(criteria as Record<string, unknown>)) {
    if (list === undefined) continue;
    if (!Array.isArray(list) || list.length === 0 || list.length > MAX_FILTER_VALUES) {
      throw validation(`filterCriteria.${field} must list 1 to ${MAX_FILTER_VALUES} filters`);
    }
    const text = STRING_FIELDS[field];
    const date = DATE_FIELDS[field];
    if (text) {
      const positives: Filter[] = [];
      const negatives: Filter[] = [];
      for (const [i, f] of list.entries()) {
        if (typeof f?.value !== 'string' || f.value.length === 0) {
          throw validation(`filterCriteria.${field}[${i}].value must not be empty`);
        }
        const value: string = f.value;
        if (f.comparison === 'EQUALS') positives.push((x) => text(x) === value);
        else if (f.comparison === 'PREFIX') positives.push((x) => (text(x) ?? '').startsWith(value));
        else if (f.comparison === 'NOT_EQUALS') negatives.push((x) => text(x) !== value);
        else {
          throw validation(
            `Value '${f.comparison}' at 'filterCriteria.${field}.${i + 1}.member.comparison' failed to satisfy constraint: Member must satisfy enum value set: [EQUALS, PREFIX, NOT_EQUALS]`,
          );
        }
      }
      filters.push(
        (x) => (positives.length === 0 || positives.some((p) => p(x))) && negatives.every((n) => n(x)),
      );
    } else if (date) {
      const ranges = list.map((f, i) => {
        const start = f?.startInclusive;
        const end = f?.endInclusive;
        if (
          (start !== undefined && !(start instanceof Date)) ||
          (end !== undefined && !(end instanceof Date))
        ) {
          throw validation(`filterCriteria.${field}[${i}] needs timestamps`);
        }
        if (start === undefined && end === undefined) {
          throw validation(`filterCriteria.${field}[${i}] needs startInclusive or endInclusive`);
        }
        return {
          start: start?.getTime() ?? Number.NEGATIVE_INFINITY,
          end: end?.getTime() ?? Number.POSITIVE_INFINITY,
        };
      });
      filters.push((x) =>
        ranges.some((range) => date(x).getTime() >= range.start && date(x).getTime() <= range.end),
      );
    } else {
      throw validation(`the sample organization does not filter findings on ${field}`);
    }
  }
  return filters;
}

function listFindings(call: SampleCall): object {
  const { filterCriteria, maxResults, nextToken, sortCriteria } = call.input;
  if (inspectorStatus(call.account, call.region, call.regions) !== 'ENABLED') throw notActivated(call);
  if (
    maxResults !== undefined &&
    (!Number.isInteger(maxResults) || maxResults < 1 || maxResults > MAX_RESULTS)
  ) {
    throw validation(
      `1 validation error detected: Value '${maxResults}' at 'maxResults' failed to satisfy constraint: Member must have value between 1 and ${MAX_RESULTS}`,
    );
  }
  if (sortCriteria !== undefined) throw validation('the sample organization does not sort findings');
  const filters = filterOf(filterCriteria);
  const found = sampleInspectorFindings(call.account, call.region, call.regions, call.now).filter((f) =>
    filters.every((filter) => filter(f)),
  );
  const { page, nextToken: next } = paginate(found, {
    token: nextToken,
    pageSize: Math.min(maxResults ?? MAX_RESULTS, SERVER_PAGE),
    request: { filterCriteria, maxResults, account: call.account.id, region: call.region },
    invalidToken: () => validation('The nextToken is not valid.'),
  });
  return { findings: page, ...(next ? { nextToken: next } : {}) };
}

export const inspector2Simulator: ServiceSimulator = {
  service: 'Inspector2',
  operations: { BatchGetAccountStatus: batchGetAccountStatus, ListFindings: listFindings },
  notEnabled: notActivated,
  malform(operation, output) {
    const copy = structuredClone(output) as Record<string, unknown>;
    const key = operation === 'ListFindings' ? 'findings' : 'accounts';
    const first = (copy[key] as Array<Record<string, unknown>> | undefined)?.[0];
    if (first) delete first[operation === 'ListFindings' ? 'severity' : 'state'];
    else delete copy[key];
    return copy;
  },
};
