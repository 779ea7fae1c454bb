import { describe, expect, it } from 'vitest';
import type { KmsKey, KmsPayload } from '../../../functions/collectors/kms.ts';
import { kmsLoader, kmsRows } from '../../../functions/loaders/kms.ts';
import type { LoadContext } from '../../../functions/loaders/types.ts';
import type { Sql } from '../../../functions/ports.ts';
import { databaseBackends, useDatabase } from '../../support/database.ts';

const day1 = new Date('2026-11-26T06:00:00Z');
const day2 = new Date('2026-11-27T06:00:00Z');
const day3 = new Date('2026-11-28T06:00:00Z');

function context(
  accountId: string,
  seenAt: Date,
  completeRegions: LoadContext['completeRegions'] = 'all',
): LoadContext {
  return {
    accountId,
    window: { period: 'DAILY', start: seenAt.toISOString().slice(0, 10), end: '2026-12-01' },
    runId: 'r-test',
    seenAt,
    completeRegions,
  };
}

function key(accountId: string, region: string, id: string, overrides: Partial<KmsKey> = {}): KmsKey {
  return {
    key_id: id,
    arn: `arn:aws:kms:${region}:${accountId}:key/${id}`,
    region,
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
    key_rotation_enabled: true,
    rotation_supported: true,
    rotation_period_days: 365,
    next_rotation_date: '2027-03-01T10:00:00.000Z',
    rotation_note: null,
    describe_error: null,
    ...overrides,
  };
}

const DATA = '22222222-2222-4222-8222-222222222222';
const SIGN = '44444444-4444-4444-8444-444444444444';
const GUARDED = '88888888-8888-4888-8888-888888888888';
const WEST = 'bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb';

/** Three keys in us-east-1 (one with its rotation status refused) and one in eu-west-1. */
function payload(accountId: string): KmsPayload {
  return {
    kms: [
      key(accountId, 'us-east-1', DATA, {
        description: 'Payments data',
        aliases: ['alias/payments/data', 'alias/payments/data-legacy'],
        rotation_period_days: 180,
      }),
      key(accountId, 'us-east-1', SIGN, {
        key_usage: 'SIGN_VERIFY',
        key_spec: 'RSA_2048',
        key_state: 'PendingDeletion',
        enabled: false,
        deletion_date: '2026-12-10T00:00:00.000Z',
        pending_deletion_window_days: 30,
        key_rotation_enabled: false,
        rotation_supported: false,
        rotation_period_days: null,
        next_rotation_date: null,
        rotation_note: 'automatic rotation is not supported for RSA_2048 keys',
      }),
      key(accountId, 'us-east-1', GUARDED, {
        key_rotation_enabled: null,
        rotation_period_days: null,
        next_rotation_date: null,
        rotation_note: 'GetKeyRotationStatus refused: not authorized',
      }),
      key(accountId, 'eu-west-1', WEST),
    ],
  };
}

const tableOf = (sql: Sql) => sql.query('SELECT * FROM kms_keys ORDER BY id');

async function addAccount(sql: Sql, id: string, name: string) {
  await sql.execute('INSERT INTO accounts (id, account_name) VALUES (:id, :name)', { id, name });
}

describe('kms rows', () => {
  it('maps every key to a row of its account, keeping the payload fields', () => {
    const rows = kmsRows(payload('123456789012'), '123456789012');
    expect(rows).toHaveLength(4);
    expect(rows[2]).toEqual({ account_id: '123456789012', ...payload('123456789012').kms[2] });
  });
});

