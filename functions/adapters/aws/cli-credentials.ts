import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { fromNodeProviderChain, fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider, Pluggable } from '@smithy/types';
import { isThrottling, isTransientFailure } from '../../collectors/aws-errors.ts';
import {
  AppError,
  ConfigError,
  SourceAccessError,
  SourceRequestError,
  TransientError,
} from '../../platform/errors.ts';

/** The session name CloudTrail shows in the member accounts for the command-line tool's reads. */
export const CLI_ROLE_SESSION_NAME = 'a360-cli';
/** STS is asked in the home region (always enabled, unlike opt-in regions). */
export const CLI_STS_REGION = 'us-east-1';

/** Failures of the credential provider chain itself: nothing was found, or a profile/SSO token is unusable. */
const PROVIDER_ERRORS = new Set(['CredentialsProviderError', 'TokenProviderError', 'ProviderError']);

/**
 * What STS answers when the credentials themselves are bad (the AWS common errors; GetCallerIdentity needs no
 * permission, so even an access denial there means the credentials, not a policy).
 */
const REJECTED = new Set([
  'InvalidClientTokenId',
  'ExpiredToken',
  'ExpiredTokenException',
  'SignatureDoesNotMatch',
  'IncompleteSignature',
  'RequestExpired',
  'UnrecognizedClientException',
  'InvalidAccessKeyId',
  'MissingAuthenticationToken',
  'AuthFailure',
  'NotAuthorized',
  'AccessDenied',
  'AccessDeniedException',
]);

export interface CliCredentialsOptions {
  /** A named profile of the shared config files (`--profile`); otherwise the default chain (AWS_PROFILE, ...). */
  readonly profile?: string | undefined;
  /** The role assumed in every account other than the caller's own. */
  readonly roleName?: string | undefined;
  /** Passed as ExternalId to AssumeRole when the role's trust policy requires one. */
  readonly externalId?: string | undefined;
  /** Test seam: the current credentials instead of the default provider chain. */
  readonly baseCredentials?: AwsCredentialIdentityProvider | undefined;
  /**
   * Test seam: the STS client that asks GetCallerIdentity, or a function of the current credentials building it
   * (default: us-east-1, the current credentials).
   */
  readonly stsClient?: STSClient | ((credentials: AwsCredentialIdentityProvider) => STSClient) | undefined;
  /** Test seam: middleware on the STS clients that `fromTemporaryCredentials` builds for AssumeRole. */
  // biome-ignore lint/suspicious/noExplicitAny: the plugin type fromTemporaryCredentials declares
  readonly assumeRolePlugins?: ReadonlyArray<Pluggable<any, any>> | undefined;
}

/** The current AWS identity, and credentials for each account it reads. */
export interface CliCredentials {
  /** The account of the current credentials (STS GetCallerIdentity). */
  readonly callerAccount: string;
  /** Their ARN (a user, an assumed role, ...). */
  readonly callerArn: string;
  /** The current credentials (the caller's own account, Organizations, the organization-wide Cost Explorer). */
  readonly current: AwsCredentialIdentityProvider;
  /** The role ARN assumed in an account, or `undefined` when the current credentials read it. */
  roleArn(accountId: string): string | undefined;
  /**
   * Credentials to read an account with: the current ones for the caller's own account (as the hub's Lambdas
   * use their own role in the hub account), otherwise the role, assumed once and again before it expires.
   */
  forAccount(accountId: string): AwsCredentialIdentityProvider;
  /** Assumes the role in each account now: one error naming every role ARN that could not be assumed. */
  verifyRoles(accountIds: readonly string[]): Promise<void>;
}

/** One line of an SDK message (some provider messages span several). */
function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

function errorName(error: unknown): string {
  const e = error as { name?: unknown; code?: unknown } | undefined;
  if (typeof e?.name === 'string' && e.name !== 'Error') return e.name;
  return typeof e?.code === 'string' ? e.code : 'Error';
}

function errorMessage(error: unknown): string {
  const message = (error as { message?: unknown } | undefined)?.message;
  return oneLine(typeof message === 'string' ? message : String(error));
}

/** `Code (message)`, or just the code when there is no message. */
function codeAndMessage(error: unknown): string {
  const name = errorName(error);
  const message = errorMessage(error);
  return message && message !== name ? `${name} (${message})` : name;
}

/** Why the current credentials cannot be used, as one line for the terminal. */
export function credentialsError(error: unknown, profile?: string): AppError {
  const name = errorName(error);
  if (PROVIDER_ERRORS.has(name)) {
    const where = profile
      ? `for profile ${profile} (check ~/.aws/config or run aws sso login --profile ${profile})`
      : '(set AWS_PROFILE or run aws sso login)';
    return new ConfigError(`no AWS credentials found ${where}: ${errorMessage(error)}`, { cause: error });
  }
  if (REJECTED.has(name)) {
    return new SourceAccessError(`the AWS credentials were rejected: ${codeAndMessage(error)}`, {
      cause: error,
    });
  }
  if (isThrottling(error) || isTransientFailure(error)) {
    return new TransientError(
      `could not reach AWS STS (${CLI_STS_REGION}) to check the credentials: ${codeAndMessage(error)}`,
      { cause: error },
    );
  }
  return new SourceRequestError(`STS GetCallerIdentity failed: ${codeAndMessage(error)}`, { cause: error });
}

