import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { CredentialsProviderError } from '@smithy/core/config';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSampleOrganization } from '../../../functions/adapters/local/sample-org/index.ts';
import type { SampleOrganization } from '../../../functions/adapters/local/sample-org/organization.ts';
import { sampleAccountState } from '../../../functions/adapters/local/sample-org/services/organizations.ts';
import { runCommand } from '../../../functions/cli/commands/run.ts';
import type { Output } from '../../../functions/cli/render.ts';
import type { AwsSourceHooks } from '../../../functions/cli/source.ts';
import { SourceAccessError } from '../../../functions/platform/errors.ts';
import { a360 } from '../../support/cli.ts';
import {
  answeredBySample,
  assumedKey,
  CALLER_KEY,
  callerCredentials,
  fakeAssumeRole,
  type SignedCall,
  stsError,
} from './aws-fakes.ts';

const sts = mockClient(STSClient);
afterEach(() => sts.reset());
afterAll(() => sts.restore());

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'a360-aws-run-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('a360 run --aws with unusable credentials', () => {
  it.each([
    [
      new CredentialsProviderError('Could not load credentials from any providers', { tryNextLink: false }),
      'a360: no AWS credentials found (set AWS_PROFILE or run aws sso login): Could not load credentials from any providers',
    ],
    [
      stsError('InvalidClientTokenId', 'The security token included in the request is invalid.'),
      'a360: the AWS credentials were rejected: InvalidClientTokenId (The security token included in the request is invalid.)',
    ],
    [
      stsError('ExpiredToken', 'The security token included in the request is expired'),
      'a360: the AWS credentials were rejected: ExpiredToken (The security token included in the request is expired)',
    ],
  ])('prints exactly one line, no stack, opens nothing and exits 1 (%s)', async (error, line) => {
    sts.on(GetCallerIdentityCommand).rejects(error);
    const stateDir = join(dir, 'state');
    const result = await a360(['run', '--aws', '--state-dir', stateDir]);
    expect(result.code).toBe(1);
    expect(result.err).toBe(`${line}\n`);
    expect(result.err).not.toMatch(/\n\s+at /);
    expect(result.out).toBe('');
    expect(sts.commandCalls(GetCallerIdentityCommand)).toHaveLength(1);
    // Nothing was opened: no database, no bucket, no lock.
    expect(existsSync(stateDir)).toBe(false);
  });

  it('rejects two sources, or none, in one line before asking AWS', async () => {
    const both = await a360(['run', '--sample', '--aws', '--state-dir', join(dir, 'state')]);
    expect(both).toEqual({
      code: 1,
      out: '',
      err: 'a360: --sample and --aws are mutually exclusive: choose one source\n',
    });
    const none = await a360(['run', '--state-dir', join(dir, 'state')]);
    expect(none.code).toBe(1);
    expect(none.err).toBe(
      'a360: choose a source: --sample [N] (the built-in sample organization) or --aws (the AWS accounts the current credentials reach)\n',
    );
    const faults = await a360(['run', '--aws', '--faults', 'cost=throttle']);
    expect(faults.err).toBe(
      'a360: --faults injects faults into the sample organization: it needs --sample, not --aws\n',
    );
    expect(sts.calls()).toHaveLength(0);
  });
});

/**
 * The whole `run --aws` path with the sample organization answering below the SDK in place of AWS: the caller
 * is the sample's management account, AssumeRole is answered by a fake, and every request's signature says
 * which credentials the collectors used.
 */
