import { describe, expect, it } from 'vitest';
import type {
  ComputeOptimizerPayload,
  ComputeOptimizerRecommendation,
} from '../../../functions/collectors/compute-optimizer.ts';
import { computeOptimizerLoader } from '../../../functions/loaders/compute-optimizer.ts';
import type { LoadContext } from '../../../functions/loaders/types.ts';
import type { Sql } from '../../../functions/ports.ts';
import { databaseBackends, useDatabase } from '../../support/database.ts';

const window = { period: 'DAILY' as const, start: '2026-11-25', end: '2026-11-26' };
const day1 = new Date('2026-11-26T06:00:00Z');
const day2 = new Date('2026-11-27T06:00:00Z');

const context = (
  accountId: string,
  seenAt: Date,
  completeRegions: LoadContext['completeRegions'] = 'all',
) => ({
  accountId,
  window,
  runId: 'r-test',
  seenAt,
  completeRegions,
});

function ec2(accountId: string, id: string, region = 'us-east-1'): ComputeOptimizerRecommendation {
  return {
    account_id: accountId,
    resource_type: 'EC2',
    resource_arn: `arn:aws:ec2:${region}:${accountId}:instance/${id}`,
    resource_name: `api-${id}`,
    region,
    finding: 'Overprovisioned',
    finding_reasons: ['CPUOverprovisioned'],
    current_instance_type: 'm6i.xlarge',
    current_memory_size: null,
    current_volume_type: null,
    current_volume_size: null,
    recommended_instance_type: 'm6i.large',
    recommended_memory_size: null,
    recommended_volume_type: null,
    recommended_volume_size: null,
    savings_opportunity_percentage: 50,
    estimated_monthly_savings_usd: 70.0812345678,
    currency: 'USD',
    performance_risk: 1.5,
    current_performance_risk: 'VeryLow',
    cpu_utilization_max: 22.5,
    memory_utilization_avg: null,
    migration_effort: 'VeryLow',
    lookback_period_days: 14,
    last_refresh_timestamp: '2026-11-26T03:12:00.000Z',
  };
}

function lambda(accountId: string, name: string, region = 'eu-west-1'): ComputeOptimizerRecommendation {
  return {
    ...ec2(accountId, 'x', region),
    resource_type: 'Lambda',
    resource_arn: `arn:aws:lambda:${region}:${accountId}:function:${name}:$LATEST`,
    resource_name: name,
    finding: 'NotOptimized',
    finding_reasons: ['MemoryOverprovisioned'],
    current_instance_type: null,
    recommended_instance_type: null,
    current_memory_size: 1024,
    recommended_memory_size: 512,
    savings_opportunity_percentage: 47.5,
    estimated_monthly_savings_usd: 3.21,
    performance_risk: null,
    cpu_utilization_max: null,
    memory_utilization_avg: 25,
    migration_effort: null,
  };
}

const payload = (recommendations: ComputeOptimizerRecommendation[]): ComputeOptimizerPayload => ({
  recommendations,
});

async function addAccount(sql: Sql, id: string) {
  await sql.execute(`INSERT INTO accounts (id, account_name) VALUES (:id, :name)`, {
    id,
    name: `account ${id}`,
  });
}

const table = (sql: Sql, accountId: string) =>
  sql.query('SELECT * FROM compute_optimizer WHERE account_id = :a ORDER BY id', { a: accountId });

const states = async (sql: Sql, accountId: string) =>
  Object.fromEntries(
    (
      await sql.query<{ resource_name: string; removed_at: Date | null; last_seen: Date }>(
        'SELECT resource_name, removed_at, last_seen FROM compute_optimizer WHERE account_id = :a',
        { a: accountId },
      )
    ).map((r) => [r.resource_name, [r.last_seen.toISOString(), r.removed_at?.toISOString() ?? null]]),
  );

