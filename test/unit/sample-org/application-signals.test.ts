import {
  ApplicationSignalsClient,
  ListServiceLevelObjectivesCommand,
  ListServicesCommand,
  type ListServicesCommandInput,
} from '@aws-sdk/client-application-signals';
import { describe, expect, it } from 'vitest';
import { createClientFactory } from '../../../functions/adapters/aws/clients.ts';
import { isRegionEnabled, sampleAccounts } from '../../../functions/adapters/local/sample-org/accounts.ts';
import { regionInventory } from '../../../functions/adapters/local/sample-org/inventory.ts';
import { SampleOrganization } from '../../../functions/adapters/local/sample-org/organization.ts';
import { applicationSignalsSimulator } from '../../../functions/adapters/local/sample-org/services/application-signals.ts';
import type { SampleCall, ServiceSimulator } from '../../../functions/adapters/local/sample-org/simulator.ts';
import { applicationSignalsCollector } from '../../../functions/collectors/application-signals.ts';
import type { CallStats } from '../../../functions/collectors/types.ts';
import { applicationSignalsLoader } from '../../../functions/loaders/application-signals.ts';
import { DataContractError, SourceAccessError, TransientError } from '../../../functions/platform/errors.ts';
import { silentLog } from '../../support/collect-context.ts';
import { databaseBackends, useDatabase } from '../../support/database.ts';
import { collectFromSample, SAMPLE_REGIONS } from '../../support/sample.ts';

const now = new Date('2026-11-26T06:00:00Z');
const nextDay = new Date('2026-11-27T06:00:00Z');
const window = { period: 'DAILY' as const, start: '2026-11-25', end: '2026-11-26' };
const simulators = [applicationSignalsSimulator];
const HOUR_MS = 3_600_000;

function recorded(): { simulators: ServiceSimulator[]; calls: SampleCall[] } {
  const calls: SampleCall[] = [];
  const spy: ServiceSimulator = {
    ...applicationSignalsSimulator,
    operations: Object.fromEntries(
      Object.entries(applicationSignalsSimulator.operations).map(([name, answer]) => [
        name,
        (call: SampleCall) => {
          calls.push(call);
          return answer(call);
        },
      ]),
    ),
  };
  return { simulators: [spy], calls };
}

const keyOf = (s: { region: string; service_name: string; environment: string }) =>
  `${s.region}|${s.service_name}|${s.environment}`;

