import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { CredentialsProviderError } from '@smithy/core/config';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import {
  CLI_ROLE_SESSION_NAME,
  createCliCredentials,
  credentialsError,
} from '../../../functions/adapters/aws/cli-credentials.ts';
import { ConfigError, SourceAccessError, TransientError } from '../../../functions/platform/errors.ts';
import { assumedKey, CALLER_KEY, callerCredentials, fakeAssumeRole, stsError } from './aws-fakes.ts';

const sts = mockClient(STSClient);
afterEach(() => sts.reset());
afterAll(() => sts.restore());

const CALLER = '111111111111';
const MEMBER_A = '222222222222';
const MEMBER_B = '333333333333';
const CALLER_ARN = `arn:aws:sts::${CALLER}:assumed-role/Admin/someone`;

function answersIdentity() {
  sts
    .on(GetCallerIdentityCommand)
    .resolves({ Account: CALLER, Arn: CALLER_ARN, UserId: 'AROAEXAMPLE:someone' });
}

describe('createCliCredentials: the current identity', () => {
  it('asks STS GetCallerIdentity once, with no parameters, and reads the current account with the current credentials', async () => {
    answersIdentity();
    const credentials = await createCliCredentials({ baseCredentials: callerCredentials });
    expect(credentials.callerAccount).toBe(CALLER);
    expect(credentials.callerArn).toBe(CALLER_ARN);
    expect(sts.commandCalls(GetCallerIdentityCommand)).toHaveLength(1);
    expect(sts.commandCalls(GetCallerIdentityCommand)[0]?.args[0].input).toEqual({});
    expect(credentials.roleArn(CALLER)).toBeUndefined();
    expect(await credentials.forAccount(CALLER)()).toMatchObject({ accessKeyId: CALLER_KEY });
  });

  it('asks STS in us-east-1 with the current credentials', async () => {
    answersIdentity();
    await createCliCredentials({ baseCredentials: callerCredentials });
    const client = sts.call(0).thisValue as STSClient;
    expect(await client.config.region()).toBe('us-east-1');
    expect(await client.config.credentials()).toMatchObject({ accessKeyId: CALLER_KEY });
  });

  it('turns a missing credential chain into one ConfigError line', async () => {
    sts
      .on(GetCallerIdentityCommand)
      .rejects(
        new CredentialsProviderError('Could not load credentials from any providers', { tryNextLink: false }),
      );
    const failure = await createCliCredentials({ baseCredentials: callerCredentials }).catch((e) => e);
    expect(failure).toBeInstanceOf(ConfigError);
    expect(failure.message).toBe(
      'no AWS credentials found (set AWS_PROFILE or run aws sso login): Could not load credentials from any providers',
    );
  });

  it('names the profile when --profile has no usable credentials', () => {
    const error = credentialsError(
      new CredentialsProviderError(
        'Could not resolve credentials using profile: [dev] in configuration/credentials file(s).',
      ),
      'dev',
    );
    expect(error.message).toBe(
      'no AWS credentials found for profile dev (check ~/.aws/config or run aws sso login --profile dev): Could not resolve credentials using profile: [dev] in configuration/credentials file(s).',
    );
  });

  it.each([
    ['InvalidClientTokenId', 'The security token included in the request is invalid.'],
    ['ExpiredToken', 'The security token included in the request is expired'],
    [
      'SignatureDoesNotMatch',
      'The request signature we calculated does not match the signature you provided.',
    ],
  ])('reports %s as rejected credentials, one line with the code', async (code, message) => {
    sts.on(GetCallerIdentityCommand).rejects(stsError(code, message));
    const failure = await createCliCredentials({ baseCredentials: callerCredentials }).catch((e) => e);
    expect(failure).toBeInstanceOf(SourceAccessError);
    expect(failure.message).toBe(`the AWS credentials were rejected: ${code} (${message})`);
  });

  it('reports an unreachable STS as such, not as missing credentials', () => {
    const offline = Object.assign(new Error('getaddrinfo ENOTFOUND sts.us-east-1.amazonaws.com'), {
      code: 'ENOTFOUND',
    });
    const error = credentialsError(offline);
    expect(error).toBeInstanceOf(TransientError);
    expect(error.message).toBe(
      'could not reach AWS STS (us-east-1) to check the credentials: ENOTFOUND (getaddrinfo ENOTFOUND sts.us-east-1.amazonaws.com)',
    );
  });
});

