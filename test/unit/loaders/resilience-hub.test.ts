import { describe, expect, it } from 'vitest';
import {
  LAST_DRILL_NOTE,
  type ResilienceHubApp,
  type ResilienceHubPayload,
} from '../../../functions/collectors/resilience-hub.ts';
import { resilienceHubLoader, resilienceHubRows } from '../../../functions/loaders/resilience-hub.ts';
import type { LoadContext } from '../../../functions/loaders/types.ts';
import type { Sql } from '../../../functions/ports.ts';
import { databaseBackends, useDatabase } from '../../support/database.ts';

const day1 = new Date('2026-11-26T06:00:00Z');
const day2 = new Date('2026-11-27T06:00:00Z');

function context(
  accountId: string,
  seenAt: Date,
  completeRegions: LoadContext['completeRegions'] = 'all',
): LoadContext {
  return {
    accountId,
    window: { period: 'DAILY', start: '2026-11-25', end: '2026-11-26' },
    runId: 'r-test',
    seenAt,
    completeRegions,
  };
}

function app(
  accountId: string,
  region: string,
  id: string,
  overrides: Partial<ResilienceHubApp> = {},
): ResilienceHubApp {
  return {
    app_arn: `arn:aws:resiliencehub:${region}:${accountId}:app/${id}`,
    name: `checkout-${id}`,
    description: 'Public API on EKS with Aurora PostgreSQL',
    region,
    creation_time: '2026-10-01T09:00:00.000Z',
    status: 'Active',
    compliance_status: 'PolicyBreached',
    resiliency_score: 62.5,
    drift_status: 'NotDetected',
    assessment_schedule: 'Daily',
    last_assessment_time: '2026-11-26T02:20:00.000Z',
    policy_arn: `arn:aws:resiliencehub:${region}:${accountId}:resiliency-policy/critical`,
    policy_name: 'critical-policy',
    policy_tier: 'Critical',
    rto: 1800,
    rpo: 300,
    policy_objectives: [
      { disruption_type: 'AZ', rto_in_secs: 1800, rpo_in_secs: 300 },
      { disruption_type: 'Region', rto_in_secs: 14400, rpo_in_secs: 3600 },
    ],
    assessment_arn: `arn:aws:resiliencehub:${region}:${accountId}:app-assessment/${id}-1`,
    assessment_compliance: [
      {
        disruption_type: 'AZ',
        compliance_status: 'PolicyMet',
        current_rto_in_secs: 1200,
        current_rpo_in_secs: 240,
        achievable_rto_in_secs: 700,
        achievable_rpo_in_secs: 140,
      },
    ],
    cost: 1234.5,
    cost_currency: 'USD',
    cost_frequency: 'Monthly',
    last_drill: null,
    ...overrides,
  };
}

function payload(accountId: string): ResilienceHubPayload {
  return {
    apps: [
      app(accountId, 'us-east-1', 'core-api'),
      app(accountId, 'us-east-1', 'draft', {
        description: null,
        compliance_status: 'NotAssessed',
        resiliency_score: null,
        last_assessment_time: null,
        policy_arn: null,
        policy_name: null,
        policy_tier: null,
        rto: null,
        rpo: null,
        policy_objectives: [],
        assessment_arn: null,
        assessment_compliance: [],
        cost: null,
        cost_currency: null,
        cost_frequency: null,
      }),
      app(accountId, 'eu-west-1', 'web'),
    ],
    last_drill_note: LAST_DRILL_NOTE,
  };
}

const tableOf = (sql: Sql) => sql.query('SELECT * FROM resilience_hub_apps ORDER BY id');

async function addAccount(sql: Sql, id: string, name: string) {
  await sql.execute('INSERT INTO accounts (id, account_name) VALUES (:id, :name)', { id, name });
}

describe('resilience-hub rows', () => {
  it('are the payload apps with the account', () => {
    const rows = resilienceHubRows(payload('123456789012'), '123456789012');
    expect(rows).toHaveLength(3);
    expect(rows[0]).toEqual({ account_id: '123456789012', ...app('123456789012', 'us-east-1', 'core-api') });
  });
});

