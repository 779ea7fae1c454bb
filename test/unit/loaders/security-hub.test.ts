import { describe, expect, it } from 'vitest';
import { securityHubSimulator } from '../../../functions/adapters/local/sample-org/services/security-hub.ts';
import {
  groupByProduct,
  type SecurityHubFinding,
  type SecurityHubPayload,
  securityHubCollector,
  securityHubPayloadSchema,
} from '../../../functions/collectors/security-hub.ts';
import { securityHubLoader } from '../../../functions/loaders/security-hub.ts';
import type { LoadContext } from '../../../functions/loaders/types.ts';
import type { Sql } from '../../../functions/ports.ts';
import { databaseBackends, useDatabase } from '../../support/database.ts';
import { collectFromSample } from '../../support/sample.ts';

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
  overrides: Partial<SecurityHubFinding> = {},
): SecurityHubFinding {
  const region = overrides.region ?? 'us-east-1';
  const product = overrides.product_name ?? 'Security Hub';
  const productKey = product === 'Security Hub' ? 'securityhub' : product.toLowerCase();
  return {
    finding_id: `arn:aws:securityhub:${region}:${accountId}:security-control/S3.8/finding/${key}`,
    service: 'AwsS3Bucket',
    title: 'S3 general purpose buckets should block public access',
    description: 'This control checks whether S3 buckets block public access.',
    severity: 'HIGH',
    status: 'NEW',
    resource_type: 'AwsS3Bucket',
    resource_id: `arn:aws:s3:::bucket-${key}`,
    created_at: '2026-10-01T08:00:00.000Z',
    updated_at: '2026-11-25T08:00:00.000Z',
    recommendation: 'Turn on block public access.',
    compliance_status: 'FAILED',
    region,
    workflow_state: 'NEW',
    record_state: 'ACTIVE',
    product_name: product,
    company_name: 'AWS',
    product_arn: `arn:aws:securityhub:${region}::product/aws/${productKey}`,
    generator_id: 'security-control/S3.8',
    generator: product,
    ...overrides,
  };
}

function payload(findings: SecurityHubFinding[]): SecurityHubPayload {
  return securityHubPayloadSchema.parse({ security_hub: groupByProduct(findings) });
}

async function addAccount(sql: Sql, id: string) {
  await sql.execute(`INSERT INTO accounts (id, account_name) VALUES (:id, :name)`, {
    id,
    name: `account ${id}`,
  });
}

const tables = async (sql: Sql, accountId: string) => ({
  security: await sql.query('SELECT * FROM security WHERE account_id = :a ORDER BY id', { a: accountId }),
  findings: await sql.query('SELECT * FROM findings WHERE account_id = :a ORDER BY id', { a: accountId }),
});

const states = async (sql: Sql, accountId: string) =>
  Object.fromEntries(
    (
      await sql.query<{
        finding_id: string;
        status: string;
        removed_at: Date | null;
        last_seen: Date;
        service: string | null;
      }>(
        `SELECT f.finding_id, f.status, f.removed_at, f.last_seen, s.service
         FROM findings f LEFT JOIN security s ON s.id = f.security_id WHERE f.account_id = :a`,
        { a: accountId },
      )
    ).map((r) => [
      r.finding_id.slice(r.finding_id.lastIndexOf('/') + 1),
      [r.status, r.removed_at?.toISOString() ?? null, r.last_seen.toISOString(), r.service],
    ]),
  );

/** Verbatim from the seed README's "Security Compliance Overview". */
const README_SECURITY_COMPLIANCE_OVERVIEW = `SELECT 
    a.account_name,
    s.service,
    s.total_findings,
    s.critical_count,
    s.high_count,
    ROUND((s.resolved_findings::numeric / s.total_findings * 100), 2) as resolution_rate
FROM security s
JOIN accounts a ON s.account_id = a.id
WHERE s.critical_count > 0
ORDER BY s.critical_count DESC;`;

