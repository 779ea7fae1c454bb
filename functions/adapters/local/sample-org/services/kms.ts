import type { Environment, SampleAccount } from '../accounts.ts';
import { Random } from '../random.ts';
import { awsError, paginate, type SampleCall, type ServiceSimulator } from '../simulator.ts';

const DAY_MS = 86_400_000;

/**
 * The occupant of one slot on `day`, as inventory.ts places its resources: a slot is re-occupied every so many days
 * (its own period), so counts stay steady while some items go and others come from one day to the next. Null when
 * the slot is empty in this generation.
 */
export function slotOccupant(
  seed: readonly (string | number)[],
  day: number,
  periodDays: readonly [number, number],
  emptyShare: number,
): { random: Random; createdAt: Date; removedAt: Date } | null {
  const shape = new Random(...seed, 'slot');
  const period = shape.int(periodDays[0], periodDays[1]);
  const phase = shape.int(0, period - 1);
  const generation = Math.floor((day + phase) / period);
  const random = new Random(...seed, generation);
  if (random.chance(emptyShare)) return null;
  const start = generation * period - phase;
  return {
    random,
    createdAt: new Date(start * DAY_MS + random.int(0, 86_399) * 1000),
    removedAt: new Date((start + period) * DAY_MS),
  };
}

type KeySpec = 'SYMMETRIC_DEFAULT' | 'RSA_2048' | 'RSA_4096' | 'ECC_NIST_P256' | 'HMAC_256';
type KeyUsage = 'ENCRYPT_DECRYPT' | 'SIGN_VERIFY' | 'GENERATE_VERIFY_MAC';
/**
 * What the key policy lets the collector's role do: everything, describe but not read the rotation status (a
 * policy granting only `kms:Describe*` and `kms:List*`), or nothing (a policy that does not delegate to IAM).
 */
type Policy = 'open' | 'describe-only' | 'locked';

/** A KMS key of the sample organization. */
export interface SampleKey {
  readonly id: string;
  readonly arn: string;
  readonly manager: 'AWS' | 'CUSTOMER';
  readonly spec: KeySpec;
  readonly usage: KeyUsage;
  readonly origin: 'AWS_KMS' | 'EXTERNAL';
  readonly description: string;
  readonly aliases: readonly string[];
  readonly createdAt: Date;
  /** When the key is deleted; it is PendingDeletion for `deletionWindowDays` before. Null: never. */
  readonly removedAt: Date | null;
  readonly deletionWindowDays: number | null;
  readonly disabled: boolean;
  /** An imported key whose key material was never imported. */
  readonly awaitingImport: boolean;
  readonly multiRegion: boolean;
  readonly rotation: { readonly enabled: boolean; readonly periodDays: number } | null;
  readonly policy: Policy;
}

/** AWS managed keys: the alias KMS predefines and what the key protects. */
const AWS_MANAGED: ReadonlyArray<{ service: string; protects: string; weight: number }> = [
  { service: 's3', protects: 'S3 objects', weight: 0.95 },
  { service: 'ebs', protects: 'EBS volumes', weight: 0.9 },
  { service: 'lambda', protects: 'Lambda functions', weight: 0.9 },
  { service: 'secretsmanager', protects: 'Secrets Manager data', weight: 0.7 },
  { service: 'rds', protects: 'RDS database volumes', weight: 0.6 },
  { service: 'acm', protects: 'ACM private keys', weight: 0.55 },
  { service: 'sqs', protects: 'SQS messages', weight: 0.5 },
  { service: 'sns', protects: 'SNS messages', weight: 0.45 },
  { service: 'dynamodb', protects: 'DynamoDB tables', weight: 0.45 },
  { service: 'ssm', protects: 'SSM parameters', weight: 0.4 },
  { service: 'backup', protects: 'backups', weight: 0.35 },
  { service: 'elasticfilesystem', protects: 'EFS file systems', weight: 0.25 },
  { service: 'kinesis', protects: 'Kinesis data', weight: 0.2 },
  { service: 'glue', protects: 'Glue data', weight: 0.15 },
  { service: 'es', protects: 'OpenSearch domains', weight: 0.1 },
  { service: 'redshift', protects: 'Redshift data', weight: 0.1 },
  { service: 'codecommit', protects: 'CodeCommit repositories', weight: 0.1 },
  { service: 'xray', protects: 'X-Ray traces', weight: 0.05 },
];

