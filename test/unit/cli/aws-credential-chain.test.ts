import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { STSClient } from '@aws-sdk/client-sts';
import type { AwsCredentialIdentityProvider } from '@smithy/types';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createCliCredentials } from '../../../functions/adapters/aws/cli-credentials.ts';
import { ConfigError } from '../../../functions/platform/errors.ts';

/**
 * The real default provider chain (no mock of STS) with nothing configured: the lookup fails while the request
 * is signed, before the request handler (which records and refuses) would send anything.
 */
describe('createCliCredentials with the real credential chain and nothing configured', () => {
  let dir: string;
  const sent: string[] = [];
  const refusingClient = (credentials: AwsCredentialIdentityProvider) =>
    new STSClient({
      region: 'us-east-1',
      credentials,
      maxAttempts: 1,
      requestHandler: {
        handle: async (request: { hostname: string }) => {
          sent.push(request.hostname);
          throw new Error('no request may be sent in this test');
        },
      },
    });

  beforeEach(async () => {
    sent.length = 0;
    dir = await mkdtemp(join(tmpdir(), 'a360-aws-empty-'));
    await writeFile(join(dir, 'config'), '[profile other]\nregion = eu-west-1\n');
    await writeFile(join(dir, 'credentials'), '');
    for (const name of [
      'AWS_ACCESS_KEY_ID',
      'AWS_SECRET_ACCESS_KEY',
      'AWS_SESSION_TOKEN',
      'AWS_PROFILE',
      'AWS_WEB_IDENTITY_TOKEN_FILE',
      'AWS_ROLE_ARN',
      'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI',
      'AWS_CONTAINER_CREDENTIALS_FULL_URI',
      'AWS_CONTAINER_AUTHORIZATION_TOKEN',
    ]) {
      vi.stubEnv(name, undefined);
    }
    vi.stubEnv('AWS_CONFIG_FILE', join(dir, 'config'));
    vi.stubEnv('AWS_SHARED_CREDENTIALS_FILE', join(dir, 'credentials'));
    vi.stubEnv('AWS_EC2_METADATA_DISABLED', 'true');
  });
  afterEach(async () => {
    vi.unstubAllEnvs();
    await rm(dir, { recursive: true, force: true });
  });

  it('gives one ConfigError line when no provider has credentials', async () => {
    const failure = await createCliCredentials({ stsClient: refusingClient }).catch((e) => e);
    expect(failure).toBeInstanceOf(ConfigError);
    expect(failure.message).toBe(
      'no AWS credentials found (set AWS_PROFILE or run aws sso login): Could not load credentials from any providers',
    );
    expect(sent).toEqual([]);
  });

  it('names the profile given with --profile', async () => {
    const failure = await createCliCredentials({ profile: 'nope', stsClient: refusingClient }).catch(
      (e) => e,
    );
    expect(failure).toBeInstanceOf(ConfigError);
    expect(failure.message).toMatch(
      /^no AWS credentials found for profile nope \(check ~\/\.aws\/config or run aws sso login --profile nope\): \S/,
    );
    expect(failure.message).not.toContain('\n');
    expect(sent).toEqual([]);
  });
});