describe('createCliCredentials: the role in other accounts', () => {
  it('assumes arn:aws:iam::<account>:role/<name> with the session name a360-cli and the external id, once per account', async () => {
    answersIdentity();
    const assume = fakeAssumeRole();
    const credentials = await createCliCredentials({
      baseCredentials: callerCredentials,
      roleName: 'a360-member-read',
      externalId: 'ext-1234',
      assumeRolePlugins: [assume.plugin],
    });
    expect(credentials.roleArn(MEMBER_A)).toBe('arn:aws:iam::222222222222:role/a360-member-read');
    const first = await credentials.forAccount(MEMBER_A)();
    const again = await credentials.forAccount(MEMBER_A)();
    expect(first).toMatchObject({ accessKeyId: assumedKey(MEMBER_A), sessionToken: 'assumed-token' });
    expect(again).toEqual(first);
    expect(assume.calls).toEqual([
      {
        RoleArn: 'arn:aws:iam::222222222222:role/a360-member-read',
        RoleSessionName: CLI_ROLE_SESSION_NAME,
        ExternalId: 'ext-1234',
      },
    ]);
    expect(CLI_ROLE_SESSION_NAME).toBe('a360-cli');
  });

  it('sends no ExternalId when none is given, and never assumes a role in the current account', async () => {
    answersIdentity();
    const assume = fakeAssumeRole();
    const credentials = await createCliCredentials({
      baseCredentials: callerCredentials,
      roleName: 'path/to/reader',
      assumeRolePlugins: [assume.plugin],
    });
    await credentials.verifyRoles([CALLER, MEMBER_B, MEMBER_B]);
    expect(await credentials.forAccount(CALLER)()).toMatchObject({ accessKeyId: CALLER_KEY });
    expect(assume.calls).toEqual([
      { RoleArn: 'arn:aws:iam::333333333333:role/path/to/reader', RoleSessionName: 'a360-cli' },
    ]);
  });

  it('names the role ARN when AssumeRole is denied', async () => {
    answersIdentity();
    const assume = fakeAssumeRole({ deny: [MEMBER_B] });
    const credentials = await createCliCredentials({
      baseCredentials: callerCredentials,
      roleName: 'a360-member-read',
      assumeRolePlugins: [assume.plugin],
    });
    const failure = await credentials.verifyRoles([MEMBER_A, MEMBER_B]).catch((e) => e);
    expect(failure).toBeInstanceOf(SourceAccessError);
    expect(failure.message).toBe(
      'cannot assume arn:aws:iam::333333333333:role/a360-member-read: AccessDenied (User: arn:aws:iam::999999999999:user/tester is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::333333333333:role/a360-member-read)',
    );
    // During collection the same refusal reaches the collector as a SourceAccessError naming the role.
    const during = await credentials
      .forAccount(MEMBER_B)()
      .catch((e) => e);
    expect(during).toBeInstanceOf(SourceAccessError);
    expect(during.message).toMatch(
      /^cannot assume arn:aws:iam::333333333333:role\/a360-member-read: AccessDenied/,
    );
  });

  it('lists every role that cannot be assumed in one line', async () => {
    answersIdentity();
    const assume = fakeAssumeRole({ deny: [MEMBER_A, MEMBER_B] });
    const credentials = await createCliCredentials({
      baseCredentials: callerCredentials,
      roleName: 'reader',
      assumeRolePlugins: [assume.plugin],
    });
    const failure = await credentials.verifyRoles([MEMBER_B, MEMBER_A]).catch((e) => e);
    expect(failure.message).toBe(
      `cannot assume the role in 2 of 2 accounts as ${CALLER_ARN}: arn:aws:iam::222222222222:role/reader (AccessDenied), arn:aws:iam::333333333333:role/reader (AccessDenied)`,
    );
  });
});