describe.each(databaseBackends())('kms loader on $name', (backend) => {
  const db = useDatabase(backend);

  it('writes every key, exactly, and a reload changes nothing', async () => {
    const accountId = '111111111111';
    await addAccount(db.sql, accountId, 'payments-prod');
    const written = await db.sql.transaction((tx) =>
      kmsLoader.load(tx, payload(accountId), context(accountId, day1)),
    );
    expect(written).toBe(4);
    const first = await tableOf(db.sql);
    expect(first).toHaveLength(4);
    const { id, created_at, updated_at, ...data } = first[0] as Record<string, unknown>;
    expect(typeof id).toBe('number');
    expect(created_at).toBeInstanceOf(Date);
    expect(updated_at).toBeInstanceOf(Date);
    expect(data).toEqual({
      account_id: accountId,
      key_id: DATA,
      arn: `arn:aws:kms:us-east-1:${accountId}:key/${DATA}`,
      region: 'us-east-1',
      description: 'Payments data',
      key_usage: 'ENCRYPT_DECRYPT',
      key_state: 'Enabled',
      creation_date: new Date('2025-03-01T10:00:00.000Z'),
      enabled: true,
      key_rotation_enabled: true,
      key_manager: 'CUSTOMER',
      key_spec: 'SYMMETRIC_DEFAULT',
      origin: 'AWS_KMS',
      multi_region: false,
      multi_region_key_type: null,
      deletion_date: null,
      pending_deletion_window_days: null,
      aliases: ['alias/payments/data', 'alias/payments/data-legacy'],
      rotation_supported: true,
      rotation_period_days: 180,
      next_rotation_date: new Date('2027-03-01T10:00:00.000Z'),
      rotation_note: null,
      describe_error: null,
      first_seen: day1,
      last_seen: day1,
      removed_at: null,
    });
    expect(first[1]).toMatchObject({
      key_state: 'PendingDeletion',
      enabled: false,
      deletion_date: new Date('2026-12-10T00:00:00.000Z'),
      pending_deletion_window_days: 30,
      key_rotation_enabled: false,
      rotation_supported: false,
    });
    expect(first[2]).toMatchObject({
      key_rotation_enabled: null,
      rotation_note: 'GetKeyRotationStatus refused: not authorized',
    });

    await db.sql.transaction((tx) => kmsLoader.load(tx, payload(accountId), context(accountId, day1)));
    expect(await tableOf(db.sql)).toEqual(first);
  });

  it('marks deleted keys removed only in the regions that were collected, and revives what returns', async () => {
    const accountId = '222222222222';
    await addAccount(db.sql, accountId, 'checkout-prod');
    const full = payload(accountId);
    await db.sql.transaction((tx) => kmsLoader.load(tx, full, context(accountId, day1)));

    // Day 2: eu-west-1 failed (PARTIAL); in us-east-1 the signing key is gone and the data key was disabled.
    const day2Payload: KmsPayload = {
      kms: [{ ...(full.kms[0] as KmsKey), key_state: 'Disabled', enabled: false }, full.kms[2] as KmsKey],
    };
    await db.sql.transaction((tx) =>
      kmsLoader.load(tx, day2Payload, context(accountId, day2, ['us-east-1'])),
    );
    const rows = await db.sql.query(
      `SELECT key_id, key_state, last_seen, removed_at FROM kms_keys WHERE account_id = :a ORDER BY key_id`,
      { a: accountId },
    );
    expect(rows).toEqual([
      { key_id: DATA, key_state: 'Disabled', last_seen: day2, removed_at: null },
      { key_id: SIGN, key_state: 'PendingDeletion', last_seen: day1, removed_at: day2 },
      { key_id: GUARDED, key_state: 'Enabled', last_seen: day2, removed_at: null },
      { key_id: WEST, key_state: 'Enabled', last_seen: day1, removed_at: null },
    ]);

    await db.sql.transaction((tx) => kmsLoader.load(tx, full, context(accountId, day3)));
    const back = await db.sql.query(
      'SELECT first_seen, last_seen, removed_at FROM kms_keys WHERE account_id = :a AND key_id = :k',
      { a: accountId, k: SIGN },
    );
    expect(back).toEqual([{ first_seen: day1, last_seen: day3, removed_at: null }]);
  });

  it('keeps the same key id of two accounts apart', async () => {
    for (const id of ['333333333333', '444444444444']) {
      await addAccount(db.sql, id, `account-${id}`);
      await db.sql.transaction((tx) => kmsLoader.load(tx, payload(id), context(id, day1)));
    }
    const rows = await db.sql.query(
      `SELECT account_id, count(*)::int AS keys FROM kms_keys WHERE account_id IN ('333333333333', '444444444444')
       GROUP BY account_id ORDER BY account_id`,
    );
    expect(rows).toEqual([
      { account_id: '333333333333', keys: 4 },
      { account_id: '444444444444', keys: 4 },
    ]);
  });

  it('answers "customer managed keys without rotation" without counting keys where rotation does not apply', async () => {
    const accountId = '555555555555';
    await addAccount(db.sql, accountId, 'identity-prod');
    const keys = payload(accountId);
    (keys.kms[3] as KmsKey).key_rotation_enabled = false;
    (keys.kms[3] as KmsKey).rotation_period_days = null;
    await db.sql.transaction((tx) => kmsLoader.load(tx, keys, context(accountId, day1)));
    const rows = await db.sql.query(
      `SELECT key_id FROM kms_keys WHERE account_id = :a AND key_manager = 'CUSTOMER' AND removed_at IS NULL
         AND rotation_supported AND NOT key_rotation_enabled`,
      { a: accountId },
    );
    expect(rows).toEqual([{ key_id: WEST }]);
  });
});