describe.each(databaseBackends())('security-hub loader on $name', (backend) => {
  const db = useDatabase(backend);

  it('writes the summary per product and every finding, exactly, and a reload changes nothing', async () => {
    const accountId = '111111111111';
    await addAccount(db.sql, accountId);
    const data = payload([
      finding(accountId, 'a', { severity: 'CRITICAL' }),
      finding(accountId, 'b', { status: 'NOTIFIED', region: 'eu-west-1' }),
      finding(accountId, 'd', {
        status: 'RESOLVED',
        severity: 'INFORMATIONAL',
        compliance_status: 'PASSED',
        updated_at: '2026-11-25T13:14:15.123Z',
      }),
      finding(accountId, 'g', {
        product_name: 'GuardDuty',
        company_name: 'Amazon',
        severity: 'MEDIUM',
        generator_id: 'arn:aws:guardduty:eu-west-1:111111111111:detector/abc',
        compliance_status: null,
        recommendation: null,
        workflow_state: null,
        region: 'eu-west-1',
      }),
    ]);

    const rows = await db.sql.transaction((tx) => securityHubLoader.load(tx, data, context(accountId, day1)));
    expect(rows).toBe(2 + 4);

    const first = await tables(db.sql, accountId);
    expect(first.security.map(({ id: _id, created_at: _c, updated_at: _u, ...rest }) => rest)).toEqual([
      {
        account_id: accountId,
        service: 'Security Hub',
        total_findings: 3,
        critical_count: 1,
        high_count: 1,
        medium_count: 0,
        low_count: 0,
        informational_count: 1,
        open_findings: 2,
        resolved_findings: 1,
        window_start: '2026-11-25',
        window_end: '2026-11-26',
        collected_at: day1,
      },
      {
        account_id: accountId,
        service: 'GuardDuty',
        total_findings: 1,
        critical_count: 0,
        high_count: 0,
        medium_count: 1,
        low_count: 0,
        informational_count: 0,
        open_findings: 1,
        resolved_findings: 0,
        window_start: '2026-11-25',
        window_end: '2026-11-26',
        collected_at: day1,
      },
    ]);
    const hubId = first.security[0]?.id;
    const guardDutyId = first.security[1]?.id;
    expect(first.findings).toHaveLength(4);
    const { id: _id, ...resolved } = first.findings[2] as Record<string, unknown>;
    expect(resolved).toEqual({
      account_id: accountId,
      security_id: hubId,
      finding_id: `arn:aws:securityhub:us-east-1:${accountId}:security-control/S3.8/finding/d`,
      product_arn: 'arn:aws:securityhub:us-east-1::product/aws/securityhub',
      service: 'AwsS3Bucket',
      title: 'S3 general purpose buckets should block public access',
      description: 'This control checks whether S3 buckets block public access.',
      severity: 'INFORMATIONAL',
      status: 'RESOLVED',
      resource_type: 'AwsS3Bucket',
      resource_id: 'arn:aws:s3:::bucket-d',
      created_at: new Date('2026-10-01T08:00:00.000Z'),
      updated_at: new Date('2026-11-25T13:14:15.123Z'),
      recommendation: 'Turn on block public access.',
      compliance_status: 'PASSED',
      region: 'us-east-1',
      workflow_state: 'NEW',
      record_state: 'ACTIVE',
      product_name: 'Security Hub',
      company_name: 'AWS',
      generator_id: 'security-control/S3.8',
      generator: 'Security Hub',
      first_seen: day1,
      last_seen: day1,
      // A finding resolved in the window is no longer open since it was resolved.
      removed_at: new Date('2026-11-25T13:14:15.123Z'),
    });
    expect(first.findings[3]).toMatchObject({
      security_id: guardDutyId,
      recommendation: null,
      workflow_state: null,
    });
    expect(await states(db.sql, accountId)).toEqual({
      a: ['NEW', null, day1.toISOString(), 'Security Hub'],
      b: ['NOTIFIED', null, day1.toISOString(), 'Security Hub'],
      d: ['RESOLVED', '2026-11-25T13:14:15.123Z', day1.toISOString(), 'Security Hub'],
      g: ['NEW', null, day1.toISOString(), 'GuardDuty'],
    });

    await db.sql.transaction((tx) => securityHubLoader.load(tx, data, context(accountId, day1)));
    expect(await tables(db.sql, accountId)).toEqual(first);
  });

  it("loads a sample organization's collection, and the seed README's query answers from it", async () => {
    const { result, account } = await collectFromSample(securityHubCollector, {
      simulators: [securityHubSimulator],
      window,
      now: day1,
    });
    await db.sql.execute(`INSERT INTO accounts (id, account_name) VALUES (:id, :name)`, {
      id: account.id,
      name: account.name,
    });
    const data = securityHubPayloadSchema.parse(result.payload);
    const rows = await db.sql.transaction((tx) =>
      securityHubLoader.load(tx, data, context(account.id, day1)),
    );
    const findingCount = data.security_hub.reduce((n, g) => n + g.findings.length, 0);
    expect(rows).toBe(data.security_hub.length + findingCount);
    const loaded = await tables(db.sql, account.id);
    expect(loaded.findings).toHaveLength(findingCount);
    expect(loaded.findings.filter((f) => f.removed_at === null)).toHaveLength(
      data.security_hub.reduce((n, g) => n + g.open_findings, 0),
    );
    await db.sql.transaction((tx) => securityHubLoader.load(tx, data, context(account.id, day1)));
    expect(await tables(db.sql, account.id)).toEqual(loaded);

    const overview = await db.sql.query(README_SECURITY_COMPLIANCE_OVERVIEW);
    const mine = overview.filter((r) => r.account_name === account.name);
    expect(mine.length).toBeGreaterThan(0);
    for (const row of mine) {
      const group = data.security_hub.find((g) => g.service === row.service);
      expect(row).toEqual({
        account_name: account.name,
        service: group?.service,
        total_findings: group?.total_findings,
        critical_count: group?.severity_counts.CRITICAL,
        high_count: group?.severity_counts.HIGH,
        resolution_rate: (
          Math.round(((group?.resolved_findings ?? 0) / (group?.total_findings ?? 1)) * 10000) / 100
        ).toFixed(2),
      });
    }
  });

  it("runs the seed README's Security Compliance Overview query unchanged", async () => {
    const accountId = '222222222222';
    await addAccount(db.sql, accountId);
    await db.sql.transaction((tx) =>
      securityHubLoader.load(
        tx,
        payload([
          finding(accountId, 'a', { severity: 'CRITICAL' }),
          finding(accountId, 'b', {
            severity: 'CRITICAL',
            status: 'RESOLVED',
            updated_at: '2026-11-25T10:00:00.000Z',
          }),
          finding(accountId, 'c', { severity: 'HIGH' }),
        ]),
        context(accountId, day1),
      ),
    );
    const rows = await db.sql.query(README_SECURITY_COMPLIANCE_OVERVIEW);
    expect(rows.filter((r) => r.account_name === `account ${accountId}`)).toEqual([
      {
        account_name: `account ${accountId}`,
        service: 'Security Hub',
        total_findings: 3,
        critical_count: 2,
        high_count: 1,
        resolution_rate: '33.33',
      },
    ]);
  });

  it('marks findings no longer open as removed only in regions that succeeded, and replaces the summary', async () => {
    const accountId = '333333333333';
    await addAccount(db.sql, accountId);
    const a = finding(accountId, 'a');
    const b = finding(accountId, 'b', { region: 'eu-west-1' });
    const g = finding(accountId, 'g', { region: 'eu-west-1', product_name: 'GuardDuty' });
    await db.sql.transaction((tx) =>
      securityHubLoader.load(tx, payload([a, b, g]), context(accountId, day1)),
    );

    // Day 2: eu-west-1 failed (PARTIAL); in us-east-1 a has gone and h is new.
    const h = finding(accountId, 'h', { severity: 'LOW' });
    await db.sql.transaction((tx) =>
      securityHubLoader.load(tx, payload([h]), context(accountId, day2, ['us-east-1'])),
    );
    expect(await states(db.sql, accountId)).toEqual({
      a: ['NEW', day2.toISOString(), day1.toISOString(), 'Security Hub'],
      b: ['NEW', null, day1.toISOString(), 'Security Hub'],
      g: ['NEW', null, day1.toISOString(), null],
      h: ['NEW', null, day2.toISOString(), 'Security Hub'],
    });
    const summary = await db.sql.query(
      'SELECT service, total_findings, low_count, collected_at FROM security WHERE account_id = :a',
      { a: accountId },
    );
    expect(summary).toEqual([
      { service: 'Security Hub', total_findings: 1, low_count: 1, collected_at: day2 },
    ]);

    // Day 3, every region: b was resolved, g has gone, a is open again.
    const resolvedB = { ...b, status: 'RESOLVED' as const, updated_at: '2026-11-27T15:00:00.000Z' };
    await db.sql.transaction((tx) =>
      securityHubLoader.load(tx, payload([a, resolvedB, h]), context(accountId, day3)),
    );
    expect(await states(db.sql, accountId)).toEqual({
      a: ['NEW', null, day3.toISOString(), 'Security Hub'],
      b: ['RESOLVED', '2026-11-27T15:00:00.000Z', day3.toISOString(), 'Security Hub'],
      g: ['NEW', day3.toISOString(), day1.toISOString(), null],
      h: ['NEW', null, day3.toISOString(), 'Security Hub'],
    });
    const [first] = await db.sql.query<{ first_seen: Date }>(
      `SELECT first_seen FROM findings WHERE account_id = :a AND finding_id LIKE '%/a'`,
      { a: accountId },
    );
    expect(first?.first_seen).toEqual(day1);
  });

  it('leaves a newer summary and newer findings alone when an older snapshot is loaded again', async () => {
    const accountId = '444444444444';
    await addAccount(db.sql, accountId);
    const older = payload([finding(accountId, 'a'), finding(accountId, 'b', { severity: 'CRITICAL' })]);
    await db.sql.transaction((tx) => securityHubLoader.load(tx, older, context(accountId, day1)));
    await db.sql.transaction((tx) =>
      securityHubLoader.load(
        tx,
        payload([finding(accountId, 'a', { severity: 'LOW' })]),
        context(accountId, day2),
      ),
    );
    const newer = await tables(db.sql, accountId);

    const rows = await db.sql.transaction((tx) =>
      securityHubLoader.load(tx, older, context(accountId, day1)),
    );
    expect(rows).toBe(0);
    expect(await tables(db.sql, accountId)).toEqual(newer);
    expect(newer.findings.map((f) => [f.severity, f.removed_at])).toEqual([
      ['LOW', null],
      ['CRITICAL', day2],
    ]);
    expect(newer.security.map((s) => [s.service, s.total_findings, s.low_count])).toEqual([
      ['Security Hub', 1, 1],
    ]);
  });

  it('keeps accounts apart: the same finding id in two accounts is two rows', async () => {
    const [x, y] = ['555555555555', '666666666666'];
    await addAccount(db.sql, x);
    await addAccount(db.sql, y);
    const shared = (account: string) =>
      finding(account, 'same', { finding_id: 'arn:aws:securityhub:::finding/same' });
    await db.sql.transaction((tx) => securityHubLoader.load(tx, payload([shared(x)]), context(x, day1)));
    await db.sql.transaction((tx) => securityHubLoader.load(tx, payload([shared(y)]), context(y, day1)));
    await db.sql.transaction((tx) => securityHubLoader.load(tx, payload([]), context(x, day2)));
    expect(Object.values(await states(db.sql, x))).toEqual([
      ['NEW', day2.toISOString(), day1.toISOString(), null],
    ]);
    expect(Object.values(await states(db.sql, y))).toEqual([
      ['NEW', null, day1.toISOString(), 'Security Hub'],
    ]);
  });
});
