import { describe, expect, it } from 'vitest';
import { createClientFactory } from '../../../functions/adapters/aws/clients.ts';
import { isRegionEnabled, sampleAccounts } from '../../../functions/adapters/local/sample-org/accounts.ts';
import { regionInventory } from '../../../functions/adapters/local/sample-org/inventory.ts';
import { SampleOrganization } from '../../../functions/adapters/local/sample-org/organization.ts';
import { ssmSimulator } from '../../../functions/adapters/local/sample-org/services/ssm.ts';
import type { SampleCall, ServiceSimulator } from '../../../functions/adapters/local/sample-org/simulator.ts';
import {
  COLLECTED_PATCH_STATES,
  type SsmInventoryPayload,
  ssmInventoryCollector,
} from '../../../functions/collectors/ssm-inventory.ts';
import type { CallStats } from '../../../functions/collectors/types.ts';
import { ssmInventoryLoader } from '../../../functions/loaders/ssm-inventory.ts';
import { DataContractError, SourceAccessError, TransientError } from '../../../functions/platform/errors.ts';
import { silentLog } from '../../support/collect-context.ts';
import { databaseBackends, useDatabase } from '../../support/database.ts';
import { collectFromSample, SAMPLE_REGIONS } from '../../support/sample.ts';

const now = new Date('2026-11-26T06:00:00Z');
const nextDay = new Date('2026-11-27T06:00:00Z');
/** Two days after Patch Tuesday: Windows security updates are out and not yet approved. */
const afterPatchTuesday = new Date('2026-11-12T06:00:00Z');
const window = { period: 'DAILY' as const, start: '2026-11-25', end: '2026-11-26' };
const simulators = [ssmSimulator];