/** Customer managed keys in the home region of a scale-1 account; other regions get fewer. */
const CUSTOMER_KEYS: Record<Environment, number> = {
  management: 2,
  security: 3,
  production: 5,
  staging: 3,
  development: 2,
  sandbox: 1,
};
const ROTATION_SHARE: Record<Environment, number> = {
  management: 0.9,
  security: 0.95,
  production: 0.8,
  staging: 0.6,
  development: 0.4,
  sandbox: 0.2,
};

const KINDS: ReadonlyArray<{
  readonly kind: 'symmetric' | 'multi-region' | 'rsa-sign' | 'ecc-sign' | 'rsa-encrypt' | 'hmac' | 'imported';
  readonly weight: number;
}> = [
  { kind: 'symmetric', weight: 70 },
  { kind: 'multi-region', weight: 6 },
  { kind: 'rsa-sign', weight: 6 },
  { kind: 'ecc-sign', weight: 5 },
  { kind: 'rsa-encrypt', weight: 3 },
  { kind: 'hmac', weight: 5 },
  { kind: 'imported', weight: 5 },
];
const PURPOSES = [
  'data',
  'backups',
  'logs',
  'uploads',
  'queues',
  'events',
  'tokens',
  'pii',
  'ebs',
  'rds',
  'exports',
  'cache',
];
const SIGNING_PURPOSES = ['jwt-signing', 'code-signing', 'webhook-signing', 'document-signing'];

/** The long-lived key each workload keeps for its secrets, in every region where it has any. */
export const SECRETS_KEY_PURPOSE = 'secrets';

function keyArn(account: SampleAccount, region: string, id: string): string {
  return `arn:aws:kms:${region}:${account.id}:key/${id}`;
}

const baseOf = (account: SampleAccount) => account.product ?? account.name;

function awsManagedKeys(account: SampleAccount, region: string, regions: readonly string[]): SampleKey[] {
  const random = new Random(account.id, 'kms', region, 'aws-managed');
  const home = region === regions[0];
  return AWS_MANAGED.flatMap(({ service, protects, weight }) => {
    const present = random.chance(home ? weight : weight * 0.7);
    const id = random.uuid();
    const createdAt = new Date(
      account.joinedAt.getTime() + random.int(1, 700) * DAY_MS + random.int(0, 86_399) * 1000,
    );
    if (!present) return [];
    return [
      {
        id,
        arn: keyArn(account, region, id),
        manager: 'AWS' as const,
        spec: 'SYMMETRIC_DEFAULT' as const,
        usage: 'ENCRYPT_DECRYPT' as const,
        origin: 'AWS_KMS' as const,
        description: `Default key that protects my ${protects} when no other key is defined`,
        aliases: [`alias/aws/${service}`],
        createdAt,
        removedAt: null,
        deletionWindowDays: null,
        disabled: false,
        awaitingImport: false,
        multiRegion: false,
        rotation: { enabled: true, periodDays: 365 },
        policy: 'open' as const,
      },
    ];
  });
}

/** The workload's key for its secrets: created soon after the account, never replaced. */
export function secretsKey(account: SampleAccount, region: string): SampleKey {
  const random = new Random(account.id, 'kms', region, SECRETS_KEY_PURPOSE);
  const id = random.uuid();
  return {
    id,
    arn: keyArn(account, region, id),
    manager: 'CUSTOMER',
    spec: 'SYMMETRIC_DEFAULT',
    usage: 'ENCRYPT_DECRYPT',
    origin: 'AWS_KMS',
    description: `Encrypts the Secrets Manager secrets of ${baseOf(account)}`,
    aliases: [`alias/${baseOf(account)}/${SECRETS_KEY_PURPOSE}`],
    createdAt: new Date(
      account.joinedAt.getTime() + random.int(1, 20) * DAY_MS + random.int(0, 86_399) * 1000,
    ),
    removedAt: null,
    deletionWindowDays: null,
    disabled: false,
    awaitingImport: false,
    multiRegion: false,
    rotation: { enabled: true, periodDays: 365 },
    policy: 'open',
  };
}