describe('application-signals collector against the sample organization', () => {
  it('collects a production account: services in every region, over several pages, with their SLOs', async () => {
    const { simulators: spied, calls } = recorded();
    const { result, stats, account } = await collectFromSample(applicationSignalsCollector, {
      simulators: spied,
      window,
      now,
    });
    expect(account.environment).toBe('production');
    expect(applicationSignalsCollector.schema.safeParse(result.payload).success).toBe(true);
    expect(result.regions).toEqual(
      Object.fromEntries(SAMPLE_REGIONS.map((r) => [r, { status: 'SUCCEEDED' }])),
    );
    expect(stats.apiCalls).toBe(calls.length);
    const home = calls.filter((c) => c.region === 'us-east-1');
    for (const operation of ['ListServices', 'ListServiceLevelObjectives']) {
      const pages = home.filter((c) => c.operation === operation);
      expect(pages.length).toBeGreaterThanOrEqual(2);
      expect(pages.slice(1).every((c) => typeof c.input.NextToken === 'string')).toBe(true);
    }
    // The 23 hours before the collection, rounded to hours by the service.
    const first = calls.find((c) => c.operation === 'ListServices');
    expect(first?.input.EndTime).toEqual(now);
    expect(first?.input.StartTime).toEqual(new Date(now.getTime() - 23 * HOUR_MS));

    const services = result.payload.services;
    for (const region of SAMPLE_REGIONS) expect(services.some((s) => s.region === region)).toBe(true);
    expect(new Set(services.map((s) => s.platform_type))).toEqual(
      new Set(['AWS::EKS', 'AWS::ECS', 'AWS::EC2', 'AWS::Lambda']),
    );
    expect(new Set(services.map(keyOf)).size).toBe(services.length);
    for (const service of services) {
      expect(service.key_attributes).toEqual({
        Type: 'Service',
        Name: service.service_name,
        Environment: service.environment,
      });
      expect(service.metric_references.map((m) => m.metric_type)).toEqual(['LATENCY', 'ERROR', 'FAULT']);
      if (service.platform_type === 'AWS::EKS')
        expect(service.environment).toBe(`eks:${account.name}/checkout`);
      if (service.platform_type === 'AWS::ECS') expect(service.environment).toBe(`ecs:${account.name}`);
    }
    // Lambda and EC2 services run on the account's functions and instances of the shared inventory.
    for (const service of services.filter((s) => s.platform_type === 'AWS::Lambda')) {
      const functions = regionInventory(account, service.region, SAMPLE_REGIONS, now).functions;
      const yesterday = regionInventory(
        account,
        service.region,
        SAMPLE_REGIONS,
        new Date(now.getTime() - 86_400_000),
      );
      expect([...functions, ...yesterday.functions].map((f) => f.name)).toContain(service.service_name);
    }
    const withSlos = services.filter((s) => s.service_level_objectives.length > 0);
    expect(withSlos.length).toBeGreaterThan(0);
    for (const service of withSlos) {
      expect(service.service_level_objectives[0]).toMatch(new RegExp(`^${service.service_name}-`));
    }
    expect(result.rows).toBe(services.length);
  });

  it('is deterministic, and services are replaced from one day to the next', async () => {
    const a = await collectFromSample(applicationSignalsCollector, { simulators, window, now });
    const b = await collectFromSample(applicationSignalsCollector, { simulators, window, now });
    expect(a.result.payload).toEqual(b.result.payload);
    let gone = 0;
    let appeared = 0;
    for (const accountIndex of [5, 6, 7, 8, 9, 10]) {
      const today = await collectFromSample(applicationSignalsCollector, {
        simulators,
        window,
        now,
        accountIndex,
      });
      const tomorrow = await collectFromSample(applicationSignalsCollector, {
        simulators,
        window,
        now: nextDay,
        accountIndex,
      });
      const before = new Set(today.result.payload.services.map(keyOf));
      const after = new Set(tomorrow.result.payload.services.map(keyOf));
      gone += [...before].filter((k) => !after.has(k)).length;
      appeared += [...after].filter((k) => !before.has(k)).length;
    }
    expect(gone).toBeGreaterThan(0);
    expect(appeared).toBeGreaterThan(0);
  });

  it('has services in at least 18 of the first 20 accounts, in several regions', async () => {
    const accounts = sampleAccounts(20, SAMPLE_REGIONS);
    let withServices = 0;
    const regions = new Set<string>();
    for (const account of accounts) {
      const { result } = await collectFromSample(applicationSignalsCollector, {
        simulators,
        window,
        now,
        accounts: 20,
        accountIndex: account.index,
      });
      if (result.rows > 0) withServices += 1;
      for (const service of result.payload.services) regions.add(service.region);
      expect(result.skippedReason).toBeUndefined();
    }
    expect(withServices).toBeGreaterThanOrEqual(18);
    expect(regions).toEqual(new Set(SAMPLE_REGIONS));
  });

  it('skips an opt-in region the account has not enabled', async () => {
    const regions = ['us-east-1', 'me-south-1'];
    const org = new SampleOrganization({ accounts: 20, regions, simulators, clock: { now: () => now } });
    const off = org.accounts.find((a) => a.environment === 'production' && !isRegionEnabled(a, 'me-south-1'));
    if (!off) throw new Error('every production account has me-south-1');
    const stats: CallStats = { apiCalls: 0, throttled: 0 };
    const clients = createClientFactory(
      org.clientOptions(),
      { accountId: off.id, category: 'application-signals', runId: 'r' },
      stats,
    );
    const result = await applicationSignalsCollector.collect({
      accountId: off.id,
      window,
      regions,
      homeRegion: 'us-east-1',
      clients,
      now,
      log: silentLog,
    });
    expect(result.regions?.['me-south-1']).toMatchObject({
      status: 'SKIPPED',
      error: { name: 'ServiceNotEnabledError' },
    });
    expect(result.regions?.['us-east-1']).toEqual({ status: 'SUCCEEDED' });
    expect(result.payload.services.every((s) => s.region === 'us-east-1')).toBe(true);
  });

  it.each([
    ['not-enabled', SourceAccessError],
    ['access-denied', SourceAccessError],
    ['malformed', DataContractError],
    ['throttle', TransientError],
  ] as const)('answers the %s fault as AWS does', async (kind, type) => {
    await expect(
      collectFromSample(applicationSignalsCollector, {
        simulators,
        window,
        now,
        faults: [{ category: 'application-signals', kind }],
      }),
    ).rejects.toBeInstanceOf(type);
  });

  describe('the Application Signals API as the simulator serves it', () => {
    const org = new SampleOrganization({
      accounts: 12,
      regions: SAMPLE_REGIONS,
      simulators,
      clock: { now: () => now },
    });
    const account = org.accounts[6];
    if (!account) throw new Error('no sample account');
    const client = createClientFactory(
      org.clientOptions(),
      { accountId: account.id, category: 'application-signals', runId: 'r-direct' },
      { apiCalls: 0, throttled: 0 },
    ).client(ApplicationSignalsClient, 'us-east-1');
    const list = (input: ListServicesCommandInput) => client.send(new ListServicesCommand(input));
    const range = { StartTime: new Date('2026-11-25T07:10:00Z'), EndTime: new Date('2026-11-26T05:50:00Z') };

    it('rounds the range to the hour and pages with its token', async () => {
      const first = await list({ ...range, MaxResults: 100 });
      expect(first.StartTime).toEqual(new Date('2026-11-25T07:00:00Z'));
      expect(first.EndTime).toEqual(new Date('2026-11-26T06:00:00Z'));
      expect(first.ServiceSummaries?.length).toBe(8);
      expect(first.NextToken).toBeDefined();
      const second = await list({ ...range, MaxResults: 100, NextToken: first.NextToken });
      expect(second.ServiceSummaries?.[0]?.KeyAttributes).not.toEqual(
        first.ServiceSummaries?.[0]?.KeyAttributes,
      );
      expect((await list({ ...range, MaxResults: 3 })).ServiceSummaries).toHaveLength(3);
    });

    it('filters SLOs on a service and rejects what Application Signals rejects', async () => {
      const services = (await list({ ...range, MaxResults: 100 })).ServiceSummaries ?? [];
      const all = await client.send(new ListServiceLevelObjectivesCommand({ MaxResults: 50 }));
      const target = all.SloSummaries?.find((s) => s.KeyAttributes !== undefined);
      expect(target).toBeDefined();
      const filtered = await client.send(
        new ListServiceLevelObjectivesCommand({ KeyAttributes: target?.KeyAttributes, MaxResults: 50 }),
      );
      expect(filtered.SloSummaries?.every((s) => s.KeyAttributes?.Name === target?.KeyAttributes?.Name)).toBe(
        true,
      );
      expect(services.length).toBeGreaterThan(0);

      await expect(list({ ...range, MaxResults: 101 })).rejects.toMatchObject({
        name: 'ValidationException',
      });
      await expect(list({ StartTime: range.EndTime, EndTime: range.StartTime })).rejects.toMatchObject({
        name: 'ValidationException',
      });
      await expect(list({ ...range, NextToken: 'made-up' })).rejects.toMatchObject({
        name: 'ValidationException',
      });
      await expect(
        client.send(new ListServiceLevelObjectivesCommand({ MaxResults: 51 })),
      ).rejects.toMatchObject({
        name: 'ValidationException',
      });
    });
  });
});

