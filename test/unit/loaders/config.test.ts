import { describe, expect, it } from 'vitest';
import {
  type ConfigInventoryItem,
  type ConfigPayload,
  type ConfigRule,
  configPayloadSchema,
  type NonCompliantResource,
  ruleCountsOf,
} from '../../../functions/collectors/config.ts';
import { configLoader, configRows } from '../../../functions/loaders/config.ts';
import type { LoadContext } from '../../../functions/loaders/types.ts';
import type { Sql } from '../../../functions/ports.ts';
import { databaseBackends, useDatabase } from '../../support/database.ts';

const day1 = new Date('2026-11-26T06:00:00Z');
const day2 = new Date('2026-11-27T06:00:00Z');
const day3 = new Date('2026-11-28T06:00:00Z');
const CIS = 'OrgConformsPack-Operational-Best-Practices-for-CIS-AWS-v1-4-Level1-abcd1234';
const ENCRYPTED = 'encrypted-volumes-conformance-pack-abcd1234';
const IN_USE = 'ec2-volume-inuse-check';

type Window = { start: string; end: string };
const daily = { start: '2026-11-25', end: '2026-11-26' };

function context(
  accountId: string,
  seenAt: Date,
  completeRegions: LoadContext['completeRegions'] = 'all',
  window: Window = daily,
): LoadContext {
  return { accountId, window: { period: 'DAILY', ...window }, runId: 'r-test', seenAt, completeRegions };
}

function failing(
  rule: string,
  resourceId: string,
  overrides: Partial<NonCompliantResource> = {},
): NonCompliantResource {
  return {
    rule_name: rule,
    resource_id: resourceId,
    resource_type: 'AWS::EC2::Volume',
    config_rule_invoked_time: '2026-11-25T11:59:30.000Z',
    result_recorded_time: '2026-11-25T12:00:00.000Z',
    conformance_pack: rule === ENCRYPTED ? CIS : null,
    compliance_type: 'NON_COMPLIANT',
    annotation: null,
    evaluation_mode: 'DETECTIVE',
    region: 'us-east-1',
    ...overrides,
  };
}

function item(resourceId: string, overrides: Partial<ConfigInventoryItem> = {}): ConfigInventoryItem {
  return {
    region: 'us-east-1',
    resource_type: 'AWS::EC2::Volume',
    resource_id: resourceId,
    resource_name: null,
    arn: `arn:aws:ec2:us-east-1:111111111111:volume/${resourceId}`,
    availability_zone: 'us-east-1a',
    state: 'in-use',
    instance_type: null,
    instance_class: null,
    engine: null,
    vpc_id: null,
    size_gb: 100,
    volume_type: 'gp3',
    creation_date: '2026-06-01T10:00:00.000Z',
    multi_az: null,
    scheme: null,
    type: null,
    instance_count: null,
    min_size: null,
    max_size: null,
    available_ip_count: null,
    configuration_item_capture_time: '2026-11-20T08:00:00.000Z',
    configuration_item_status: 'OK',
    ...overrides,
  };
}

/** A payload whose regions, rules and totals agree; rules are [name, compliance] per region. */
function payload(
  rulesByRegion: Record<string, Array<[string, ConfigRule['compliance']]>>,
  resources: NonCompliantResource[],
  inventory: ConfigInventoryItem[],
  window: Window = daily,
): ConfigPayload {
  const rules: ConfigRule[] = Object.entries(rulesByRegion).flatMap(([region, list]) =>
    list.map(([name, compliance]) => ({ name, compliance, pack: name === ENCRYPTED ? CIS : null, region })),
  );
  return configPayloadSchema.parse({
    date_from: window.start,
    date_to: window.end,
    ...ruleCountsOf(rules),
    regions: Object.keys(rulesByRegion).map((region) => ({
      region,
      recorder_name: 'default',
      recorder_recording: true,
      recorder_last_status: 'SUCCESS',
      conformance_packs: [CIS],
      ...ruleCountsOf(rules.filter((r) => r.region === region)),
    })),
    rules,
    non_compliant_resources: resources,
    config_inventory: inventory,
  });
}

