import { describe, expect, it } from 'vitest';
import { createClientFactory } from '../../../functions/adapters/aws/clients.ts';
import { sampleAccounts } from '../../../functions/adapters/local/sample-org/accounts.ts';
import { accountBuckets, regionInventory } from '../../../functions/adapters/local/sample-org/inventory.ts';
import { SampleOrganization } from '../../../functions/adapters/local/sample-org/organization.ts';
import {
  configRecorderOn,
  configServiceSimulator,
} from '../../../functions/adapters/local/sample-org/services/config-service.ts';
import type { SampleCall, ServiceSimulator } from '../../../functions/adapters/local/sample-org/simulator.ts';
import {
  type ConfigPayload,
  configCollector,
  INVENTORY_EXPRESSION,
} from '../../../functions/collectors/config.ts';
import type { CallStats } from '../../../functions/collectors/types.ts';
import { configLoader } from '../../../functions/loaders/config.ts';
import { DataContractError, SourceAccessError, TransientError } from '../../../functions/platform/errors.ts';
import type { Window } from '../../../functions/platform/period.ts';
import { silentLog } from '../../support/collect-context.ts';
import { databaseBackends, useDatabase } from '../../support/database.ts';
import { collectFromSample, SAMPLE_REGIONS } from '../../support/sample.ts';

const now = new Date('2026-11-26T06:00:00Z');
const nextDay = new Date('2026-11-27T06:00:00Z');
const window: Window = { period: 'DAILY', start: '2026-11-25', end: '2026-11-26' };
const nextWindow: Window = { period: 'DAILY', start: '2026-11-26', end: '2026-11-27' };
const simulators = [configServiceSimulator];

