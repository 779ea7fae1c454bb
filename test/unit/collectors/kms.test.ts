import {
  DescribeKeyCommand,
  GetKeyRotationStatusCommand,
  type GetKeyRotationStatusCommandOutput,
  type KeyMetadata,
  KMSClient,
  ListAliasesCommand,
  ListKeysCommand,
} from '@aws-sdk/client-kms';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { iamActionFor } from '../../../functions/collectors/iam.ts';
import { type KmsKey, kmsCollector } from '../../../functions/collectors/kms.ts';
import {
  DataContractError,
  SourceAccessError,
  SourceRequestError,
  TransientError,
} from '../../../functions/platform/errors.ts';
import { collectContext, serviceError } from '../../support/collect-context.ts';

const kms = mockClient(KMSClient);
/** Every command the collector sent in this file, for the IAM declaration check. */
const sent = new Set<string>();
afterEach(() => {
  for (const call of kms.calls()) {
    sent.add(iamActionFor('@aws-sdk/client-kms', call.args[0].constructor.name.replace(/Command$/, '')));
  }
  kms.reset();
});
afterAll(() => kms.restore());

const window = { period: 'DAILY' as const, start: '2026-11-25', end: '2026-11-26' };
const account = '123456789012';
const arn = (region: string, id: string) => `arn:aws:kms:${region}:${account}:key/${id}`;
const created = new Date('2025-03-01T10:00:00Z');

const S3 = '11111111-1111-4111-8111-111111111111';
const DATA = '22222222-2222-4222-8222-222222222222';
const LOGS = '33333333-3333-4333-8333-333333333333';
const SIGN = '44444444-4444-4444-8444-444444444444';
const MAC = '55555555-5555-4555-8555-555555555555';
const IMPORTED = '66666666-6666-4666-8666-666666666666';
const OLD = '77777777-7777-4777-8777-777777777777';
const GUARDED = '88888888-8888-4888-8888-888888888888';
const LOCKED = '99999999-9999-4999-8999-999999999999';
const GONE = 'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa';
const GLOBAL = 'mrk-0123456789abcdef0123456789abcdef';
const WEST = 'bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb';

function metadata(region: string, id: string, overrides: Partial<KeyMetadata> = {}): KeyMetadata {
  return {
    AWSAccountId: account,
    KeyId: id,
    Arn: arn(region, id),
    CreationDate: created,
    Enabled: true,
    Description: '',
    KeyUsage: 'ENCRYPT_DECRYPT',
    KeyState: 'Enabled',
    Origin: 'AWS_KMS',
    KeyManager: 'CUSTOMER',
    KeySpec: 'SYMMETRIC_DEFAULT',
    EncryptionAlgorithms: ['SYMMETRIC_DEFAULT'],
    MultiRegion: false,
    ...overrides,
  };
}

const east: Record<string, KeyMetadata> = {
  [S3]: metadata('us-east-1', S3, {
    KeyManager: 'AWS',
    Description: 'Default key that protects my S3 objects when no other key is defined',
  }),
  [DATA]: metadata('us-east-1', DATA, { Description: 'Payments data' }),
  [LOGS]: metadata('us-east-1', LOGS),
  [SIGN]: metadata('us-east-1', SIGN, {
    KeyUsage: 'SIGN_VERIFY',
    KeySpec: 'RSA_2048',
    EncryptionAlgorithms: undefined,
    SigningAlgorithms: ['RSASSA_PSS_SHA_256'],
  }),
  [MAC]: metadata('us-east-1', MAC, { KeyUsage: 'GENERATE_VERIFY_MAC', KeySpec: 'HMAC_256' }),
  [IMPORTED]: metadata('us-east-1', IMPORTED, { Origin: 'EXTERNAL' }),
  [OLD]: metadata('us-east-1', OLD, {
    Enabled: false,
    KeyState: 'PendingDeletion',
    DeletionDate: new Date('2026-12-10T00:00:00Z'),
    PendingDeletionWindowInDays: 30,
  }),
  [GUARDED]: metadata('us-east-1', GUARDED),
  [GLOBAL]: metadata('us-east-1', GLOBAL, {
    MultiRegion: true,
    MultiRegionConfiguration: {
      MultiRegionKeyType: 'PRIMARY',
      PrimaryKey: { Arn: arn('us-east-1', GLOBAL), Region: 'us-east-1' },
      ReplicaKeys: [],
    },
  }),
};
const west: Record<string, KeyMetadata> = { [WEST]: metadata('eu-west-1', WEST) };