describe.each(databaseBackends())('compute-optimizer loader on $name', (backend) => {
  const db = useDatabase(backend);

  it('writes every recommendation exactly, and a reload changes nothing', async () => {
    const accountId = '111111111111';
    await addAccount(db.sql, accountId);
    const data = payload([ec2(accountId, 'i-0a1'), lambda(accountId, 'payments-worker')]);

    const rows = await db.sql.transaction((tx) =>
      computeOptimizerLoader.load(tx, data, context(accountId, day1)),
    );
    expect(rows).toBe(2);

    const first = await table(db.sql, accountId);
    expect(first.map(({ id: _id, created_at: _c, updated_at: _u, ...rest }) => rest)).toEqual([
      {
        account_id: accountId,
        resource_type: 'EC2',
        resource_arn: `arn:aws:ec2:us-east-1:${accountId}:instance/i-0a1`,
        resource_name: 'api-i-0a1',
        region: 'us-east-1',
        finding: 'Overprovisioned',
        finding_reasons: ['CPUOverprovisioned'],
        current_instance_type: 'm6i.xlarge',
        current_memory_size: null,
        current_volume_type: null,
        current_volume_size: null,
        recommended_instance_type: 'm6i.large',
        recommended_memory_size: null,
        recommended_volume_type: null,
        recommended_volume_size: null,
        savings_opportunity_percentage: '50.0000',
        estimated_monthly_savings_usd: '70.0812345678',
        currency: 'USD',
        performance_risk: '1.5000',
        current_performance_risk: 'VeryLow',
        cpu_utilization_max: '22.5000',
        memory_utilization_avg: null,
        migration_effort: 'VeryLow',
        lookback_period_days: '14.00',
        last_refresh_timestamp: new Date('2026-11-26T03:12:00.000Z'),
        first_seen: day1,
        last_seen: day1,
        removed_at: null,
      },
      expect.objectContaining({
        resource_type: 'Lambda',
        resource_name: 'payments-worker',
        region: 'eu-west-1',
        current_memory_size: 1024,
        recommended_memory_size: 512,
        memory_utilization_avg: '25.0000',
        estimated_monthly_savings_usd: '3.2100000000',
        performance_risk: null,
      }),
    ]);

    await db.sql.transaction((tx) => computeOptimizerLoader.load(tx, data, context(accountId, day1)));
    expect(await table(db.sql, accountId)).toEqual(first);
  });

  it('marks recommendations no longer returned removed, only in the regions collected in full', async () => {
    const accountId = '222222222222';
    await addAccount(db.sql, accountId);
    await db.sql.transaction((tx) =>
      computeOptimizerLoader.load(
        tx,
        payload([
          ec2(accountId, 'i-gone'),
          ec2(accountId, 'i-kept'),
          lambda(accountId, 'unseen-in-failed-region'),
        ]),
        context(accountId, day1),
      ),
    );
    // Day 2: eu-west-1 failed (one kind did), so its unseen function stays as it was.
    await db.sql.transaction((tx) =>
      computeOptimizerLoader.load(
        tx,
        payload([ec2(accountId, 'i-kept'), ec2(accountId, 'i-new')]),
        context(accountId, day2, ['us-east-1']),
      ),
    );
    expect(await states(db.sql, accountId)).toEqual({
      'api-i-gone': [day1.toISOString(), day2.toISOString()],
      'api-i-kept': [day2.toISOString(), null],
      'api-i-new': [day2.toISOString(), null],
      'unseen-in-failed-region': [day1.toISOString(), null],
    });

    // Day 1 loaded again after day 2 (a rerun): nothing comes back, nothing moves backwards.
    const before = await table(db.sql, accountId);
    await db.sql.transaction((tx) =>
      computeOptimizerLoader.load(
        tx,
        payload([
          ec2(accountId, 'i-gone'),
          ec2(accountId, 'i-kept'),
          lambda(accountId, 'unseen-in-failed-region'),
        ]),
        context(accountId, day1),
      ),
    );
    expect(await table(db.sql, accountId)).toEqual(before);
  });

  it('keeps accounts apart: the same ARN in two accounts is two rows', async () => {
    const [a, b] = ['333333333333', '444444444444'];
    await addAccount(db.sql, a);
    await addAccount(db.sql, b);
    const shared = ec2(a, 'i-0same');
    await db.sql.transaction((tx) => computeOptimizerLoader.load(tx, payload([shared]), context(a, day1)));
    await db.sql.transaction((tx) => computeOptimizerLoader.load(tx, payload([shared]), context(b, day1)));
    expect((await table(db.sql, a)).map((r) => r.account_id)).toEqual([a]);
    expect((await table(db.sql, b)).map((r) => r.account_id)).toEqual([b]);
  });
});