describe.each(databaseBackends())('sample Application Signals data in the database on $name', (backend) => {
  const db = useDatabase(backend);

  it('loads a production account and, the next day, marks the services no longer reported', async () => {
    const first = await collectFromSample(applicationSignalsCollector, {
      simulators,
      window,
      now,
      accountIndex: 7,
    });
    const second = await collectFromSample(applicationSignalsCollector, {
      simulators,
      window,
      now: nextDay,
      accountIndex: 7,
    });
    const { account } = first;
    await db.sql.execute('INSERT INTO accounts (id, account_name) VALUES (:id, :name)', {
      id: account.id,
      name: account.name,
    });
    for (const [{ result }, seenAt] of [
      [first, now],
      [second, nextDay],
    ] as const) {
      await db.sql.transaction((tx) =>
        applicationSignalsLoader.load(tx, result.payload, {
          accountId: account.id,
          window,
          runId: 'r',
          seenAt,
          completeRegions: 'all',
        }),
      );
    }
    const rows = await db.sql.query<{
      region: string;
      service_name: string;
      environment: string;
      removed_at: Date | null;
    }>(
      'SELECT region, service_name, environment, removed_at FROM application_signals WHERE account_id = :a',
      { a: account.id },
    );
    const current = second.result.payload.services.map(keyOf).sort();
    expect(
      rows
        .filter((r) => r.removed_at === null)
        .map(keyOf)
        .sort(),
    ).toEqual(current);
    expect(rows.length).toBeGreaterThanOrEqual(current.length);
  });
});
