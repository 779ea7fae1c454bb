import { describe, expect, it } from 'vitest';
import type { HealthEvent, HealthPayload } from '../../../functions/collectors/health.ts';
import { healthLoader, healthRows } from '../../../functions/loaders/health.ts';
import type { LoadContext } from '../../../functions/loaders/types.ts';
import type { Sql } from '../../../functions/ports.ts';
import { databaseBackends, useDatabase } from '../../support/database.ts';

const day1 = new Date('2026-11-26T06:00:00Z');
const day2 = new Date('2026-11-27T06:00:00Z');
const day3 = new Date('2026-11-28T06:00:00Z');
const OUTAGE = 'arn:aws:health:us-east-1::event/EC2/AWS_EC2_OPERATIONAL_ISSUE/AWS_EC2_OPERATIONAL_ISSUE_C3';
const RETIREMENT =
  'arn:aws:health:us-east-1::event/EC2/AWS_EC2_INSTANCE_RETIREMENT_SCHEDULED/AWS_EC2_INSTANCE_RETIREMENT_SCHEDULED_A1';

function context(accountId: string, seenAt: Date): LoadContext {
  return {
    accountId,
    window: { period: 'DAILY', start: '2026-11-25', end: '2026-11-26' },
    runId: 'r-test',
    seenAt,
    completeRegions: 'all',
  };
}

function outage(overrides: Partial<HealthEvent> = {}): HealthEvent {
  return {
    arn: OUTAGE,
    service: 'EC2',
    event_type_code: 'AWS_EC2_OPERATIONAL_ISSUE',
    event_type_category: 'issue',
    region: 'us-east-1',
    availability_zone: 'us-east-1a',
    start_time: '2026-11-25T10:00:00.000Z',
    end_time: '2026-11-25T12:30:00.000Z',
    last_updated_time: '2026-11-25T12:30:00.000Z',
    status_code: 'closed',
    event_scope_code: 'PUBLIC',
    affected_entities_count: 0,
    affected_entities: [],
    ...overrides,
  };
}

function retirement(accountId: string, overrides: Partial<HealthEvent> = {}): HealthEvent {
  return {
    arn: RETIREMENT,
    service: 'EC2',
    event_type_code: 'AWS_EC2_INSTANCE_RETIREMENT_SCHEDULED',
    event_type_category: 'scheduledChange',
    region: 'us-east-1',
    availability_zone: 'us-east-1b',
    start_time: '2026-11-27T20:00:00.000Z',
    end_time: '2026-11-28T00:00:00.000Z',
    last_updated_time: '2026-11-13T00:00:00.000Z',
    status_code: 'upcoming',
    event_scope_code: 'ACCOUNT_SPECIFIC',
    affected_entities_count: 1,
    affected_entities: [
      {
        entity_value: 'i-0123456789abcdef0',
        entity_arn: `arn:aws:health:us-east-1:${accountId}:entity/e1`,
        status_code: 'PENDING',
        last_updated_time: '2026-11-13T00:00:00.000Z',
      },
    ],
    ...overrides,
  };
}

const payload = (accountId: string): HealthPayload => ({ events: [outage(), retirement(accountId)] });

const tableOf = (sql: Sql) => sql.query('SELECT * FROM health_events ORDER BY id');

async function addAccount(sql: Sql, id: string, name: string) {
  await sql.execute('INSERT INTO accounts (id, account_name) VALUES (:id, :name)', { id, name });
}

describe('health rows', () => {
  it('are the payload events with the account', () => {
    expect(healthRows(payload('123456789012'), '123456789012')).toEqual([
      { account_id: '123456789012', ...outage() },
      { account_id: '123456789012', ...retirement('123456789012') },
    ]);
  });
});