const rotations: Record<string, GetKeyRotationStatusCommandOutput | Error> = {
  [DATA]: {
    KeyId: arn('us-east-1', DATA),
    KeyRotationEnabled: true,
    RotationPeriodInDays: 180,
    NextRotationDate: new Date('2027-02-25T10:00:00Z'),
    $metadata: {},
  },
  [LOGS]: { KeyId: arn('us-east-1', LOGS), KeyRotationEnabled: false, $metadata: {} },
  [OLD]: { KeyId: arn('us-east-1', OLD), KeyRotationEnabled: false, $metadata: {} },
  [GUARDED]: serviceError(
    'AccessDeniedException',
    `User: arn:aws:sts::${account}:assumed-role/a360-member-read/a360 is not authorized to perform: kms:GetKeyRotationStatus on resource: ${arn('us-east-1', GUARDED)}`,
  ),
  [GLOBAL]: {
    KeyId: arn('us-east-1', GLOBAL),
    KeyRotationEnabled: true,
    RotationPeriodInDays: 365,
    $metadata: {},
  },
  [WEST]: {
    KeyId: arn('eu-west-1', WEST),
    KeyRotationEnabled: true,
    RotationPeriodInDays: 365,
    $metadata: {},
  },
};

interface Call {
  readonly operation: string;
  readonly region: string;
  // biome-ignore lint/suspicious/noExplicitAny: the commands' own inputs
  readonly input: any;
}

/**
 * A small account: in us-east-1 twelve keys over two ListKeys pages (one locked by its key policy, one deleted
 * between ListKeys and DescribeKey) and aliases over two pages; one key in eu-west-1. `override` replaces an
 * operation's answer.
 */
function account360(override: Partial<Record<string, (call: Call) => unknown>> = {}): Call[] {
  const calls: Call[] = [];
  const answer =
    (operation: string, fallback: (call: Call) => unknown) =>
    // biome-ignore lint/suspicious/noExplicitAny: the mock's client type
    async (input: any, getClient: () => { config: { region: () => Promise<string> } }) => {
      const call = { operation, region: await getClient().config.region(), input };
      calls.push(call);
      return (override[operation] ?? fallback)(call);
    };
  const entry = (region: string, id: string) => ({ KeyId: id, KeyArn: arn(region, id) });
  kms.on(ListKeysCommand).callsFake(
    answer('ListKeys', ({ region, input }) => {
      if (region === 'eu-west-1') return { Keys: [entry(region, WEST)], Truncated: false };
      if (input.Marker === undefined) {
        return {
          Keys: [S3, DATA, LOGS, SIGN, MAC, IMPORTED].map((id) => entry(region, id)),
          Truncated: true,
          NextMarker: 'page-2',
        };
      }
      return { Keys: [OLD, GUARDED, LOCKED, GONE, GLOBAL].map((id) => entry(region, id)), Truncated: false };
    }),
  );
  kms.on(ListAliasesCommand).callsFake(
    answer('ListAliases', ({ region, input }) => {
      const alias = (name: string, target?: string) => ({
        AliasName: name,
        AliasArn: `arn:aws:kms:${region}:${account}:${name}`,
        ...(target ? { TargetKeyId: target } : {}),
      });
      if (region === 'eu-west-1') return { Aliases: [alias('alias/aws/ebs')], Truncated: false };
      if (input.Marker === undefined) {
        return {
          Aliases: [alias('alias/aws/ebs'), alias('alias/aws/s3', S3), alias('alias/payments/data', DATA)],
          Truncated: true,
          NextMarker: 'aliases-2',
        };
      }
      return {
        Aliases: [alias('alias/payments/data-legacy', DATA), alias('alias/payments/jwt', SIGN)],
        Truncated: false,
      };
    }),
  );
  kms.on(DescribeKeyCommand).callsFake(
    answer('DescribeKey', ({ region, input }) => {
      const id = String(input.KeyId).split('/').pop() as string;
      if (id === LOCKED) {
        throw serviceError(
          'AccessDeniedException',
          `User: arn:aws:sts::${account}:assumed-role/a360-member-read/a360 is not authorized to perform: kms:DescribeKey`,
        );
      }
      const found = (region === 'eu-west-1' ? west : east)[id];
      if (!found) throw serviceError('NotFoundException', `Key '${input.KeyId}' does not exist`);
      return { KeyMetadata: found };
    }),
  );
  kms.on(GetKeyRotationStatusCommand).callsFake(
    answer('GetKeyRotationStatus', ({ input }) => {
      const found = rotations[input.KeyId];
      if (found === undefined) throw new Error(`no rotation scripted for ${input.KeyId}`);
      if (found instanceof Error) throw found;
      return found;
    }),
  );
  return calls;
}

