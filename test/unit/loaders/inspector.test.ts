import { describe, expect, it } from 'vitest';
import {
  type InspectorFinding,
  type InspectorPayload,
  inspectorPayloadSchema,
} from '../../../functions/collectors/inspector.ts';
import { inspectorLoader, inspectorRows } from '../../../functions/loaders/inspector.ts';
import type { LoadContext } from '../../../functions/loaders/types.ts';
import type { Sql } from '../../../functions/ports.ts';
import { databaseBackends, useDatabase } from '../../support/database.ts';

const window = { period: 'DAILY' as const, start: '2026-11-25', end: '2026-11-26' };
const day1 = new Date('2026-11-26T06:00:00Z');
const day2 = new Date('2026-11-27T06:00:00Z');
const day3 = new Date('2026-11-28T06:00:00Z');

function context(
  accountId: string,
  seenAt: Date,
  completeRegions: LoadContext['completeRegions'] = 'all',
): LoadContext {
  return { accountId, window, runId: 'r-test', seenAt, completeRegions };
}

function finding(
  accountId: string,
  key: string,
  overrides: Partial<InspectorFinding> = {},
): InspectorFinding {
  const region = overrides.region ?? 'us-east-1';
  return {
    finding_arn: `arn:aws:inspector2:${region}:${accountId}:finding/${key}`,
    severity: 'CRITICAL',
    status: 'ACTIVE',
    type: 'PACKAGE_VULNERABILITY',
    title: 'CVE-2023-38545 - curl',
    description: 'A heap buffer overflow in the SOCKS5 proxy handshake of curl.',
    first_observed_at: '2026-11-01T08:00:00.000Z',
    last_observed_at: '2026-11-25T08:00:00.000Z',
    updated_at: '2026-11-25T08:00:00.000Z',
    region,
    resource_type: 'AWS_EC2_INSTANCE',
    resource_id: `i-0${key}`,
    vulnerability_id: 'CVE-2023-38545',
    package_name: 'curl',
    package_version: '8.0.1',
    fix_available: 'YES',
    inspector_score: 9.8,
    exploit_available: 'NO',
    ...overrides,
  };
}

const payload = (findings: InspectorFinding[]): InspectorPayload =>
  inspectorPayloadSchema.parse({ inspector: findings });

async function addAccount(sql: Sql, id: string) {
  await sql.execute('INSERT INTO accounts (id, account_name) VALUES (:id, :name)', {
    id,
    name: `account ${id}`,
  });
}

const table = (sql: Sql, accountId: string) =>
  sql.query('SELECT * FROM inspector_findings WHERE account_id = :a ORDER BY id', { a: accountId });

const states = async (sql: Sql, accountId: string) =>
  Object.fromEntries(
    (
      await sql.query<{ finding_arn: string; status: string; removed_at: Date | null; last_seen: Date }>(
        'SELECT finding_arn, status, removed_at, last_seen FROM inspector_findings WHERE account_id = :a',
        { a: accountId },
      )
    ).map((r) => [
      r.finding_arn.split('/').pop(),
      [r.status, r.last_seen.toISOString(), r.removed_at?.toISOString() ?? null],
    ]),
  );

describe('inspectorRows', () => {
  it('maps every payload field to its column, with the account', () => {
    const f = finding('111111111111', 'a1');
    expect(inspectorRows(payload([f]), '111111111111')).toEqual([{ account_id: '111111111111', ...f }]);
  });
});