function customerKey(
  account: SampleAccount,
  region: string,
  taken: NonNullable<ReturnType<typeof slotOccupant>>,
  usedAliases: Set<string>,
): SampleKey {
  const { random: r } = taken;
  const kind = r.weighted(
    KINDS.map((k) => k.kind),
    KINDS.map((k) => k.weight),
  );
  const signing = kind === 'rsa-sign' || kind === 'ecc-sign';
  const purpose = signing ? r.pick(SIGNING_PURPOSES) : kind === 'hmac' ? 'api-request-mac' : r.pick(PURPOSES);
  const multiRegion = kind === 'multi-region';
  const id = multiRegion ? `mrk-${r.hex(32)}` : r.uuid();
  const spec: KeySpec =
    kind === 'rsa-sign'
      ? r.pick(['RSA_2048', 'RSA_4096'] as const)
      : kind === 'rsa-encrypt'
        ? 'RSA_4096'
        : kind === 'ecc-sign'
          ? 'ECC_NIST_P256'
          : kind === 'hmac'
            ? 'HMAC_256'
            : 'SYMMETRIC_DEFAULT';
  const usage: KeyUsage = signing
    ? 'SIGN_VERIFY'
    : kind === 'hmac'
      ? 'GENERATE_VERIFY_MAC'
      : 'ENCRYPT_DECRYPT';
  const rotates = spec === 'SYMMETRIC_DEFAULT' && kind !== 'imported';
  const aliases: string[] = [];
  const alias = `alias/${baseOf(account)}/${purpose}`;
  if (r.chance(0.88) && !usedAliases.has(alias)) {
    aliases.push(alias);
    if (r.chance(0.1)) aliases.push(`${alias}-legacy`);
  }
  for (const name of aliases) usedAliases.add(name);
  const policy: Policy =
    account.environment === 'production'
      ? r.weighted(['open', 'describe-only', 'locked'] as const, [94, 4, 2])
      : 'open';
  return {
    id,
    arn: keyArn(account, region, id),
    manager: 'CUSTOMER',
    spec,
    usage,
    origin: kind === 'imported' ? 'EXTERNAL' : 'AWS_KMS',
    description: r.chance(0.85) ? `${purpose.replace(/-/g, ' ')} key of ${baseOf(account)}` : '',
    aliases,
    createdAt: taken.createdAt,
    removedAt: taken.removedAt,
    deletionWindowDays: r.pick([7, 7, 14, 30, 30, 30]),
    disabled: r.chance(0.05),
    awaitingImport: kind === 'imported' && r.chance(0.2),
    multiRegion,
    rotation: rotates
      ? {
          enabled: r.chance(ROTATION_SHARE[account.environment]),
          periodDays: r.weighted([365, 180, 90], [8, 1, 1]),
        }
      : null,
    policy,
  };
}

/** Recently built key lists: a collection describes every key of the same account and region in a row. */
const recentKeys = new Map<string, SampleKey[]>();
const RECENT_KEY_LISTS = 32;

/** The KMS keys an account has in a region at `now`, in creation order. */
export function sampleKeys(
  account: SampleAccount,
  region: string,
  regions: readonly string[],
  now: Date,
): SampleKey[] {
  const cacheKey = `${account.id}|${account.environment}|${account.scale}|${region}|${regions.join(',')}|${now.getTime()}`;
  const cached = recentKeys.get(cacheKey);
  if (cached) return cached;
  const built = buildKeys(account, region, regions, now);
  if (recentKeys.size >= RECENT_KEY_LISTS) recentKeys.delete(recentKeys.keys().next().value as string);
  recentKeys.set(cacheKey, built);
  return built;
}

function buildKeys(
  account: SampleAccount,
  region: string,
  regions: readonly string[],
  now: Date,
): SampleKey[] {
  const day = Math.floor(now.getTime() / DAY_MS);
  const weight = region === regions[0] ? 1 : 0.45;
  const count = Math.round(CUSTOMER_KEYS[account.environment] * Math.max(0.5, account.scale) * weight);
  const usedAliases = new Set<string>();
  const customer: SampleKey[] = [];
  for (let slot = 0; slot < count; slot++) {
    const taken = slotOccupant([account.id, region, 'kms-key', slot], day, [45, 400], 0.1);
    if (taken) customer.push(customerKey(account, region, taken, usedAliases));
  }
  return [...awsManagedKeys(account, region, regions), secretsKey(account, region), ...customer]
    .filter((key) => key.createdAt <= now && (key.removedAt === null || key.removedAt > now))
    .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());
}

/** The key state at `now`: the last days of a deleted key's life are its waiting period. */
function stateOf(key: SampleKey, now: Date) {
  const deletionStarts =
    key.removedAt === null || key.deletionWindowDays === null
      ? null
      : new Date(key.removedAt.getTime() - key.deletionWindowDays * DAY_MS);
  if (deletionStarts !== null && now >= deletionStarts) return 'PendingDeletion' as const;
  if (key.awaitingImport) return 'PendingImport' as const;
  return key.disabled ? ('Disabled' as const) : ('Enabled' as const);
}