describe('a360 run --aws collecting accounts', () => {
  let sample: SampleOrganization;
  let management: string;
  let active: string[];
  let signed: SignedCall[];

  beforeEach(() => {
    sample = createSampleOrganization({ accounts: 6, regions: ['us-east-1'], faults: [] });
    management = sample.accounts[0]?.id as string;
    active = sample.accounts.filter((a) => sampleAccountState(a) === 'ACTIVE').map((a) => a.id);
    signed = [];
    sts.on(GetCallerIdentityCommand).resolves({
      Account: management,
      Arn: `arn:aws:sts::${management}:assumed-role/Admin/someone`,
    });
  });

  function hooks(assume: ReturnType<typeof fakeAssumeRole>): AwsSourceHooks {
    return {
      baseCredentials: callerCredentials,
      assumeRolePlugins: [assume.plugin],
      clientOptions: answeredBySample(sample.clientOptions(), signed),
    };
  }

  async function run(argv: string[], aws: AwsSourceHooks) {
    let out = '';
    let err = '';
    const output: Output = {
      isTTY: false,
      write: (text) => {
        out += text;
      },
      error: (text) => {
        err += text;
      },
    };
    const code = await runCommand(
      [...argv, '--date', '2026-11-20', '--retry-wait', '0', '--state-dir', join(dir, 'state')],
      { output, env: {}, aws },
    );
    return { code, out, err };
  }

  async function slices() {
    const status = await a360(['status', '--json', '--state-dir', join(dir, 'state')]);
    return JSON.parse(status.out).slices as Array<{
      accountId: string;
      category: string;
      collect: { status: string };
      load: { status: string };
      error: string | null;
    }>;
  }

  it('--aws alone collects the current account with the current credentials, assuming nothing', async () => {
    const assume = fakeAssumeRole();
    const result = await run(['--aws', '--categories', 'account,kms'], hooks(assume));
    expect(result.err).toBe('');
    expect(result.code).toBe(0);
    expect(result.out).toContain(
      `AWS account ${management} (arn:aws:sts::${management}:assumed-role/Admin/someone)`,
    );
    expect(assume.calls).toEqual([]);
    expect(signed.length).toBeGreaterThan(0);
    expect(new Set(signed.map((c) => c.accountId))).toEqual(new Set([management]));
    expect(new Set(signed.map((c) => c.accessKeyId))).toEqual(new Set([CALLER_KEY]));
    const loaded = await slices();
    expect(loaded.map((s) => `${s.accountId} ${s.category} ${s.load.status}`).sort()).toEqual([
      `${management} account SUCCEEDED`,
      `${management} kms SUCCEEDED`,
    ]);
  });

  it('--role --accounts assumes the role in each listed account but the current one, once, and signs with it', async () => {
    const [, first, second] = active as [string, string, string];
    const assume = fakeAssumeRole();
    const result = await run(
      [
        '--aws',
        '--role',
        'a360-member-read',
        '--accounts',
        `${management},${first},${second}`,
        '--categories',
        'account,cost,kms',
      ],
      hooks(assume),
    );
    expect(result.err).toBe('');
    expect(result.code).toBe(0);
    expect(result.out).toContain('AWS, 3 accounts through role a360-member-read');
    expect(assume.calls.sort((a, b) => String(a.RoleArn).localeCompare(String(b.RoleArn)))).toEqual(
      [first, second].sort().map((id) => ({
        RoleArn: `arn:aws:iam::${id}:role/a360-member-read`,
        RoleSessionName: 'a360-cli',
      })),
    );
    expect(new Set(signed.map((c) => c.accountId))).toEqual(new Set([management, first, second]));
    for (const call of signed) {
      expect(call.accessKeyId).toBe(call.accountId === management ? CALLER_KEY : assumedKey(call.accountId));
    }
    // Cost Explorer is asked per account by default with --aws: no organization-wide prefetch.
    expect(signed.filter((c) => c.runId === 'organization-cost-explorer')).toEqual([]);
    expect(signed.some((c) => c.accountId === first && c.category === 'cost')).toBe(true);
    const loaded = await slices();
    expect(new Set(loaded.map((s) => s.accountId))).toEqual(new Set([management, first, second]));
    for (const slice of loaded) expect(['SUCCEEDED', 'SKIPPED']).toContain(slice.load.status);
  });

  it('--role --accounts stops before collecting when a role cannot be assumed, naming its ARN', async () => {
    const [, first, second] = active as [string, string, string];
    const assume = fakeAssumeRole({ deny: [second] });
    const failure = await run(
      ['--aws', '--role', 'a360-member-read', '--accounts', `${first},${second}`],
      hooks(assume),
    ).catch((e) => e);
    expect(failure).toBeInstanceOf(SourceAccessError);
    expect(failure.message).toBe(
      `cannot assume arn:aws:iam::${second}:role/a360-member-read: AccessDenied (User: arn:aws:iam::999999999999:user/tester is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::${second}:role/a360-member-read)`,
    );
    expect(signed).toEqual([]);
    expect(existsSync(join(dir, 'state'))).toBe(false);
  });

  it('--role --organization collects the ACTIVE accounts Organizations lists, reruns with the same flags, and records a refused role per category', async () => {
    const members = active.filter((id) => id !== management);
    const denied = members[0] as string;
    const assume = fakeAssumeRole({ deny: [denied] });
    const result = await run(
      [
        '--aws',
        '--role',
        'a360-member-read',
        '--external-id',
        'ext-42',
        '--organization',
        '--cost-explorer',
        'organization',
        '--categories',
        'account,cost,kms',
      ],
      hooks(assume),
    );
    expect(result.err).toBe('');
    expect(result.code).toBe(2);
    expect(result.out).toContain(`AWS organization of ${management} through role a360-member-read`);
    expect(result.out).toMatch(
      /npx a360 rerun --run r-\S+ --aws --role a360-member-read --external-id ext-42 --organization --regions us-east-1\n/,
    );
    expect(result.out).toMatch(/^Cost Explorer requests: \d+ \(\d+ for the organization, 0 by accounts;/m);

    // Every ACTIVE account but the management one, with the exact AssumeRole input; the suspended ones never.
    const assumedArns = new Set(assume.calls.map((c) => c.RoleArn));
    expect(assumedArns).toEqual(new Set(members.map((id) => `arn:aws:iam::${id}:role/a360-member-read`)));
    for (const call of assume.calls) {
      expect(call).toEqual({ RoleArn: call.RoleArn, RoleSessionName: 'a360-cli', ExternalId: 'ext-42' });
    }
    // Granted roles are assumed once per run.
    for (const id of members.filter((m) => m !== denied)) {
      expect(
        assume.calls.filter((c) => c.RoleArn === `arn:aws:iam::${id}:role/a360-member-read`),
      ).toHaveLength(1);
    }
    // Organizations and the organization-wide Cost Explorer are read with the current credentials; each
    // account's own calls with its own.
    for (const runId of ['discovery', 'organization-cost-explorer']) {
      const calls = signed.filter((c) => c.runId === runId);
      expect(calls.length).toBeGreaterThan(0);
      for (const call of calls)
        expect(call).toMatchObject({ accountId: management, accessKeyId: CALLER_KEY });
    }
    for (const call of signed) {
      expect(call.accessKeyId).toBe(call.accountId === management ? CALLER_KEY : assumedKey(call.accountId));
    }
    expect(signed.some((c) => c.accountId === denied)).toBe(false);

    const loaded = await slices();
    expect(new Set(loaded.map((s) => s.accountId))).toEqual(new Set(active));
    // The refused account's own calls fail naming the role; its cost comes from the organization's answers.
    const refused = loaded.filter((s) => s.accountId === denied);
    expect(refused.map((s) => `${s.category} ${s.collect.status}`).sort()).toEqual([
      'account FAILED',
      'cost SUCCEEDED',
      'kms FAILED',
    ]);
    for (const slice of refused.filter((s) => s.category !== 'cost')) {
      expect(slice.error).toBe(
        `collect: SourceAccessError: cannot assume arn:aws:iam::${denied}:role/a360-member-read: AccessDenied (User: arn:aws:iam::999999999999:user/tester is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::${denied}:role/a360-member-read)`,
      );
    }
    for (const slice of loaded.filter((s) => s.accountId !== denied)) {
      expect(['SUCCEEDED', 'SKIPPED']).toContain(slice.load.status);
    }
  });

  it('--organization --accounts keeps only those of the organization, and only the ACTIVE ones', async () => {
    sample = createSampleOrganization({ accounts: 25, regions: ['us-east-1'], faults: [] });
    const member = sample.accounts[5]?.id as string;
    const suspended = sample.accounts[24] as (typeof sample.accounts)[number];
    expect(sampleAccountState(suspended)).toBe('SUSPENDED');
    sts
      .on(GetCallerIdentityCommand)
      .resolves({ Account: sample.accounts[0]?.id, Arn: 'arn:aws:iam::0:user/x' });
    const assume = fakeAssumeRole();
    const result = await run(
      [
        '--aws',
        '--role',
        'reader',
        '--organization',
        '--accounts',
        `${member},${suspended.id},999999999990`,
        '--categories',
        'kms',
      ],
      hooks(assume),
    );
    expect(result.err).toBe('');
    expect(result.code).toBe(0);
    expect(assume.calls.map((c) => c.RoleArn)).toEqual([`arn:aws:iam::${member}:role/reader`]);
    expect((await slices()).map((s) => s.accountId)).toEqual([member]);
  });
});
