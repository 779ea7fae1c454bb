import { describe, expect, it } from 'vitest';
import type {
  ApplicationSignalsPayload,
  ApplicationSignalsService,
} from '../../../functions/collectors/application-signals.ts';
import {
  applicationSignalsLoader,
  applicationSignalsRows,
} from '../../../functions/loaders/application-signals.ts';
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

function service(
  region: string,
  name: string,
  environment: string,
  overrides: Partial<ApplicationSignalsService> = {},
): ApplicationSignalsService {
  const dimensions = [
    { name: 'Environment', value: environment },
    { name: 'Service', value: name },
  ];
  return {
    region,
    service_name: name,
    environment,
    type: 'Service',
    namespace: 'ApplicationSignals',
    key_attributes: { Type: 'Service', Name: name, Environment: environment },
    attribute_map: [{ PlatformType: 'AWS::EKS', 'EKS.Cluster': 'checkout-prod' }],
    platform_type: 'AWS::EKS',
    metric_references: [
      { namespace: 'ApplicationSignals', metric_type: 'LATENCY', metric_name: 'Latency', dimensions },
    ],
    service_level_objectives: [],
    ...overrides,
  };
}

const checkout = service('us-east-1', 'checkout-api', 'eks:checkout-prod/checkout', {
  service_level_objectives: ['checkout-api-availability'],
});
/** The same service name in another environment and in another region: three rows. */
const checkoutEcs = service('us-east-1', 'checkout-api', 'ecs:checkout-prod', {
  attribute_map: [{ PlatformType: 'AWS::ECS', 'ECS.Cluster': 'checkout-prod' }],
  platform_type: 'AWS::ECS',
});
const checkoutEu = service('eu-west-1', 'checkout-api', 'eks:checkout-prod/checkout');

const payload: ApplicationSignalsPayload = { services: [checkout, checkoutEcs, checkoutEu] };

const tableOf = (sql: Sql) => sql.query('SELECT * FROM application_signals ORDER BY id');

async function addAccount(sql: Sql, id: string, name: string) {
  await sql.execute('INSERT INTO accounts (id, account_name) VALUES (:id, :name)', { id, name });
}

describe('application-signals rows', () => {
  it('are the payload services with the account', () => {
    expect(applicationSignalsRows(payload, '123456789012')).toEqual(
      payload.services.map((s) => ({ account_id: '123456789012', ...s })),
    );
  });
});

describe.each(databaseBackends())('application-signals loader on $name', (backend) => {
  const db = useDatabase(backend);

  it('writes one row per region, service and environment, exactly, and a reload changes nothing', async () => {
    const accountId = '111111111111';
    await addAccount(db.sql, accountId, 'checkout-prod');
    const written = await db.sql.transaction((tx) =>
      applicationSignalsLoader.load(tx, payload, context(accountId, day1)),
    );
    expect(written).toBe(3);
    const first = await tableOf(db.sql);
    expect(first.map(({ id: _id, created_at: _c, updated_at: _u, ...row }) => row)).toEqual([
      {
        account_id: accountId,
        region: 'us-east-1',
        service_name: 'checkout-api',
        environment: 'eks:checkout-prod/checkout',
        type: 'Service',
        namespace: 'ApplicationSignals',
        key_attributes: { Type: 'Service', Name: 'checkout-api', Environment: 'eks:checkout-prod/checkout' },
        attribute_map: [{ PlatformType: 'AWS::EKS', 'EKS.Cluster': 'checkout-prod' }],
        platform_type: 'AWS::EKS',
        metric_references: checkout.metric_references,
        service_level_objectives: ['checkout-api-availability'],
        first_seen: day1,
        last_seen: day1,
        removed_at: null,
      },
      expect.objectContaining({
        region: 'us-east-1',
        environment: 'ecs:checkout-prod',
        platform_type: 'AWS::ECS',
      }),
      expect.objectContaining({ region: 'eu-west-1', environment: 'eks:checkout-prod/checkout' }),
    ]);

    await db.sql.transaction((tx) => applicationSignalsLoader.load(tx, payload, context(accountId, day1)));
    expect(await tableOf(db.sql)).toEqual(first);
  });

  it('marks services gone only in the regions that were collected, and updates changed ones in place', async () => {
    const accountId = '222222222222';
    await addAccount(db.sql, accountId, 'payments-prod');
    await db.sql.transaction((tx) => applicationSignalsLoader.load(tx, payload, context(accountId, day1)));

    // Day 2: eu-west-1 failed; in us-east-1 the ECS service is gone and the EKS one has a second SLO.
    const changed = {
      ...checkout,
      service_level_objectives: ['checkout-api-availability', 'checkout-api-latency-p99'],
    };
    await db.sql.transaction((tx) =>
      applicationSignalsLoader.load(tx, { services: [changed] }, context(accountId, day2, ['us-east-1'])),
    );
    const rows = await db.sql.query(
      `SELECT region, environment, service_level_objectives, last_seen, removed_at FROM application_signals
       WHERE account_id = :a ORDER BY region, environment`,
      { a: accountId },
    );
    expect(rows).toEqual([
      {
        region: 'eu-west-1',
        environment: 'eks:checkout-prod/checkout',
        service_level_objectives: [],
        last_seen: day1,
        removed_at: null,
      },
      {
        region: 'us-east-1',
        environment: 'ecs:checkout-prod',
        service_level_objectives: [],
        last_seen: day1,
        removed_at: day2,
      },
      {
        region: 'us-east-1',
        environment: 'eks:checkout-prod/checkout',
        service_level_objectives: ['checkout-api-availability', 'checkout-api-latency-p99'],
        last_seen: day2,
        removed_at: null,
      },
    ]);
  });
});