/** The next anniversary of `from` every `periodDays` after `now`. */
function nextAfter(from: Date, periodDays: number, now: Date): Date {
  const period = periodDays * DAY_MS;
  const elapsed = Math.max(0, now.getTime() - from.getTime());
  return new Date(from.getTime() + (Math.floor(elapsed / period) + 1) * period);
}

function validation(message: string): Error {
  return awsError('ValidationException', `1 validation error detected: ${message}`);
}

function checkLimit(limit: unknown, max: number): void {
  if (limit === undefined) return;
  if (!Number.isInteger(limit) || (limit as number) < 1) {
    throw validation(
      `Value '${limit}' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1`,
    );
  }
  if ((limit as number) > max) {
    throw validation(
      `Value '${limit}' at 'limit' failed to satisfy constraint: Member must have value less than or equal to ${max}`,
    );
  }
}

function requireKeyId(call: SampleCall): string {
  const { KeyId } = call.input;
  if (KeyId === undefined || KeyId === null || KeyId === '') {
    throw validation("Value null at 'keyId' failed to satisfy constraint: Member must not be null");
  }
  return KeyId;
}

function keysOf(call: SampleCall): SampleKey[] {
  return sampleKeys(call.account, call.region, call.regions, call.now);
}

/** A key by id, key ARN, alias name or alias ARN (what DescribeKey accepts). */
function findKey(call: SampleCall, reference: string, aliasesAllowed: boolean): SampleKey {
  const keys = keysOf(call);
  const aliasPrefix = `arn:aws:kms:${call.region}:${call.account.id}:`;
  const alias = reference.startsWith(aliasPrefix) ? reference.slice(aliasPrefix.length) : reference;
  const found = keys.find(
    (k) => k.id === reference || k.arn === reference || (aliasesAllowed && k.aliases.includes(alias)),
  );
  if (found) return found;
  if (alias.startsWith('alias/')) {
    throw awsError('NotFoundException', `Alias ${aliasPrefix}${alias} is not found.`);
  }
  throw awsError(
    'NotFoundException',
    `Key '${keyArn(call.account, call.region, alias.replace(/^.*key\//, ''))}' does not exist`,
  );
}

function denied(call: SampleCall, action: string, key: SampleKey): Error {
  return awsError(
    'AccessDeniedException',
    `User: arn:aws:sts::${call.account.id}:assumed-role/a360-member-read/a360 is not authorized to perform: ${action} on resource: ${key.arn} because no resource-based policy allows the ${action} action`,
    { status: 400 },
  );
}

/** KMS serves fewer keys and aliases than the Limit asks: small pages, so paging happens. */
const KEYS_PAGE = 15;
const ALIASES_PAGE = 20;

function listKeys(call: SampleCall): object {
  const { Limit, Marker } = call.input;
  checkLimit(Limit, 1000);
  const { page, nextToken } = paginate(keysOf(call), {
    token: Marker,
    pageSize: Math.min(Limit ?? 100, KEYS_PAGE),
    request: { account: call.account.id, region: call.region, Limit },
    invalidToken: () => awsError('InvalidMarkerException', 'Invalid marker'),
  });
  return {
    Keys: page.map((k) => ({ KeyId: k.id, KeyArn: k.arn })),
    Truncated: nextToken !== undefined,
    ...(nextToken ? { NextMarker: nextToken } : {}),
  };
}

function listAliases(call: SampleCall): object {
  const { KeyId, Limit, Marker } = call.input;
  checkLimit(Limit, 100);
  const keys = keysOf(call);
  const only = KeyId === undefined ? null : findKey(call, KeyId, false);
  const entry = (name: string, key: SampleKey | undefined) => ({
    AliasName: name,
    AliasArn: `arn:aws:kms:${call.region}:${call.account.id}:${name}`,
    ...(key ? { TargetKeyId: key.id, CreationDate: key.createdAt, LastUpdatedDate: key.createdAt } : {}),
  });
  // KMS lists every predefined AWS alias, with a target once the service has created its key.
  const predefined = AWS_MANAGED.map(({ service }) => {
    const name = `alias/aws/${service}`;
    return entry(
      name,
      keys.find((k) => k.aliases.includes(name)),
    );
  });
  const own = keys
    .filter((k) => k.manager === 'CUSTOMER')
    .flatMap((k) => k.aliases.map((name) => entry(name, k)));
  const aliases = [...predefined, ...own]
    .filter((a) => only === null || ('TargetKeyId' in a && a.TargetKeyId === only.id))
    .sort((a, b) => a.AliasName.localeCompare(b.AliasName));
  const { page, nextToken } = paginate(aliases, {
    token: Marker,
    pageSize: Math.min(Limit ?? 50, ALIASES_PAGE),
    request: { account: call.account.id, region: call.region, KeyId, Limit },
    invalidToken: () => awsError('InvalidMarkerException', 'Invalid marker'),
  });
  return {
    Aliases: page,
    Truncated: nextToken !== undefined,
    ...(nextToken ? { NextMarker: nextToken } : {}),
  };
}

