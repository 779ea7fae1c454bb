import { describe, expect, it } from 'vitest';
import type { SupportCase, SupportCasesPayload } from '../../../functions/collectors/support-cases.ts';
import { supportCasesLoader, supportCasesRows } from '../../../functions/loaders/support-cases.ts';
import type { LoadContext } from '../../../functions/loaders/types.ts';
import type { Sql } from '../../../functions/ports.ts';
import { databaseBackends, useDatabase } from '../../support/database.ts';

const day1 = new Date('2026-11-26T06:00:00Z');
const day2 = new Date('2026-11-27T06:00:00Z');

function context(accountId: string, seenAt: Date): LoadContext {
  return {
    accountId,
    window: { period: 'DAILY', start: '2026-11-25', end: '2026-11-26' },
    runId: 'r-test',
    seenAt,
    completeRegions: 'all',
  };
}

function supportCase(accountId: string, n: string, overrides: Partial<SupportCase> = {}): SupportCase {
  return {
    case_id: `case-${accountId}-muen-2026-${n.padStart(16, '0')}`,
    display_id: `17428592${n.padStart(2, '0')}`,
    subject: 'Raise the On-Demand Standard instances vCPU quota in us-east-1 to 512',
    status: 'pending-customer-action',
    severity_code: 'normal',
    service_code: 'service-limit-increase',
    category_code: 'ec2-instances',
    time_created: '2026-11-02T08:15:30.120Z',
    submitted_by: 'aws+checkout-prod@example.com',
    language: 'en',
    last_communication_time: '2026-11-24T10:00:00.000Z',
    ...overrides,
  };
}

function payload(
  cases: SupportCase[],
  [dateFrom, dateTo] = ['2026-08-28', '2026-11-26'],
): SupportCasesPayload {
  return { date_from: dateFrom as string, date_to: dateTo as string, cases };
}

const tableOf = (sql: Sql) => sql.query('SELECT * FROM support_tickets ORDER BY id');

async function addAccount(sql: Sql, id: string, name: string) {
  await sql.execute('INSERT INTO accounts (id, account_name) VALUES (:id, :name)', { id, name });
}

describe('support-cases rows', () => {
  it('carry the days the collection covered on every case', () => {
    const accountId = '123456789012';
    expect(supportCasesRows(payload([supportCase(accountId, '1')]), accountId)).toEqual([
      {
        account_id: accountId,
        ...supportCase(accountId, '1'),
        date_from: '2026-08-28',
        date_to: '2026-11-26',
      },
    ]);
  });
});

describe.each(databaseBackends())('support-cases loader on $name', (backend) => {
  const db = useDatabase(backend);

  it('writes every case exactly, and a reload changes nothing', async () => {
    const accountId = '111111111111';
    await addAccount(db.sql, accountId, 'checkout-prod');
    const cases = [
      supportCase(accountId, '1'),
      supportCase(accountId, '2', {
        subject: 'Unexpected NAT gateway data processing charges on the 2026-10 invoice',
        status: 'resolved',
        severity_code: 'low',
        service_code: null,
        category_code: null,
        submitted_by: null,
        language: null,
        last_communication_time: null,
      }),
    ];
    const written = await db.sql.transaction((tx) =>
      supportCasesLoader.load(tx, payload(cases), context(accountId, day1)),
    );
    expect(written).toBe(2);
    const first = await tableOf(db.sql);
    expect(first.map(({ id: _id, created_at: _c, updated_at: _u, ...row }) => row)).toEqual([
      {
        account_id: accountId,
        case_id: `case-${accountId}-muen-2026-0000000000000001`,
        display_id: '1742859201',
        subject: 'Raise the On-Demand Standard instances vCPU quota in us-east-1 to 512',
        status: 'pending-customer-action',
        severity_code: 'normal',
        service_code: 'service-limit-increase',
        category_code: 'ec2-instances',
        time_created: new Date('2026-11-02T08:15:30.120Z'),
        submitted_by: 'aws+checkout-prod@example.com',
        language: 'en',
        last_communication_time: new Date('2026-11-24T10:00:00Z'),
        date_from: '2026-08-28',
        date_to: '2026-11-26',
        first_seen: day1,
        last_seen: day1,
        removed_at: null,
      },
      {
        account_id: accountId,
        case_id: `case-${accountId}-muen-2026-0000000000000002`,
        display_id: '1742859202',
        subject: 'Unexpected NAT gateway data processing charges on the 2026-10 invoice',
        status: 'resolved',
        severity_code: 'low',
        service_code: null,
        category_code: null,
        time_created: new Date('2026-11-02T08:15:30.120Z'),
        submitted_by: null,
        language: null,
        last_communication_time: null,
        date_from: '2026-08-28',
        date_to: '2026-11-26',
        first_seen: day1,
        last_seen: day1,
        removed_at: null,
      },
    ]);

    await db.sql.transaction((tx) => supportCasesLoader.load(tx, payload(cases), context(accountId, day1)));
    expect(await tableOf(db.sql)).toEqual(first);
  });

  it('updates a case resolved since in place, and marks the cases no longer reported', async () => {
    const accountId = '222222222222';
    await addAccount(db.sql, accountId, 'payments-prod');
    const old = supportCase(accountId, '3', { status: 'resolved', time_created: '2026-08-27T10:00:00.000Z' });
    await db.sql.transaction((tx) =>
      supportCasesLoader.load(tx, payload([supportCase(accountId, '1'), old]), context(accountId, day1)),
    );

    // Day 2: the open case was resolved; the old resolved one left the 90 days.
    const resolved = supportCase(accountId, '1', {
      status: 'resolved',
      last_communication_time: '2026-11-26T15:00:00.000Z',
    });
    await db.sql.transaction((tx) =>
      supportCasesLoader.load(
        tx,
        payload([resolved], ['2026-08-29', '2026-11-27']),
        context(accountId, day2),
      ),
    );
    const rows = await db.sql.query(
      `SELECT case_id, status, last_communication_time, date_from, date_to, last_seen, removed_at
       FROM support_tickets WHERE account_id = :a ORDER BY case_id`,
      { a: accountId },
    );
    expect(rows).toEqual([
      {
        case_id: resolved.case_id,
        status: 'resolved',
        last_communication_time: new Date('2026-11-26T15:00:00Z'),
        date_from: '2026-08-29',
        date_to: '2026-11-27',
        last_seen: day2,
        removed_at: null,
      },
      {
        case_id: old.case_id,
        status: 'resolved',
        last_communication_time: new Date('2026-11-24T10:00:00Z'),
        date_from: '2026-08-28',
        date_to: '2026-11-26',
        last_seen: day1,
        removed_at: day2,
      },
    ]);
  });

  it('keeps the same case id of two accounts apart', async () => {
    await addAccount(db.sql, '333333333333', 'search-prod');
    await addAccount(db.sql, '444444444444', 'search-staging');
    const shared = (accountId: string) => supportCase(accountId, '9', { case_id: 'case-shared-9' });
    for (const accountId of ['333333333333', '444444444444']) {
      await db.sql.transaction((tx) =>
        supportCasesLoader.load(tx, payload([shared(accountId)]), context(accountId, day1)),
      );
    }
    const rows = await db.sql.query(
      `SELECT account_id FROM support_tickets WHERE case_id = 'case-shared-9' ORDER BY account_id`,
    );
    expect(rows).toEqual([{ account_id: '333333333333' }, { account_id: '444444444444' }]);
  });
});
