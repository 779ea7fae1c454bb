import { describe, expect, it } from 'vitest';
import type { SsmInventoryPayload } from '../../../functions/collectors/ssm-inventory.ts';
import { ssmInventoryLoader, ssmInventoryRows } from '../../../functions/loaders/ssm-inventory.ts';
import type { LoadContext } from '../../../functions/loaders/types.ts';
import type { Sql } from '../../../functions/ports.ts';
import { databaseBackends, useDatabase } from '../../support/database.ts';

const day1 = new Date('2026-11-26T06:00:00Z');
const day2 = new Date('2026-11-27T06:00:00Z');
const day3 = new Date('2026-11-28T06:00:00Z');
const LINUX = 'i-0aaaaaaaaaaaaaaa1';
const WINDOWS = 'i-0bbbbbbbbbbbbbbb2';

type Instance = SsmInventoryPayload['instances'][number];
type Application = SsmInventoryPayload['applications'][number];
type Patch = SsmInventoryPayload['patches'][number];

function context(
  accountId: string,
  seenAt: Date,
  completeRegions: LoadContext['completeRegions'] = 'all',
): LoadContext {
  return {
    accountId,
    window: { period: 'DAILY', start: seenAt.toISOString().slice(0, 10), end: '2026-12-01' },
    runId: 'r-test',
    seenAt,
    completeRegions,
  };
}

function instance(id: string, region: string, overrides: Partial<Instance> = {}): Instance {
  return {
    region,
    instance_id: id,
    platform: 'Amazon Linux',
    platform_type: 'Linux',
    platform_version: '2023',
    agent_version: '3.3.1142.0',
    is_latest_version: true,
    last_ping: '2026-11-26T05:58:00.000Z',
    computer_name: 'ip-10-0-1-17.ec2.internal',
    instance_type: 'EC2Instance',
    ip_address: '10.0.1.17',
    ping_status: 'Online',
    last_ping_date_time: '2026-11-26T05:58:00.000Z',
    association_status: 'Success',
    association_execution_date: '2026-11-26T03:00:00.000Z',
    association_success_date: '2026-11-26T03:00:00.000Z',
    patch_group: 'production',
    baseline_id: 'pb-0123456789abcdef0',
    patch_operation: 'Scan',
    patch_operation_start_time: '2026-11-25T04:00:00.000Z',
    patch_operation_end_time: '2026-11-25T04:02:31.000Z',
    installed_count: 1,
    installed_other_count: 0,
    installed_pending_reboot_count: 0,
    installed_rejected_count: 0,
    missing_count: 1,
    failed_count: 0,
    not_applicable_count: 512,
    available_security_update_count: null,
    critical_non_compliant_count: 1,
    security_non_compliant_count: 0,
    other_non_compliant_count: 0,
    patch_compliance: 'NON_COMPLIANT',
    ...overrides,
  };
}

function app(of: Instance, name: string, version: string, release: string | null): Application {
  return {
    region: of.region,
    instance_id: of.instance_id,
    name,
    version,
    release,
    publisher: of.platform_type === 'Windows' ? 'Microsoft Corporation' : 'Amazon Linux',
    architecture: 'x86_64',
    application_type: of.platform_type === 'Windows' ? null : 'System Environment/Libraries',
    install_time: '2026-11-21T02:14:09.000Z',
  };
}

function patch(of: Instance, title: string | null, kb: string, overrides: Partial<Patch> = {}): Patch {
  return {
    region: of.region,
    instance_id: of.instance_id,
    title,
    kb_id: kb,
    classification: 'Security',
    severity: 'Critical',
    state: 'Installed',
    installed_time: '2026-11-21T02:20:00.000Z',
    cve_ids: null,
    ...overrides,
  };
}

const KERNEL_NEXT = 'kernel.x86_64:0:6.1.119-129.201.amzn2023';