describe.each(databaseBackends())('inspector loader on $name', (backend) => {
  const db = useDatabase(backend);

  it('writes every finding exactly, closed and suppressed ones removed when they left, and a reload changes nothing', async () => {
    const accountId = '111111111111';
    await addAccount(db.sql, accountId);
    const data = payload([
      finding(accountId, 'a1'),
      finding(accountId, 'n1', {
        type: 'NETWORK_REACHABILITY',
        severity: 'MEDIUM',
        title: 'Port 22 is reachable from an Internet Gateway - TCP',
        vulnerability_id: null,
        package_name: null,
        package_version: null,
        fix_available: null,
        inspector_score: null,
        exploit_available: null,
        updated_at: null,
        region: 'eu-west-1',
      }),
      finding(accountId, 'c1', {
        status: 'CLOSED',
        severity: 'LOW',
        updated_at: '2026-11-25T13:14:15.123Z',
        resource_type: 'AWS_ECR_CONTAINER_IMAGE',
        resource_id: `arn:aws:ecr:us-east-1:${accountId}:repository/shop/api/sha256:abc`,
      }),
      finding(accountId, 's1', {
        status: 'SUPPRESSED',
        severity: 'UNTRIAGED',
        inspector_score: null,
        updated_at: null,
      }),
    ]);

    const rows = await db.sql.transaction((tx) => inspectorLoader.load(tx, data, context(accountId, day1)));
    expect(rows).toBe(4);

    const first = await table(db.sql, accountId);
    expect(first).toHaveLength(4);
    const { id: _id, created_at: createdAt, ...a1 } = first[0] as Record<string, unknown>;
    expect(createdAt).toBeInstanceOf(Date);
    expect(a1).toEqual({
      account_id: accountId,
      finding_arn: `arn:aws:inspector2:us-east-1:${accountId}:finding/a1`,
      severity: 'CRITICAL',
      status: 'ACTIVE',
      type: 'PACKAGE_VULNERABILITY',
      title: 'CVE-2023-38545 - curl',
      description: 'A heap buffer overflow in the SOCKS5 proxy handshake of curl.',
      first_observed_at: new Date('2026-11-01T08:00:00.000Z'),
      last_observed_at: new Date('2026-11-25T08:00:00.000Z'),
      updated_at: new Date('2026-11-25T08:00:00.000Z'),
      region: 'us-east-1',
      resource_type: 'AWS_EC2_INSTANCE',
      resource_id: 'i-0a1',
      vulnerability_id: 'CVE-2023-38545',
      package_name: 'curl',
      package_version: '8.0.1',
      fix_available: 'YES',
      inspector_score: '9.8',
      exploit_available: 'NO',
      first_seen: day1,
      last_seen: day1,
      removed_at: null,
    });
    expect(first[1]).toMatchObject({
      type: 'NETWORK_REACHABILITY',
      vulnerability_id: null,
      inspector_score: null,
      updated_at: null,
      region: 'eu-west-1',
      removed_at: null,
    });
    expect(first[2]).toMatchObject({ status: 'CLOSED', removed_at: new Date('2026-11-25T13:14:15.123Z') });
    // Without an updatedAt, a suppressed finding left the active state no later than its last observation.
    expect(first[3]).toMatchObject({
      status: 'SUPPRESSED',
      removed_at: new Date('2026-11-25T08:00:00.000Z'),
    });

    await db.sql.transaction((tx) => inspectorLoader.load(tx, data, context(accountId, day1)));
    expect(await table(db.sql, accountId)).toEqual(first);
  });

  it('marks findings no longer listed as removed only in regions that succeeded', async () => {
    const accountId = '222222222222';
    await addAccount(db.sql, accountId);
    const a = finding(accountId, 'a');
    const b = finding(accountId, 'b', { region: 'eu-west-1' });
    await db.sql.transaction((tx) => inspectorLoader.load(tx, payload([a, b]), context(accountId, day1)));

    // Day 2: eu-west-1 failed (PARTIAL); in us-east-1 a has gone (its instance was replaced) and c is new.
    const c = finding(accountId, 'c', { severity: 'HIGH' });
    await db.sql.transaction((tx) =>
      inspectorLoader.load(tx, payload([c]), context(accountId, day2, ['us-east-1'])),
    );
    expect(await states(db.sql, accountId)).toEqual({
      a: ['ACTIVE', day1.toISOString(), day2.toISOString()],
      b: ['ACTIVE', day1.toISOString(), null],
      c: ['ACTIVE', day2.toISOString(), null],
    });

    // Day 3, every region: b was fixed and closed, c suppressed, a reopened.
    const closedB = { ...b, status: 'CLOSED' as const, updated_at: '2026-11-27T15:00:00.000Z' };
    const suppressedC = { ...c, status: 'SUPPRESSED' as const, updated_at: '2026-11-27T09:00:00.000Z' };
    await db.sql.transaction((tx) =>
      inspectorLoader.load(tx, payload([a, closedB, suppressedC]), context(accountId, day3)),
    );
    expect(await states(db.sql, accountId)).toEqual({
      a: ['ACTIVE', day3.toISOString(), null],
      b: ['CLOSED', day3.toISOString(), '2026-11-27T15:00:00.000Z'],
      c: ['SUPPRESSED', day3.toISOString(), '2026-11-27T09:00:00.000Z'],
    });
  });

  it('leaves newer rows alone when an older snapshot is loaded again', async () => {
    const accountId = '333333333333';
    await addAccount(db.sql, accountId);
    const older = payload([finding(accountId, 'a'), finding(accountId, 'b')]);
    await db.sql.transaction((tx) => inspectorLoader.load(tx, older, context(accountId, day1)));
    await db.sql.transaction((tx) =>
      inspectorLoader.load(
        tx,
        payload([finding(accountId, 'a', { status: 'CLOSED', updated_at: '2026-11-26T10:00:00.000Z' })]),
        context(accountId, day2),
      ),
    );
    const newer = await table(db.sql, accountId);
    await db.sql.transaction((tx) => inspectorLoader.load(tx, older, context(accountId, day1)));
    expect(await table(db.sql, accountId)).toEqual(newer);
    expect(newer.map((r) => [r.status, r.removed_at])).toEqual([
      ['CLOSED', new Date('2026-11-26T10:00:00.000Z')],
      ['ACTIVE', day2],
    ]);
  });

  it('keeps accounts apart: the same finding ARN in two accounts is two rows', async () => {
    const [x, y] = ['444444444444', '555555555555'];
    await addAccount(db.sql, x);
    await addAccount(db.sql, y);
    const same = (account: string) =>
      finding(account, 'same', { finding_arn: 'arn:aws:inspector2:::finding/same' });
    await db.sql.transaction((tx) => inspectorLoader.load(tx, payload([same(x)]), context(x, day1)));
    await db.sql.transaction((tx) => inspectorLoader.load(tx, payload([same(y)]), context(y, day1)));
    await db.sql.transaction((tx) => inspectorLoader.load(tx, payload([]), context(x, day2)));
    expect(await states(db.sql, x)).toEqual({ same: ['ACTIVE', day1.toISOString(), day2.toISOString()] });
    expect(await states(db.sql, y)).toEqual({ same: ['ACTIVE', day1.toISOString(), null] });
  });
});
