import type { Environment, SampleAccount } from '../accounts.ts';
import { regionInventory, type SampleDatabase } from '../inventory.ts';
import { Random } from '../random.ts';
import { awsError, paginate, type SampleCall, type ServiceSimulator } from '../simulator.ts';
import { secretsKey, slotOccupant } from './kms.ts';

const DAY_MS = 86_400_000;
const MINUTE_MS = 60_000;

/** When a rotation schedule starts counting: a weekly cron schedule runs on Sundays at 04:00 UTC. */
function rotationStart(createdAt: Date, rotation: Rotation): Date {
  return rotation.rules.ScheduleExpression === undefined
    ? createdAt
    : new Date(nextSunday4am(createdAt).getTime() - rotation.periodDays * DAY_MS);
}

interface Rotation {
  /** Null: rotation managed by the owning service (RDS), without a Lambda of the account. */
  readonly lambdaArn: string | null;
  readonly rules: { AutomaticallyAfterDays?: number; ScheduleExpression?: string; Duration?: string };
  readonly periodDays: number;
  /** Rotation configured once and switched off since. */
  readonly enabled: boolean;
}

/** A secret of the sample organization as it is at `now`. */
export interface SampleSecret {
  readonly name: string;
  readonly arn: string;
  readonly description: string;
  readonly createdAt: Date;
  /** When it was scheduled for deletion: from then on only IncludePlannedDeletion lists it. */
  readonly deletedAt: Date | null;
  readonly kmsKeyId: string | null;
  readonly rotation: Rotation | null;
  readonly lastChangedAt: Date;
  readonly lastAccessedAt: Date | null;
  readonly tags: ReadonlyArray<{ Key: string; Value: string }>;
  readonly owningService: string | null;
  readonly primaryRegion: string | null;
}

/** API keys and tokens in the home region of a scale-1 account; other regions get fewer. */
const API_KEYS: Record<Environment, number> = {
  management: 1,
  security: 1,
  production: 4,
  staging: 3,
  development: 2,
  sandbox: 1,
};
const ENVIRONMENT_TAG: Record<Environment, string> = {
  management: 'mgmt',
  security: 'security',
  production: 'prod',
  staging: 'staging',
  development: 'dev',
  sandbox: 'sandbox',
};
const VENDORS: ReadonlyArray<{ name: string; description: string }> = [
  { name: 'stripe-api-key', description: 'Stripe restricted API key' },
  { name: 'sendgrid-api-key', description: 'SendGrid API key for transactional mail' },
  { name: 'datadog-api-key', description: 'Datadog API key for the agent' },
  { name: 'pagerduty-routing-key', description: 'PagerDuty Events API routing key' },
  { name: 'github-app-private-key', description: 'GitHub App private key for CI checkouts' },
  { name: 'slack-webhook-url', description: 'Slack incoming webhook for alerts' },
  { name: 'twilio-auth-token', description: 'Twilio auth token for SMS' },
  { name: 'algolia-admin-key', description: 'Algolia admin API key' },
  { name: 'openai-api-key', description: 'OpenAI API key' },
  { name: 'segment-write-key', description: 'Segment write key' },
  { name: 'jwt-signing-secret', description: 'HMAC secret for session tokens' },
  { name: 'partner-sftp-password', description: 'Password of the partner SFTP account' },
];
const TEAMS = ['platform', 'payments-team', 'core-services', 'data-eng', 'sre', 'growth'];

