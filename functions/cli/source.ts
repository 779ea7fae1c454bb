import { type CliCredentialsOptions, createCliCredentials } from '../adapters/aws/cli-credentials.ts';
import type { ClientFactoryOptions } from '../adapters/aws/clients.ts';
import { DEFAULT_SAMPLE_ACCOUNTS, DEFAULT_SAMPLE_REGIONS } from '../adapters/local/sample-org/index.ts';
import { type Fault, parseFaults } from '../adapters/local/sample-org/organization.ts';
import { CATEGORY_IDS } from '../collectors/registry.ts';
import type { AccountSource } from '../core/discover-accounts.ts';
import { InvalidInputError } from '../platform/errors.ts';
import type { Clock } from '../ports.ts';
import { listOption, type ParsedArgs, stringOption } from './args.ts';
import { type LocalEnvironment, openLocalEnvironment } from './local-environment.ts';

/**
 * Where a command's accounts come from: the built-in sample organization (`--sample [N]`) or the AWS accounts
 * the current credentials reach (`--aws`). Commands that collect (run, backfill, rerun) add these options to
 * their `parseArgs` spec, call `parseSource`, then `openSourceEnvironment`.
 */
export const SOURCE_VALUES = ['faults', 'regions', 'accounts', 'role', 'external-id', 'profile'] as const;
export const SOURCE_FLAGS = ['aws', 'organization'] as const;
export const SOURCE_OPTIONAL_VALUES = ['sample'] as const;

/** The usage lines of the source options, for a command's help text. */
export const SOURCE_USAGE = `  --sample [N]           the built-in sample organization, N accounts (default ${DEFAULT_SAMPLE_ACCOUNTS}, up to 1000)
  --aws                  real AWS accounts, with the current credentials (default chain, or --profile):
                         alone, the current account only
  --role NAME            with --aws: assume arn:aws:iam::<account>:role/NAME (session a360-cli) in every
                         account but the current one (the member role, a360-member-read when deployed)
  --accounts id,id       with --sample: only these sample accounts; with --aws --role: these accounts;
                         with --organization: only these accounts of the organization
  --organization         with --aws --role: every ACTIVE account of the organization (AWS Organizations,
                         listed with the current credentials: the management account or a delegated admin)
  --external-id X        with --role: the ExternalId the role's trust policy requires
  --profile P            with --aws: a named profile of ~/.aws/config instead of the default chain
  --regions r1,r2        regions for regional categories (default: --sample ${DEFAULT_SAMPLE_REGIONS.join(',')};
                         --aws AWS_REGION, else AWS_DEFAULT_REGION, else us-east-1)
  --faults c=k[,c=k]     with --sample: inject faults per category: throttle, throttle-always,
                         access-denied, not-enabled, malformed, timeout`;

export interface SampleSource {
  readonly kind: 'sample';
  /** How many accounts the sample organization has. */
  readonly accounts: number;
  /** `--accounts`: only these of them. */
  readonly accountIds: readonly string[] | undefined;
  readonly faults: readonly Fault[];
  readonly regions: readonly string[];
}

export interface AwsSource {
  readonly kind: 'aws';
  /** The role assumed in each account other than the current one. */
  readonly role: string | undefined;
  readonly externalId: string | undefined;
  /** `--accounts`: the accounts (with `organization`: only these of the organization's). */
  readonly accounts: readonly string[] | undefined;
  /** The organization's ACTIVE accounts, listed with the current credentials. */
  readonly organization: boolean;
  readonly profile: string | undefined;
  readonly regions: readonly string[];
}

export type Source = SampleSource | AwsSource;

const ACCOUNT_ID = /^\d{12}$/;
/** An IAM role name, optionally with its path (`path/to/name`). */
const ROLE_NAME = /^(?:[\w+=,.@-]+\/)*[\w+=,.@-]{1,64}$/;
const EXTERNAL_ID = /^[\w+=,.@:/-]{2,1224}$/;

const AWS_ONLY = ['role', 'external-id', 'profile', 'organization'] as const;

