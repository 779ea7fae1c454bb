import { describe, expect, it } from 'vitest';
import type { AcmPayload, Certificate } from '../../../functions/collectors/acm.ts';
import { acmLoader, acmRows } from '../../../functions/loaders/acm.ts';
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

const arnOf = (accountId: string, region: string, n: number) =>
  `arn:aws:acm:${region}:${accountId}:certificate/${String(n).repeat(8)}-1111-4111-8111-111111111111`;

function certificate(
  accountId: string,
  region: string,
  n: number,
  overrides: Partial<Certificate> = {},
): Certificate {
  return {
    arn: arnOf(accountId, region, n),
    region,
    domain_name: 'api.payments.example.com',
    subject_alternative_names: ['api.payments.example.com'],
    status: 'ISSUED',
    type: 'AMAZON_ISSUED',
    key_algorithm: 'RSA_2048',
    signature_algorithm: 'SHA256WITHRSA',
    issuer: 'Amazon',
    created_at: '2025-05-17T06:56:31.000Z',
    issued_at: '2026-04-19T06:59:31.000Z',
    imported_at: null,
    not_before: '2026-04-19T06:59:31.000Z',
    not_after: '2027-05-19T06:59:31.000Z',
    revoked_at: null,
    renewal_eligibility: 'ELIGIBLE',
    renewal_status: 'SUCCESS',
    renewal_status_reason: null,
    failure_reason: null,
    key_usages: ['DIGITAL_SIGNATURE', 'KEY_ENCIPHERMENT'],
    extended_key_usages: ['TLS_WEB_SERVER_AUTHENTICATION', 'TLS_WEB_CLIENT_AUTHENTICATION'],
    in_use_by: [
      `arn:aws:elasticloadbalancing:${region}:${accountId}:loadbalancer/app/payments-alb-1/0123456789abcdef`,
    ],
    managed_by: null,
    ...overrides,
  };
}

/** Issued, expiring in ten days, expired, pending validation; the last in eu-west-1. */
function payload(accountId: string): AcmPayload {
  return {
    certificate_manager: [
      certificate(accountId, 'us-east-1', 1),
      certificate(accountId, 'us-east-1', 2, {
        domain_name: 'auth.payments.example.com',
        subject_alternative_names: ['auth.payments.example.com'],
        type: 'IMPORTED',
        key_algorithm: 'EC_prime256v1',
        signature_algorithm: 'SHA384WITHECDSA',
        issuer: 'E6',
        created_at: null,
        issued_at: null,
        imported_at: '2026-09-01T00:00:00.000Z',
        not_before: '2026-09-06T00:00:00.000Z',
        not_after: '2026-12-05T00:00:00.000Z',
        renewal_eligibility: 'INELIGIBLE',
        renewal_status: null,
        key_usages: ['DIGITAL_SIGNATURE'],
        in_use_by: [],
      }),
      certificate(accountId, 'us-east-1', 3, {
        domain_name: 'old.payments.example.com',
        subject_alternative_names: ['old.payments.example.com'],
        status: 'EXPIRED',
        not_before: '2024-09-06T00:00:00.000Z',
        not_after: '2025-10-06T00:00:00.000Z',
        renewal_eligibility: 'INELIGIBLE',
        renewal_status: null,
        in_use_by: [],
      }),
      certificate(accountId, 'eu-west-1', 4, {
        domain_name: 'status.payments.example.com',
        subject_alternative_names: ['status.payments.example.com'],
        status: 'PENDING_VALIDATION',
        key_algorithm: 'RSA_4096',
        signature_algorithm: null,
        issuer: null,
        created_at: '2026-11-25T20:00:00.000Z',
        issued_at: null,
        not_before: null,
        not_after: null,
        renewal_eligibility: 'INELIGIBLE',
        renewal_status: null,
        key_usages: [],
        extended_key_usages: [],
        in_use_by: [],
      }),
    ],
  };
}

const tableOf = (sql: Sql) => sql.query('SELECT * FROM certificates ORDER BY id');

async function addAccount(sql: Sql, id: string, name: string) {
  await sql.execute('INSERT INTO accounts (id, account_name) VALUES (:id, :name)', { id, name });
}

describe('acm rows', () => {
  it("stores the certificate's request time as certificate_created_at", () => {
    const rows = acmRows(payload('123456789012'), '123456789012');
    expect(rows[0]).toMatchObject({
      account_id: '123456789012',
      certificate_created_at: '2025-05-17T06:56:31.000Z',
    });
    expect(rows[0]).not.toHaveProperty('created_at');
    expect(rows[1]?.certificate_created_at).toBeNull();
  });
});