/** The secrets of the platform accounts (the organization's own tooling), in their home region. */
const PLATFORM_SECRETS: Readonly<Record<string, { name: string; description: string }>> = {
  'org-management': {
    name: 'org/identity-center/scim-token',
    description: 'SCIM access token of the identity provider',
  },
  'security-tooling': { name: 'security/siem/ingest-token', description: 'Token the SIEM forwarder uses' },
  'log-archive': { name: 'logging/splunk/hec-token', description: 'Splunk HTTP Event Collector token' },
  'network-hub': {
    name: 'network/vpn/tunnel-psk',
    description: 'Pre-shared key of the on-premises VPN tunnels',
  },
  'shared-services': { name: 'shared/ci/deploy-key', description: 'SSH deploy key of the CI runners' },
};

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** Secrets Manager ends a secret's ARN with six random characters after its name. */
function secretArn(random: Random, account: SampleAccount, region: string, name: string): string {
  let suffix = '';
  while (suffix.length < 6) suffix += ALNUM[random.int(0, ALNUM.length - 1)];
  return `arn:aws:secretsmanager:${region}:${account.id}:secret:${name}-${suffix}`;
}

const midnight = (date: Date) => new Date(Math.floor(date.getTime() / DAY_MS) * DAY_MS);

/** The first Sunday 04:00 UTC after `date`: when a `cron(0 4 ? * SUN *)` rotation first runs. */
function nextSunday4am(date: Date): Date {
  const day = new Date(Math.floor(date.getTime() / DAY_MS) * DAY_MS + 4 * 3_600_000);
  while (day.getUTCDay() !== 0 || day <= date) day.setTime(day.getTime() + DAY_MS);
  return day;
}

/** The last rotation at or before `now` and the next one, for rotations every `periodDays` since `from`. */
function rotationTimes(from: Date, periodDays: number, now: Date): { last: Date | null; next: Date } {
  const period = periodDays * DAY_MS;
  const done = Math.floor((now.getTime() - from.getTime()) / period);
  return {
    last: done >= 1 ? new Date(from.getTime() + done * period) : null,
    next: new Date(from.getTime() + (done + 1) * period),
  };
}

function tagsOf(account: SampleAccount, random: Random) {
  return [
    { Key: 'Environment', Value: ENVIRONMENT_TAG[account.environment] },
    { Key: 'Application', Value: account.product ?? account.name },
    ...(random.chance(0.7) ? [{ Key: 'Owner', Value: random.pick(TEAMS) }] : []),
  ];
}

/** The last access Secrets Manager records (to the day): daily for most secrets, long ago or never for some. */
function lastAccess(random: Random, createdAt: Date, now: Date): Date | null {
  const roll = random.next();
  if (roll < 0.1) return null;
  const daysAgo = roll < 0.8 ? random.int(0, 1) : random.int(30, 200);
  const at = new Date(Math.max(createdAt.getTime(), now.getTime() - daysAgo * DAY_MS));
  return midnight(at);
}

/** The application user of a database, rotated by a Lambda function of the region, and RDS's own secret. */
function databaseSecrets(
  account: SampleAccount,
  region: string,
  database: SampleDatabase,
  rotator: string | null,
  now: Date,
): SampleSecret[] {
  const random = new Random(database.arn, 'secrets');
  const createdAt = new Date(database.createdAt.getTime() + random.int(5, 90) * MINUTE_MS);
  if (createdAt > now) return [];
  const weekly = random.chance(0.25);
  const rotation: Rotation | null = rotator
    ? {
        lambdaArn: rotator,
        rules: weekly
          ? { ScheduleExpression: 'cron(0 4 ? * SUN *)', Duration: '3h' }
          : { AutomaticallyAfterDays: 30 },
        periodDays: weekly ? 7 : 30,
        enabled: true,
      }
    : null;
  const appTimes = rotation
    ? rotationTimes(rotationStart(createdAt, rotation), rotation.periodDays, now)
    : null;
  const name = `${ENVIRONMENT_TAG[account.environment]}/${database.identifier}/app-user`;
  const secrets: SampleSecret[] = [
    {
      name,
      arn: secretArn(random, account, region, name),
      description: `Credentials of the application user of ${database.engine} database ${database.identifier}`,
      createdAt,
      deletedAt: null,
      kmsKeyId: random.chance(0.6) ? secretsKey(account, region).arn : null,
      rotation,
      lastChangedAt: appTimes?.last ?? createdAt,
      lastAccessedAt: midnight(now),
      tags: tagsOf(account, random),
      owningService: null,
      primaryRegion: null,
    },
  ];
  if (random.chance(0.5)) {
    const managedName = `rds!db-${random.uuid()}`;
    const managed: Rotation = {
      lambdaArn: null,
      rules: { AutomaticallyAfterDays: 7 },
      periodDays: 7,
      enabled: true,
    };
    const managedCreatedAt = new Date(database.createdAt.getTime() + random.int(1, 4) * MINUTE_MS);
    secrets.push({
      name: managedName,
      arn: secretArn(random, account, region, managedName),
      description: `Secret associated with primary RDS DB instance: ${database.arn}`,
      createdAt: managedCreatedAt,
      deletedAt: null,
      kmsKeyId: null,
      rotation: managed,
      lastChangedAt: rotationTimes(managedCreatedAt, 7, now).last ?? managedCreatedAt,
      lastAccessedAt: random.chance(0.7) ? midnight(now) : null,
      tags: [
        { Key: 'aws:rds:primaryDBInstanceArn', Value: database.arn },
        { Key: 'aws:secretsmanager:owningService', Value: 'rds' },
      ],
      owningService: 'rds',
      primaryRegion: null,
    });
  }
  return secrets;
}

