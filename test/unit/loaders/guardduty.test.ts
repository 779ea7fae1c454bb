import { describe, expect, it } from 'vitest';
import {
  type GuardDutyFinding,
  type GuarddutyPayload,
  guarddutyPayloadSchema,
} from '../../../functions/collectors/guardduty.ts';
import { guarddutyLoader, guarddutyRows } from '../../../functions/loaders/guardduty.ts';
import type { LoadContext } from '../../../functions/loaders/types.ts';
import type { Sql } from '../../../functions/ports.ts';
import { databaseBackends, useDatabase } from '../../support/database.ts';

const window = { period: 'DAILY' as const, start: '2026-11-25', end: '2026-11-26' };
const day1 = new Date('2026-11-26T06:00:00Z');
const day2 = new Date('2026-11-27T06:00:00Z');
const day3 = new Date('2026-11-28T06:00:00Z');
const DETECTOR = 'e1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6';

function context(
  accountId: string,
  seenAt: Date,
  completeRegions: LoadContext['completeRegions'] = 'all',
): LoadContext {
  return { accountId, window, runId: 'r-test', seenAt, completeRegions };
}

function finding(accountId: string, id: string, overrides: Partial<GuardDutyFinding> = {}): GuardDutyFinding {
  const region = overrides.region ?? 'us-east-1';
  return {
    id,
    arn: `arn:aws:guardduty:${region}:${accountId}:detector/${DETECTOR}/finding/${id}`,
    detector_id: DETECTOR,
    type: 'Recon:EC2/PortProbeUnprotectedPort',
    severity: 2,
    severity_label: 'LOW',
    title: `Unprotected port on EC2 instance i-0${id} is being probed.`,
    description: `EC2 instance i-0${id} has an unprotected port which is being probed by a known malicious host.`,
    created_at: '2026-11-20T08:00:00.000Z',
    updated_at: '2026-11-25T10:00:00.000Z',
    confidence: 2,
    region,
    resource_type: 'Instance',
    resource_id: `i-0${id}`,
    count: 14,
    archived: false,
    ...overrides,
  };
}

const payload = (findings: GuardDutyFinding[]): GuarddutyPayload =>
  guarddutyPayloadSchema.parse({ guard_duty: findings });

async function addAccount(sql: Sql, id: string) {
  await sql.execute('INSERT INTO accounts (id, account_name) VALUES (:id, :name)', {
    id,
    name: `account ${id}`,
  });
}

const table = (sql: Sql, accountId: string) =>
  sql.query('SELECT * FROM guard_duty_findings WHERE account_id = :a ORDER BY id', { a: accountId });

const states = async (sql: Sql, accountId: string) =>
  Object.fromEntries(
    (
      await sql.query<{ finding_id: string; removed_at: Date | null; last_seen: Date; first_seen: Date }>(
        'SELECT finding_id, removed_at, last_seen, first_seen FROM guard_duty_findings WHERE account_id = :a',
        { a: accountId },
      )
    ).map((r) => [
      r.finding_id,
      [r.first_seen.toISOString(), r.last_seen.toISOString(), r.removed_at?.toISOString() ?? null],
    ]),
  );

describe('guarddutyRows', () => {
  it('stores the finding id as finding_id and the detector as detector_id', () => {
    expect(guarddutyRows(payload([finding('111111111111', 'f1')]), '111111111111')).toEqual([
      {
        account_id: '111111111111',
        finding_id: 'f1',
        arn: `arn:aws:guardduty:us-east-1:111111111111:detector/${DETECTOR}/finding/f1`,
        detector_id: DETECTOR,
        finding_type: 'Recon:EC2/PortProbeUnprotectedPort',
        severity: 2,
        severity_label: 'LOW',
        title: 'Unprotected port on EC2 instance i-0f1 is being probed.',
        description:
          'EC2 instance i-0f1 has an unprotected port which is being probed by a known malicious host.',
        confidence: 2,
        region: 'us-east-1',
        resource_type: 'Instance',
        resource_id: 'i-0f1',
        count: 14,
        archived: false,
        created_at: '2026-11-20T08:00:00.000Z',
        updated_at: '2026-11-25T10:00:00.000Z',
      },
    ]);
  });
});