/** The simulator, recording every call it answers. */
function recorded(): { simulators: ServiceSimulator[]; calls: SampleCall[] } {
  const calls: SampleCall[] = [];
  const spy: ServiceSimulator = {
    ...ssmSimulator,
    operations: Object.fromEntries(
      Object.entries(ssmSimulator.operations).map(([name, answer]) => [
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

const collect = (accountIndex: number, at = now) =>
  collectFromSample(ssmInventoryCollector, { simulators, window, now: at, accountIndex, accounts: 20 });

const countBy = <T>(items: readonly T[], key: (item: T) => string) => {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(key(item), (counts.get(key(item)) ?? 0) + 1);
  return counts;
};
const applicationKey = (a: SsmInventoryPayload['applications'][number]) =>
  JSON.stringify([a.instance_id, a.name, a.version, a.release, a.architecture]);
const patchKey = (p: SsmInventoryPayload['patches'][number]) =>
  JSON.stringify([p.instance_id, p.kb_id, p.title]);

describe('ssm-inventory collector against the sample organization', () => {
  it('collects a production account over several pages of every list, about the inventory’s instances', async () => {
    const { simulators: spied, calls } = recorded();
    const { result, stats, account } = await collectFromSample(ssmInventoryCollector, {
      simulators: spied,
      window,
      now,
      accountIndex: 6,
      accounts: 20,
    });
    expect(account.environment).toBe('production');
    expect(ssmInventoryCollector.schema.safeParse(result.payload).success).toBe(true);
    expect(result.regions).toEqual(
      Object.fromEntries(SAMPLE_REGIONS.map((r) => [r, { status: 'SUCCEEDED' }])),
    );
    expect(stats.apiCalls).toBe(calls.length);
    const { instances, applications, patches } = result.payload;

    for (const region of SAMPLE_REGIONS) {
      // The managed nodes are the inventory's instances that run the agent, with the same ids and addresses.
      // Instances launched later today register with SSM minutes after their launch.
      const managed = regionInventory(account, region, SAMPLE_REGIONS, now).instances.filter(
        (i) => i.ssmManaged && i.createdAt <= now,
      );
      const mine = instances.filter((i) => i.region === region);
      expect(mine.map((i) => [i.instance_id, i.ip_address, i.platform, i.platform_version])).toEqual(
        managed.map((i) => [i.id, i.privateIp, i.platformName, i.platformVersion]),
      );
      const listings = calls.filter(
        (c) => c.operation === 'DescribeInstanceInformation' && c.region === region,
      );
      expect(listings.length).toBe(Math.max(1, Math.ceil(managed.length / 20)));
      expect(listings.map((c) => c.input.MaxResults)).toEqual(listings.map(() => 50));
    }
    expect(calls.filter((c) => c.operation === 'DescribeInstanceInformation').length).toBeGreaterThan(3);

    const entryPages = countBy(
      calls.filter((c) => c.operation === 'ListInventoryEntries'),
      (c) => c.input.InstanceId,
    );
    const applicationsOf = countBy(applications, (a) => a.instance_id);
    for (const instance of instances) {
      const count = applicationsOf.get(instance.instance_id) ?? 0;
      expect(entryPages.get(instance.instance_id)).toBe(Math.max(1, Math.ceil(count / 25)));
    }
    expect(Math.max(...entryPages.values())).toBeGreaterThanOrEqual(3);
    const patchPages = countBy(
      calls.filter((c) => c.operation === 'DescribeInstancePatches'),
      (c) => c.input.InstanceId,
    );
    expect(Math.max(...patchPages.values())).toBeGreaterThanOrEqual(2);
    for (const call of calls.filter((c) => c.operation === 'DescribeInstancePatchStates')) {
      expect(call.input.InstanceIds.length).toBeLessThanOrEqual(50);
    }

    // One row per key: nothing listed twice, every row on its own instance.
    expect(new Set(applications.map(applicationKey)).size).toBe(applications.length);
    expect(new Set(patches.map(patchKey)).size).toBe(patches.length);
    expect(new Set(instances.map((i) => i.ping_status))).toEqual(new Set(['Online', 'ConnectionLost']));
    expect(new Set(instances.map((i) => i.platform_type))).toEqual(new Set(['Linux', 'Windows']));
    expect(instances.some((i) => i.patch_compliance === null)).toBe(true);
    expect(result.rows).toBe(instances.length + applications.length + patches.length);
  });

  it('reports patch summaries that agree with the patches, and times that have already happened', async () => {
    const { result } = await collect(3);
    const { instances, applications, patches } = result.payload;
    for (const instance of instances.filter((i) => i.patch_compliance !== null)) {
      const mine = patches.filter((p) => p.instance_id === instance.instance_id);
      const count = (state: string) => mine.filter((p) => p.state === state).length;
      expect([
        instance.installed_count,
        instance.installed_other_count,
        instance.installed_pending_reboot_count,
        instance.installed_rejected_count,
        instance.missing_count,
        instance.failed_count,
      ]).toEqual([
        count('Installed'),
        count('InstalledOther'),
        count('InstalledPendingReboot'),
        count('InstalledRejected'),
        count('Missing'),
        count('Failed'),
      ]);
      expect(instance.available_security_update_count).toBe(
        instance.platform_type === 'Windows' ? count('AvailableSecurityUpdate') : null,
      );
      const open =
        count('Missing') + count('Failed') + count('InstalledPendingReboot') + count('InstalledRejected');
      expect(instance.patch_compliance).toBe(open > 0 ? 'NON_COMPLIANT' : 'COMPLIANT');
      expect(
        (instance.critical_non_compliant_count ?? 0) +
          (instance.security_non_compliant_count ?? 0) +
          (instance.other_non_compliant_count ?? 0),
      ).toBe(open);
      expect(Date.parse(instance.patch_operation_end_time as string)).toBeLessThan(now.getTime());
    }
    for (const patch of patches) {
      if (['Missing', 'Failed', 'AvailableSecurityUpdate'].includes(patch.state)) {
        expect(patch.installed_time).toBeNull();
      } else {
        expect(Date.parse(patch.installed_time as string)).toBeLessThan(now.getTime());
        expect(patch.cve_ids).toBeNull();
      }
    }
    for (const application of applications) {
      expect(Date.parse(application.install_time as string)).toBeLessThan(now.getTime());
    }
    for (const instance of instances) {
      expect(Date.parse(instance.last_ping_date_time as string)).toBeLessThanOrEqual(now.getTime());
    }
    // Windows patches carry their KB in the title; Linux patches are named after the package build.
    const windows = new Set(instances.filter((i) => i.platform_type === 'Windows').map((i) => i.instance_id));
    for (const patch of patches.filter((p) => windows.has(p.instance_id) && p.title !== null)) {
      expect(patch.title?.endsWith(`(${patch.kb_id})`)).toBe(true);
    }
    expect(
      patches
        .filter((p) => !windows.has(p.instance_id) && p.title !== null)
        .every((p) => p.kb_id === p.title),
    ).toBe(true);
  });

  it('has every patch state it asks for, hybrid servers, Amazon Linux, Ubuntu, RHEL and Windows', async () => {
    const payloads = await Promise.all(
      [3, 4, 5].map(async (i) => (await collect(i, afterPatchTuesday)).result.payload),
    );
    const patches = payloads.flatMap((p) => p.patches);
    const instances = payloads.flatMap((p) => p.instances);
    expect(new Set(patches.map((p) => p.state))).toEqual(new Set(COLLECTED_PATCH_STATES));
    expect(new Set(instances.map((i) => i.instance_type))).toEqual(
      new Set(['EC2Instance', 'ManagedInstance']),
    );
    expect(
      instances
        .filter((i) => i.instance_type === 'ManagedInstance')
        .every((i) => /^mi-[0-9a-f]{17}$/.test(i.instance_id)),
    ).toBe(true);
    expect(new Set(instances.map((i) => i.platform))).toEqual(
      new Set([
        'Amazon Linux',
        'Ubuntu',
        'Red Hat Enterprise Linux',
        'Microsoft Windows Server 2022 Datacenter',
        'Microsoft Windows Server 2022 Standard',
      ]),
    );
    expect(new Set(instances.map((i) => i.association_status))).toEqual(new Set(['Success', 'Failed']));
    const names = new Set(payloads.flatMap((p) => p.applications.map((a) => a.name)));
    for (const name of [
      'openssl',
      'curl-minimal',
      'python3',
      'amazon-ssm-agent',
      'nginx',
      'Microsoft Edge',
    ]) {
      expect(names.has(name)).toBe(true);
    }
  });

  it('is deterministic', async () => {
    const a = await collect(12);
    const b = await collect(12);
    expect(a.result.payload).toEqual(b.result.payload);
  });

  it('changes from one day to the next: instances replaced, patches installed, packages upgraded', async () => {
    // Production accounts patch at weekends: from Saturday to Sunday, Saturday's windows have run.
    const saturday = new Date('2026-11-28T06:00:00Z');
    const sunday = new Date('2026-11-29T06:00:00Z');
    const days = await Promise.all(
      [3, 11].flatMap((i) =>
        [collect(i, saturday), collect(i, sunday)].map(async (c) => (await c).result.payload),
      ),
    );
    const [before, after] = [days.filter((_, i) => i % 2 === 0), days.filter((_, i) => i % 2 === 1)].map(
      (list) => ({
        instances: list.flatMap((p) => p.instances.map((i) => i.instance_id)),
        applications: list.flatMap((p) => p.applications.map(applicationKey)),
        patches: new Map(list.flatMap((p) => p.patches.map((x) => [patchKey(x), x.state] as const))),
      }),
    ) as [
      { instances: string[]; applications: string[]; patches: Map<string, string> },
      { instances: string[]; applications: string[]; patches: Map<string, string> },
    ];
    const gone = (a: Iterable<string>, b: Iterable<string>) => {
      const kept = new Set(b);
      return [...a].filter((k) => !kept.has(k)).length;
    };
    expect(gone(before.instances, after.instances)).toBeGreaterThan(0);
    expect(gone(after.instances, before.instances)).toBeGreaterThan(0);
    expect(gone(before.applications, after.applications)).toBeGreaterThan(
      gone(before.instances, after.instances),
    );
    expect(gone(after.applications, before.applications)).toBeGreaterThan(0);
    const installed = [...before.patches].filter(
      ([key, state]) => state === 'Missing' && after.patches.get(key) === 'Installed',
    );
    expect(installed.length).toBeGreaterThan(0);
  });

  it('gives at least 18 of the first 20 accounts managed nodes, across several regions', async () => {
    const payloads = await Promise.all(
      Array.from({ length: 20 }, async (_, i) => (await collect(i)).result.payload),
    );
    expect(payloads.filter((p) => p.instances.length > 0).length).toBeGreaterThanOrEqual(18);
    expect(new Set(payloads.flatMap((p) => p.instances.map((i) => i.region)))).toEqual(
      new Set(SAMPLE_REGIONS),
    );
    expect(
      payloads.filter((p) => new Set(p.instances.map((i) => i.region)).size >= 2).length,
    ).toBeGreaterThan(10);
  });

  it('records an opt-in region the account has not enabled as SKIPPED', async () => {
    const regions = ['us-east-1', 'me-south-1'];
    const org = new SampleOrganization({ accounts: 20, regions, simulators, clock: { now: () => now } });
    const off = org.accounts.find((a) => a.environment === 'production' && !isRegionEnabled(a, 'me-south-1'));
    if (!off) throw new Error('every production account has me-south-1');
    const stats: CallStats = { apiCalls: 0, throttled: 0 };
    const result = await ssmInventoryCollector.collect({
      accountId: off.id,
      window,
      regions,
      homeRegion: 'us-east-1',
      clients: createClientFactory(
        org.clientOptions(),
        { accountId: off.id, category: 'ssm-inventory', runId: 'r-sample' },
        stats,
      ),
      now,
      log: silentLog,
    });
    expect(result.regions?.['me-south-1']).toMatchObject({
      status: 'SKIPPED',
      error: { name: 'ServiceNotEnabledError' },
    });
    expect(result.regions?.['us-east-1']).toEqual({ status: 'SUCCEEDED' });
    expect(result.payload.instances.length).toBeGreaterThan(0);
  });

  it.each([
    ['not-enabled', SourceAccessError],
    ['access-denied', SourceAccessError],
    ['malformed', DataContractError],
    ['throttle-always', TransientError],
  ] as const)('answers the %s fault as AWS does', async (kind, type) => {
    await expect(
      collectFromSample(ssmInventoryCollector, {
        simulators,
        window,
        now,
        faults: [{ category: 'ssm-inventory', kind }],
      }),
    ).rejects.toBeInstanceOf(type);
  });
});

describe('the sample SSM validates requests as AWS does', () => {
  const accounts = sampleAccounts(12, SAMPLE_REGIONS);
  const account = accounts[6];
  if (!account) throw new Error('no account');
  const ssm = (operation: string, input: object, region = 'us-east-1') =>
    (ssmSimulator.operations[operation] as (c: SampleCall) => object)({
      account,
      region,
      service: 'SSM',
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
      return { name: (error as Error).name, message: (error as Error).message };
    }
    throw new Error('no error');
  };
  /** A node Patch Manager has scanned. */
  const first = () => {
    const nodes = ssm('DescribeInstanceInformation', { MaxResults: 10 }) as {
      InstanceInformationList: Array<{ InstanceId: string }>;
    };
    const states = ssm('DescribeInstancePatchStates', {
      InstanceIds: nodes.InstanceInformationList.map((n) => n.InstanceId),
    }) as { InstancePatchStates: Array<{ InstanceId: string }> };
    return states.InstancePatchStates[0]?.InstanceId as string;
  };

  it('takes MaxResults 5 to 50 for managed nodes, 10 by default, and only the tokens it issued', () => {
    expect(errorOf(() => ssm('DescribeInstanceInformation', { MaxResults: 51 }))).toEqual({
      name: 'ValidationException',
      message:
        "1 validation error detected: Value '51' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 50",
    });
    expect(errorOf(() => ssm('DescribeInstanceInformation', { MaxResults: 4 })).name).toBe(
      'ValidationException',
    );
    const page = ssm('DescribeInstanceInformation', {}) as {
      InstanceInformationList: unknown[];
      NextToken?: string;
    };
    expect(page.InstanceInformationList).toHaveLength(10);
    expect(errorOf(() => ssm('DescribeInstanceInformation', { NextToken: 'made-up' }))).toEqual({
      name: 'InvalidNextToken',
      message: 'The specified token is not valid.',
    });
    // A token belongs to the request it came with.
    expect(
      errorOf(() => ssm('DescribeInstanceInformation', { MaxResults: 20, NextToken: page.NextToken })).name,
    ).toBe('InvalidNextToken');
  });

  it('lists inventory entries of its own nodes only, of a valid type, 1 to 50 at a time', () => {
    const id = first();
    expect(errorOf(() => ssm('ListInventoryEntries', { TypeName: 'AWS:Application' })).name).toBe(
      'ValidationException',
    );
    expect(
      errorOf(() => ssm('ListInventoryEntries', { InstanceId: 'web-1', TypeName: 'AWS:Application' })).name,
    ).toBe('ValidationException');
    expect(errorOf(() => ssm('ListInventoryEntries', { InstanceId: id, TypeName: 'Application' })).name).toBe(
      'ValidationException',
    );
    expect(
      errorOf(() => ssm('ListInventoryEntries', { InstanceId: id, TypeName: 'AWS:Nonsense' })).name,
    ).toBe('InvalidTypeNameException');
    expect(
      errorOf(() =>
        ssm('ListInventoryEntries', { InstanceId: id, TypeName: 'AWS:Application', MaxResults: 51 }),
      ).name,
    ).toBe('ValidationException');
    expect(
      errorOf(() =>
        ssm('ListInventoryEntries', { InstanceId: 'i-0123456789abcdef0', TypeName: 'AWS:Application' }),
      ),
    ).toEqual({
      name: 'InvalidInstanceId',
      message: `Instances [[i-0123456789abcdef0]] not in a valid state for account ${account.id}`,
    });
    expect(
      errorOf(() => ssm('ListInventoryEntries', { InstanceId: id, TypeName: 'AWS:Application' }, 'eu-west-1'))
        .name,
    ).toBe('InvalidInstanceId');
    const page = ssm('ListInventoryEntries', {
      InstanceId: id,
      TypeName: 'AWS:Application',
      MaxResults: 50,
    }) as {
      Entries: Array<Record<string, string>>;
      CaptureTime: string;
      NextToken?: string;
    };
    expect(page.Entries).toHaveLength(25);
    expect(page.NextToken).toBeDefined();
    expect(page.CaptureTime).toMatch(/^20\d\d-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(Object.values(page.Entries[0] ?? {}).every((value) => typeof value === 'string')).toBe(true);
  });

  it('filters patches by state, takes MaxResults 10 to 100, and refuses filters it does not know', () => {
    const id = first();
    const all = (input: object) => {
      const patches: Array<{ State: string; InstalledTime: Date }> = [];
      let token: string | undefined;
      do {
        const page = ssm('DescribeInstancePatches', {
          InstanceId: id,
          ...input,
          ...(token ? { NextToken: token } : {}),
        }) as {
          Patches: typeof patches;
          NextToken?: string;
        };
        patches.push(...page.Patches);
        token = page.NextToken;
      } while (token);
      return patches;
    };
    const installed = all({ Filters: [{ Key: 'State', Values: ['Installed', 'InstalledOther'] }] });
    expect(installed.length).toBeGreaterThan(0);
    expect(installed.every((p) => ['Installed', 'InstalledOther'].includes(p.State))).toBe(true);
    expect(all({}).length).toBeGreaterThan(installed.length - 1);
    expect(errorOf(() => ssm('DescribeInstancePatches', { InstanceId: id, MaxResults: 5 })).name).toBe(
      'ValidationException',
    );
    expect(
      errorOf(() =>
        ssm('DescribeInstancePatches', { InstanceId: id, Filters: [{ Key: 'Product', Values: ['x'] }] }),
      ).name,
    ).toBe('InvalidFilter');
  });

  it('answers patch states for at most 50 ids, leaving out ids it does not know', () => {
    const id = first();
    const answer = ssm('DescribeInstancePatchStates', { InstanceIds: [id, 'i-0123456789abcdef0'] }) as {
      InstancePatchStates: Array<{ InstanceId: string }>;
    };
    expect(answer.InstancePatchStates.map((s) => s.InstanceId).filter((s) => s !== id)).toEqual([]);
    const many = Array.from({ length: 51 }, (_, i) => `i-0${String(i).padStart(16, '0')}`);
    expect(errorOf(() => ssm('DescribeInstancePatchStates', { InstanceIds: many })).name).toBe(
      'ValidationException',
    );
    expect(errorOf(() => ssm('DescribeInstancePatchStates', {})).name).toBe('ValidationException');
  });
});

describe.each(databaseBackends())('sample SSM inventory in the database on $name', (backend) => {
  const db = useDatabase(backend);

  it('attaches each application and patch to its own instance row, and marks the next day’s departures', async () => {
    const { result, account } = await collect(13);
    await db.sql.execute('INSERT INTO accounts (id, account_name) VALUES (:id, :name)', {
      id: account.id,
      name: account.name,
    });
    const load = (payload: SsmInventoryPayload, seenAt: Date) =>
      db.sql.transaction((tx) =>
        ssmInventoryLoader.load(tx, payload, {
          accountId: account.id,
          window,
          runId: 'r-sample',
          seenAt,
          completeRegions: 'all',
        }),
      );
    await load(result.payload, now);
    const perInstance = await db.sql.query<{ instance_id: string; applications: number; patches: number }>(
      `SELECT ii.instance_id,
         (SELECT count(*) FROM inventory_applications ia WHERE ia.instance_id = ii.id)::integer AS applications,
         (SELECT count(*) FROM inventory_patches ip WHERE ip.instance_id = ii.id)::integer AS patches
       FROM inventory_instances ii WHERE ii.account_id = :a ORDER BY ii.instance_id`,
      { a: account.id },
    );
    const applications = countBy(result.payload.applications, (a) => a.instance_id);
    const patches = countBy(result.payload.patches, (p) => p.instance_id);
    expect(perInstance).toEqual(
      result.payload.instances
        .map((i) => ({
          instance_id: i.instance_id,
          applications: applications.get(i.instance_id) ?? 0,
          patches: patches.get(i.instance_id) ?? 0,
        }))
        .sort((a, b) => a.instance_id.localeCompare(b.instance_id)),
    );

    const next = await collect(13, nextDay);
    await load(next.result.payload, nextDay);
    const removed = await db.sql.query<{ kind: string; removed: number }>(
      `SELECT 'instances' AS kind, count(*)::integer AS removed FROM inventory_instances
         WHERE account_id = :a AND removed_at IS NOT NULL
       UNION ALL SELECT 'applications', count(*)::integer FROM inventory_applications
         WHERE account_id = :a AND removed_at IS NOT NULL
       UNION ALL SELECT 'patches', count(*)::integer FROM inventory_patches
         WHERE account_id = :a AND removed_at IS NOT NULL`,
      { a: account.id },
    );
    const gone = new Set(result.payload.instances.map((i) => i.instance_id));
    for (const instance of next.result.payload.instances) gone.delete(instance.instance_id);
    expect(removed[0]).toEqual({ kind: 'instances', removed: gone.size });
    expect(removed[1]?.removed).toBeGreaterThan(0);
    expect(removed[2]?.removed).toBeGreaterThan(0);
  });
});
