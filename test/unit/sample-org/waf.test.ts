import { describe, expect, it } from 'vitest';
import { createClientFactory } from '../../../functions/adapters/aws/clients.ts';
import { isRegionEnabled, sampleAccounts } from '../../../functions/adapters/local/sample-org/accounts.ts';
import { SampleOrganization } from '../../../functions/adapters/local/sample-org/organization.ts';
import { cloudFrontSimulator } from '../../../functions/adapters/local/sample-org/services/cloudfront.ts';
import {
  sampleWebAcls,
  wafv2Simulator,
} from '../../../functions/adapters/local/sample-org/services/wafv2.ts';
import {
  existsAt,
  type SampleCall,
  type ServiceSimulator,
} from '../../../functions/adapters/local/sample-org/simulator.ts';
import type { CallStats } from '../../../functions/collectors/types.ts';
import { wafCollector } from '../../../functions/collectors/waf.ts';
import { wafLoader } from '../../../functions/loaders/waf.ts';
import { DataContractError, SourceAccessError, TransientError } from '../../../functions/platform/errors.ts';
import { silentLog } from '../../support/collect-context.ts';
import { databaseBackends, useDatabase } from '../../support/database.ts';
import { collectFromSample, SAMPLE_REGIONS } from '../../support/sample.ts';

const now = new Date('2026-11-26T06:00:00Z');
const window = { period: 'DAILY' as const, start: '2026-11-25', end: '2026-11-26' };
const simulators = [wafv2Simulator, cloudFrontSimulator];
const DAY_MS = 86_400_000;

/** The simulators, recording every call they answer. */
function recorded(): { simulators: ServiceSimulator[]; calls: SampleCall[] } {
  const calls: SampleCall[] = [];
  const spy = (simulator: ServiceSimulator): ServiceSimulator => ({
    ...simulator,
    operations: Object.fromEntries(
      Object.entries(simulator.operations).map(([name, answer]) => [
        name,
        (call: SampleCall) => {
          calls.push(call);
          return answer(call);
        },
      ]),
    ),
  });
  return { simulators: simulators.map(spy), calls };
}

/** Collects one account of an organization whose configured regions are `regions`. */
async function collectWithRegions(regions: string[], pick: (org: SampleOrganization) => string, at = now) {
  const org = new SampleOrganization({ accounts: 20, regions, simulators, clock: { now: () => at } });
  const accountId = pick(org);
  const stats: CallStats = { apiCalls: 0, throttled: 0 };
  const clients = createClientFactory(
    org.clientOptions(),
    { accountId, category: 'waf', runId: 'r-sample' },
    stats,
  );
  return wafCollector.collect({
    accountId,
    window,
    regions,
    homeRegion: 'us-east-1',
    clients,
    now: at,
    log: silentLog,
  });
}

