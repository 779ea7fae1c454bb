import { describe, expect, it } from 'vitest';
import { parseArgs } from '../../../functions/cli/args.ts';
import { rerunCommandLine } from '../../../functions/cli/commands/run.ts';
import {
  defaultCostExplorer,
  parseSource,
  SOURCE_FLAGS,
  SOURCE_OPTIONAL_VALUES,
  SOURCE_VALUES,
  type Source,
  shellWord,
  sourceArguments,
} from '../../../functions/cli/source.ts';
import { InvalidInputError } from '../../../functions/platform/errors.ts';

function parse(argv: string[], env: NodeJS.ProcessEnv = {}): Source {
  return parseSource(
    parseArgs(argv, {
      values: [...SOURCE_VALUES, 'categories'],
      flags: [...SOURCE_FLAGS],
      optionalValue: [...SOURCE_OPTIONAL_VALUES],
    }),
    env,
  );
}

function failure(argv: string[]): Error {
  try {
    parse(argv);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidInputError);
    return error as Error;
  }
  throw new Error(`parseSource accepted ${argv.join(' ')}`);
}

describe('parseSource', () => {
  it('reads --sample as before: 5 accounts, the three sample regions, no faults', () => {
    expect(parse(['--sample'])).toEqual({
      kind: 'sample',
      accounts: 5,
      accountIds: undefined,
      faults: [],
      regions: ['us-east-1', 'eu-west-1', 'ap-southeast-2'],
    });
    expect(
      parse([
        '--sample',
        '20',
        '--faults',
        'cost=throttle',
        '--accounts',
        '123456789012',
        '--regions',
        'eu-west-1',
      ]),
    ).toEqual({
      kind: 'sample',
      accounts: 20,
      accountIds: ['123456789012'],
      faults: [{ category: 'cost', kind: 'throttle' }],
      regions: ['eu-west-1'],
    });
  });

  it('reads --aws alone as the current account, in AWS_REGION, else AWS_DEFAULT_REGION, else us-east-1', () => {
    const current = {
      kind: 'aws',
      role: undefined,
      externalId: undefined,
      accounts: undefined,
      organization: false,
      profile: undefined,
      regions: ['us-east-1'],
    };
    expect(parse(['--aws'])).toEqual(current);
    expect(parse(['--aws'], { AWS_DEFAULT_REGION: 'eu-west-2' })).toMatchObject({ regions: ['eu-west-2'] });
    expect(parse(['--aws'], { AWS_REGION: 'eu-central-1', AWS_DEFAULT_REGION: 'eu-west-2' })).toMatchObject({
      regions: ['eu-central-1'],
    });
    expect(parse(['--aws', '--regions', 'us-east-1,eu-west-1'], { AWS_REGION: 'x' })).toMatchObject({
      regions: ['us-east-1', 'eu-west-1'],
    });
  });

  it('reads --aws --role with --accounts or --organization, --external-id and --profile', () => {
    expect(
      parse([
        '--aws',
        '--role',
        'a360-member-read',
        '--accounts',
        '111111111111, 222222222222,111111111111',
        '--external-id',
        'ext-42',
        '--profile',
        'dev',
      ]),
    ).toEqual({
      kind: 'aws',
      role: 'a360-member-read',
      externalId: 'ext-42',
      accounts: ['111111111111', '222222222222'],
      organization: false,
      profile: 'dev',
      regions: ['us-east-1'],
    });
    expect(parse(['--aws', '--role', 'reader', '--organization'])).toMatchObject({
      role: 'reader',
      organization: true,
      accounts: undefined,
    });
    expect(
      parse(['--aws', '--role', 'reader', '--organization', '--accounts', '111111111111']),
    ).toMatchObject({
      organization: true,
      accounts: ['111111111111'],
    });
  });

  it.each([
    [['--sample', '--aws'], '--sample and --aws are mutually exclusive: choose one source'],
    [
      [],
      'choose a source: --sample [N] (the built-in sample organization) or --aws (the AWS accounts the current credentials reach)',
    ],
    [
      ['--accounts', '111111111111'],
      'choose a source: --sample [N] (the built-in sample organization) or --aws (the AWS accounts the current credentials reach)',
    ],
    [
      ['--aws', '--faults', 'cost=throttle'],
      '--faults injects faults into the sample organization: it needs --sample, not --aws',
    ],
    [
      ['--aws', '--role', 'reader'],
      '--role needs --accounts id,id or --organization: the accounts to assume it in',
    ],
    [
      ['--aws', '--organization'],
      '--organization needs --role NAME: the role a360 assumes in each account of the organization',
    ],
    [
      ['--aws', '--accounts', '111111111111'],
      '--accounts with --aws needs --role NAME: the current credentials read only their own account',
    ],
    [['--aws', '--external-id', 'x1'], '--external-id needs --role NAME'],
    [
      ['--aws', '--role', 'r', '--accounts', '1234,111111111111,abc'],
      '--accounts takes 12-digit AWS account ids, got "1234", "abc"',
    ],
    [
      ['--aws', '--role', 'arn:aws:iam::111111111111:role/r', '--organization'],
      `--role takes the role's name (arn:aws:iam::<account>:role/<name>), got "arn:aws:iam::111111111111:role/r"`,
    ],
    [['--sample', '--role', 'r'], '--role needs --aws, not --sample'],
    [['--sample', '--profile', 'p', '--organization'], '--profile, --organization need --aws, not --sample'],
    [['--sample', '0'], '--sample takes a number of accounts from 1 to 1000, got "0"'],
  ])('rejects %j: %s', (argv, message) => {
    expect(failure(argv).message).toBe(message);
  });

  it('lets --aws take no value', () => {
    expect(() => parse(['--aws=yes'])).toThrow('--aws takes no value');
  });

  it('defaults Cost Explorer to organization for the sample and per-account for AWS', () => {
    expect(defaultCostExplorer(parse(['--sample']))).toBe('organization');
    expect(defaultCostExplorer(parse(['--aws']))).toBe('per-account');
  });
});

describe('sourceArguments and the rerun hint', () => {
  it('reruns a sample run from the ledger alone; sourceArguments adds only what differs from the defaults', () => {
    const source = parse(['--sample', '3', '--faults', 'security-hub=access-denied']);
    expect(rerunCommandLine('r-1', source)).toBe('npx a360 rerun --run r-1');
    const narrowed = parse(['--sample', '3', '--accounts', '123456789012', '--regions', 'eu-west-1']);
    expect(sourceArguments(narrowed)).toEqual([
      '--sample',
      '3',
      '--accounts',
      '123456789012',
      '--regions',
      'eu-west-1',
    ]);
  });

  it('reproduces the AWS source flags instead of --sample', () => {
    const source = parse([
      '--aws',
      '--profile',
      'my dev',
      '--role',
      'a360-member-read',
      '--external-id',
      'ext-42',
      '--organization',
      '--accounts',
      '111111111111,222222222222',
    ]);
    expect(rerunCommandLine('r-1', source)).toBe(
      "npx a360 rerun --run r-1 --aws --profile 'my dev' --role a360-member-read --external-id ext-42 --organization --accounts 111111111111,222222222222 --regions us-east-1",
    );
    expect(rerunCommandLine('r-2', parse(['--aws']))).toBe(
      'npx a360 rerun --run r-2 --aws --regions us-east-1',
    );
  });

  it('quotes words the shell would split or expand', () => {
    expect(shellWord('a360-member-read')).toBe('a360-member-read');
    expect(shellWord("it's $HOME")).toBe(`'it'\\''s $HOME'`);
  });
});
