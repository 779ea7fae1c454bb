import { describe, expect, it } from 'vitest';
import { createClientFactory } from '../../../functions/adapters/aws/clients.ts';
import { isRegionEnabled, sampleAccounts } from '../../../functions/adapters/local/sample-org/accounts.ts';
import { SampleOrganization } from '../../../functions/adapters/local/sample-org/organization.ts';
import { kmsSimulator, sampleKeys } from '../../../functions/adapters/local/sample-org/services/kms.ts';
import type { SampleCall, ServiceSimulator } from '../../../functions/adapters/local/sample-org/simulator.ts';
import { type KmsPayload, kmsCollector } from '../../../functions/collectors/kms.ts';
import type { CallStats } from '../../../functions/collectors/types.ts';
import { kmsLoader } from '../../../functions/loaders/kms.ts';
import { DataContractError, SourceAccessError, TransientError } from '../../../functions/platform/errors.ts';
import { silentLog } from '../../support/collect-context.ts';
import { databaseBackends, useDatabase } from '../../support/database.ts';
import { collectFromSample, SAMPLE_REGIONS } from '../../support/sample.ts';

const now = new Date('2026-11-26T06:00:00Z');
const window = { period: 'DAILY' as const, start: '2026-11-25', end: '2026-11-26' };
const simulators = [kmsSimulator];
const DAY_MS = 86_400_000;

/** The simulator, recording every call it answers. */
function recorded(): { simulators: ServiceSimulator[]; calls: SampleCall[] } {
  const calls: SampleCall[] = [];
  const spied: ServiceSimulator = {
    ...kmsSimulator,
    operations: Object.fromEntries(
      Object.entries(kmsSimulator.operations).map(([name, answer]) => [
        name,
        (call: SampleCall) => {
          calls.push(call);
          return answer(call);
        },
      ]),
    ),
  };
  return { simulators: [spied], calls };
}

const accounts = sampleAccounts(20, SAMPLE_REGIONS);
const production = accounts[6];
if (!production) throw new Error('no account');

function call(operation: string, region: string, input: object, at = now): SampleCall {
  return {
    account: production as (typeof accounts)[number],
    region,
    service: 'KMS',
    operation,
    input,
    now: at,
    accounts,
    regions: SAMPLE_REGIONS,
  };
}
const answer = (operation: string, region: string, input: object) =>
  (kmsSimulator.operations[operation] as (c: SampleCall) => object)(call(operation, region, input));
const errorOf = (run: () => unknown) => {
  try {
    run();
  } catch (error) {
    return { name: (error as Error).name, message: (error as Error).message };
  }
  throw new Error('no error');
};

const arnsOf = (payload: KmsPayload) => new Set(payload.kms.map((k) => k.arn));

