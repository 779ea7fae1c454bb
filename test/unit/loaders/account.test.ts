import { describe, expect, it } from 'vitest';
import type { AccountPayload } from '../../../functions/collectors/account.ts';
import { accountLoader, accountRows } from '../../../functions/loaders/account.ts';
import type { LoadContext } from '../../../functions/loaders/types.ts';
import type { Sql } from '../../../functions/ports.ts';
import { databaseBackends, useDatabase } from '../../support/database.ts';

const ctxFor = (accountId: string, seenAt = '2026-11-26T06:00:00Z'): LoadContext => ({
  accountId,
  window: { period: 'DAILY', start: '2026-11-25', end: '2026-11-26' },
  runId: 'r-test',
  seenAt: new Date(seenAt),
  completeRegions: 'all',
});

const contact = {
  full_name: 'Eleanor Whitfield',
  address_line1: '1 Canada Square',
  address_line2: 'Level 23',
  address_line3: null,
  city: 'London',
  state_or_region: 'Greater London',
  district_or_county: null,
  postal_code: 'E14 5AB',
  country_code: 'GB',
  phone_number: '+44 20 7946 0321',
  company_name: 'Northwind Traders Ltd',
  website_url: 'https://www.northwind.example',
};

function payload(accountId: string, overrides: Partial<AccountPayload> = {}): AccountPayload {
  return {
    account_id: accountId,
    account_name: 'payments-prod',
    account_email: 'aws+payments-prod@example.com',
    account_status: 'ACTIVE',
    account_arn: `arn:aws:organizations::111122223333:account/o-abc123defg/${accountId}`,
    joined_method: 'CREATED',
    joined_timestamp: '2022-01-02T03:04:05.000Z',
    account_created_at: '2022-01-02T03:04:01.000Z',
    organization_note: null,
    contact_info: contact,
    alternate_contacts: {
      billing: {
        name: 'Priya Raman',
        title: 'Head of Cloud Finance',
        email: 'aws-billing@northwind.example',
        phone: '+44 20 7946 0388',
      },
      operations: null,
      security: {
        name: 'Security Operations Centre',
        title: 'SOC Duty Manager',
        email: 'security@northwind.example',
        phone: null,
      },
    },
    ...overrides,
  };
}

const tablesOf = async (sql: Sql, accountId: string) => ({
  account: await sql.query('SELECT * FROM accounts WHERE id = :id', { id: accountId }),
  contact: await sql.query('SELECT * FROM contact_info WHERE account_id = :id ORDER BY id', {
    id: accountId,
  }),
  alternates: await sql.query('SELECT * FROM alternate_contacts WHERE account_id = :id ORDER BY id', {
    id: accountId,
  }),
});

describe('accountRows', () => {
  it('maps contacts to rows with lowercase types and keeps the phone', () => {
    const rows = accountRows(payload('123456789012'), '123456789012');
    expect(rows.alternates).toEqual([
      {
        account_id: '123456789012',
        contact_type: 'billing',
        full_name: 'Priya Raman',
        title: 'Head of Cloud Finance',
        email: 'aws-billing@northwind.example',
        phone_number: '+44 20 7946 0388',
      },
      {
        account_id: '123456789012',
        contact_type: 'security',
        full_name: 'Security Operations Centre',
        title: 'SOC Duty Manager',
        email: 'security@northwind.example',
        phone_number: null,
      },
    ]);
    expect(rows.contact).toEqual({ account_id: '123456789012', ...contact });
  });
});