async function addAccount(sql: Sql, id: string) {
  await sql.execute('INSERT INTO accounts (id, account_name) VALUES (:id, :name)', {
    id,
    name: `account ${id}`,
  });
}

const tables = async (sql: Sql, accountId: string) => ({
  reports: await sql.query('SELECT * FROM config_reports WHERE account_id = :a ORDER BY id', {
    a: accountId,
  }),
  resources: await sql.query('SELECT * FROM non_compliant_resources WHERE account_id = :a ORDER BY id', {
    a: accountId,
  }),
  inventory: await sql.query('SELECT * FROM config_inventory WHERE account_id = :a ORDER BY id', {
    a: accountId,
  }),
});

const resourceStates = async (sql: Sql, accountId: string) =>
  Object.fromEntries(
    (
      await sql.query<{
        region: string;
        rule_name: string;
        resource_id: string;
        status: string;
        removed_at: Date | null;
      }>(
        'SELECT region, rule_name, resource_id, status, removed_at FROM non_compliant_resources WHERE account_id = :a',
        { a: accountId },
      )
    ).map((r) => [
      `${r.region} ${r.rule_name} ${r.resource_id}`,
      [r.status, r.removed_at?.toISOString() ?? null],
    ]),
  );

/** What the seed's view_non_compliant_resources joins: each resource with its report and account. */
const NON_COMPLIANT_WITH_REPORT = `SELECT a.account_name, n.rule_name, n.resource_id, n.status, c.date_from, c.compliance_score
  FROM non_compliant_resources n
  JOIN config_reports c ON n.config_report_id = c.id
  JOIN accounts a ON n.account_id = a.id
  WHERE n.account_id = :a
  ORDER BY n.rule_name, n.resource_id`;

describe('configRows', () => {
  it('counts the non-compliant rules with a result recorded in the window, per region', () => {
    const data = payload(
      {
        'us-east-1': [
          [ENCRYPTED, 'NON_COMPLIANT'],
          [IN_USE, 'NON_COMPLIANT'],
        ],
        'eu-west-1': [[IN_USE, 'COMPLIANT']],
      },
      [
        failing(ENCRYPTED, 'vol-1'),
        failing(ENCRYPTED, 'vol-2', { result_recorded_time: '2026-11-25T23:59:59.000Z' }),
        failing(IN_USE, 'vol-3', { result_recorded_time: '2026-11-24T12:00:00.000Z' }),
      ],
      [],
    );
    const rows = configRows(data, '111111111111', day1);
    expect(
      rows.reports.map((r) => [r.region, r.curr_non_compliant, r.curr_compliant, r.non_compliant_rules]),
    ).toEqual([
      ['us-east-1', 1, null, 2],
      ['eu-west-1', 0, null, 0],
    ]);
    expect(rows.reports[0]?.rules).toEqual([
      { name: ENCRYPTED, compliance: 'NON_COMPLIANT', pack: CIS },
      { name: IN_USE, compliance: 'NON_COMPLIANT', pack: null },
    ]);
    expect(rows.nonCompliant[0]).toEqual({
      account_id: '111111111111',
      ...failing(ENCRYPTED, 'vol-1'),
      report_from: '2026-11-25',
      report_to: '2026-11-26',
    });
  });
});