describe('kms collector against the sample organization', () => {
  it('collects a production account: several pages of keys and aliases, every kind of key', async () => {
    const { simulators: spied, calls } = recorded();
    const { result, stats, account } = await collectFromSample(kmsCollector, {
      simulators: spied,
      window,
      now,
      accounts: 20,
    });
    expect(account.environment).toBe('production');
    expect(kmsCollector.schema.safeParse(result.payload).success).toBe(true);
    expect(result.regions).toEqual(
      Object.fromEntries(SAMPLE_REGIONS.map((r) => [r, { status: 'SUCCEEDED' }])),
    );
    expect(stats.apiCalls).toBe(calls.length);
    const home = calls.filter((c) => c.region === 'us-east-1');
    const listKeys = home.filter((c) => c.operation === 'ListKeys');
    expect(listKeys.length).toBeGreaterThanOrEqual(3);
    expect(listKeys.slice(1).every((c) => typeof c.input.Marker === 'string')).toBe(true);
    expect(home.filter((c) => c.operation === 'ListAliases').length).toBeGreaterThanOrEqual(2);

    const keys = result.payload.kms;
    expect(result.rows).toBe(keys.length);
    for (const region of SAMPLE_REGIONS) {
      const expected = sampleKeys(account, region, SAMPLE_REGIONS, now).map((k) => k.arn);
      expect(keys.filter((k) => k.region === region).map((k) => k.arn)).toEqual(expected);
    }
    for (const key of keys) {
      expect(key.arn).toBe(`arn:aws:kms:${key.region}:${account.id}:key/${key.key_id}`);
      if (key.creation_date !== null) expect(key.creation_date <= now.toISOString()).toBe(true);
    }
    const managed = keys.filter((k) => k.key_manager === 'AWS');
    expect(managed.length).toBeGreaterThan(5);
    expect(managed.every((k) => k.aliases.length === 1 && k.aliases[0]?.startsWith('alias/aws/'))).toBe(true);
    expect(managed.every((k) => k.key_rotation_enabled === true && k.rotation_period_days === 365)).toBe(
      true,
    );
    const customer = keys.filter((k) => k.key_manager === 'CUSTOMER');
    const symmetric = customer.filter((k) => k.key_spec === 'SYMMETRIC_DEFAULT' && k.origin === 'AWS_KMS');
    expect(symmetric.some((k) => k.key_rotation_enabled === true && k.next_rotation_date !== null)).toBe(
      true,
    );
    expect(symmetric.some((k) => k.key_rotation_enabled === false)).toBe(true);
    expect(
      customer.filter((k) => k.key_spec !== 'SYMMETRIC_DEFAULT' && k.key_spec !== null).length,
    ).toBeGreaterThan(0);
    expect(
      customer
        .filter((k) => k.key_spec !== 'SYMMETRIC_DEFAULT' && k.key_spec !== null)
        .every((k) => k.rotation_supported === false && k.key_rotation_enabled === false),
    ).toBe(true);
    const pending = keys.filter((k) => k.key_state === 'PendingDeletion');
    expect(pending.length).toBeGreaterThan(0);
    for (const key of pending) {
      expect(key.enabled).toBe(false);
      expect(key.deletion_date !== null && key.deletion_date > now.toISOString()).toBe(true);
      expect([7, 14, 30]).toContain(key.pending_deletion_window_days);
    }
    expect(customer.some((k) => k.aliases.some((a) => a.startsWith(`alias/${account.product}/`)))).toBe(true);
    // Rotation was asked exactly for the described symmetric customer keys with KMS key material.
    const asked = new Set(
      calls.filter((c) => c.operation === 'GetKeyRotationStatus').map((c) => c.input.KeyId),
    );
    expect(asked).toEqual(
      new Set(
        customer
          .filter(
            (k) => k.describe_error === null && k.key_spec === 'SYMMETRIC_DEFAULT' && k.origin === 'AWS_KMS',
          )
          .map((k) => k.key_id),
      ),
    );
  });

  it('gives keys whose policy refuses the collector an unknown rotation status with the reason, never "enabled"', async () => {
    const refused = [];
    for (const index of [3, 4, 5, 6, 7, 8]) {
      const { result } = await collectFromSample(kmsCollector, {
        simulators,
        window,
        now,
        accounts: 20,
        accountIndex: index,
      });
      refused.push(...result.payload.kms.filter((k) => k.key_rotation_enabled === null));
    }
    const describedOnly = refused.filter((k) => k.describe_error === null);
    const locked = refused.filter((k) => k.describe_error !== null);
    expect(describedOnly.length).toBeGreaterThan(0);
    expect(locked.length).toBeGreaterThan(0);
    for (const key of describedOnly) {
      expect(key.rotation_note).toMatch(
        /^GetKeyRotationStatus refused: User: .* kms:GetKeyRotationStatus on resource/,
      );
      expect(key.key_state).not.toBeNull();
    }
    for (const key of locked) {
      expect(key.describe_error).toMatch(/^DescribeKey refused: .*kms:DescribeKey/);
      expect(key.key_state).toBeNull();
      expect(key.rotation_note).toBe('the key could not be described');
    }
  });

  it('is deterministic', async () => {
    const a = await collectFromSample(kmsCollector, { simulators, window, now });
    const b = await collectFromSample(kmsCollector, { simulators, window, now });
    expect(a.result.payload).toEqual(b.result.payload);
  });

  it('has keys in every one of the first 20 accounts, in several regions', async () => {
    let withKeys = 0;
    for (let index = 0; index < 20; index++) {
      const { result } = await collectFromSample(kmsCollector, {
        simulators,
        window,
        now,
        accounts: 20,
        accountIndex: index,
      });
      const regions = new Set(result.payload.kms.map((k) => k.region));
      if (regions.size >= 2) withKeys++;
    }
    expect(withKeys).toBe(20);
  });

  it('deletes keys only after their waiting period, and creates new ones, from one day to the next', () => {
    let gone = 0;
    let appeared = 0;
    for (const account of accounts) {
      for (const region of SAMPLE_REGIONS) {
        const today = sampleKeys(account, region, SAMPLE_REGIONS, now);
        const tomorrow = sampleKeys(account, region, SAMPLE_REGIONS, new Date(now.getTime() + DAY_MS));
        const next = new Set(tomorrow.map((k) => k.arn));
        const before = new Set(today.map((k) => k.arn));
        for (const key of today.filter((k) => !next.has(k.arn))) {
          gone++;
          // The day before it is deleted a key is pending deletion: KMS deletes keys only after 7 to 30 days.
          const state = (
            kmsSimulator.operations.DescribeKey as (c: SampleCall) => { KeyMetadata: { KeyState: string } }
          )({ ...call('DescribeKey', region, { KeyId: key.arn }), account }).KeyMetadata.KeyState;
          if (key.policy !== 'locked') expect(state).toBe('PendingDeletion');
        }
        appeared += tomorrow.filter((k) => !before.has(k.arn)).length;
      }
    }
    expect(gone).toBeGreaterThan(0);
    expect(appeared).toBeGreaterThan(0);
  });

  it('records an opt-in region the account has not enabled as SKIPPED', async () => {
    const regions = ['us-east-1', 'me-south-1'];
    const org = new SampleOrganization({ accounts: 20, regions, simulators, clock: { now: () => now } });
    const off = org.accounts.find((a) => !isRegionEnabled(a, 'me-south-1'));
    if (!off) throw new Error('every account has me-south-1');
    const stats: CallStats = { apiCalls: 0, throttled: 0 };
    const result = await kmsCollector.collect({
      accountId: off.id,
      window,
      regions,
      homeRegion: 'us-east-1',
      clients: createClientFactory(
        org.clientOptions(),
        { accountId: off.id, category: 'kms', runId: 'r' },
        stats,
      ),
      now,
      log: silentLog,
    });
    expect(result.regions?.['me-south-1']).toMatchObject({
      status: 'SKIPPED',
      error: { name: 'ServiceNotEnabledError' },
    });
    expect(result.regions?.['us-east-1']).toEqual({ status: 'SUCCEEDED' });
  });

  it.each([
    ['not-enabled', SourceAccessError],
    ['access-denied', SourceAccessError],
    ['malformed', DataContractError],
    ['throttle', TransientError],
  ] as const)('answers the %s fault as AWS does', async (kind, type) => {
    await expect(
      collectFromSample(kmsCollector, { simulators, window, now, faults: [{ category: 'kms', kind }] }),
    ).rejects.toBeInstanceOf(type);
  });

  it('changes from one day to the next across the organization', async () => {
    let gone = 0;
    for (const index of [3, 4, 5, 6, 7, 8, 9, 10]) {
      const options = { simulators, window, accounts: 20, accountIndex: index };
      const today = await collectFromSample(kmsCollector, { ...options, now });
      const tomorrow = await collectFromSample(kmsCollector, {
        ...options,
        now: new Date(now.getTime() + DAY_MS),
      });
      const next = arnsOf(tomorrow.result.payload);
      gone += [...arnsOf(today.result.payload)].filter((arn) => !next.has(arn)).length;
    }
    expect(gone).toBeGreaterThan(0);
  });
});