const ALGORITHMS: Record<KeySpec, Record<string, string[]>> = {
  SYMMETRIC_DEFAULT: { EncryptionAlgorithms: ['SYMMETRIC_DEFAULT'] },
  RSA_2048: { SigningAlgorithms: ['RSASSA_PKCS1_V1_5_SHA_256', 'RSASSA_PSS_SHA_256', 'RSASSA_PSS_SHA_512'] },
  RSA_4096: { SigningAlgorithms: ['RSASSA_PKCS1_V1_5_SHA_256', 'RSASSA_PSS_SHA_256', 'RSASSA_PSS_SHA_512'] },
  ECC_NIST_P256: { SigningAlgorithms: ['ECDSA_SHA_256'] },
  HMAC_256: { MacAlgorithms: ['HMAC_SHA_256'] },
};

function describeKey(call: SampleCall): object {
  const key = findKey(call, requireKeyId(call), true);
  if (key.policy === 'locked') throw denied(call, 'kms:DescribeKey', key);
  const state = stateOf(key, call.now);
  const algorithms =
    key.spec === 'RSA_4096' && key.usage === 'ENCRYPT_DECRYPT'
      ? { EncryptionAlgorithms: ['RSAES_OAEP_SHA_1', 'RSAES_OAEP_SHA_256'] }
      : ALGORITHMS[key.spec];
  return {
    KeyMetadata: {
      AWSAccountId: call.account.id,
      KeyId: key.id,
      Arn: key.arn,
      CreationDate: key.createdAt,
      Enabled: state === 'Enabled',
      Description: key.description,
      KeyUsage: key.usage,
      KeyState: state,
      ...(state === 'PendingDeletion'
        ? { DeletionDate: key.removedAt, PendingDeletionWindowInDays: key.deletionWindowDays }
        : {}),
      Origin: key.origin,
      ...(key.origin === 'EXTERNAL' ? { ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE' } : {}),
      KeyManager: key.manager,
      CustomerMasterKeySpec: key.spec,
      KeySpec: key.spec,
      ...algorithms,
      MultiRegion: key.multiRegion,
      ...(key.multiRegion
        ? {
            MultiRegionConfiguration: {
              MultiRegionKeyType: 'PRIMARY',
              PrimaryKey: { Arn: key.arn, Region: call.region },
              ReplicaKeys: [],
            },
          }
        : {}),
    },
  };
}

function getKeyRotationStatus(call: SampleCall): object {
  const key = findKey(call, requireKeyId(call), false);
  if (key.policy !== 'open') throw denied(call, 'kms:GetKeyRotationStatus', key);
  if (key.rotation === null) {
    const what = key.origin === 'EXTERNAL' ? 'origin is EXTERNAL' : `key spec is ${key.spec}`;
    throw awsError(
      'UnsupportedOperationException',
      `${key.arn} ${what}, which is not valid for this operation.`,
    );
  }
  // While a key is pending deletion its rotation status is false (GetKeyRotationStatus API reference).
  const enabled = key.rotation.enabled && stateOf(key, call.now) !== 'PendingDeletion';
  return {
    KeyId: key.arn,
    KeyRotationEnabled: enabled,
    ...(enabled
      ? {
          RotationPeriodInDays: key.rotation.periodDays,
          NextRotationDate: nextAfter(key.createdAt, key.rotation.periodDays, call.now),
        }
      : {}),
  };
}

export const kmsSimulator: ServiceSimulator = {
  service: 'KMS',
  operations: {
    ListKeys: listKeys,
    ListAliases: listAliases,
    DescribeKey: describeKey,
    GetKeyRotationStatus: getKeyRotationStatus,
  },
  // KMS needs no enabling; what fails is an opt-in region the account has not enabled, whose endpoint does not
  // recognise the account's credentials.
  notEnabled: () =>
    awsError('UnrecognizedClientException', 'The security token included in the request is invalid.'),
  malform(operation, output) {
    const copy = structuredClone(output) as Record<string, unknown>;
    // KeyId is the one member of KeyMetadata the API model marks required.
    if (operation === 'DescribeKey') delete (copy.KeyMetadata as Record<string, unknown>).KeyId;
    return copy;
  },
};