/** The source options of parsed arguments; every wrong combination is an InvalidInputError naming the options. */
export function parseSource(args: ParsedArgs, env: NodeJS.ProcessEnv = process.env): Source {
  const has = (name: string) => args.options.has(name);
  if (has('sample') && has('aws')) {
    throw new InvalidInputError('--sample and --aws are mutually exclusive: choose one source');
  }
  if (!has('sample') && !has('aws')) {
    throw new InvalidInputError(
      'choose a source: --sample [N] (the built-in sample organization) or --aws (the AWS accounts the current credentials reach)',
    );
  }
  const accounts = listOption(args, 'accounts');
  if (accounts?.length === 0) throw new InvalidInputError('--accounts needs at least one account id');
  if (has('sample')) {
    const given = AWS_ONLY.filter(has);
    if (given.length > 0) {
      throw new InvalidInputError(
        `${given.map((o) => `--${o}`).join(', ')} need${given.length === 1 ? 's' : ''} --aws, not --sample`,
      );
    }
    const sample = args.options.get('sample');
    const count = sample === true ? DEFAULT_SAMPLE_ACCOUNTS : Number(sample);
    if (!Number.isInteger(count) || count < 1 || count > 1000) {
      throw new InvalidInputError(
        `--sample takes a number of accounts from 1 to 1000, got "${String(sample)}"`,
      );
    }
    return {
      kind: 'sample',
      accounts: count,
      accountIds: accounts,
      faults: parseFaults(stringOption(args, 'faults'), CATEGORY_IDS),
      regions: listOption(args, 'regions') ?? [...DEFAULT_SAMPLE_REGIONS],
    };
  }

  if (has('faults')) {
    throw new InvalidInputError(
      '--faults injects faults into the sample organization: it needs --sample, not --aws',
    );
  }
  const role = stringOption(args, 'role');
  const externalId = stringOption(args, 'external-id');
  const organization = has('organization');
  if (role !== undefined && !ROLE_NAME.test(role)) {
    throw new InvalidInputError(
      `--role takes the role's name (arn:aws:iam::<account>:role/<name>), got "${role}"`,
    );
  }
  if (externalId !== undefined && !role) throw new InvalidInputError('--external-id needs --role NAME');
  if (externalId !== undefined && !EXTERNAL_ID.test(externalId)) {
    throw new InvalidInputError('--external-id must be 2 to 1224 characters: letters, digits and +=,.@:/-');
  }
  if (organization && !role) {
    throw new InvalidInputError(
      '--organization needs --role NAME: the role a360 assumes in each account of the organization',
    );
  }
  if (accounts && !role) {
    throw new InvalidInputError(
      '--accounts with --aws needs --role NAME: the current credentials read only their own account',
    );
  }
  if (role && !accounts && !organization) {
    throw new InvalidInputError(
      '--role needs --accounts id,id or --organization: the accounts to assume it in',
    );
  }
  const invalid = (accounts ?? []).filter((id) => !ACCOUNT_ID.test(id));
  if (invalid.length > 0) {
    throw new InvalidInputError(
      `--accounts takes 12-digit AWS account ids, got ${invalid.map((id) => `"${id}"`).join(', ')}`,
    );
  }
  const profile = stringOption(args, 'profile');
  if (has('profile') && !profile) throw new InvalidInputError('--profile needs a profile name');
  const defaultRegion = env.AWS_REGION || env.AWS_DEFAULT_REGION || 'us-east-1';
  return {
    kind: 'aws',
    role,
    externalId,
    accounts: accounts ? [...new Set(accounts)] : undefined,
    organization,
    profile,
    regions: listOption(args, 'regions') ?? [defaultRegion],
  };
}

/** Cost Explorer's default: the sample's management account answers for all; real accounts ask their own. */
export function defaultCostExplorer(source: Source): 'organization' | 'per-account' {
  return source.kind === 'sample' ? 'organization' : 'per-account';
}