describe('waf collector against the sample organization', () => {
  it('collects every region and the CloudFront scope once, paging through the web ACLs', async () => {
    const { simulators: spied, calls } = recorded();
    const { result, stats } = await collectFromSample(wafCollector, { simulators: spied, window, now });

    expect(wafCollector.schema.safeParse(result.payload).success).toBe(true);
    expect(result.regions).toEqual({
      global: { status: 'SUCCEEDED' },
      'us-east-1': { status: 'SUCCEEDED' },
      'eu-west-1': { status: 'SUCCEEDED' },
      'ap-southeast-2': { status: 'SUCCEEDED' },
    });
    const cloudFrontLists = calls.filter(
      (c) => c.operation === 'ListWebACLs' && c.input.Scope === 'CLOUDFRONT',
    );
    // One listing of the CLOUDFRONT scope (its web ACL, then the empty page after the last marker), in us-east-1.
    expect(cloudFrontLists.map((c) => [c.region, c.input.NextMarker === undefined])).toEqual([
      ['us-east-1', true],
      ['us-east-1', false],
    ]);
    for (const region of SAMPLE_REGIONS) {
      const pages = calls.filter(
        (c) => c.operation === 'ListWebACLs' && c.input.Scope === 'REGIONAL' && c.region === region,
      );
      expect(pages.length).toBeGreaterThanOrEqual(2);
      expect(pages.slice(1).every((c) => typeof c.input.NextMarker === 'string')).toBe(true);
    }
    expect(calls.filter((c) => c.operation === 'ListDistributionsByWebACLId').map((c) => c.region)).toEqual(
      expect.arrayContaining(['us-east-1']),
    );
    expect(
      calls.filter((c) => c.operation === 'ListResourcesForWebACL' && c.input.ResourceType === 'CLOUDFRONT'),
    ).toEqual([]);
    expect(stats.apiCalls).toBe(calls.length);

    const { web_acls: acls, rules } = result.payload;
    const global = acls.filter((a) => a.region === 'global');
    expect(global).toHaveLength(1);
    expect(global[0]?.scope).toBe('CLOUDFRONT');
    expect(global[0]?.arn).toMatch(/^arn:aws:wafv2:us-east-1:\d{12}:global\/webacl\/[^/]+\/[0-9a-f-]{36}$/);
    expect(
      global[0]?.associated_resources.every((arn) =>
        /^arn:aws:cloudfront::\d{12}:distribution\/E[A-Z0-9]{13}$/.test(arn),
      ),
    ).toBe(true);
    for (const region of SAMPLE_REGIONS) {
      const regional = acls.filter((a) => a.region === region);
      expect(regional.length).toBeGreaterThanOrEqual(2);
      expect(
        regional.every((a) => a.arn.startsWith(`arn:aws:wafv2:${region}:`) && a.scope === 'REGIONAL'),
      ).toBe(true);
    }
    const services = new Set(acls.flatMap((a) => a.associated_resources.map((arn) => arn.split(':')[2])));
    expect([...services].sort()).toEqual(expect.arrayContaining(['cloudfront', 'elasticloadbalancing']));
    expect(acls.some((a) => a.logging_enabled) && acls.some((a) => !a.logging_enabled)).toBe(true);
    expect(rules.some((r) => r.is_compliant) && rules.some((r) => !r.is_compliant)).toBe(true);
    expect(rules.filter((r) => r.statement_type === 'ManagedRuleGroupStatement').length).toBeGreaterThan(0);
    expect(result.rows).toBe(acls.length + rules.length);
    for (const acl of acls) {
      expect(rules.filter((r) => r.web_acl_arn === acl.arn)).toHaveLength(acl.rules_count);
    }
  });

  it('is deterministic', async () => {
    const a = await collectFromSample(wafCollector, { simulators, window, now });
    const b = await collectFromSample(wafCollector, { simulators, window, now });
    expect(a.result.payload).toEqual(b.result.payload);
  });

  it('has no web ACLs in a sandbox account', async () => {
    const { result, account } = await collectFromSample(wafCollector, {
      simulators,
      window,
      now,
      accountIndex: 14,
      accounts: 20,
    });
    expect(account.environment).toBe('sandbox');
    expect(result.payload).toEqual({ web_acls: [], rules: [] });
    expect(Object.values(result.regions ?? {}).every((r) => r.status === 'SUCCEEDED')).toBe(true);
  });

  it('lets web ACLs appear and disappear from one day to the next', async () => {
    const accounts = sampleAccounts(12, SAMPLE_REGIONS);
    const account = accounts[6];
    if (!account) throw new Error('no account');
    let day = now.getTime();
    let gone: string | undefined;
    for (let i = 0; i < 400 && !gone; i++, day -= DAY_MS) {
      const today = sampleWebAcls(account, 'us-east-1', 'REGIONAL');
      gone = today.find((acl) => existsAt(acl, new Date(day - DAY_MS)) && !existsAt(acl, new Date(day)))?.arn;
    }
    expect(gone).toBeDefined();
    const before = await collectFromSample(wafCollector, { simulators, window, now: new Date(day) });
    const after = await collectFromSample(wafCollector, { simulators, window, now: new Date(day + DAY_MS) });
    expect(before.result.payload.web_acls.map((a) => a.arn)).toContain(gone);
    expect(after.result.payload.web_acls.map((a) => a.arn)).not.toContain(gone);
  });

  it('records an opt-in region the account has not enabled as SKIPPED', async () => {
    const regions = ['us-east-1', 'me-south-1'];
    const result = await collectWithRegions(regions, (org) => {
      const off = org.accounts.find(
        (a) => a.environment === 'production' && !isRegionEnabled(a, 'me-south-1'),
      );
      if (!off) throw new Error('every production account has me-south-1');
      return off.id;
    });
    expect(result.regions?.['me-south-1']).toMatchObject({
      status: 'SKIPPED',
      error: { name: 'ServiceNotEnabledError' },
    });
    expect(result.regions?.['us-east-1']).toEqual({ status: 'SUCCEEDED' });
    expect(result.payload.web_acls.some((a) => a.region === 'me-south-1')).toBe(false);

    const enabled = await collectWithRegions(regions, (org) => {
      const on = org.accounts.find((a) => a.environment === 'production' && isRegionEnabled(a, 'me-south-1'));
      if (!on) throw new Error('no production account has me-south-1');
      return on.id;
    });
    expect(enabled.regions?.['me-south-1']).toEqual({ status: 'SUCCEEDED' });
    expect(enabled.payload.web_acls.some((a) => a.region === 'me-south-1')).toBe(true);
  });

  it.each([
    ['not-enabled', SourceAccessError],
    ['access-denied', SourceAccessError],
    ['malformed', DataContractError],
    ['throttle', TransientError],
  ] as const)('answers the %s fault as AWS does', async (kind, type) => {
    await expect(
      collectFromSample(wafCollector, { simulators, window, now, faults: [{ category: 'waf', kind }] }),
    ).rejects.toBeInstanceOf(type);
  });
});