function recorded(): { simulators: ServiceSimulator[]; calls: SampleCall[] } {
  const calls: SampleCall[] = [];
  const spy: ServiceSimulator = {
    ...configServiceSimulator,
    operations: Object.fromEntries(
      Object.entries(configServiceSimulator.operations).map(([name, answer]) => [
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

async function collectOrganization(count: number, at: Date, collectedWindow: Window) {
  const org = new SampleOrganization({
    accounts: count,
    regions: SAMPLE_REGIONS,
    simulators,
    clock: { now: () => at },
  });
  const results = [];
  for (const account of org.accounts) {
    const stats: CallStats = { apiCalls: 0, throttled: 0 };
    const clients = createClientFactory(
      org.clientOptions(),
      { accountId: account.id, category: 'config', runId: `r-${at.toISOString()}` },
      stats,
    );
    const result = await configCollector.collect({
      accountId: account.id,
      window: collectedWindow,
      regions: SAMPLE_REGIONS,
      homeRegion: 'us-east-1',
      clients,
      now: at,
      log: silentLog,
    });
    results.push({ account, result });
  }
  return results;
}

/** The ids Config gives the shared inventory's resources of a region, by resource type. */
function inventoryIds(payload: ConfigPayload, region: string) {
  const ids = new Map<string, Set<string>>();
  for (const item of payload.config_inventory.filter((i) => i.region === region)) {
    ids.set(item.resource_type, (ids.get(item.resource_type) ?? new Set()).add(item.resource_id));
  }
  return ids;
}

describe('config collector against the sample organization', () => {
  it('collects a production account: packs, rules, non-compliant resources of its inventory, over many pages', async () => {
    const { simulators: spied, calls } = recorded();
    const { result, stats, account } = await collectFromSample(configCollector, {
      simulators: spied,
      window,
      now,
    });
    expect(account.environment).toBe('production');
    expect(configCollector.schema.safeParse(result.payload).success).toBe(true);
    expect(result.regions).toEqual(
      Object.fromEntries(SAMPLE_REGIONS.map((r) => [r, { status: 'SUCCEEDED' }])),
    );
    expect(stats.apiCalls).toBe(calls.length);

    // Every paginated call needed several pages somewhere.
    for (const operation of [
      'DescribeConformancePacks',
      'DescribeConformancePackCompliance',
      'DescribeComplianceByConfigRule',
      'GetComplianceDetailsByConfigRule',
      'SelectResourceConfig',
    ]) {
      expect(
        calls.some((c) => c.operation === operation && c.input.NextToken !== undefined),
        operation,
      ).toBe(true);
    }
    // Details only for the non-compliant rules.
    const detailed = new Set(
      calls
        .filter((c) => c.operation === 'GetComplianceDetailsByConfigRule')
        .map((c) => `${c.region} ${c.input.ConfigRuleName}`),
    );
    const failing = result.payload.rules.filter((r) => r.compliance === 'NON_COMPLIANT');
    expect(detailed).toEqual(new Set(failing.map((r) => `${r.region} ${r.name}`)));

    const { payload } = result;
    expect(payload.regions.map((r) => r.conformance_packs)).toEqual(
      SAMPLE_REGIONS.map(() => [
        expect.stringMatching(
          /^OrgConformsPack-Operational-Best-Practices-for-CIS-AWS-v1-4-Level1-[0-9a-f]{8}$/,
        ),
        'Operational-Best-Practices-for-AWS-Well-Architected-Security-Pillar',
        'Operational-Best-Practices-for-Amazon-S3',
      ]),
    );
    // IAM rules run in the home region only; other account-level rules in every region.
    const homeRules = payload.rules.filter((r) => r.region === 'us-east-1').map((r) => r.name);
    const otherRules = payload.rules.filter((r) => r.region === 'eu-west-1').map((r) => r.name);
    expect(homeRules.some((n) => n.startsWith('iam-root-access-key-check-conformance-pack-'))).toBe(true);
    expect(otherRules.some((n) => n.startsWith('iam-root-access-key-check'))).toBe(false);
    expect(otherRules.some((n) => n.startsWith('ec2-ebs-encryption-by-default-conformance-pack-'))).toBe(
      true,
    );
    expect(homeRules).toEqual(expect.arrayContaining(['ec2-volume-inuse-check', 'ec2-stopped-instance']));
    expect(new Set(payload.rules.map((r) => r.compliance))).toEqual(
      new Set(['COMPLIANT', 'NON_COMPLIANT', 'INSUFFICIENT_DATA']),
    );
    for (const rule of payload.rules) {
      expect(rule.pack === null).toBe(!rule.name.includes('-conformance-pack-'));
    }

    // The non-compliant resources are resources of the shared inventory, in the region that reports them.
    expect(payload.non_compliant_resources.length).toBeGreaterThan(30);
    for (const region of SAMPLE_REGIONS) {
      const inventory = regionInventory(account, region, SAMPLE_REGIONS, now);
      const buckets = accountBuckets(account, SAMPLE_REGIONS, now).filter((b) => b.region === region);
      const ids = inventoryIds(payload, region);
      expect(ids.get('AWS::EC2::Instance')).toEqual(
        new Set(inventory.instances.filter((i) => i.createdAt <= now).map((i) => i.id)),
      );
      expect(ids.get('AWS::S3::Bucket') ?? new Set()).toEqual(
        new Set(buckets.filter((b) => b.createdAt <= now).map((b) => b.name)),
      );
      for (const resource of payload.non_compliant_resources.filter((r) => r.region === region)) {
        if (resource.resource_type === 'AWS::::Account') {
          expect(resource.resource_id).toBe(account.id);
        } else {
          expect(ids.get(resource.resource_type)?.has(resource.resource_id), resource.resource_id).toBe(true);
        }
        expect(resource.config_rule_invoked_time <= resource.result_recorded_time).toBe(true);
        expect(resource.result_recorded_time <= now.toISOString()).toBe(true);
      }
    }
    const types = new Set(payload.non_compliant_resources.map((r) => r.resource_type));
    for (const type of ['AWS::EC2::Instance', 'AWS::EC2::Volume', 'AWS::S3::Bucket', 'AWS::EC2::Subnet']) {
      expect(types.has(type), type).toBe(true);
    }
    // The inventory holds no deleted resource, and sizes and states from the configuration.
    expect(payload.config_inventory.every((i) => i.configuration_item_status !== 'ResourceDeleted')).toBe(
      true,
    );
    const volume = payload.config_inventory.find((i) => i.resource_type === 'AWS::EC2::Volume');
    expect(volume).toMatchObject({
      state: expect.stringMatching(/^(in-use|available)$/),
      size_gb: expect.any(Number),
    });
    const database = payload.config_inventory.find((i) => i.resource_type === 'AWS::RDS::DBInstance');
    expect(database?.resource_id).toMatch(/^db-[A-Z0-9]{26}$/);
    expect(database?.instance_class).toMatch(/^db\./);
  });

  it('gives 18 or more of 20 accounts Config data in several regions; the sandbox has no recorder', async () => {
    const results = await collectOrganization(20, now, window);
    const withData = results.filter((r) => r.result.payload.regions.length > 0);
    expect(withData.length).toBeGreaterThanOrEqual(18);
    const skipped = results.filter((r) => r.result.skippedReason !== undefined);
    expect(skipped.map((r) => r.account.environment)).toEqual(['sandbox']);
    expect(skipped[0]?.result.skippedReason).toBe('AWS Config has no configuration recorder in us-east-1');
    expect(new Set(withData.flatMap((r) => r.result.payload.regions.map((g) => g.region)))).toEqual(
      new Set(SAMPLE_REGIONS),
    );
    for (const { result } of withData)
      expect(configCollector.schema.safeParse(result.payload).success).toBe(true);
  });

  it('skips the region where a development account has no recorder', async () => {
    const accounts = sampleAccounts(60, SAMPLE_REGIONS);
    const index = accounts.findIndex(
      (a) => !configRecorderOn(a, 'ap-southeast-2', SAMPLE_REGIONS) && a.environment === 'development',
    );
    expect(index).toBeGreaterThan(0);
    const { result } = await collectFromSample(configCollector, {
      simulators,
      window,
      now,
      accounts: 60,
      accountIndex: index,
    });
    expect(result.regions?.['ap-southeast-2']).toEqual({
      status: 'SKIPPED',
      error: {
        name: 'ServiceNotEnabledError',
        message: 'AWS Config has no configuration recorder in ap-southeast-2',
      },
    });
    expect(result.regions?.['us-east-1']).toEqual({ status: 'SUCCEEDED' });
    expect(result.skippedReason).toBeUndefined();
  });

  it('is deterministic, and replaced resources leave the non-compliant set and the inventory the next day', async () => {
    const a = await collectFromSample(configCollector, { simulators, window, now });
    const b = await collectFromSample(configCollector, { simulators, window, now });
    expect(a.result.payload).toEqual(b.result.payload);
    const c = await collectFromSample(configCollector, { simulators, window: nextWindow, now: nextDay });
    const keys = (p: ConfigPayload) =>
      new Set(p.non_compliant_resources.map((r) => `${r.region} ${r.rule_name} ${r.resource_id}`));
    const today = keys(a.result.payload);
    const tomorrow = keys(c.result.payload);
    expect([...today].filter((k) => !tomorrow.has(k)).length).toBeGreaterThan(0);
    expect([...tomorrow].filter((k) => !today.has(k)).length).toBeGreaterThan(0);
    const items = (p: ConfigPayload) => new Set(p.config_inventory.map((i) => i.resource_id));
    expect(
      [...items(a.result.payload)].filter((id) => !items(c.result.payload).has(id)).length,
    ).toBeGreaterThan(0);
  });

  it.each([
    ['access-denied', SourceAccessError, 'configservice:DescribeConfigurationRecorderStatus'],
    ['malformed', DataContractError, 'ConformancePackName'],
    ['throttle', TransientError, 'ThrottlingException'],
  ] as const)('answers the %s fault as AWS does', async (kind, type, text) => {
    const error = await collectFromSample(configCollector, {
      simulators,
      window,
      now,
      faults: [{ category: 'config', kind }],
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(type);
    expect((error as Error).message).toContain(text);
  });

  it('answers the not-enabled fault with no recorder: SKIPPED', async () => {
    const { result } = await collectFromSample(configCollector, {
      simulators,
      window,
      now,
      faults: [{ category: 'config', kind: 'not-enabled' }],
    });
    expect(result.skippedReason).toMatch(
      /NoAvailableConfigurationRecorderException: There are no customer managed/,
    );
  });
});

describe('the sample AWS Config validates requests as AWS does', () => {
  const accounts = sampleAccounts(20, SAMPLE_REGIONS);
  const account = accounts[6];
  if (!account) throw new Error('no account');
  const send = (operation: string, input: object, region = 'us-east-1') =>
    (configServiceSimulator.operations[operation] as (c: SampleCall) => object)({
      account,
      region,
      service: 'ConfigService',
      operation,
      input,
      now,
      accounts,
      regions: SAMPLE_REGIONS,
    });
  const errorOf = (run: () => unknown) => {
    try {
      run();
    } catch (error) {
      return (error as Error).name;
    }
    throw new Error('no error');
  };

  it('checks limits, tokens, names and filters', () => {
    expect(errorOf(() => send('DescribeConformancePacks', { Limit: 21 }))).toBe('InvalidLimitException');
    expect(errorOf(() => send('DescribeConformancePacks', { NextToken: 'made-up' }))).toBe(
      'InvalidNextTokenException',
    );
    expect(errorOf(() => send('DescribeConformancePacks', { ConformancePackNames: ['nope'] }))).toBe(
      'NoSuchConformancePackException',
    );
    expect(errorOf(() => send('DescribeConformancePackCompliance', {}))).toBe('ValidationException');
    expect(errorOf(() => send('DescribeConformancePackCompliance', { ConformancePackName: 'nope' }))).toBe(
      'NoSuchConformancePackException',
    );
    expect(errorOf(() => send('GetComplianceDetailsByConfigRule', { ConfigRuleName: 'nope' }))).toBe(
      'NoSuchConfigRuleException',
    );
    expect(
      errorOf(() =>
        send('GetComplianceDetailsByConfigRule', {
          ConfigRuleName: 'ec2-volume-inuse-check',
          ComplianceTypes: ['INSUFFICIENT_DATA'],
        }),
      ),
    ).toBe('InvalidParameterValueException');
    expect(
      errorOf(() =>
        send('GetComplianceDetailsByConfigRule', { ConfigRuleName: 'ec2-volume-inuse-check', Limit: 101 }),
      ),
    ).toBe('ValidationException');
    expect(errorOf(() => send('SelectResourceConfig', {}))).toBe('ValidationException');
    expect(errorOf(() => send('SelectResourceConfig', { Expression: 'SELECT resourceId WHERE x = 1' }))).toBe(
      'InvalidExpressionException',
    );
    expect(
      errorOf(() => send('SelectResourceConfig', { Expression: INVENTORY_EXPRESSION, Limit: 101 })),
    ).toBe('InvalidLimitException');
    const first = send('DescribeComplianceByConfigRule', {}) as { NextToken?: string };
    expect(
      errorOf(() =>
        send('DescribeComplianceByConfigRule', {
          ComplianceTypes: ['COMPLIANT'],
          NextToken: first.NextToken,
        }),
      ),
    ).toBe('InvalidNextTokenException');
  });

  it('answers an advanced query with the selected properties only, 25 items a page', () => {
    const page = send('SelectResourceConfig', {
      Expression: 'SELECT resourceId, configuration.size',
      Limit: 100,
    }) as {
      Results: string[];
      QueryInfo: { SelectFields: Array<{ Name: string }> };
      NextToken?: string;
    };
    expect(page.Results).toHaveLength(25);
    expect(page.QueryInfo.SelectFields).toEqual([{ Name: 'resourceId' }, { Name: 'configuration.size' }]);
    for (const result of page.Results) {
      const item = JSON.parse(result) as Record<string, unknown>;
      expect(Object.keys(item).filter((k) => k !== 'configuration')).toEqual(['resourceId']);
    }
    expect(page.NextToken).toBeDefined();
  });

  it('reports the recorder, and none where Config is off', () => {
    expect(send('DescribeConfigurationRecorderStatus', {})).toMatchObject({
      ConfigurationRecordersStatus: [{ name: 'default', recording: true, lastStatus: 'SUCCESS' }],
    });
    const sandbox = accounts.find((a) => a.environment === 'sandbox');
    expect(sandbox).toBeDefined();
    expect(
      (configServiceSimulator.operations.DescribeConfigurationRecorderStatus as (c: SampleCall) => object)({
        account: sandbox as (typeof accounts)[number],
        region: 'us-east-1',
        service: 'ConfigService',
        operation: 'DescribeConfigurationRecorderStatus',
        input: {},
        now,
        accounts,
        regions: SAMPLE_REGIONS,
      }),
    ).toEqual({ ConfigurationRecordersStatus: [] });
  });
});

describe.each(databaseBackends())('sample Config data in the database on $name', (backend) => {
  const db = useDatabase(backend);

  it('loads 20 accounts on two days: reports per region, resolved resources and removed inventory', async () => {
    const load = async (day: Date, at: Window) => {
      for (const { account, result } of await collectOrganization(20, day, at)) {
        await db.sql.execute(
          'INSERT INTO accounts (id, account_name) VALUES (:id, :name) ON CONFLICT (id) DO NOTHING',
          { id: account.id, name: account.name },
        );
        if (result.skippedReason !== undefined) continue;
        const complete = Object.entries(result.regions ?? {})
          .filter(([, o]) => o.status === 'SUCCEEDED')
          .map(([region]) => region);
        await db.sql.transaction((tx) =>
          configLoader.load(tx, result.payload, {
            accountId: account.id,
            window: at,
            runId: 'r-sample',
            seenAt: day,
            completeRegions: complete,
          }),
        );
      }
    };
    await load(now, window);
    await load(nextDay, nextWindow);
    const [reports] = await db.sql.query<{ accounts: number; regions: number }>(
      'SELECT COUNT(DISTINCT account_id)::int AS accounts, COUNT(DISTINCT region)::int AS regions FROM config_reports',
    );
    expect(reports?.accounts).toBeGreaterThanOrEqual(18);
    expect(reports?.regions).toBe(3);
    const [resources] = await db.sql.query<{ resolved: number; open: number; linked: number }>(
      `SELECT COUNT(*) FILTER (WHERE status = 'RESOLVED' AND removed_at = CAST(:day AS timestamptz))::int AS resolved,
              COUNT(*) FILTER (WHERE status = 'OPEN')::int AS open,
              COUNT(*) FILTER (WHERE config_report_id IS NOT NULL)::int AS linked
       FROM non_compliant_resources`,
      { day: nextDay },
    );
    expect(resources?.resolved).toBeGreaterThan(0);
    expect(resources?.open).toBeGreaterThan(500);
    expect(resources?.linked).toBe((resources?.open ?? 0) + (resources?.resolved ?? 0));
    const [inventory] = await db.sql.query<{ removed: number; current: number }>(
      `SELECT COUNT(*) FILTER (WHERE removed_at IS NOT NULL)::int AS removed,
              COUNT(*) FILTER (WHERE removed_at IS NULL)::int AS current
       FROM config_inventory`,
    );
    expect(inventory?.removed).toBeGreaterThan(0);
    expect(inventory?.current).toBeGreaterThan(1000);
  });
});
