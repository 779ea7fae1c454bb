import { describe, expect, it } from 'vitest';
import type {
  TrustedAdvisorPayload,
  TrustedAdvisorRecommendation,
} from '../../../functions/collectors/trusted-advisor.ts';
import { trustedAdvisorLoader } from '../../../functions/loaders/trusted-advisor.ts';
import type { Sql } from '../../../functions/ports.ts';
import { databaseBackends, useDatabase } from '../../support/database.ts';

const window = { period: 'DAILY' as const, start: '2026-11-25', end: '2026-11-26' };
const day1 = new Date('2026-11-26T06:00:00Z');
const day2 = new Date('2026-11-27T06:00:00Z');
const ctx = (accountId: string, seenAt: Date) => ({
  accountId,
  window,
  runId: 'r-test',
  seenAt,
  completeRegions: 'all' as const,
});

function recommendation(
  accountId: string,
  id: string,
  overrides: Partial<TrustedAdvisorRecommendation> = {},
): TrustedAdvisorRecommendation {
  return {
    recommendation_id: id,
    recommendation_arn: `arn:aws:trustedadvisor::${accountId}:recommendation/${id}`,
    check_id: 'Qch7DwouX1',
    check_arn: 'arn:aws:trustedadvisor:::check/Qch7DwouX1',
    check_name: 'Low Utilization Amazon EC2 Instances',
    category: 'cost_optimizing',
    pillars: ['cost_optimizing'],
    severity: 'warning',
    recommendation: 'Checks the Amazon EC2 instances that were running at any time during the last 14 days.',
    type: 'standard',
    source: 'ta_check',
    aws_services: ['ec2'],
    lifecycle_stage: null,
    affected_resources_count: 3,
    ok_count: 12,
    warning_count: 3,
    error_count: 0,
    excluded_count: 1,
    potential_savings: 412.3512345678,
    potential_savings_percentage: 17.5,
    timestamp: '2026-11-26T04:10:00.000Z',
    recommendation_created_at: null,
    resolved_at: null,
    ...overrides,
  };
}

const payload = (recommendations: TrustedAdvisorRecommendation[]): TrustedAdvisorPayload => ({
  recommendations,
});
const rowsOf = (sql: Sql, accountId: string) =>
  sql.query('SELECT * FROM trusted_advisor_checks WHERE account_id = :a ORDER BY id', { a: accountId });

async function addAccount(sql: Sql, id: string) {
  await sql.execute(`INSERT INTO accounts (id, account_name) VALUES (:id, :name)`, {
    id,
    name: `account ${id}`,
  });
}

describe.each(databaseBackends())('trusted-advisor loader on $name', (backend) => {
  const db = useDatabase(backend);

  it('writes every recommendation exactly, and a reload changes nothing', async () => {
    const accountId = '111111111111';
    await addAccount(db.sql, accountId);
    const data = payload([
      recommendation(accountId, 'a1b2c3d4-0000-4000-a000-000000000001'),
      recommendation(accountId, '5f1c2d3e-4a5b-4c6d-a7e8-9f0a1b2c3d4e', {
        check_id: null,
        check_arn: null,
        check_name: 'Turn on Multi-AZ for production Amazon RDS databases',
        category: 'fault_tolerance',
        pillars: ['fault_tolerance', 'operational_excellence'],
        severity: 'ok',
        type: 'priority',
        source: 'manual',
        aws_services: ['rds'],
        lifecycle_stage: 'resolved',
        affected_resources_count: 0,
        ok_count: 2,
        warning_count: 0,
        excluded_count: null,
        potential_savings: null,
        potential_savings_percentage: null,
        recommendation_created_at: '2026-11-10T09:00:00.000Z',
        resolved_at: '2026-11-24T15:30:00.000Z',
      }),
    ]);
    const written = await db.sql.transaction((tx) =>
      trustedAdvisorLoader.load(tx, data, ctx(accountId, day1)),
    );
    expect(written).toBe(2);

    const first = await rowsOf(db.sql, accountId);
    expect(first.map(({ id: _i, created_at: _c, updated_at: _u, ...rest }) => rest)).toEqual([
      {
        account_id: accountId,
        recommendation_id: 'a1b2c3d4-0000-4000-a000-000000000001',
        recommendation_arn: `arn:aws:trustedadvisor::${accountId}:recommendation/a1b2c3d4-0000-4000-a000-000000000001`,
        check_id: 'Qch7DwouX1',
        check_arn: 'arn:aws:trustedadvisor:::check/Qch7DwouX1',
        check_name: 'Low Utilization Amazon EC2 Instances',
        category: 'cost_optimizing',
        pillars: ['cost_optimizing'],
        severity: 'warning',
        recommendation:
          'Checks the Amazon EC2 instances that were running at any time during the last 14 days.',
        type: 'standard',
        source: 'ta_check',
        aws_services: ['ec2'],
        lifecycle_stage: null,
        affected_resources_count: 3,
        ok_count: 12,
        warning_count: 3,
        error_count: 0,
        excluded_count: 1,
        potential_savings: '412.3512345678',
        potential_savings_percentage: '17.5000',
        timestamp: new Date('2026-11-26T04:10:00.000Z'),
        recommendation_created_at: null,
        resolved_at: null,
        first_seen: day1,
        last_seen: day1,
        removed_at: null,
      },
      expect.objectContaining({
        check_id: null,
        type: 'priority',
        pillars: ['fault_tolerance', 'operational_excellence'],
        lifecycle_stage: 'resolved',
        recommendation_created_at: new Date('2026-11-10T09:00:00.000Z'),
        resolved_at: new Date('2026-11-24T15:30:00.000Z'),
        removed_at: null,
      }),
    ]);

    await db.sql.transaction((tx) => trustedAdvisorLoader.load(tx, data, ctx(accountId, day1)));
    expect(await rowsOf(db.sql, accountId)).toEqual(first);
  });

  it('updates a recommendation whose status changed and marks the ones no longer listed removed', async () => {
    const accountId = '222222222222';
    await addAccount(db.sql, accountId);
    await db.sql.transaction((tx) =>
      trustedAdvisorLoader.load(
        tx,
        payload([
          recommendation(accountId, 'rec-standing'),
          recommendation(accountId, 'rec-priority', { type: 'priority' }),
        ]),
        ctx(accountId, day1),
      ),
    );
    await db.sql.transaction((tx) =>
      trustedAdvisorLoader.load(
        tx,
        payload([
          recommendation(accountId, 'rec-standing', {
            severity: 'ok',
            affected_resources_count: 0,
            warning_count: 0,
            ok_count: 15,
            potential_savings: 0,
            timestamp: '2026-11-27T04:10:00.000Z',
          }),
        ]),
        ctx(accountId, day2),
      ),
    );
    const rows = await db.sql.query<{
      recommendation_id: string;
      severity: string;
      potential_savings: string;
      last_seen: Date;
      removed_at: Date | null;
    }>(
      `SELECT recommendation_id, severity, potential_savings, last_seen, removed_at FROM trusted_advisor_checks
       WHERE account_id = :a ORDER BY recommendation_id`,
      { a: accountId },
    );
    expect(rows).toEqual([
      {
        recommendation_id: 'rec-priority',
        severity: 'warning',
        potential_savings: '412.3512345678',
        last_seen: day1,
        removed_at: day2,
      },
      {
        recommendation_id: 'rec-standing',
        severity: 'ok',
        potential_savings: '0.0000000000',
        last_seen: day2,
        removed_at: null,
      },
    ]);
  });
});