/** The options that select the same source again (rerun hints), without the sample's faults. */
export function sourceArguments(source: Source): string[] {
  if (source.kind === 'sample') {
    const regionsDiffer = source.regions.join(',') !== DEFAULT_SAMPLE_REGIONS.join(',');
    return [
      '--sample',
      String(source.accounts),
      ...(source.accountIds ? ['--accounts', source.accountIds.join(',')] : []),
      ...(regionsDiffer ? ['--regions', source.regions.join(',')] : []),
    ];
  }
  return [
    '--aws',
    ...(source.profile ? ['--profile', source.profile] : []),
    ...(source.role ? ['--role', source.role] : []),
    ...(source.externalId ? ['--external-id', source.externalId] : []),
    ...(source.organization ? ['--organization'] : []),
    ...(source.accounts ? ['--accounts', source.accounts.join(',')] : []),
    '--regions',
    source.regions.join(','),
  ];
}

/** An argument as a POSIX shell reads it back. */
export function shellWord(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** Test seams for the aws source; the CLI never sets them. */
export interface AwsSourceHooks
  extends Pick<CliCredentialsOptions, 'baseCredentials' | 'stsClient' | 'assumeRolePlugins'> {
  /** Extra client options below the SDK for the collectors (middleware that answers their calls). */
  readonly clientOptions?: Omit<ClientFactoryOptions, 'credentials'>;
}

export interface SourceEnvironmentOptions {
  readonly stateDir?: string | undefined;
  readonly databaseUrl?: string | undefined;
  /** Accounts collected at once (default 4). */
  readonly concurrency?: number | undefined;
  /** Default: `defaultCostExplorer(source)`. */
  readonly costExplorer?: 'organization' | 'per-account' | undefined;
  readonly clock?: Clock | undefined;
  readonly aws?: AwsSourceHooks | undefined;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/**
 * Opens the local bucket and database with the source below the SDK clients. For `--aws` the current
 * credentials are checked first (STS GetCallerIdentity) and, for a list of accounts, the role is assumed in
 * each: a problem is one AppError line before anything is opened or collected.
 */
export async function openSourceEnvironment(
  source: Source,
  options: SourceEnvironmentOptions,
): Promise<LocalEnvironment> {
  const common = {
    stateDir: options.stateDir,
    databaseUrl: options.databaseUrl,
    regions: source.regions,
    costExplorer: options.costExplorer ?? defaultCostExplorer(source),
    ...(options.concurrency === undefined ? {} : { concurrency: options.concurrency }),
    ...(options.clock ? { clock: options.clock } : {}),
  };
  if (source.kind === 'sample') {
    const environment = await openLocalEnvironment({
      ...common,
      sample: { accounts: source.accounts, faults: source.faults },
    });
    const sample = environment.sample;
    const unknown = (source.accountIds ?? []).filter((id) => !sample?.account(id));
    if (unknown.length > 0) {
      await environment.close();
      throw new InvalidInputError(
        `--accounts names accounts not in the sample organization: ${unknown.join(', ')}`,
      );
    }
    return source.accountIds ? { ...environment, accounts: source.accountIds } : environment;
  }

  const hooks = options.aws;
  const credentials = await createCliCredentials({
    profile: source.profile,
    roleName: source.role,
    externalId: source.externalId,
    baseCredentials: hooks?.baseCredentials,
    stsClient: hooks?.stsClient,
    assumeRolePlugins: hooks?.assumeRolePlugins,
  });
  const caller = credentials.callerAccount;
  const accounts: AccountSource = source.organization
    ? { source: 'organization', organizationalUnits: [], include: source.accounts ?? [], exclude: [] }
    : { source: 'list', ids: source.accounts ?? [caller] };
  if (accounts.source === 'list') await credentials.verifyRoles(accounts.ids);
  const profile = source.profile ? `, profile ${source.profile}` : '';
  const label = source.organization
    ? `AWS organization of ${caller} through role ${source.role}${source.accounts ? ` (${plural(source.accounts.length, 'account')})` : ''}${profile}`
    : source.accounts
      ? `AWS, ${plural(source.accounts.length, 'account')} through role ${source.role}${profile}`
      : `AWS account ${caller} (${credentials.callerArn}${profile})`;
  return openLocalEnvironment({
    ...common,
    aws: {
      credentials,
      accounts,
      label,
      ...(hooks?.clientOptions ? { clientOptions: hooks.clientOptions } : {}),
    },
  });
}