/** A Linux instance in us-east-1 and a Windows one in eu-west-1, with applications and patches. */
function payload(): SsmInventoryPayload {
  const linux = instance(LINUX, 'us-east-1');
  const windows = instance(WINDOWS, 'eu-west-1', {
    platform: 'Microsoft Windows Server 2022 Datacenter',
    platform_type: 'Windows',
    platform_version: '10.0.20348',
    computer_name: 'EC2AMAZ-ARL954P',
    ip_address: '10.3.239.4',
    ping_status: 'ConnectionLost',
    patch_group: null,
    installed_count: 1,
    missing_count: 0,
    critical_non_compliant_count: 0,
    available_security_update_count: 0,
    patch_compliance: 'COMPLIANT',
  });
  return {
    instances: [linux, windows],
    applications: [
      // Two kernels side by side: one name, two versions.
      app(linux, 'kernel', '6.1.115', '126.197.amzn2023'),
      app(linux, 'kernel', '6.1.112', '122.189.amzn2023'),
      app(linux, 'openssl-libs', '3.0.8', '1.amzn2023.0.14'),
      app(windows, 'Microsoft Edge', '131.0.2903.51', null),
    ],
    patches: [
      patch(
        linux,
        'openssl-libs.x86_64:1:3.0.8-1.amzn2023.0.14',
        'openssl-libs.x86_64:1:3.0.8-1.amzn2023.0.14',
      ),
      patch(linux, KERNEL_NEXT, KERNEL_NEXT, {
        state: 'Missing',
        installed_time: null,
        cve_ids: 'CVE-2024-41009',
      }),
      patch(windows, 'Windows Malicious Software Removal Tool x64 - v5.130 (KB890830)', 'KB890830', {
        classification: 'UpdateRollups',
        severity: 'Unspecified',
      }),
      patch(windows, null, 'KB5012170', { classification: null, severity: null, state: 'InstalledOther' }),
    ],
  };
}

const tablesOf = async (sql: Sql) => ({
  instances: await sql.query('SELECT * FROM inventory_instances ORDER BY id'),
  applications: await sql.query('SELECT * FROM inventory_applications ORDER BY id'),
  patches: await sql.query('SELECT * FROM inventory_patches ORDER BY id'),
});

async function addAccount(sql: Sql, id: string, name: string) {
  await sql.execute('INSERT INTO accounts (id, account_name) VALUES (:id, :name)', { id, name });
}

const load = (sql: Sql, data: SsmInventoryPayload, ctx: LoadContext) =>
  sql.transaction((tx) => ssmInventoryLoader.load(tx, data, ctx));

describe('ssm-inventory rows', () => {
  it('names the AWS instance id instance_ref in the child rows and leaves last_ping (same as its twin) out', () => {
    const rows = ssmInventoryRows(payload(), '123456789012');
    expect(rows.instances[0]).not.toHaveProperty('last_ping');
    expect(rows.instances[0]).toMatchObject({
      account_id: '123456789012',
      instance_id: LINUX,
      last_ping_date_time: '2026-11-26T05:58:00.000Z',
    });
    expect(rows.applications[3]).toEqual({
      account_id: '123456789012',
      instance_ref: WINDOWS,
      region: 'eu-west-1',
      name: 'Microsoft Edge',
      version: '131.0.2903.51',
      release: null,
      publisher: 'Microsoft Corporation',
      architecture: 'x86_64',
      application_type: null,
      install_time: '2026-11-21T02:14:09.000Z',
    });
    expect(rows.patches[3]).toEqual({
      account_id: '123456789012',
      instance_ref: WINDOWS,
      region: 'eu-west-1',
      title: null,
      kb_id: 'KB5012170',
      classification: null,
      severity: null,
      state: 'InstalledOther',
      installed_time: '2026-11-21T02:20:00.000Z',
      cve_ids: null,
    });
  });
});