/** An API key or token in one slot: never rotated, scheduled for deletion in the last days of its life. */
function apiKeySecret(
  account: SampleAccount,
  region: string,
  taken: NonNullable<ReturnType<typeof slotOccupant>>,
  usedNames: Set<string>,
  now: Date,
): { secret: SampleSecret; replicated: boolean } {
  const { random: r } = taken;
  const vendor = r.pick(VENDORS);
  let name = `${ENVIRONMENT_TAG[account.environment]}/${account.product ?? account.name}/${vendor.name}`;
  for (let n = 2; usedNames.has(name); n++) name = `${name.replace(/-\d+$/, '')}-${n}`;
  usedNames.add(name);
  const recoveryDays = r.pick([7, 30, 30]);
  const deletedAt = new Date(taken.removedAt.getTime() - recoveryDays * DAY_MS);
  const changedAt = r.chance(0.3)
    ? new Date(Math.min(now.getTime(), taken.createdAt.getTime() + r.int(1, 120) * DAY_MS))
    : taken.createdAt;
  // Some had a rotation set up once and switched off again.
  const abandoned = r.chance(0.1);
  return {
    secret: {
      name,
      arn: secretArn(r, account, region, name),
      description: r.chance(0.8) ? vendor.description : '',
      createdAt: taken.createdAt,
      deletedAt: deletedAt > taken.createdAt ? deletedAt : null,
      kmsKeyId: r.chance(0.35) ? secretsKey(account, region).arn : null,
      rotation: abandoned
        ? {
            lambdaArn: `arn:aws:lambda:${region}:${account.id}:function:${account.product ?? account.name}-rotate-${vendor.name}`,
            rules: { AutomaticallyAfterDays: 90 },
            periodDays: 90,
            enabled: false,
          }
        : null,
      lastChangedAt: changedAt,
      lastAccessedAt: lastAccess(r, taken.createdAt, now),
      tags: tagsOf(account, r),
      owningService: null,
      primaryRegion: null,
    },
    replicated: r.chance(0.2),
  };
}

function apiKeySecrets(account: SampleAccount, region: string, weight: number, now: Date) {
  const day = Math.floor(now.getTime() / DAY_MS);
  const count = Math.round(API_KEYS[account.environment] * Math.max(0.5, account.scale) * weight);
  const usedNames = new Set<string>();
  const found: Array<{ secret: SampleSecret; replicated: boolean }> = [];
  for (let slot = 0; slot < count; slot++) {
    const taken = slotOccupant([account.id, region, 'secret', slot], day, [20, 300], 0.12);
    if (taken) found.push(apiKeySecret(account, region, taken, usedNames, now));
  }
  return found;
}