describe('the sample WAF services validate requests as AWS does', () => {
  const accounts = sampleAccounts(12, SAMPLE_REGIONS);
  const account = accounts[6];
  if (!account) throw new Error('no account');
  const call = (service: string, operation: string, region: string, input: object): SampleCall => ({
    account,
    region,
    service,
    operation,
    input,
    now,
    accounts,
    regions: SAMPLE_REGIONS,
  });
  const waf = (operation: string, region: string, input: object) =>
    (wafv2Simulator.operations[operation] as (c: SampleCall) => object)(
      call('WAFV2', operation, region, input),
    );
  const errorOf = (run: () => unknown) => {
    try {
      run();
    } catch (error) {
      return { name: (error as Error).name, message: (error as Error).message };
    }
    throw new Error('no error');
  };

  it('rejects a CLOUDFRONT scope outside us-east-1, a missing scope and a marker it did not issue', () => {
    expect(errorOf(() => waf('ListWebACLs', 'eu-west-1', { Scope: 'CLOUDFRONT' }))).toEqual({
      name: 'WAFInvalidParameterException',
      message: 'Error reason: The scope is not valid., field: SCOPE_VALUE, parameter: CLOUDFRONT',
    });
    expect(errorOf(() => waf('ListWebACLs', 'eu-west-1', {})).name).toBe('ValidationException');
    expect(errorOf(() => waf('ListWebACLs', 'eu-west-1', { Scope: 'REGIONAL', Limit: 101 })).name).toBe(
      'ValidationException',
    );
    expect(
      errorOf(() => waf('ListWebACLs', 'eu-west-1', { Scope: 'REGIONAL', NextMarker: 'made-up' })).name,
    ).toBe('WAFInvalidParameterException');
  });

  it('serves two web ACLs a page, then an empty page after the last NextMarker', () => {
    const pages: Array<{ WebACLs: unknown[]; NextMarker?: string }> = [];
    let marker: string | undefined;
    do {
      const page = waf('ListWebACLs', 'us-east-1', {
        Scope: 'REGIONAL',
        Limit: 100,
        ...(marker ? { NextMarker: marker } : {}),
      }) as {
        WebACLs: unknown[];
        NextMarker?: string;
      };
      pages.push(page);
      marker = page.NextMarker;
    } while (marker);
    const existing = sampleWebAcls(account, 'us-east-1', 'REGIONAL').filter((a) => existsAt(a, now));
    expect(pages.map((p) => p.WebACLs.length)).toEqual([
      ...Array.from({ length: Math.ceil(existing.length / 2) }, (_, i) =>
        Math.min(2, existing.length - 2 * i),
      ),
      0,
    ]);
  });

  it('takes only the regional resource types for a regional web ACL, and knows which have no logging', () => {
    const acls = sampleWebAcls(account, 'us-east-1', 'REGIONAL').filter((a) => existsAt(a, now));
    const arn = acls[0]?.arn as string;
    expect(
      errorOf(() =>
        waf('ListResourcesForWebACL', 'us-east-1', { WebACLArn: arn, ResourceType: 'CLOUDFRONT' }),
      ).name,
    ).toBe('ValidationException');
    expect(waf('ListResourcesForWebACL', 'us-east-1', { WebACLArn: arn })).toEqual({
      ResourceArns: [...(acls[0]?.associations.APPLICATION_LOAD_BALANCER ?? [])],
    });
    expect(errorOf(() => waf('ListResourcesForWebACL', 'eu-west-1', { WebACLArn: arn })).name).toBe(
      'WAFNonexistentItemException',
    );
    const silent = acls.find((a) => a.logDestinations === null);
    if (silent) {
      expect(
        errorOf(() => waf('GetLoggingConfiguration', 'us-east-1', { ResourceArn: silent.arn })).name,
      ).toBe('WAFNonexistentItemException');
    }
  });

  it('lists the distributions of a CloudFront web ACL by its ARN, and refuses an ID that is not one', () => {
    const list = cloudFrontSimulator.operations.ListDistributionsByWebACLId as (c: SampleCall) => object;
    const [edge] = sampleWebAcls(account, 'us-east-1', 'CLOUDFRONT');
    expect(edge).toBeDefined();
    const first = list(
      call('CloudFront', 'ListDistributionsByWebACLId', 'us-east-1', { WebACLId: edge?.arn, MaxItems: 1 }),
    ) as {
      DistributionList: {
        Items: Array<{ ARN: string; WebACLId: string }>;
        IsTruncated: boolean;
        Quantity: number;
      };
    };
    expect(first.DistributionList.Quantity).toBe(1);
    expect(first.DistributionList.Items[0]).toMatchObject({
      ARN: edge?.distributions[0]?.arn,
      WebACLId: edge?.arn,
    });
    expect(first.DistributionList.IsTruncated).toBe((edge?.distributions.length ?? 0) > 1);
    expect(
      errorOf(() =>
        list(call('CloudFront', 'ListDistributionsByWebACLId', 'us-east-1', { WebACLId: 'not-an-acl' })),
      ).name,
    ).toBe('InvalidWebACLId');
  });
});