describe.each(databaseBackends())('resilience-hub loader on $name', (backend) => {
  const db = useDatabase(backend);

  it('writes every app exactly, and a reload changes nothing', async () => {
    const accountId = '111111111111';
    await addAccount(db.sql, accountId, 'checkout-prod');
    const written = await db.sql.transaction((tx) =>
      resilienceHubLoader.load(tx, payload(accountId), context(accountId, day1)),
    );
    expect(written).toBe(3);
    const first = await tableOf(db.sql);
    expect(first.map(({ id: _id, created_at: _c, updated_at: _u, ...row }) => row)[0]).toEqual({
      account_id: accountId,
      app_arn: `arn:aws:resiliencehub:us-east-1:${accountId}:app/core-api`,
      name: 'checkout-core-api',
      description: 'Public API on EKS with Aurora PostgreSQL',
      region: 'us-east-1',
      creation_time: new Date('2026-10-01T09:00:00Z'),
      status: 'Active',
      compliance_status: 'PolicyBreached',
      resiliency_score: '62.50',
      drift_status: 'NotDetected',
      assessment_schedule: 'Daily',
      last_assessment_time: new Date('2026-11-26T02:20:00Z'),
      policy_arn: `arn:aws:resiliencehub:us-east-1:${accountId}:resiliency-policy/critical`,
      policy_name: 'critical-policy',
      policy_tier: 'Critical',
      rto: 1800,
      rpo: 300,
      policy_objectives: [
        { disruption_type: 'AZ', rto_in_secs: 1800, rpo_in_secs: 300 },
        { disruption_type: 'Region', rto_in_secs: 14400, rpo_in_secs: 3600 },
      ],
      assessment_arn: `arn:aws:resiliencehub:us-east-1:${accountId}:app-assessment/core-api-1`,
      assessment_compliance: [
        {
          disruption_type: 'AZ',
          compliance_status: 'PolicyMet',
          current_rto_in_secs: 1200,
          current_rpo_in_secs: 240,
          achievable_rto_in_secs: 700,
          achievable_rpo_in_secs: 140,
        },
      ],
      cost: '1234.5000000000',
      cost_currency: 'USD',
      cost_frequency: 'Monthly',
      last_drill: null,
      first_seen: day1,
      last_seen: day1,
      removed_at: null,
    });
    expect(first[1]).toMatchObject({
      name: 'checkout-draft',
      description: null,
      resiliency_score: null,
      rto: null,
      policy_objectives: [],
      cost: null,
    });

    await db.sql.transaction((tx) =>
      resilienceHubLoader.load(tx, payload(accountId), context(accountId, day1)),
    );
    expect(await tableOf(db.sql)).toEqual(first);
  });

  it('keeps the latest assessment, and marks apps gone only in the regions that were collected', async () => {
    const accountId = '222222222222';
    await addAccount(db.sql, accountId, 'payments-prod');
    await db.sql.transaction((tx) =>
      resilienceHubLoader.load(tx, payload(accountId), context(accountId, day1)),
    );

    // Day 2: eu-west-1 failed; in us-east-1 the draft was deleted and the core app assessed again.
    const reassessed = app(accountId, 'us-east-1', 'core-api', {
      compliance_status: 'PolicyMet',
      resiliency_score: 71,
      last_assessment_time: '2026-11-27T02:18:00.000Z',
      assessment_arn: `arn:aws:resiliencehub:us-east-1:${accountId}:app-assessment/core-api-2`,
    });
    await db.sql.transaction((tx) =>
      resilienceHubLoader.load(
        tx,
        { apps: [reassessed], last_drill_note: LAST_DRILL_NOTE },
        context(accountId, day2, ['us-east-1']),
      ),
    );
    const rows = await db.sql.query(
      `SELECT name, region, compliance_status, resiliency_score, assessment_arn, last_seen, removed_at
       FROM resilience_hub_apps WHERE account_id = :a ORDER BY name`,
      { a: accountId },
    );
    expect(rows).toEqual([
      {
        name: 'checkout-core-api',
        region: 'us-east-1',
        compliance_status: 'PolicyMet',
        resiliency_score: '71.00',
        assessment_arn: `arn:aws:resiliencehub:us-east-1:${accountId}:app-assessment/core-api-2`,
        last_seen: day2,
        removed_at: null,
      },
      {
        name: 'checkout-draft',
        region: 'us-east-1',
        compliance_status: 'NotAssessed',
        resiliency_score: null,
        assessment_arn: null,
        last_seen: day1,
        removed_at: day2,
      },
      {
        name: 'checkout-web',
        region: 'eu-west-1',
        compliance_status: 'PolicyBreached',
        resiliency_score: '62.50',
        assessment_arn: `arn:aws:resiliencehub:eu-west-1:${accountId}:app-assessment/web-1`,
        last_seen: day1,
        removed_at: null,
      },
    ]);
  });
});