describe.each(databaseBackends())('acm loader on $name', (backend) => {
  const db = useDatabase(backend);

  it('writes every certificate, exactly, and a reload changes nothing', async () => {
    const accountId = '111111111111';
    await addAccount(db.sql, accountId, 'payments-prod');
    const written = await db.sql.transaction((tx) =>
      acmLoader.load(tx, payload(accountId), context(accountId, day1)),
    );
    expect(written).toBe(4);
    const first = await tableOf(db.sql);
    const { id, created_at, updated_at, ...data } = first[0] as Record<string, unknown>;
    expect(typeof id).toBe('number');
    expect(created_at).toBeInstanceOf(Date);
    expect(updated_at).toBeInstanceOf(Date);
    expect(data).toEqual({
      account_id: accountId,
      arn: arnOf(accountId, 'us-east-1', 1),
      region: 'us-east-1',
      domain_name: 'api.payments.example.com',
      subject_alternative_names: ['api.payments.example.com'],
      status: 'ISSUED',
      type: 'AMAZON_ISSUED',
      key_algorithm: 'RSA_2048',
      signature_algorithm: 'SHA256WITHRSA',
      issuer: 'Amazon',
      certificate_created_at: new Date('2025-05-17T06:56:31.000Z'),
      issued_at: new Date('2026-04-19T06:59:31.000Z'),
      imported_at: null,
      not_before: new Date('2026-04-19T06:59:31.000Z'),
      not_after: new Date('2027-05-19T06:59:31.000Z'),
      revoked_at: null,
      renewal_eligibility: 'ELIGIBLE',
      renewal_status: 'SUCCESS',
      renewal_status_reason: null,
      failure_reason: null,
      key_usages: ['DIGITAL_SIGNATURE', 'KEY_ENCIPHERMENT'],
      extended_key_usages: ['TLS_WEB_SERVER_AUTHENTICATION', 'TLS_WEB_CLIENT_AUTHENTICATION'],
      in_use_by: [
        `arn:aws:elasticloadbalancing:us-east-1:${accountId}:loadbalancer/app/payments-alb-1/0123456789abcdef`,
      ],
      managed_by: null,
      first_seen: day1,
      last_seen: day1,
      removed_at: null,
    });
    expect(first.map((r) => [r.region, r.status, r.type, r.key_algorithm, r.not_after])).toEqual([
      ['us-east-1', 'ISSUED', 'AMAZON_ISSUED', 'RSA_2048', new Date('2027-05-19T06:59:31.000Z')],
      ['us-east-1', 'ISSUED', 'IMPORTED', 'EC_prime256v1', new Date('2026-12-05T00:00:00.000Z')],
      ['us-east-1', 'EXPIRED', 'AMAZON_ISSUED', 'RSA_2048', new Date('2025-10-06T00:00:00.000Z')],
      ['eu-west-1', 'PENDING_VALIDATION', 'AMAZON_ISSUED', 'RSA_4096', null],
    ]);

    await db.sql.transaction((tx) => acmLoader.load(tx, payload(accountId), context(accountId, day1)));
    expect(await tableOf(db.sql)).toEqual(first);
  });

  it('marks deleted certificates removed only in the regions that were collected, and revives what returns', async () => {
    const accountId = '222222222222';
    await addAccount(db.sql, accountId, 'checkout-prod');
    const full = payload(accountId);
    await db.sql.transaction((tx) => acmLoader.load(tx, full, context(accountId, day1)));

    // Day 2: eu-west-1 failed; in us-east-1 the expired certificate was deleted and the imported one re-imported.
    const reimported = {
      ...(full.certificate_manager[1] as Certificate),
      imported_at: '2026-11-26T12:00:00.000Z',
      not_before: '2026-11-26T00:00:00.000Z',
      not_after: '2027-02-24T00:00:00.000Z',
    };
    await db.sql.transaction((tx) =>
      acmLoader.load(
        tx,
        { certificate_manager: [full.certificate_manager[0] as Certificate, reimported] },
        context(accountId, day2, ['us-east-1']),
      ),
    );
    const rows = await db.sql.query(
      'SELECT region, status, not_after, last_seen, removed_at FROM certificates WHERE account_id = :a ORDER BY id',
      { a: accountId },
    );
    expect(rows).toEqual([
      {
        region: 'us-east-1',
        status: 'ISSUED',
        not_after: new Date('2027-05-19T06:59:31.000Z'),
        last_seen: day2,
        removed_at: null,
      },
      {
        region: 'us-east-1',
        status: 'ISSUED',
        not_after: new Date('2027-02-24T00:00:00.000Z'),
        last_seen: day2,
        removed_at: null,
      },
      {
        region: 'us-east-1',
        status: 'EXPIRED',
        not_after: new Date('2025-10-06T00:00:00.000Z'),
        last_seen: day1,
        removed_at: day2,
      },
      {
        region: 'eu-west-1',
        status: 'PENDING_VALIDATION',
        not_after: null,
        last_seen: day1,
        removed_at: null,
      },
    ]);

    await db.sql.transaction((tx) => acmLoader.load(tx, full, context(accountId, day3)));
    const back = await db.sql.query(
      'SELECT first_seen, last_seen, removed_at FROM certificates WHERE account_id = :a AND arn = :arn',
      { a: accountId, arn: arnOf(accountId, 'us-east-1', 3) },
    );
    expect(back).toEqual([{ first_seen: day1, last_seen: day3, removed_at: null }]);
  });

  it('answers "certificates in use that expire within 30 days" from the not_after index', async () => {
    const accountId = '333333333333';
    await addAccount(db.sql, accountId, 'identity-prod');
    const soon = payload(accountId);
    (soon.certificate_manager[1] as Certificate).in_use_by = [
      `arn:aws:elasticloadbalancing:us-east-1:${accountId}:loadbalancer/net/identity-nlb-2/fedcba9876543210`,
    ];
    await db.sql.transaction((tx) => acmLoader.load(tx, soon, context(accountId, day1)));
    const expiring = `SELECT a.account_name, c.domain_name, c.not_after FROM certificates c
       JOIN accounts a ON c.account_id = a.id
       WHERE c.removed_at IS NULL AND c.status = 'ISSUED' AND jsonb_array_length(c.in_use_by) > 0
         AND c.not_after < CAST(:now AS timestamptz) + interval '30 days'
       ORDER BY c.not_after`;
    expect(await db.sql.query(expiring, { now: day1 })).toEqual([
      {
        account_name: 'identity-prod',
        domain_name: 'auth.payments.example.com',
        not_after: new Date('2026-12-05T00:00:00.000Z'),
      },
    ]);
    const indexes = await db.sql.query(
      `SELECT indexdef FROM pg_indexes WHERE tablename = 'certificates' AND indexdef LIKE '%(not_after)%'`,
    );
    expect(indexes).toHaveLength(1);
  });
});