describe.each(databaseBackends())('guardduty loader on $name', (backend) => {
  const db = useDatabase(backend);

  it('writes every finding exactly, archived ones removed when archived, and a reload changes nothing', async () => {
    const accountId = '111111111111';
    await addAccount(db.sql, accountId);
    const data = payload([
      finding(accountId, 'f1'),
      finding(accountId, 'f2', {
        type: 'AttackSequence:IAM/CompromisedCredentials',
        severity: 9,
        severity_label: 'CRITICAL',
        confidence: null,
        description: null,
        title: null,
        count: null,
        resource_type: 'AccessKey',
        resource_id: 'AKIAEXAMPLEKEY000001',
        region: 'eu-west-1',
      }),
      finding(accountId, 'f3', {
        severity: 8.5,
        severity_label: 'HIGH',
        archived: true,
        updated_at: '2026-11-25T17:30:00.250Z',
      }),
    ]);

    const rows = await db.sql.transaction((tx) => guarddutyLoader.load(tx, data, context(accountId, day1)));
    expect(rows).toBe(3);

    const first = await table(db.sql, accountId);
    expect(first).toHaveLength(3);
    const { id: _id, ...f1 } = first[0] as Record<string, unknown>;
    expect(f1).toEqual({
      account_id: accountId,
      finding_id: 'f1',
      arn: `arn:aws:guardduty:us-east-1:${accountId}:detector/${DETECTOR}/finding/f1`,
      detector_id: DETECTOR,
      finding_type: 'Recon:EC2/PortProbeUnprotectedPort',
      severity: '2',
      severity_label: 'LOW',
      title: 'Unprotected port on EC2 instance i-0f1 is being probed.',
      description:
        'EC2 instance i-0f1 has an unprotected port which is being probed by a known malicious host.',
      confidence: '2',
      region: 'us-east-1',
      resource_type: 'Instance',
      resource_id: 'i-0f1',
      count: 14,
      archived: false,
      created_at: new Date('2026-11-20T08:00:00.000Z'),
      updated_at: new Date('2026-11-25T10:00:00.000Z'),
      first_seen: day1,
      last_seen: day1,
      removed_at: null,
    });
    expect(first[1]).toMatchObject({
      severity: '9',
      severity_label: 'CRITICAL',
      confidence: null,
      description: null,
      title: null,
      count: null,
      region: 'eu-west-1',
      removed_at: null,
    });
    expect(first[2]).toMatchObject({
      severity: '8.5',
      archived: true,
      // Archived during the window: no longer current since it was archived.
      removed_at: new Date('2026-11-25T17:30:00.250Z'),
    });

    await db.sql.transaction((tx) => guarddutyLoader.load(tx, data, context(accountId, day1)));
    expect(await table(db.sql, accountId)).toEqual(first);
  });

  it('marks findings no longer listed as removed only in regions that succeeded, and brings back one seen again', async () => {
    const accountId = '222222222222';
    await addAccount(db.sql, accountId);
    const a = finding(accountId, 'a');
    const b = finding(accountId, 'b', { region: 'eu-west-1' });
    await db.sql.transaction((tx) => guarddutyLoader.load(tx, payload([a, b]), context(accountId, day1)));

    // Day 2: eu-west-1 failed (PARTIAL); in us-east-1 a is gone and c is new.
    const c = finding(accountId, 'c', { severity: 5, severity_label: 'MEDIUM' });
    await db.sql.transaction((tx) =>
      guarddutyLoader.load(tx, payload([c]), context(accountId, day2, ['us-east-1'])),
    );
    expect(await states(db.sql, accountId)).toEqual({
      a: [day1.toISOString(), day1.toISOString(), day2.toISOString()],
      b: [day1.toISOString(), day1.toISOString(), null],
      c: [day2.toISOString(), day2.toISOString(), null],
    });

    // Day 3, every region: a is current again, b was archived, c is gone.
    const archivedB = { ...b, archived: true, updated_at: '2026-11-27T15:00:00.000Z' };
    await db.sql.transaction((tx) =>
      guarddutyLoader.load(tx, payload([a, archivedB]), context(accountId, day3)),
    );
    expect(await states(db.sql, accountId)).toEqual({
      a: [day1.toISOString(), day3.toISOString(), null],
      b: [day1.toISOString(), day3.toISOString(), '2026-11-27T15:00:00.000Z'],
      c: [day2.toISOString(), day2.toISOString(), day3.toISOString()],
    });
  });

  it('leaves newer rows alone when an older snapshot is loaded again', async () => {
    const accountId = '333333333333';
    await addAccount(db.sql, accountId);
    const older = payload([finding(accountId, 'a'), finding(accountId, 'b')]);
    await db.sql.transaction((tx) => guarddutyLoader.load(tx, older, context(accountId, day1)));
    await db.sql.transaction((tx) =>
      guarddutyLoader.load(
        tx,
        payload([finding(accountId, 'a', { count: 20, updated_at: '2026-11-26T10:00:00.000Z' })]),
        context(accountId, day2),
      ),
    );
    const newer = await table(db.sql, accountId);
    await db.sql.transaction((tx) => guarddutyLoader.load(tx, older, context(accountId, day1)));
    expect(await table(db.sql, accountId)).toEqual(newer);
    expect(newer.map((r) => [r.finding_id, r.count, r.removed_at])).toEqual([
      ['a', 20, null],
      ['b', 14, day2],
    ]);
  });

  it('keeps accounts apart: the same finding id in two accounts is two rows', async () => {
    const [x, y] = ['444444444444', '555555555555'];
    await addAccount(db.sql, x);
    await addAccount(db.sql, y);
    await db.sql.transaction((tx) =>
      guarddutyLoader.load(tx, payload([finding(x, 'same')]), context(x, day1)),
    );
    await db.sql.transaction((tx) =>
      guarddutyLoader.load(tx, payload([finding(y, 'same')]), context(y, day1)),
    );
    await db.sql.transaction((tx) => guarddutyLoader.load(tx, payload([]), context(x, day2)));
    expect(await states(db.sql, x)).toEqual({
      same: [day1.toISOString(), day1.toISOString(), day2.toISOString()],
    });
    expect(await states(db.sql, y)).toEqual({ same: [day1.toISOString(), day1.toISOString(), null] });
  });
});
