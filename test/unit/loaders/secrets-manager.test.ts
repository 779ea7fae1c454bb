import { describe, expect, it } from 'vitest';
import type { Secret, SecretsManagerPayload } from '../../../functions/collectors/secrets-manager.ts';
import { secretsManagerLoader, secretsManagerRows } from '../../../functions/loaders/secrets-manager.ts';
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

function secret(accountId: string, region: string, name: string, overrides: Partial<Secret> = {}): Secret {
  return {
    name,
    arn: `arn:aws:secretsmanager:${region}:${accountId}:secret:${name}-AbC123`,
    region,
    description: null,
    created_date: '2026-01-15T08:00:00.000Z',
    last_changed_date: '2026-01-15T08:00:00.000Z',
    last_accessed_date: '2026-11-26T00:00:00.000Z',
    last_rotated_date: null,
    rotation_enabled: false,
    rotation_lambda_arn: null,
    rotation_rules: null,
    next_rotation_date: null,
    kms_key_id: null,
    tags: {},
    owning_service: null,
    primary_region: null,
    ...overrides,
  };
}

/** A rotated database secret and an API key in us-east-1, the API key's replica in eu-west-1. */
function payload(accountId: string): SecretsManagerPayload {
  return {
    secrets_manager: [
      secret(accountId, 'us-east-1', 'prod/payments-db-1/app-user', {
        description: 'Credentials of the application user of postgres database payments-db-1',
        created_date: '2025-11-07T10:03:34.000Z',
        last_changed_date: '2026-11-02T10:03:34.000Z',
        last_rotated_date: '2026-11-02T10:03:34.000Z',
        rotation_enabled: true,
        rotation_lambda_arn: `arn:aws:lambda:us-east-1:${accountId}:function:payments-rotate-db`,
        rotation_rules: { automatically_after_days: 30, schedule_expression: null, duration: null },
        next_rotation_date: '2026-12-02T10:03:34.000Z',
        kms_key_id: `arn:aws:kms:us-east-1:${accountId}:key/22222222-2222-4222-8222-222222222222`,
        tags: { Environment: 'prod', Application: 'payments' },
      }),
      secret(accountId, 'us-east-1', 'prod/payments/stripe-api-key', { primary_region: 'us-east-1' }),
      secret(accountId, 'eu-west-1', 'prod/payments/stripe-api-key', {
        created_date: '2026-01-15T08:10:00.000Z',
        primary_region: 'us-east-1',
      }),
    ],
  };
}

const tableOf = (sql: Sql) => sql.query('SELECT * FROM secrets_manager_secrets ORDER BY id');

async function addAccount(sql: Sql, id: string, name: string) {
  await sql.execute('INSERT INTO accounts (id, account_name) VALUES (:id, :name)', { id, name });
}

describe('secrets-manager rows', () => {
  it('maps every secret to a row of its account', () => {
    const rows = secretsManagerRows(payload('123456789012'), '123456789012');
    expect(rows.map((r) => [r.account_id, r.region, r.name])).toEqual([
      ['123456789012', 'us-east-1', 'prod/payments-db-1/app-user'],
      ['123456789012', 'us-east-1', 'prod/payments/stripe-api-key'],
      ['123456789012', 'eu-west-1', 'prod/payments/stripe-api-key'],
    ]);
  });
});