const of = (calls: Call[], operation: string) => calls.filter((c) => c.operation === operation);
const byId = (keys: readonly KmsKey[], id: string) => keys.find((k) => k.key_id === id);

const described = {
  region: 'us-east-1',
  description: null,
  key_usage: 'ENCRYPT_DECRYPT',
  key_state: 'Enabled',
  creation_date: '2025-03-01T10:00:00.000Z',
  enabled: true,
  key_manager: 'CUSTOMER',
  key_spec: 'SYMMETRIC_DEFAULT',
  origin: 'AWS_KMS',
  multi_region: false,
  multi_region_key_type: null,
  deletion_date: null,
  pending_deletion_window_days: null,
  aliases: [],
  describe_error: null,
};

describe('kms collector', () => {
  it('pages through the keys and aliases of every region, describes each key and asks for rotation only where it applies', async () => {
    const calls = account360();

    const result = await kmsCollector.collect(collectContext({ window }));

    expect(of(calls, 'ListKeys').map((c) => [c.region, c.input])).toEqual(
      expect.arrayContaining([
        ['us-east-1', { Limit: 1000 }],
        ['us-east-1', { Limit: 1000, Marker: 'page-2' }],
        ['eu-west-1', { Limit: 1000 }],
      ]),
    );
    expect(of(calls, 'ListKeys')).toHaveLength(3);
    expect(of(calls, 'ListAliases').map((c) => [c.region, c.input])).toEqual(
      expect.arrayContaining([
        ['us-east-1', { Limit: 100 }],
        ['us-east-1', { Limit: 100, Marker: 'aliases-2' }],
        ['eu-west-1', { Limit: 100 }],
      ]),
    );
    expect(of(calls, 'ListAliases')).toHaveLength(3);
    expect(of(calls, 'DescribeKey').map((c) => c.input.KeyId)).toEqual(
      expect.arrayContaining([
        ...[S3, DATA, LOGS, SIGN, MAC, IMPORTED, OLD, GUARDED, LOCKED, GONE, GLOBAL].map((id) =>
          arn('us-east-1', id),
        ),
        arn('eu-west-1', WEST),
      ]),
    );
    expect(of(calls, 'DescribeKey')).toHaveLength(12);
    // Not for the AWS managed key, the asymmetric, HMAC and imported keys, nor the undescribed and deleted ones.
    expect(
      of(calls, 'GetKeyRotationStatus')
        .map((c) => [c.region, c.input])
        .sort(),
    ).toEqual(
      [
        ['us-east-1', { KeyId: DATA }],
        ['us-east-1', { KeyId: LOGS }],
        ['us-east-1', { KeyId: OLD }],
        ['us-east-1', { KeyId: GUARDED }],
        ['us-east-1', { KeyId: GLOBAL }],
        ['eu-west-1', { KeyId: WEST }],
      ].sort(),
    );

    expect(result.regions).toEqual({
      'us-east-1': { status: 'SUCCEEDED' },
      'eu-west-1': { status: 'SUCCEEDED' },
    });
    expect(result.skippedReason).toBeUndefined();
    const keys = result.payload.kms;
    expect(keys.map((k) => [k.region, k.key_id])).toEqual([
      ...[S3, DATA, LOGS, SIGN, MAC, IMPORTED, OLD, GUARDED, LOCKED, GLOBAL].map((id) => ['us-east-1', id]),
      ['eu-west-1', WEST],
    ]);
    expect(result.rows).toBe(11);
    expect(byId(keys, S3)).toEqual({
      ...described,
      key_id: S3,
      arn: arn('us-east-1', S3),
      description: 'Default key that protects my S3 objects when no other key is defined',
      key_manager: 'AWS',
      aliases: ['alias/aws/s3'],
      key_rotation_enabled: true,
      rotation_supported: true,
      rotation_period_days: 365,
      next_rotation_date: null,
      rotation_note: 'AWS managed key: KMS rotates it every year',
    });
    expect(byId(keys, DATA)).toEqual({
      ...described,
      key_id: DATA,
      arn: arn('us-east-1', DATA),
      description: 'Payments data',
      aliases: ['alias/payments/data', 'alias/payments/data-legacy'],
      key_rotation_enabled: true,
      rotation_supported: true,
      rotation_period_days: 180,
      next_rotation_date: '2027-02-25T10:00:00.000Z',
      rotation_note: null,
    });
    expect(byId(keys, LOGS)).toMatchObject({
      key_rotation_enabled: false,
      rotation_supported: true,
      rotation_period_days: null,
      rotation_note: null,
    });
    expect(byId(keys, SIGN)).toMatchObject({
      key_usage: 'SIGN_VERIFY',
      key_spec: 'RSA_2048',
      aliases: ['alias/payments/jwt'],
      key_rotation_enabled: false,
      rotation_supported: false,
      rotation_note: 'automatic rotation is not supported for RSA_2048 keys',
    });
    expect(byId(keys, MAC)).toMatchObject({
      key_rotation_enabled: false,
      rotation_supported: false,
      rotation_note: 'automatic rotation is not supported for HMAC_256 keys',
    });
    expect(byId(keys, IMPORTED)).toMatchObject({
      origin: 'EXTERNAL',
      key_rotation_enabled: false,
      rotation_supported: false,
      rotation_note: 'automatic rotation is not supported for keys with imported key material',
    });
    expect(byId(keys, OLD)).toMatchObject({
      key_state: 'PendingDeletion',
      enabled: false,
      deletion_date: '2026-12-10T00:00:00.000Z',
      pending_deletion_window_days: 30,
      key_rotation_enabled: false,
    });
    // The seed reported a refused rotation status as enabled.
    expect(byId(keys, GUARDED)).toMatchObject({
      key_state: 'Enabled',
      key_rotation_enabled: null,
      rotation_supported: true,
      rotation_note: `GetKeyRotationStatus refused: User: arn:aws:sts::${account}:assumed-role/a360-member-read/a360 is not authorized to perform: kms:GetKeyRotationStatus on resource: ${arn('us-east-1', GUARDED)}`,
    });
    expect(byId(keys, LOCKED)).toEqual({
      key_id: LOCKED,
      arn: arn('us-east-1', LOCKED),
      region: 'us-east-1',
      description: null,
      key_usage: null,
      key_state: null,
      creation_date: null,
      enabled: null,
      key_manager: null,
      key_spec: null,
      origin: null,
      multi_region: null,
      multi_region_key_type: null,
      deletion_date: null,
      pending_deletion_window_days: null,
      aliases: [],
      key_rotation_enabled: null,
      rotation_supported: null,
      rotation_period_days: null,
      next_rotation_date: null,
      rotation_note: 'the key could not be described',
      describe_error: `DescribeKey refused: User: arn:aws:sts::${account}:assumed-role/a360-member-read/a360 is not authorized to perform: kms:DescribeKey`,
    });
    expect(byId(keys, GLOBAL)).toMatchObject({
      multi_region: true,
      multi_region_key_type: 'PRIMARY',
      key_rotation_enabled: true,
    });
    expect(byId(keys, WEST)).toMatchObject({ region: 'eu-west-1', arn: arn('eu-west-1', WEST) });
    expect(kmsCollector.schema.safeParse(result.payload).success).toBe(true);
  });

  it('records what GetKeyRotationStatus refuses for a key state or key type, and fails on anything else', async () => {
    account360({
      GetKeyRotationStatus: ({ input }) => {
        if (input.KeyId === DATA) {
          throw serviceError('KMSInvalidStateException', `${arn('us-east-1', DATA)} is pending import.`);
        }
        if (input.KeyId === LOGS) {
          throw serviceError(
            'UnsupportedOperationException',
            `${arn('us-east-1', LOGS)} origin is EXTERNAL.`,
          );
        }
        return { KeyRotationEnabled: true };
      },
    });
    const keys = (await kmsCollector.collect(collectContext({ window }))).payload.kms;
    expect(byId(keys, DATA)).toMatchObject({
      key_rotation_enabled: null,
      rotation_supported: true,
      rotation_note: `GetKeyRotationStatus not possible in this key state: ${arn('us-east-1', DATA)} is pending import.`,
    });
    expect(byId(keys, LOGS)).toMatchObject({
      key_rotation_enabled: false,
      rotation_supported: false,
      rotation_note: `GetKeyRotationStatus: ${arn('us-east-1', LOGS)} origin is EXTERNAL.`,
    });

    kms.reset();
    account360({
      GetKeyRotationStatus: () => {
        throw serviceError('DependencyTimeoutException', 'The system timed out', 500);
      },
    });
    await expect(kmsCollector.collect(collectContext({ window }))).rejects.toBeInstanceOf(TransientError);
  });

  it('drops a key deleted between ListKeys and GetKeyRotationStatus', async () => {
    account360({
      GetKeyRotationStatus: ({ input }) => {
        if (input.KeyId === LOGS)
          throw serviceError('NotFoundException', `Key '${input.KeyId}' does not exist`);
        return { KeyRotationEnabled: true };
      },
    });
    const keys = (await kmsCollector.collect(collectContext({ window }))).payload.kms;
    expect(byId(keys, LOGS)).toBeUndefined();
    expect(keys).toHaveLength(10);
  });

  it('records a failing region as FAILED and keeps the others (a PARTIAL category)', async () => {
    account360({
      ListKeys: ({ region }) => {
        if (region === 'eu-west-1') {
          throw serviceError('AccessDeniedException', 'not authorized to perform: kms:ListKeys', 400);
        }
        return { Keys: [{ KeyId: DATA, KeyArn: arn(region, DATA) }], Truncated: false };
      },
    });
    const result = await kmsCollector.collect(collectContext({ window }));
    expect(result.regions?.['us-east-1']).toEqual({ status: 'SUCCEEDED' });
    expect(result.regions?.['eu-west-1']).toMatchObject({
      status: 'FAILED',
      error: { name: 'SourceAccessError' },
    });
    expect(result.payload.kms.map((k) => k.key_id)).toEqual([DATA]);
  });

  it('skips a region whose endpoint does not know the credentials that work elsewhere (an opt-in region)', async () => {
    account360({
      ListKeys: ({ region }) => {
        if (region === 'eu-west-1') {
          throw serviceError(
            'UnrecognizedClientException',
            'The security token included in the request is invalid.',
          );
        }
        return { Keys: [], Truncated: false };
      },
    });
    const result = await kmsCollector.collect(collectContext({ window }));
    expect(result.regions?.['eu-west-1']).toMatchObject({
      status: 'SKIPPED',
      error: { name: 'ServiceNotEnabledError' },
    });
    expect(result.payload).toEqual({ kms: [] });
    expect(result.skippedReason).toBeUndefined();
  });

  it.each([
    ['AccessDeniedException', 'not authorized to perform: kms:ListKeys', 400, SourceAccessError],
    [
      'UnrecognizedClientException',
      'The security token included in the request is invalid.',
      400,
      SourceAccessError,
    ],
    ['ThrottlingException', 'Rate exceeded', 400, TransientError],
    ['KMSInternalException', 'Internal error', 500, TransientError],
    ['InvalidMarkerException', 'Invalid marker', 400, SourceRequestError],
  ])('classifies %s in every region as %s', async (name, message, status, type) => {
    account360({
      ListKeys: () => {
        throw serviceError(name, message, status);
      },
    });
    await expect(kmsCollector.collect(collectContext({ window }))).rejects.toBeInstanceOf(type);
  });

  it.each([
    [
      'ListKeys KeyArn',
      { ListKeys: () => ({ Keys: [{ KeyId: DATA }], Truncated: false }) },
      'Keys[0].KeyArn',
    ],
    [
      'ListKeys NextMarker',
      { ListKeys: () => ({ Keys: [], Truncated: true }) },
      'ListKeys NextMarker (Truncated is true)',
    ],
    [
      'ListAliases AliasName',
      { ListAliases: () => ({ Aliases: [{ TargetKeyId: DATA }], Truncated: false }) },
      'ListAliases Aliases[0].AliasName',
    ],
    [
      'KeyMetadata.KeyId',
      { DescribeKey: () => ({ KeyMetadata: { ...east[DATA], KeyId: undefined } }) },
      'KeyMetadata.KeyId',
    ],
    ['KeyMetadata', { DescribeKey: () => ({}) }, ') KeyMetadata'],
    [
      'KeyRotationEnabled',
      { GetKeyRotationStatus: () => ({ RotationPeriodInDays: 365 }) },
      'KeyRotationEnabled',
    ],
  ])('rejects a response without %s, naming the field', async (_field, override, path) => {
    account360(override);
    const error = await kmsCollector.collect(collectContext({ window })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DataContractError);
    expect((error as Error).message).toContain(path);
  });

  it('returns no keys, and is not SKIPPED, for regions without keys', async () => {
    account360({ ListKeys: () => ({ Keys: [], Truncated: false }) });
    const result = await kmsCollector.collect(collectContext({ window }));
    expect(result.payload).toEqual({ kms: [] });
    expect(result.rows).toBe(0);
    expect(result.skippedReason).toBeUndefined();
  });

  it('declares exactly the IAM actions of the commands it sent', () => {
    expect([...kmsCollector.actions].sort()).toEqual([...sent].sort());
    expect(kmsCollector.scope).toBe('regional');
    expect(kmsCollector.tables).toEqual(['kms_keys']);
  });
});