describe.each(databaseBackends())('account loader on $name', (backend) => {
  const db = useDatabase(backend);
  let next = 100000000000;
  /** A fresh account row, as prepare-load registers it before any category loads. */
  async function registeredAccount(): Promise<string> {
    const id = String(next++);
    await db.sql.execute(`INSERT INTO accounts (id, account_name) VALUES (:id, :name)`, { id, name: id });
    await db.sql.execute(`UPDATE accounts SET updated_at = '2020-01-01T00:00:00Z' WHERE id = :id`, { id });
    return id;
  }

  it('updates the account row and writes its contacts exactly; a reload changes nothing', async () => {
    const id = await registeredAccount();
    const rows = await db.sql.transaction((tx) => accountLoader.load(tx, payload(id), ctxFor(id)));
    expect(rows).toBe(4);
    const first = await tablesOf(db.sql, id);
    expect(first.account).toHaveLength(1);
    expect(first.account[0]).toMatchObject({
      id,
      account_id: id,
      account_name: 'payments-prod',
      account_email: 'aws+payments-prod@example.com',
      account_status: 'ACTIVE',
      account_arn: `arn:aws:organizations::111122223333:account/o-abc123defg/${id}`,
      joined_method: 'CREATED',
      joined_timestamp: new Date('2022-01-02T03:04:05Z'),
      account_created_at: new Date('2022-01-02T03:04:01Z'),
      last_seen: new Date('2026-11-26T06:00:00Z'),
      csp: 'AWS',
    });
    expect(first.account[0]?.updated_at).not.toEqual(new Date('2020-01-01T00:00:00Z'));
    expect(first.contact).toHaveLength(1);
    expect(first.contact[0]).toMatchObject({ account_id: id, ...contact });
    expect(
      first.alternates.map((r) => [r.contact_type, r.full_name, r.title, r.email, r.phone_number]),
    ).toEqual([
      [
        'billing',
        'Priya Raman',
        'Head of Cloud Finance',
        'aws-billing@northwind.example',
        '+44 20 7946 0388',
      ],
      ['security', 'Security Operations Centre', 'SOC Duty Manager', 'security@northwind.example', null],
    ]);

    await db.sql.transaction((tx) => accountLoader.load(tx, payload(id), ctxFor(id)));
    expect(await tablesOf(db.sql, id)).toEqual(first);
  });

  it('moves last_seen without touching updated_at when a later collection says the same', async () => {
    const id = await registeredAccount();
    await db.sql.transaction((tx) => accountLoader.load(tx, payload(id), ctxFor(id)));
    await db.sql.execute(`UPDATE accounts SET updated_at = '2020-01-01T00:00:00Z' WHERE id = :id`, { id });
    await db.sql.transaction((tx) => accountLoader.load(tx, payload(id), ctxFor(id, '2026-11-27T06:00:00Z')));
    const [row] = await db.sql.query('SELECT last_seen, updated_at FROM accounts WHERE id = :id', { id });
    expect(row).toEqual({
      last_seen: new Date('2026-11-27T06:00:00Z'),
      updated_at: new Date('2020-01-01T00:00:00Z'),
    });
  });

  it('keeps what a member account cannot see instead of overwriting it with null', async () => {
    const id = await registeredAccount();
    await db.sql.transaction((tx) => accountLoader.load(tx, payload(id), ctxFor(id)));
    const member = payload(id, {
      account_email: null,
      account_arn: null,
      joined_method: null,
      joined_timestamp: null,
      account_status: 'SUSPENDED',
      organization_note: 'Organizations.DescribeAccount: AccessDeniedException: ...',
    });
    await db.sql.transaction((tx) => accountLoader.load(tx, member, ctxFor(id, '2026-11-27T06:00:00Z')));
    const [row] = await db.sql.query(
      'SELECT account_email, account_arn, joined_method, joined_timestamp, account_status FROM accounts WHERE id = :id',
      { id },
    );
    expect(row).toEqual({
      account_email: 'aws+payments-prod@example.com',
      account_arn: `arn:aws:organizations::111122223333:account/o-abc123defg/${id}`,
      joined_method: 'CREATED',
      joined_timestamp: new Date('2022-01-02T03:04:05Z'),
      account_status: 'SUSPENDED',
    });
  });

  it('deletes contacts the account no longer has and updates changed ones', async () => {
    const id = await registeredAccount();
    await db.sql.transaction((tx) => accountLoader.load(tx, payload(id), ctxFor(id)));
    const before = await tablesOf(db.sql, id);
    const changed = payload(id, {
      contact_info: null,
      alternate_contacts: {
        billing: {
          name: 'Priya Raman',
          title: 'CFO',
          email: 'aws-billing@northwind.example',
          phone: '+44 20 7946 0388',
        },
        operations: {
          name: 'Ravi Menon',
          title: null,
          email: 'ops@northwind.example',
          phone: '+1 206-555-0142',
        },
        security: null,
      },
    });
    const rows = await db.sql.transaction((tx) =>
      accountLoader.load(tx, changed, ctxFor(id, '2026-11-27T06:00:00Z')),
    );
    expect(rows).toBe(3);
    const after = await tablesOf(db.sql, id);
    expect(after.contact).toEqual([]);
    expect(after.alternates.map((r) => [r.contact_type, r.title, r.phone_number])).toEqual([
      ['billing', 'CFO', '+44 20 7946 0388'],
      ['operations', null, '+1 206-555-0142'],
    ]);
    // The billing contact is the same row, updated in place.
    expect(after.alternates[0]?.id).toBe(before.alternates[0]?.id);
  });

  it('does not roll an account back when an older collection is loaded after a newer one', async () => {
    const id = await registeredAccount();
    await db.sql.transaction((tx) =>
      accountLoader.load(tx, payload(id, { account_name: 'payments-live' }), ctxFor(id)),
    );
    const newer = await tablesOf(db.sql, id);
    const older = payload(id, { account_name: 'payments-old', contact_info: null });
    const rows = await db.sql.transaction((tx) =>
      accountLoader.load(tx, older, ctxFor(id, '2026-11-20T06:00:00Z')),
    );
    expect(rows).toBe(0);
    expect(await tablesOf(db.sql, id)).toEqual(newer);
  });

  it('keeps every account to its own rows', async () => {
    const a = await registeredAccount();
    const b = await registeredAccount();
    await db.sql.transaction((tx) => accountLoader.load(tx, payload(a), ctxFor(a)));
    await db.sql.transaction((tx) =>
      accountLoader.load(
        tx,
        payload(b, {
          contact_info: null,
          alternate_contacts: { billing: null, operations: null, security: null },
        }),
        ctxFor(b),
      ),
    );
    expect((await tablesOf(db.sql, a)).alternates).toHaveLength(2);
    expect((await tablesOf(db.sql, a)).contact).toHaveLength(1);
    expect((await tablesOf(db.sql, b)).alternates).toHaveLength(0);
  });
});