describe.each(databaseBackends())('secrets-manager loader on $name', (backend) => {
  const db = useDatabase(backend);

  it('writes every secret, exactly, and a reload changes nothing', async () => {
    const accountId = '111111111111';
    await addAccount(db.sql, accountId, 'payments-prod');
    const written = await db.sql.transaction((tx) =>
      secretsManagerLoader.load(tx, payload(accountId), context(accountId, day1)),
    );
    expect(written).toBe(3);
    const first = await tableOf(db.sql);
    const { id, created_at, updated_at, ...data } = first[0] as Record<string, unknown>;
    expect(typeof id).toBe('number');
    expect(created_at).toBeInstanceOf(Date);
    expect(updated_at).toBeInstanceOf(Date);
    expect(data).toEqual({
      account_id: accountId,
      name: 'prod/payments-db-1/app-user',
      arn: `arn:aws:secretsmanager:us-east-1:${accountId}:secret:prod/payments-db-1/app-user-AbC123`,
      region: 'us-east-1',
      description: 'Credentials of the application user of postgres database payments-db-1',
      created_date: new Date('2025-11-07T10:03:34.000Z'),
      last_changed_date: new Date('2026-11-02T10:03:34.000Z'),
      last_accessed_date: new Date('2026-11-26T00:00:00.000Z'),
      last_rotated_date: new Date('2026-11-02T10:03:34.000Z'),
      rotation_enabled: true,
      rotation_lambda_arn: `arn:aws:lambda:us-east-1:${accountId}:function:payments-rotate-db`,
      rotation_rules: { automatically_after_days: 30, schedule_expression: null, duration: null },
      next_rotation_date: new Date('2026-12-02T10:03:34.000Z'),
      kms_key_id: `arn:aws:kms:us-east-1:${accountId}:key/22222222-2222-4222-8222-222222222222`,
      tags: { Environment: 'prod', Application: 'payments' },
      owning_service: null,
      primary_region: null,
      first_seen: day1,
      last_seen: day1,
      removed_at: null,
    });
    expect(
      first.map((r) => [r.region, r.name, r.primary_region, r.rotation_enabled, r.rotation_rules]),
    ).toEqual([
      [
        'us-east-1',
        'prod/payments-db-1/app-user',
        null,
        true,
        { automatically_after_days: 30, schedule_expression: null, duration: null },
      ],
      ['us-east-1', 'prod/payments/stripe-api-key', 'us-east-1', false, null],
      ['eu-west-1', 'prod/payments/stripe-api-key', 'us-east-1', false, null],
    ]);

    await db.sql.transaction((tx) =>
      secretsManagerLoader.load(tx, payload(accountId), context(accountId, day1)),
    );
    expect(await tableOf(db.sql)).toEqual(first);
  });

  it('marks deleted secrets removed only in the regions that were collected, and revives what returns', async () => {
    const accountId = '222222222222';
    await addAccount(db.sql, accountId, 'checkout-prod');
    const full = payload(accountId);
    await db.sql.transaction((tx) => secretsManagerLoader.load(tx, full, context(accountId, day1)));

    // Day 2: eu-west-1 failed; in us-east-1 the API key was scheduled for deletion and the database secret rotated.
    const rotated = {
      ...(full.secrets_manager[0] as Secret),
      last_rotated_date: '2026-11-27T04:00:00.000Z',
      last_changed_date: '2026-11-27T04:00:00.000Z',
    };
    await db.sql.transaction((tx) =>
      secretsManagerLoader.load(tx, { secrets_manager: [rotated] }, context(accountId, day2, ['us-east-1'])),
    );
    const rows = await db.sql.query(
      `SELECT region, name, last_rotated_date, last_seen, removed_at FROM secrets_manager_secrets
       WHERE account_id = :a ORDER BY region DESC, name`,
      { a: accountId },
    );
    expect(rows).toEqual([
      {
        region: 'us-east-1',
        name: 'prod/payments-db-1/app-user',
        last_rotated_date: new Date('2026-11-27T04:00:00.000Z'),
        last_seen: day2,
        removed_at: null,
      },
      {
        region: 'us-east-1',
        name: 'prod/payments/stripe-api-key',
        last_rotated_date: null,
        last_seen: day1,
        removed_at: day2,
      },
      {
        region: 'eu-west-1',
        name: 'prod/payments/stripe-api-key',
        last_rotated_date: null,
        last_seen: day1,
        removed_at: null,
      },
    ]);

    // Day 3: the deletion was cancelled (RestoreSecret): the same secret is back.
    await db.sql.transaction((tx) => secretsManagerLoader.load(tx, full, context(accountId, day3)));
    const back = await db.sql.query(
      `SELECT first_seen, last_seen, removed_at FROM secrets_manager_secrets
       WHERE account_id = :a AND region = 'us-east-1' AND name = 'prod/payments/stripe-api-key'`,
      { a: accountId },
    );
    expect(back).toEqual([{ first_seen: day1, last_seen: day3, removed_at: null }]);
  });

  it('answers "secrets without rotation, not used for 90 days"', async () => {
    const accountId = '333333333333';
    await addAccount(db.sql, accountId, 'identity-prod');
    const stale = payload(accountId);
    (stale.secrets_manager[1] as Secret).last_accessed_date = '2026-06-01T00:00:00.000Z';
    await db.sql.transaction((tx) => secretsManagerLoader.load(tx, stale, context(accountId, day1)));
    const rows = await db.sql.query(
      `SELECT region, name FROM secrets_manager_secrets
       WHERE account_id = :a AND removed_at IS NULL AND NOT rotation_enabled
         AND last_accessed_date < CAST(:now AS timestamptz) - interval '90 days'`,
      { a: accountId, now: day1 },
    );
    expect(rows).toEqual([{ region: 'us-east-1', name: 'prod/payments/stripe-api-key' }]);
  });
});