describe('the sample KMS validates requests as AWS does', () => {
  const keys = sampleKeys(production, 'us-east-1', SAMPLE_REGIONS, now);

  it('rejects limits out of range, a marker it did not issue, and a missing or unknown key', () => {
    expect(errorOf(() => answer('ListKeys', 'us-east-1', { Limit: 0 })).name).toBe('ValidationException');
    expect(errorOf(() => answer('ListKeys', 'us-east-1', { Limit: 1001 })).name).toBe('ValidationException');
    expect(errorOf(() => answer('ListAliases', 'us-east-1', { Limit: 101 })).name).toBe(
      'ValidationException',
    );
    expect(errorOf(() => answer('ListKeys', 'us-east-1', { Marker: 'made-up' }))).toEqual({
      name: 'InvalidMarkerException',
      message: 'Invalid marker',
    });
    expect(errorOf(() => answer('DescribeKey', 'us-east-1', {})).name).toBe('ValidationException');
    expect(
      errorOf(() => answer('DescribeKey', 'us-east-1', { KeyId: '00000000-0000-4000-8000-000000000000' })),
    ).toEqual({
      name: 'NotFoundException',
      message: `Key 'arn:aws:kms:us-east-1:${production.id}:key/00000000-0000-4000-8000-000000000000' does not exist`,
    });
    // A key of another region is not found here.
    expect(errorOf(() => answer('DescribeKey', 'eu-west-1', { KeyId: keys[0]?.arn })).name).toBe(
      'NotFoundException',
    );
  });

  it('serves keys in small truncated pages, and every predefined AWS alias, with a target once the key exists', () => {
    const first = answer('ListKeys', 'us-east-1', { Limit: 1000 }) as { Keys: unknown[]; Truncated: boolean };
    expect(first.Keys.length).toBeLessThan(keys.length);
    expect(first.Truncated).toBe(true);
    const aliases: Array<{ AliasName: string; TargetKeyId?: string }> = [];
    let marker: string | undefined;
    do {
      const page = answer('ListAliases', 'us-east-1', {
        Limit: 100,
        ...(marker ? { Marker: marker } : {}),
      }) as {
        Aliases: Array<{ AliasName: string; TargetKeyId?: string }>;
        NextMarker?: string;
      };
      aliases.push(...page.Aliases);
      marker = page.NextMarker;
    } while (marker);
    expect(aliases.some((a) => a.AliasName.startsWith('alias/aws/') && a.TargetKeyId === undefined)).toBe(
      true,
    );
    const s3 = keys.find((k) => k.aliases.includes('alias/aws/s3'));
    if (s3) expect(aliases.find((a) => a.AliasName === 'alias/aws/s3')?.TargetKeyId).toBe(s3.id);
  });

  it('answers GetKeyRotationStatus for AWS managed keys and refuses it for keys that cannot rotate', () => {
    const managed = keys.find((k) => k.manager === 'AWS');
    expect(answer('GetKeyRotationStatus', 'us-east-1', { KeyId: managed?.id })).toMatchObject({
      KeyRotationEnabled: true,
      RotationPeriodInDays: 365,
    });
    const asymmetric = keys.find((k) => k.spec !== 'SYMMETRIC_DEFAULT' && k.policy === 'open');
    const imported = keys.find((k) => k.origin === 'EXTERNAL' && k.policy === 'open');
    for (const key of [asymmetric, imported]) {
      if (!key) continue;
      expect(errorOf(() => answer('GetKeyRotationStatus', 'us-east-1', { KeyId: key.id })).name).toBe(
        'UnsupportedOperationException',
      );
    }
    expect(asymmetric ?? imported).toBeDefined();
  });
});