describe.each(databaseBackends())('health loader on $name', (backend) => {
  const db = useDatabase(backend);

  it('writes every event exactly, and a reload changes nothing', async () => {
    const accountId = '111111111111';
    await addAccount(db.sql, accountId, 'checkout-prod');
    const written = await db.sql.transaction((tx) =>
      healthLoader.load(tx, payload(accountId), context(accountId, day1)),
    );
    expect(written).toBe(2);
    const first = await tableOf(db.sql);
    expect(first.map(({ id: _id, created_at: _c, updated_at: _u, ...row }) => row)).toEqual([
      {
        account_id: accountId,
        arn: OUTAGE,
        service: 'EC2',
        event_type_code: 'AWS_EC2_OPERATIONAL_ISSUE',
        event_type_category: 'issue',
        region: 'us-east-1',
        availability_zone: 'us-east-1a',
        start_time: new Date('2026-11-25T10:00:00Z'),
        end_time: new Date('2026-11-25T12:30:00Z'),
        last_updated_time: new Date('2026-11-25T12:30:00Z'),
        status_code: 'closed',
        event_scope_code: 'PUBLIC',
        affected_entities_count: 0,
        affected_entities: [],
        first_seen: day1,
        last_seen: day1,
        removed_at: null,
      },
      {
        account_id: accountId,
        arn: RETIREMENT,
        service: 'EC2',
        event_type_code: 'AWS_EC2_INSTANCE_RETIREMENT_SCHEDULED',
        event_type_category: 'scheduledChange',
        region: 'us-east-1',
        availability_zone: 'us-east-1b',
        start_time: new Date('2026-11-27T20:00:00Z'),
        end_time: new Date('2026-11-28T00:00:00Z'),
        last_updated_time: new Date('2026-11-13T00:00:00Z'),
        status_code: 'upcoming',
        event_scope_code: 'ACCOUNT_SPECIFIC',
        affected_entities_count: 1,
        affected_entities: [
          {
            entity_value: 'i-0123456789abcdef0',
            entity_arn: `arn:aws:health:us-east-1:${accountId}:entity/e1`,
            status_code: 'PENDING',
            last_updated_time: '2026-11-13T00:00:00.000Z',
          },
        ],
        first_seen: day1,
        last_seen: day1,
        removed_at: null,
      },
    ]);

    await db.sql.transaction((tx) => healthLoader.load(tx, payload(accountId), context(accountId, day1)));
    expect(await tableOf(db.sql)).toEqual(first);
  });

  it('keeps one row per account for a public event every account sees', async () => {
    await addAccount(db.sql, '222222222222', 'payments-prod');
    await addAccount(db.sql, '333333333333', 'payments-staging');
    for (const accountId of ['222222222222', '333333333333']) {
      await db.sql.transaction((tx) =>
        healthLoader.load(tx, { events: [outage()] }, context(accountId, day1)),
      );
    }
    const rows = await db.sql.query(
      `SELECT account_id FROM health_events WHERE arn = :arn AND account_id IN ('222222222222', '333333333333')
       ORDER BY account_id`,
      { arn: OUTAGE },
    );
    expect(rows).toEqual([{ account_id: '222222222222' }, { account_id: '333333333333' }]);
  });

  it('follows an event from upcoming to open, marks what is no longer reported removed, and revives it', async () => {
    const accountId = '444444444444';
    await addAccount(db.sql, accountId, 'search-prod');
    await db.sql.transaction((tx) => healthLoader.load(tx, payload(accountId), context(accountId, day1)));

    // Day 2: the retirement window opened; the outage closed before the window and is no longer reported.
    const opened = retirement(accountId, {
      status_code: 'open',
      last_updated_time: '2026-11-27T20:00:00.000Z',
      affected_entities: [
        {
          entity_value: 'i-0123456789abcdef0',
          entity_arn: `arn:aws:health:us-east-1:${accountId}:entity/e1`,
          status_code: 'IMPAIRED',
          last_updated_time: '2026-11-27T20:00:00.000Z',
        },
      ],
    });
    await db.sql.transaction((tx) => healthLoader.load(tx, { events: [opened] }, context(accountId, day2)));
    const day2Rows = await db.sql.query(
      `SELECT arn, status_code, affected_entities, first_seen, last_seen, removed_at FROM health_events
       WHERE account_id = :a ORDER BY arn`,
      { a: accountId },
    );
    expect(day2Rows).toEqual([
      {
        arn: RETIREMENT,
        status_code: 'open',
        affected_entities: opened.affected_entities,
        first_seen: day1,
        last_seen: day2,
        removed_at: null,
      },
      {
        arn: OUTAGE,
        status_code: 'closed',
        affected_entities: [],
        first_seen: day1,
        last_seen: day1,
        removed_at: day2,
      },
    ]);

    // Reloading day 1 afterwards changes nothing: the tables already hold a later collection.
    const before = await tableOf(db.sql);
    await db.sql.transaction((tx) => healthLoader.load(tx, payload(accountId), context(accountId, day1)));
    expect(await tableOf(db.sql)).toEqual(before);

    // Day 3: the outage is reported again (updated in the window): back, with its first sighting kept.
    await db.sql.transaction((tx) =>
      healthLoader.load(
        tx,
        { events: [outage({ last_updated_time: '2026-11-27T09:00:00.000Z' })] },
        context(accountId, day3),
      ),
    );
    const revived = await db.sql.query(
      'SELECT first_seen, last_seen, removed_at, last_updated_time FROM health_events WHERE account_id = :a AND arn = :arn',
      { a: accountId, arn: OUTAGE },
    );
    expect(revived).toEqual([
      {
        first_seen: day1,
        last_seen: day3,
        removed_at: null,
        last_updated_time: new Date('2026-11-27T09:00:00Z'),
      },
    ]);
  });
});