describe.each(databaseBackends())('ssm-inventory loader on $name', (backend) => {
  const db = useDatabase(backend);

  it('writes every instance, application and patch, each attached to its own instance, and a reload changes nothing', async () => {
    const accountId = '111111111111';
    await addAccount(db.sql, accountId, 'payments-prod');
    expect(await load(db.sql, payload(), context(accountId, day1))).toBe(2 + 4 + 4);

    const first = await tablesOf(db.sql);
    expect(first.instances.map((r) => [r.instance_id, r.region, r.platform, r.ping_status])).toEqual([
      [LINUX, 'us-east-1', 'Amazon Linux', 'Online'],
      [WINDOWS, 'eu-west-1', 'Microsoft Windows Server 2022 Datacenter', 'ConnectionLost'],
    ]);
    expect(first.instances[0]).toMatchObject({
      account_id: accountId,
      instance_type: 'EC2Instance',
      ip_address: '10.0.1.17',
      computer_name: 'ip-10-0-1-17.ec2.internal',
      last_ping_date_time: new Date('2026-11-26T05:58:00Z'),
      agent_version: '3.3.1142.0',
      platform_type: 'Linux',
      platform_version: '2023',
      is_latest_version: true,
      association_status: 'Success',
      association_execution_date: new Date('2026-11-26T03:00:00Z'),
      association_success_date: new Date('2026-11-26T03:00:00Z'),
      patch_group: 'production',
      baseline_id: 'pb-0123456789abcdef0',
      patch_operation: 'Scan',
      patch_operation_start_time: new Date('2026-11-25T04:00:00Z'),
      patch_operation_end_time: new Date('2026-11-25T04:02:31Z'),
      installed_count: 1,
      missing_count: 1,
      not_applicable_count: 512,
      available_security_update_count: null,
      critical_non_compliant_count: 1,
      patch_compliance: 'NON_COMPLIANT',
      first_seen: day1,
      last_seen: day1,
      removed_at: null,
    });
    const idOf = new Map(first.instances.map((r) => [r.instance_id, r.id]));
    expect(
      first.applications.map((r) => [r.instance_id, r.instance_ref, r.region, r.name, r.version, r.release]),
    ).toEqual([
      [idOf.get(LINUX), LINUX, 'us-east-1', 'kernel', '6.1.115', '126.197.amzn2023'],
      [idOf.get(LINUX), LINUX, 'us-east-1', 'kernel', '6.1.112', '122.189.amzn2023'],
      [idOf.get(LINUX), LINUX, 'us-east-1', 'openssl-libs', '3.0.8', '1.amzn2023.0.14'],
      [idOf.get(WINDOWS), WINDOWS, 'eu-west-1', 'Microsoft Edge', '131.0.2903.51', null],
    ]);
    expect(first.applications[0]).toMatchObject({
      account_id: accountId,
      publisher: 'Amazon Linux',
      architecture: 'x86_64',
      application_type: 'System Environment/Libraries',
      install_time: new Date('2026-11-21T02:14:09Z'),
      first_seen: day1,
      last_seen: day1,
      removed_at: null,
    });
    expect(
      first.patches.map((r) => [r.instance_id, r.instance_ref, r.kb_id, r.title, r.state, r.installed_time]),
    ).toEqual([
      [
        idOf.get(LINUX),
        LINUX,
        'openssl-libs.x86_64:1:3.0.8-1.amzn2023.0.14',
        'openssl-libs.x86_64:1:3.0.8-1.amzn2023.0.14',
        'Installed',
        new Date('2026-11-21T02:20:00Z'),
      ],
      [idOf.get(LINUX), LINUX, KERNEL_NEXT, KERNEL_NEXT, 'Missing', null],
      [
        idOf.get(WINDOWS),
        WINDOWS,
        'KB890830',
        'Windows Malicious Software Removal Tool x64 - v5.130 (KB890830)',
        'Installed',
        new Date('2026-11-21T02:20:00Z'),
      ],
      [idOf.get(WINDOWS), WINDOWS, 'KB5012170', null, 'InstalledOther', new Date('2026-11-21T02:20:00Z')],
    ]);
    expect(first.patches[1]).toMatchObject({
      classification: 'Security',
      severity: 'Critical',
      cve_ids: 'CVE-2024-41009',
      region: 'us-east-1',
    });

    await load(db.sql, payload(), context(accountId, day1));
    expect(await tablesOf(db.sql)).toEqual(first);
  });

  it('updates a patch that got installed in place, replaces an upgraded package, and removes only in complete regions', async () => {
    const accountId = '222222222222';
    await addAccount(db.sql, accountId, 'checkout-prod');
    const full = payload();
    await load(db.sql, full, context(accountId, day1));
    const before = await db.sql.query(
      'SELECT id, kb_id FROM inventory_patches WHERE account_id = :a AND kb_id = :kb',
      { a: accountId, kb: KERNEL_NEXT },
    );

    // Day 2: eu-west-1 failed (PARTIAL); in us-east-1 the kernel update got installed and openssl upgraded.
    const linux = full.instances[0] as Instance;
    const day2Payload: SsmInventoryPayload = {
      instances: [{ ...linux, missing_count: 0, installed_count: 2, patch_compliance: 'COMPLIANT' }],
      applications: [
        app(linux, 'kernel', '6.1.119', '129.201.amzn2023'),
        app(linux, 'kernel', '6.1.115', '126.197.amzn2023'),
        app(linux, 'openssl-libs', '3.0.8', '1.amzn2023.0.15'),
      ],
      patches: [
        patch(linux, KERNEL_NEXT, KERNEL_NEXT, { installed_time: '2026-11-26T22:10:00.000Z' }),
        patch(
          linux,
          'openssl-libs.x86_64:1:3.0.8-1.amzn2023.0.15',
          'openssl-libs.x86_64:1:3.0.8-1.amzn2023.0.15',
        ),
      ],
    };
    await load(db.sql, day2Payload, context(accountId, day2, ['us-east-1']));

    const kernel = await db.sql.query(
      `SELECT id, state, installed_time, cve_ids, first_seen, last_seen, removed_at FROM inventory_patches
       WHERE account_id = :a AND kb_id = :kb`,
      { a: accountId, kb: KERNEL_NEXT },
    );
    expect(kernel).toEqual([
      {
        id: before[0]?.id,
        state: 'Installed',
        installed_time: new Date('2026-11-26T22:10:00Z'),
        cve_ids: null,
        first_seen: day1,
        last_seen: day2,
        removed_at: null,
      },
    ]);
    const apps = await db.sql.query(
      `SELECT instance_ref, name, version, release, removed_at FROM inventory_applications WHERE account_id = :a
       ORDER BY instance_ref, name, version, release`,
      { a: accountId },
    );
    expect(apps).toEqual([
      {
        instance_ref: LINUX,
        name: 'kernel',
        version: '6.1.112',
        release: '122.189.amzn2023',
        removed_at: day2,
      },
      {
        instance_ref: LINUX,
        name: 'kernel',
        version: '6.1.115',
        release: '126.197.amzn2023',
        removed_at: null,
      },
      {
        instance_ref: LINUX,
        name: 'kernel',
        version: '6.1.119',
        release: '129.201.amzn2023',
        removed_at: null,
      },
      {
        instance_ref: LINUX,
        name: 'openssl-libs',
        version: '3.0.8',
        release: '1.amzn2023.0.14',
        removed_at: day2,
      },
      {
        instance_ref: LINUX,
        name: 'openssl-libs',
        version: '3.0.8',
        release: '1.amzn2023.0.15',
        removed_at: null,
      },
      {
        instance_ref: WINDOWS,
        name: 'Microsoft Edge',
        version: '131.0.2903.51',
        release: null,
        removed_at: null,
      },
    ]);
    const windowsRows = await db.sql.query(
      `SELECT 'instance' AS kind, removed_at FROM inventory_instances WHERE account_id = :a AND instance_id = :w
       UNION ALL SELECT 'patch', removed_at FROM inventory_patches WHERE account_id = :a AND instance_ref = :w`,
      { a: accountId, w: WINDOWS },
    );
    expect(windowsRows).toEqual([
      { kind: 'instance', removed_at: null },
      { kind: 'patch', removed_at: null },
      { kind: 'patch', removed_at: null },
    ]);

    // Day 3: every region answered, and the Windows instance is gone with its applications and patches.
    await load(db.sql, day2Payload, context(accountId, day3));
    const removed = await db.sql.query(
      `SELECT 'instance' AS kind, removed_at FROM inventory_instances WHERE account_id = :a AND instance_id = :w
       UNION ALL SELECT 'application', removed_at FROM inventory_applications WHERE account_id = :a AND instance_ref = :w
       UNION ALL SELECT 'patch', removed_at FROM inventory_patches WHERE account_id = :a AND instance_ref = :w`,
      { a: accountId, w: WINDOWS },
    );
    expect(removed).toEqual([
      { kind: 'instance', removed_at: day3 },
      { kind: 'application', removed_at: day3 },
      { kind: 'patch', removed_at: day3 },
      { kind: 'patch', removed_at: day3 },
    ]);

    // An older snapshot loaded again afterwards neither revives nor re-dates anything.
    const settled = await tablesOf(db.sql);
    await load(db.sql, full, context(accountId, day1));
    expect(await tablesOf(db.sql)).toEqual(settled);
  });

  it('keeps two accounts apart even when they report the same instance id', async () => {
    for (const [id, name] of [
      ['333333333333', 'search-prod'],
      ['444444444444', 'search-staging'],
    ] as const) {
      await addAccount(db.sql, id, name);
      await load(db.sql, payload(), context(id, day1));
    }
    const rows = await db.sql.query(
      `SELECT ii.account_id, count(*) AS applications FROM inventory_applications ia
       JOIN inventory_instances ii ON ia.instance_id = ii.id
       WHERE ii.instance_id = :i AND ii.account_id IN ('333333333333', '444444444444')
         AND ia.account_id = ii.account_id
       GROUP BY ii.account_id ORDER BY ii.account_id`,
      { i: LINUX },
    );
    expect(rows).toEqual([
      { account_id: '333333333333', applications: 3 },
      { account_id: '444444444444', applications: 3 },
    ]);
  });

  it("answers the seed's inventory views and the account summary's instance counts", async () => {
    const accountId = '555555555555';
    await addAccount(db.sql, accountId, 'ml-platform-prod');
    await load(db.sql, payload(), context(accountId, day1));
    await db.sql.execute(`CREATE TEMPORARY VIEW seed_inventory_applications AS
      SELECT ia.name, ii.id as ii_id, ii.account_id as ii_account_id, ii.instance_id as ii_instance_id,
        ii.instance_type, ii.platform, ii.ip_address, ii.computer_name, ii.ping_status, ii.last_ping_date_time,
        ii.agent_version, ii.platform_type, ii.platform_version, ii.is_latest_version, ii.association_status,
        ii.association_execution_date, ii.association_success_date, ii.created_at as ii_created_at,
        a.account_id as account, a.region as account_region, a.account_name
      FROM inventory_applications ia
        JOIN inventory_instances ii ON ia.instance_id = ii.id
        JOIN accounts a ON ia.account_id = a.id`);
    await db.sql.execute(`CREATE TEMPORARY VIEW seed_inventory_patches AS
      SELECT ip.*, a.account_id as account, a.region as account_region, a.account_name,
        CONCAT (a.account_id, '-', a.account_name) as account_full,
        ii.instance_id as instance_name, ii.instance_type
      FROM inventory_patches ip
        JOIN inventory_instances ii ON ip.instance_id = ii.id
        JOIN accounts a ON ip.account_id = a.id`);
    const applications = await db.sql.query(
      `SELECT name, ii_instance_id, platform FROM seed_inventory_applications WHERE account = :a
       ORDER BY ii_instance_id, name`,
      { a: accountId },
    );
    expect(applications).toEqual([
      { name: 'kernel', ii_instance_id: LINUX, platform: 'Amazon Linux' },
      { name: 'kernel', ii_instance_id: LINUX, platform: 'Amazon Linux' },
      { name: 'openssl-libs', ii_instance_id: LINUX, platform: 'Amazon Linux' },
      {
        name: 'Microsoft Edge',
        ii_instance_id: WINDOWS,
        platform: 'Microsoft Windows Server 2022 Datacenter',
      },
    ]);
    const patches = await db.sql.query(
      `SELECT kb_id, instance_name, instance_type FROM seed_inventory_patches WHERE account = :a
       ORDER BY instance_name, kb_id`,
      { a: accountId },
    );
    expect(patches).toEqual([
      { kb_id: KERNEL_NEXT, instance_name: LINUX, instance_type: 'EC2Instance' },
      {
        kb_id: 'openssl-libs.x86_64:1:3.0.8-1.amzn2023.0.14',
        instance_name: LINUX,
        instance_type: 'EC2Instance',
      },
      { kb_id: 'KB5012170', instance_name: WINDOWS, instance_type: 'EC2Instance' },
      { kb_id: 'KB890830', instance_name: WINDOWS, instance_type: 'EC2Instance' },
    ]);
    const summary = await db.sql.query(
      `SELECT account_id, COUNT(*) as instance_count,
         COUNT(CASE WHEN ping_status = 'Online' THEN 1 END) as running_instances
       FROM inventory_instances WHERE account_id = :a GROUP BY account_id`,
      { a: accountId },
    );
    expect(summary).toEqual([{ account_id: accountId, instance_count: 2, running_instances: 1 }]);
  });
});