describe.each(databaseBackends())('config loader on $name', (backend) => {
  const db = useDatabase(backend);

  it('writes the reports, the non-compliant resources and the inventory exactly; a reload changes nothing', async () => {
    const accountId = '111111111111';
    await addAccount(db.sql, accountId);
    const data = payload(
      {
        'us-east-1': [
          [ENCRYPTED, 'NON_COMPLIANT'],
          [IN_USE, 'COMPLIANT'],
          ['rds-multi-az-support', 'INSUFFICIENT_DATA'],
        ],
      },
      [failing(ENCRYPTED, 'vol-1', { annotation: 'Volume is not encrypted.' })],
      [item('vol-1', { configuration_item_status: 'ResourceDiscovered' })],
    );
    const rows = await db.sql.transaction((tx) => configLoader.load(tx, data, context(accountId, day1)));
    expect(rows).toBe(3);

    const first = await tables(db.sql, accountId);
    const {
      id: reportId,
      created_at: _c,
      updated_at: _u,
      ...report
    } = first.reports[0] as Record<string, unknown>;
    expect(report).toEqual({
      account_id: accountId,
      region: 'us-east-1',
      date_from: '2026-11-25',
      date_to: '2026-11-26',
      compliance_score: '50.00',
      total_rules: 3,
      compliant_rules: 1,
      non_compliant_rules: 1,
      insufficient_data_rules: 1,
      curr_non_compliant: 1,
      curr_compliant: null,
      conformance_packs: [CIS],
      rules: [
        { name: ENCRYPTED, compliance: 'NON_COMPLIANT', pack: CIS },
        { name: IN_USE, compliance: 'COMPLIANT', pack: null },
        { name: 'rds-multi-az-support', compliance: 'INSUFFICIENT_DATA', pack: null },
      ],
      recorder_name: 'default',
      recorder_recording: true,
      recorder_last_status: 'SUCCESS',
      collected_at: day1,
    });
    const { id: _r, ...resource } = first.resources[0] as Record<string, unknown>;
    expect(resource).toEqual({
      account_id: accountId,
      config_report_id: reportId,
      region: 'us-east-1',
      rule_name: ENCRYPTED,
      resource_type: 'AWS::EC2::Volume',
      resource_id: 'vol-1',
      compliance_type: 'NON_COMPLIANT',
      config_rule_invoked_time: new Date('2026-11-25T11:59:30.000Z'),
      result_recorded_time: new Date('2026-11-25T12:00:00.000Z'),
      annotation: 'Volume is not encrypted.',
      evaluation_mode: 'DETECTIVE',
      conformance_pack: CIS,
      status: 'OPEN',
      first_seen: day1,
      last_seen: day1,
      removed_at: null,
      created_at: resource.created_at,
    });
    const {
      id: _i,
      created_at: _ic,
      updated_at: _iu,
      ...inventory
    } = first.inventory[0] as Record<string, unknown>;
    expect(inventory).toEqual({
      account_id: accountId,
      resource_type: 'AWS::EC2::Volume',
      resource_subtype: null,
      resource_id: 'vol-1',
      resource_name: null,
      arn: 'arn:aws:ec2:us-east-1:111111111111:volume/vol-1',
      region: 'us-east-1',
      availability_zone: 'us-east-1a',
      state: 'in-use',
      instance_type: null,
      instance_class: null,
      engine: null,
      vpc_id: null,
      size_gb: 100,
      volume_type: 'gp3',
      creation_date: new Date('2026-06-01T10:00:00.000Z'),
      multi_az: null,
      scheme: null,
      type: null,
      instance_count: null,
      min_size: null,
      max_size: null,
      available_ip_count: null,
      configuration_item_capture_time: new Date('2026-11-20T08:00:00.000Z'),
      configuration_item_status: 'ResourceDiscovered',
      first_seen: day1,
      last_seen: day1,
      removed_at: null,
    });

    await db.sql.transaction((tx) => configLoader.load(tx, data, context(accountId, day1)));
    expect(await tables(db.sql, accountId)).toEqual(first);
    expect(await db.sql.query(NON_COMPLIANT_WITH_REPORT, { a: accountId })).toEqual([
      {
        account_name: `account ${accountId}`,
        rule_name: ENCRYPTED,
        resource_id: 'vol-1',
        status: 'OPEN',
        date_from: '2026-11-25',
        compliance_score: '50.00',
      },
    ]);
  });

  it('resolves resources no longer non-compliant only in regions that succeeded, and reopens one that returns', async () => {
    const accountId = '222222222222';
    await addAccount(db.sql, accountId);
    const eu = { region: 'eu-west-1' };
    const rules = {
      'us-east-1': [[ENCRYPTED, 'NON_COMPLIANT']],
      'eu-west-1': [[IN_USE, 'NON_COMPLIANT']],
    } as Record<string, Array<[string, ConfigRule['compliance']]>>;
    await db.sql.transaction((tx) =>
      configLoader.load(
        tx,
        payload(
          rules,
          [failing(ENCRYPTED, 'vol-1'), failing(ENCRYPTED, 'vol-2'), failing(IN_USE, 'vol-9', eu)],
          [item('vol-1'), item('vol-2'), item('vol-9', eu)],
        ),
        context(accountId, day1),
      ),
    );

    // Day 2: eu-west-1 failed; in us-east-1 vol-2 was encrypted (compliant) and vol-1 replaced by vol-3.
    const nextDay = { start: '2026-11-26', end: '2026-11-27' };
    await db.sql.transaction((tx) =>
      configLoader.load(
        tx,
        payload(
          { 'us-east-1': [[ENCRYPTED, 'NON_COMPLIANT']] },
          [failing(ENCRYPTED, 'vol-3')],
          [item('vol-2'), item('vol-3')],
          nextDay,
        ),
        context(accountId, day2, ['us-east-1'], nextDay),
      ),
    );
    expect(await resourceStates(db.sql, accountId)).toEqual({
      [`us-east-1 ${ENCRYPTED} vol-1`]: ['RESOLVED', day2.toISOString()],
      [`us-east-1 ${ENCRYPTED} vol-2`]: ['RESOLVED', day2.toISOString()],
      [`us-east-1 ${ENCRYPTED} vol-3`]: ['OPEN', null],
      [`eu-west-1 ${IN_USE} vol-9`]: ['OPEN', null],
    });
    const inventory = await db.sql.query<{ resource_id: string; removed_at: Date | null }>(
      'SELECT resource_id, removed_at FROM config_inventory WHERE account_id = :a ORDER BY resource_id',
      { a: accountId },
    );
    expect(inventory).toEqual([
      { resource_id: 'vol-1', removed_at: day2 },
      { resource_id: 'vol-2', removed_at: null },
      { resource_id: 'vol-3', removed_at: null },
      { resource_id: 'vol-9', removed_at: null },
    ]);

    // Day 3, every region: vol-2 lost its encryption again, eu-west-1's vol-9 is fixed.
    const thirdDay = { start: '2026-11-27', end: '2026-11-28' };
    await db.sql.transaction((tx) =>
      configLoader.load(
        tx,
        payload(
          { 'us-east-1': [[ENCRYPTED, 'NON_COMPLIANT']], 'eu-west-1': [[IN_USE, 'COMPLIANT']] },
          [failing(ENCRYPTED, 'vol-2'), failing(ENCRYPTED, 'vol-3')],
          [item('vol-2'), item('vol-3'), item('vol-9', eu)],
          thirdDay,
        ),
        context(accountId, day3, 'all', thirdDay),
      ),
    );
    expect(await resourceStates(db.sql, accountId)).toEqual({
      [`us-east-1 ${ENCRYPTED} vol-1`]: ['RESOLVED', day2.toISOString()],
      [`us-east-1 ${ENCRYPTED} vol-2`]: ['OPEN', null],
      [`us-east-1 ${ENCRYPTED} vol-3`]: ['OPEN', null],
      [`eu-west-1 ${IN_USE} vol-9`]: ['RESOLVED', day3.toISOString()],
    });
    const [vol2] = await db.sql.query<{ first_seen: Date; config_report_id: number; date_from: string }>(
      `SELECT n.first_seen, n.config_report_id, c.date_from FROM non_compliant_resources n
       JOIN config_reports c ON c.id = n.config_report_id WHERE n.account_id = :a AND n.resource_id = 'vol-2'`,
      { a: accountId },
    );
    expect(vol2).toMatchObject({ first_seen: day1, date_from: '2026-11-27' });
    expect(
      await db.sql.query(
        'SELECT region, date_from FROM config_reports WHERE account_id = :a ORDER BY date_from, region',
        {
          a: accountId,
        },
      ),
    ).toEqual([
      { region: 'eu-west-1', date_from: '2026-11-25' },
      { region: 'us-east-1', date_from: '2026-11-25' },
      { region: 'us-east-1', date_from: '2026-11-26' },
      { region: 'eu-west-1', date_from: '2026-11-27' },
      { region: 'us-east-1', date_from: '2026-11-27' },
    ]);
  });

  it("replaces a window's report by a newer collection, drops a region gone where complete, and ignores an older one", async () => {
    const accountId = '333333333333';
    await addAccount(db.sql, accountId);
    const both = payload(
      { 'us-east-1': [[ENCRYPTED, 'NON_COMPLIANT']], 'eu-west-1': [[IN_USE, 'COMPLIANT']] },
      [failing(ENCRYPTED, 'vol-1')],
      [],
    );
    await db.sql.transaction((tx) => configLoader.load(tx, both, context(accountId, day1)));

    // A rerun of the same window later: eu-west-1 failed, us-east-1 is compliant now.
    const later = new Date(day1.getTime() + 3_600_000);
    const partial = payload({ 'us-east-1': [[ENCRYPTED, 'COMPLIANT']] }, [], []);
    await db.sql.transaction((tx) =>
      configLoader.load(tx, partial, context(accountId, later, ['us-east-1'])),
    );
    const reports = () =>
      db.sql.query(
        'SELECT region, compliant_rules, collected_at FROM config_reports WHERE account_id = :a ORDER BY region',
        {
          a: accountId,
        },
      );
    expect(await reports()).toEqual([
      { region: 'eu-west-1', compliant_rules: 1, collected_at: day1 },
      { region: 'us-east-1', compliant_rules: 1, collected_at: later },
    ]);

    // The first snapshot loaded again changes nothing that the later one wrote.
    const before = await tables(db.sql, accountId);
    await db.sql.transaction((tx) => configLoader.load(tx, both, context(accountId, day1)));
    expect(await tables(db.sql, accountId)).toEqual(before);

    // A complete collection without eu-west-1 (Config switched off there) drops its report of the window.
    const later2 = new Date(day1.getTime() + 7_200_000);
    await db.sql.transaction((tx) => configLoader.load(tx, partial, context(accountId, later2)));
    expect(await reports()).toEqual([{ region: 'us-east-1', compliant_rules: 1, collected_at: later2 }]);
  });

  it('keeps daily and monthly reports of the same start apart, and accounts apart', async () => {
    const [x, y] = ['444444444444', '555555555555'];
    await addAccount(db.sql, x);
    await addAccount(db.sql, y);
    const month = { start: '2026-11-01', end: '2026-12-01' };
    const day = { start: '2026-11-01', end: '2026-11-02' };
    const data = (window: Window) =>
      payload(
        { 'us-east-1': [[IN_USE, 'NON_COMPLIANT']] },
        [failing(IN_USE, 'vol-1')],
        [item('vol-1')],
        window,
      );
    await db.sql.transaction((tx) => configLoader.load(tx, data(day), context(x, day1, 'all', day)));
    await db.sql.transaction((tx) => configLoader.load(tx, data(month), context(x, day1, 'all', month)));
    await db.sql.transaction((tx) => configLoader.load(tx, data(day), context(y, day1, 'all', day)));
    const count = async (account: string) =>
      (
        await db.sql.query('SELECT date_to FROM config_reports WHERE account_id = :a ORDER BY date_to', {
          a: account,
        })
      ).map((r) => r.date_to);
    expect(await count(x)).toEqual(['2026-11-02', '2026-12-01']);
    expect(await count(y)).toEqual(['2026-11-02']);
    expect((await tables(db.sql, y)).resources).toHaveLength(1);
    expect((await tables(db.sql, x)).resources).toHaveLength(1);
  });
});