describe.each(databaseBackends())('sample KMS keys in the database on $name', (backend) => {
  const db = useDatabase(backend);

  it('loads a production account and finds its customer managed keys without rotation', async () => {
    const { result, account } = await collectFromSample(kmsCollector, { simulators, window, now });
    await db.sql.execute('INSERT INTO accounts (id, account_name) VALUES (:id, :name)', {
      id: account.id,
      name: account.name,
    });
    await db.sql.transaction((tx) =>
      kmsLoader.load(tx, result.payload, {
        accountId: account.id,
        window,
        runId: 'r-sample',
        seenAt: now,
        completeRegions: 'all',
      }),
    );
    const counts = await db.sql.query<{ region: string; keys: number }>(
      'SELECT region, count(*)::int AS keys FROM kms_keys WHERE account_id = :a GROUP BY region ORDER BY region',
      { a: account.id },
    );
    expect(counts.reduce((sum, r) => sum + r.keys, 0)).toBe(result.payload.kms.length);
    expect(counts.map((r) => r.region).sort()).toEqual([...SAMPLE_REGIONS].sort());
    const withoutRotation = await db.sql.query(
      `SELECT key_id FROM kms_keys WHERE account_id = :a AND key_manager = 'CUSTOMER' AND rotation_supported
         AND NOT key_rotation_enabled AND removed_at IS NULL`,
      { a: account.id },
    );
    expect(withoutRotation.length).toBe(
      result.payload.kms.filter(
        (k) =>
          k.key_manager === 'CUSTOMER' && k.rotation_supported === true && k.key_rotation_enabled === false,
      ).length,
    );
    expect(withoutRotation.length).toBeGreaterThan(0);
  });
});