function platformSecret(account: SampleAccount, region: string, now: Date): SampleSecret | null {
  const known = PLATFORM_SECRETS[account.name];
  if (!known) return null;
  const random = new Random(account.id, 'secrets', 'platform');
  const createdAt = new Date(account.joinedAt.getTime() + random.int(2, 60) * DAY_MS);
  return {
    name: known.name,
    arn: secretArn(random, account, region, known.name),
    description: known.description,
    createdAt,
    deletedAt: null,
    kmsKeyId: secretsKey(account, region).arn,
    rotation: null,
    lastChangedAt: new Date(Math.min(now.getTime(), createdAt.getTime() + random.int(0, 300) * DAY_MS)),
    lastAccessedAt: lastAccess(random, createdAt, now),
    tags: tagsOf(account, random),
    owningService: null,
    primaryRegion: null,
  };
}

/**
 * The secrets of an account in a region at `now`, in creation order: database credentials for the databases of the
 * shared inventory, API keys and tokens in slots that turn over, replicas of some home-region secrets in the second
 * region, and the platform accounts' own secrets. Secrets scheduled for deletion carry `deletedAt`.
 */
export function sampleSecrets(
  account: SampleAccount,
  region: string,
  regions: readonly string[],
  now: Date,
): SampleSecret[] {
  const home = regions[0] as string;
  const replicaRegion = regions[1];
  const inventory = regionInventory(account, region, regions, now);
  const rotator = inventory.functions[0]?.arn ?? null;
  const apiKeys = apiKeySecrets(account, region, region === home ? 1 : 0.45, now).map(
    ({ secret, replicated }) =>
      region === home && replicated && replicaRegion ? { ...secret, primaryRegion: home } : secret,
  );
  const secrets: SampleSecret[] = [
    ...inventory.databases.flatMap((db) => databaseSecrets(account, region, db, rotator, now)),
    ...apiKeys,
  ];
  if (region === home) {
    const platform = platformSecret(account, region, now);
    if (platform) secrets.push(platform);
  }
  if (region === replicaRegion) {
    const local = new Set(secrets.map((s) => s.name));
    for (const { secret, replicated } of apiKeySecrets(account, home, 1, now)) {
      // A name is unique within a region: a replica cannot arrive where a secret of that name exists.
      if (!replicated || local.has(secret.name)) continue;
      secrets.push({
        ...secret,
        arn: secret.arn.replace(`:${home}:`, `:${region}:`),
        createdAt: new Date(secret.createdAt.getTime() + 10 * MINUTE_MS),
        kmsKeyId: secret.kmsKeyId === null ? null : secretsKey(account, region).arn,
        primaryRegion: home,
      });
    }
  }
  return secrets
    .filter((s) => s.createdAt <= now)
    .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || a.name.localeCompare(b.name));
}

function validation(message: string): Error {
  return awsError('ValidationException', `1 validation error detected: ${message}`);
}

const SORT_BY = ['created-date', 'last-accessed-date', 'last-changed-date', 'name'];
/** Secrets Manager may return fewer secrets than MaxResults: small pages, so paging happens. */
const SERVER_PAGE = 8;

function sortKey(secret: SampleSecret, by: string): string | number {
  switch (by) {
    case 'name':
      return secret.name;
    case 'last-accessed-date':
      return secret.lastAccessedAt?.getTime() ?? 0;
    case 'last-changed-date':
      return secret.lastChangedAt.getTime();
    default:
      return secret.createdAt.getTime();
  }
}