describe.each(databaseBackends())('sample WAF data in the database on $name', (backend) => {
  const db = useDatabase(backend);

  it('loads and answers the seed README query "WAF Security Compliance"', async () => {
    const { result, account } = await collectFromSample(wafCollector, { simulators, window, now });
    await db.sql.execute('INSERT INTO accounts (id, account_name) VALUES (:id, :name)', {
      id: account.id,
      name: account.name,
    });
    await db.sql.transaction((tx) =>
      wafLoader.load(tx, result.payload, {
        accountId: account.id,
        window,
        runId: 'r-sample',
        seenAt: now,
        completeRegions: 'all',
      }),
    );
    const rows = await db.sql.query(`SELECT 
    a.account_name,
    wr.web_acl_name,
    COUNT(*) as total_rules,
    SUM(CASE WHEN wr.is_compliant THEN 1 ELSE 0 END) as compliant_rules,
    ROUND(SUM(CASE WHEN wr.is_compliant THEN 1 ELSE 0 END)::numeric / COUNT(*) * 100, 2) as compliance_percentage
FROM waf_rules_detailed wr
JOIN accounts a ON wr.account_id = a.id
GROUP BY a.account_name, wr.web_acl_name
ORDER BY compliance_percentage ASC;`);
    const names = new Set(result.payload.web_acls.map((a) => a.name));
    expect(rows.length).toBe(new Set(result.payload.rules.map((r) => r.web_acl_name)).size);
    expect(rows.every((r) => r.account_name === account.name && names.has(String(r.web_acl_name)))).toBe(
      true,
    );
    expect(rows.reduce((sum, r) => sum + Number(r.total_rules), 0)).toBe(result.payload.rules.length);
    expect(rows.reduce((sum, r) => sum + Number(r.compliant_rules), 0)).toBe(
      result.payload.rules.filter((r) => r.is_compliant).length,
    );
  });
});