/**
 * Why a role could not be assumed, naming its ARN; `undefined` for failures that are not a refusal
 * (throttling, the network), which the collectors classify as usual.
 */
export function assumeRoleError(roleArn: string, error: unknown): AppError | undefined {
  const name = errorName(error);
  const status = (error as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata
    ?.httpStatusCode;
  if (
    REJECTED.has(name) ||
    PROVIDER_ERRORS.has(name) ||
    name === 'RegionDisabledException' ||
    status === 403
  ) {
    return new SourceAccessError(`cannot assume ${roleArn}: ${codeAndMessage(error)}`, { cause: error });
  }
  return undefined;
}

/** Credentials shared by every client of an account: asked once, and again 5 minutes before they expire. */
function memoize(provider: AwsCredentialIdentityProvider): AwsCredentialIdentityProvider {
  let pending: Promise<AwsCredentialIdentity> | undefined;
  const ask: AwsCredentialIdentityProvider = (properties) => {
    const request = provider(properties).catch((error: unknown) => {
      if (pending === request) pending = undefined;
      throw error;
    });
    pending = request;
    return request;
  };
  return async (properties) => {
    if (!pending) return ask(properties);
    const identity = await pending;
    const fresh = identity.expiration === undefined || identity.expiration.getTime() - Date.now() > 300_000;
    return fresh ? identity : ask(properties);
  };
}

/**
 * Checks the current credentials (STS GetCallerIdentity) before anything is collected, and builds the
 * per-account credentials the collectors use: `fromTemporaryCredentials` AssumeRole of the role, as the hub's
 * Lambdas do with the member role, with the session name `a360-cli`.
 */
export async function createCliCredentials(options: CliCredentialsOptions = {}): Promise<CliCredentials> {
  const current = memoize(
    options.baseCredentials ?? fromNodeProviderChain(options.profile ? { profile: options.profile } : {}),
  );
  const sts =
    typeof options.stsClient === 'function'
      ? options.stsClient(current)
      : (options.stsClient ??
        new STSClient({
          region: CLI_STS_REGION,
          credentials: current,
          maxAttempts: 3,
          requestHandler: { connectionTimeout: 5_000, requestTimeout: 15_000 },
        }));
  let identity: { Account?: string | undefined; Arn?: string | undefined };
  try {
    identity = await sts.send(new GetCallerIdentityCommand({}));
  } catch (error) {
    throw credentialsError(error, options.profile);
  }
  const callerAccount = identity.Account;
  if (!callerAccount) throw new SourceRequestError('STS GetCallerIdentity answered without an Account');
  const callerArn = identity.Arn ?? `account ${callerAccount}`;

  const roleArn = (accountId: string) =>
    options.roleName && accountId !== callerAccount
      ? `arn:aws:iam::${accountId}:role/${options.roleName}`
      : undefined;
  const assumed = new Map<string, AwsCredentialIdentityProvider>();
  const forAccount = (accountId: string): AwsCredentialIdentityProvider => {
    const arn = roleArn(accountId);
    if (!arn) return current;
    let provider = assumed.get(accountId);
    if (!provider) {
      const temporary = fromTemporaryCredentials({
        params: {
          RoleArn: arn,
          RoleSessionName: CLI_ROLE_SESSION_NAME,
          ...(options.externalId ? { ExternalId: options.externalId } : {}),
        },
        masterCredentials: current,
        clientConfig: { region: CLI_STS_REGION },
        ...(options.assumeRolePlugins ? { clientPlugins: [...options.assumeRolePlugins] } : {}),
      });
      provider = memoize(async (properties) => {
        try {
          return await temporary(properties);
        } catch (error) {
          throw assumeRoleError(arn, error) ?? error;
        }
      });
      assumed.set(accountId, provider);
    }
    return provider;
  };

  return {
    callerAccount,
    callerArn,
    current,
    roleArn,
    forAccount,
    async verifyRoles(accountIds) {
      const failures: Array<{ arn: string; error: unknown }> = [];
      const pending = [...new Set(accountIds)].filter((id) => roleArn(id));
      // A few at a time: STS throttles bursts of AssumeRole.
      for (let i = 0; i < pending.length; i += 8) {
        await Promise.all(
          pending.slice(i, i + 8).map(async (accountId) => {
            try {
              await forAccount(accountId)();
            } catch (error) {
              const cause = error instanceof AppError && error.cause !== undefined ? error.cause : error;
              failures.push({ arn: roleArn(accountId) as string, error: cause });
            }
          }),
        );
      }
      const [first] = failures;
      if (failures.length === 1 && first) {
        throw new SourceAccessError(`cannot assume ${first.arn}: ${codeAndMessage(first.error)}`, {
          cause: first.error,
        });
      }
      if (failures.length > 1) {
        const each = failures
          .map((f) => `${f.arn} (${errorName(f.error)})`)
          .sort()
          .join(', ');
        throw new SourceAccessError(
          `cannot assume the role in ${failures.length} of ${pending.length} accounts as ${callerArn}: ${each}`,
          { cause: first?.error },
        );
      }
    },
  };
}