function entryOf(secret: SampleSecret, now: Date): object {
  const rotation = secret.rotation;
  const times = rotation?.enabled
    ? rotationTimes(rotationStart(secret.createdAt, rotation), rotation.periodDays, now)
    : null;
  return {
    ARN: secret.arn,
    Name: secret.name,
    ...(secret.description ? { Description: secret.description } : {}),
    ...(secret.kmsKeyId ? { KmsKeyId: secret.kmsKeyId } : {}),
    ...(rotation
      ? {
          RotationEnabled: rotation.enabled,
          ...(rotation.lambdaArn ? { RotationLambdaARN: rotation.lambdaArn } : {}),
          RotationRules: rotation.rules,
        }
      : {}),
    ...(times?.last ? { LastRotatedDate: times.last } : {}),
    LastChangedDate: secret.lastChangedAt,
    ...(secret.lastAccessedAt ? { LastAccessedDate: secret.lastAccessedAt } : {}),
    ...(secret.deletedAt && secret.deletedAt <= now ? { DeletedDate: secret.deletedAt } : {}),
    ...(times ? { NextRotationDate: times.next } : {}),
    Tags: secret.tags.map((t) => ({ ...t })),
    SecretVersionsToStages: { [new Random(secret.arn, 'version').uuid()]: ['AWSCURRENT'] },
    ...(secret.owningService ? { OwningService: secret.owningService } : {}),
    CreatedDate: secret.createdAt,
    ...(secret.primaryRegion ? { PrimaryRegion: secret.primaryRegion } : {}),
  };
}

function listSecrets(call: SampleCall): object {
  const { MaxResults, NextToken, IncludePlannedDeletion, Filters, SortOrder, SortBy } = call.input;
  if (MaxResults !== undefined && (!Number.isInteger(MaxResults) || MaxResults < 1 || MaxResults > 100)) {
    throw validation(
      `Value '${MaxResults}' at 'maxResults' failed to satisfy constraint: Member must have value between 1 and 100`,
    );
  }
  if (SortOrder !== undefined && SortOrder !== 'asc' && SortOrder !== 'desc') {
    throw validation(
      `Value '${SortOrder}' at 'sortOrder' failed to satisfy constraint: Member must satisfy enum value set: [asc, desc]`,
    );
  }
  if (SortBy !== undefined && !SORT_BY.includes(SortBy)) {
    throw validation(
      `Value '${SortBy}' at 'sortBy' failed to satisfy constraint: Member must satisfy enum value set: [${SORT_BY.join(', ')}]`,
    );
  }
  if (Filters !== undefined && Filters.length > 0) {
    throw awsError('InvalidParameterException', 'The sample organization does not filter secrets.');
  }
  const by = SortBy ?? 'created-date';
  const direction = SortOrder === 'desc' ? -1 : 1;
  const secrets = sampleSecrets(call.account, call.region, call.regions, call.now)
    .filter((s) => IncludePlannedDeletion === true || s.deletedAt === null || s.deletedAt > call.now)
    .sort((a, b) => {
      const x = sortKey(a, by);
      const y = sortKey(b, by);
      return (x < y ? -1 : x > y ? 1 : 0) * direction;
    });
  const { page, nextToken } = paginate(secrets, {
    token: NextToken,
    pageSize: Math.min(MaxResults ?? 100, SERVER_PAGE),
    request: {
      account: call.account.id,
      region: call.region,
      MaxResults,
      IncludePlannedDeletion,
      SortOrder,
      SortBy,
    },
    invalidToken: () => awsError('InvalidNextTokenException', 'The NextToken value is invalid.'),
  });
  return {
    SecretList: page.map((s) => entryOf(s, call.now)),
    ...(nextToken ? { NextToken: nextToken } : {}),
  };
}

export const secretsManagerSimulator: ServiceSimulator = {
  service: 'SecretsManager',
  operations: { ListSecrets: listSecrets },
  // Secrets Manager needs no enabling; what fails is an opt-in region the account has not enabled, whose
  // endpoint does not recognise the account's credentials.
  notEnabled: () =>
    awsError('UnrecognizedClientException', 'The security token included in the request is invalid.'),
  malform(operation, output) {
    const copy = structuredClone(output) as { SecretList?: Array<Record<string, unknown>> };
    if (operation === 'ListSecrets') {
      const first = copy.SecretList?.[0];
      if (first) delete first.ARN;
      else delete copy.SecretList;
    }
    return copy;
  },
};
