import { describe, expect, it } from 'vitest';
import { type CloudtrailTrail, cloudtrailPayloadSchema } from '../../../functions/collectors/cloudtrail.ts';
import { cloudtrailLoader, cloudtrailRows } from '../../../functions/loaders/cloudtrail.ts';
import type { LoadContext } from '../../../functions/loaders/types.ts';
import type { Sql } from '../../../functions/ports.ts';
import { databaseBackends, useDatabase } from '../../support/database.ts';

const day1 = new Date('2026-11-26T06:00:00Z');
const day2 = new Date('2026-11-27T06:00:00Z');
const day3 = new Date('2026-11-28T06:00:00Z');
const window = { period: 'DAILY' as const, start: '2026-11-25', end: '2026-11-26' };
const nextWindow = { period: 'DAILY' as const, start: '2026-11-26', end: '2026-11-27' };
const MANAGEMENT = '999999999999';
const ORG = `arn:aws:cloudtrail:us-east-1:${MANAGEMENT}:trail/org-trail`;

function context(
  accountId: string,
  seenAt: Date,
  completeRegions: LoadContext['completeRegions'] = 'all',
  at = window,
): LoadContext {
  return { accountId, window: at, runId: 'r-test', seenAt, completeRegions };
}

function trail(accountId: string, name: string, overrides: Partial<CloudtrailTrail> = {}): CloudtrailTrail {
  const region = overrides.region ?? 'us-east-1';
  return {
    name,
    arn: `arn:aws:cloudtrail:${region}:${accountId}:trail/${name}`,
    region,
    home_region: region,
    is_logging: true,
    is_multi_region: false,
    include_global_events: false,
    is_organization_trail: false,
    s3_bucket: `${name}-logs`,
    kms_key_id: null,
    log_file_validation: true,
    management_events: true,
    data_events: false,
    recent_events_count: 120,
    recent_events_count_capped: false,
    latest_delivery_time: '2026-11-26T05:55:00.000Z',
    latest_delivery_error: null,
    start_logging_time: '2025-01-01T00:00:00.000Z',
    stop_logging_time: null,
    ...overrides,
  };
}

const orgTrail = (overrides: Partial<CloudtrailTrail> = {}) =>
  trail(MANAGEMENT, 'org-trail', {
    arn: ORG,
    is_multi_region: true,
    include_global_events: true,
    is_organization_trail: true,
    recent_events_count: 1000,
    recent_events_count_capped: true,
    kms_key_id: `arn:aws:kms:us-east-1:${MANAGEMENT}:key/11111111-2222-3333-4444-555555555555`,
    ...overrides,
  });

const payload = (trails: CloudtrailTrail[]) => cloudtrailPayloadSchema.parse({ cloudtrail: trails });

async function addAccount(sql: Sql, id: string) {
  await sql.execute('INSERT INTO accounts (id, account_name) VALUES (:id, :name)', {
    id,
    name: `account ${id}`,
  });
}

const table = (sql: Sql, accountId: string) =>
  sql.query('SELECT * FROM cloudtrail_logs WHERE account_id = :a ORDER BY id', { a: accountId });

const states = async (sql: Sql, accountId: string) =>
  Object.fromEntries(
    (
      await sql.query<{ name: string; removed_at: Date | null; last_seen: Date; is_logging: boolean }>(
        'SELECT name, removed_at, last_seen, is_logging FROM cloudtrail_logs WHERE account_id = :a',
        { a: accountId },
      )
    ).map((r) => [r.name, [r.is_logging, r.removed_at?.toISOString() ?? null, r.last_seen.toISOString()]]),
  );

describe('cloudtrailRows', () => {
  it('maps each trail to a row with the window its event count covers', () => {
    const rows = cloudtrailRows(payload([orgTrail()]), '111111111111', window);
    expect(rows).toEqual([
      {
        account_id: '111111111111',
        ...orgTrail(),
        events_window_start: '2026-11-25',
        events_window_end: '2026-11-26',
      },
    ]);
  });
});

describe.each(databaseBackends())('cloudtrail loader on $name', (backend) => {
  const db = useDatabase(backend);

  it('writes every trail exactly, and a reload changes nothing', async () => {
    const accountId = '111111111111';
    await addAccount(db.sql, accountId);
    const data = payload([
      orgTrail(),
      trail(accountId, 'shop-data-events', {
        region: 'eu-west-1',
        home_region: 'eu-west-1',
        arn: `arn:aws:cloudtrail:eu-west-1:${accountId}:trail/shop-data-events`,
        management_events: false,
        data_events: true,
        recent_events_count: null,
      }),
      trail(accountId, 'legacy', {
        is_logging: false,
        latest_delivery_error: 'NoSuchBucket',
        stop_logging_time: '2025-03-01T10:05:00.000Z',
      }),
    ]);
    const rows = await db.sql.transaction((tx) => cloudtrailLoader.load(tx, data, context(accountId, day1)));
    expect(rows).toBe(3);

    const first = await table(db.sql, accountId);
    expect(first).toHaveLength(3);
    const { id: _id, created_at: _c, updated_at: _u, ...org } = first[0] as Record<string, unknown>;
    expect(org).toEqual({
      account_id: accountId,
      name: 'org-trail',
      arn: ORG,
      region: 'us-east-1',
      home_region: 'us-east-1',
      is_logging: true,
      is_multi_region: true,
      include_global_events: true,
      is_organization_trail: true,
      s3_bucket: 'org-trail-logs',
      kms_key_id: `arn:aws:kms:us-east-1:${MANAGEMENT}:key/11111111-2222-3333-4444-555555555555`,
      log_file_validation: true,
      management_events: true,
      data_events: false,
      recent_events_count: 1000,
      recent_events_count_capped: true,
      events_window_start: '2026-11-25',
      events_window_end: '2026-11-26',
      latest_delivery_time: new Date('2026-11-26T05:55:00.000Z'),
      latest_delivery_error: null,
      start_logging_time: new Date('2025-01-01T00:00:00.000Z'),
      stop_logging_time: null,
      first_seen: day1,
      last_seen: day1,
      removed_at: null,
    });
    expect(first[1]).toMatchObject({ region: 'eu-west-1', recent_events_count: null, data_events: true });
    expect(first[2]).toMatchObject({
      is_logging: false,
      latest_delivery_error: 'NoSuchBucket',
      stop_logging_time: new Date('2025-03-01T10:05:00.000Z'),
    });

    await db.sql.transaction((tx) => cloudtrailLoader.load(tx, data, context(accountId, day1)));
    expect(await table(db.sql, accountId)).toEqual(first);
  });

  it('marks trails not seen as removed only in regions that succeeded, and brings one back', async () => {
    const accountId = '222222222222';
    await addAccount(db.sql, accountId);
    const eu = (name: string) =>
      trail(accountId, name, {
        region: 'eu-west-1',
        home_region: 'eu-west-1',
        arn: `arn:aws:cloudtrail:eu-west-1:${accountId}:trail/${name}`,
      });
    await db.sql.transaction((tx) =>
      cloudtrailLoader.load(
        tx,
        payload([orgTrail(), trail(accountId, 'ci-audit-1'), eu('forensics-1')]),
        context(accountId, day1),
      ),
    );

    // Day 2: eu-west-1 failed; in us-east-1 the CI trail was replaced and the legacy trail stopped logging.
    await db.sql.transaction((tx) =>
      cloudtrailLoader.load(
        tx,
        payload([
          orgTrail({ recent_events_count: 800, recent_events_count_capped: false }),
          trail(accountId, 'ci-audit-2'),
        ]),
        context(accountId, day2, ['us-east-1'], nextWindow),
      ),
    );
    expect(await states(db.sql, accountId)).toEqual({
      'org-trail': [true, null, day2.toISOString()],
      'ci-audit-1': [true, day2.toISOString(), day1.toISOString()],
      'ci-audit-2': [true, null, day2.toISOString()],
      'forensics-1': [true, null, day1.toISOString()],
    });
    const [org] = await db.sql.query<{ recent_events_count: number; events_window_start: string }>(
      'SELECT recent_events_count, events_window_start FROM cloudtrail_logs WHERE account_id = :a AND arn = :arn',
      { a: accountId, arn: ORG },
    );
    expect(org).toEqual({ recent_events_count: 800, events_window_start: '2026-11-26' });

    // Day 3, every region: forensics-1 is gone, ci-audit-1 is back.
    await db.sql.transaction((tx) =>
      cloudtrailLoader.load(
        tx,
        payload([orgTrail(), trail(accountId, 'ci-audit-1'), trail(accountId, 'ci-audit-2')]),
        context(accountId, day3),
      ),
    );
    expect(await states(db.sql, accountId)).toEqual({
      'org-trail': [true, null, day3.toISOString()],
      'ci-audit-1': [true, null, day3.toISOString()],
      'ci-audit-2': [true, null, day3.toISOString()],
      'forensics-1': [true, day3.toISOString(), day1.toISOString()],
    });
  });

  it('leaves newer rows alone when an older snapshot is loaded again', async () => {
    const accountId = '333333333333';
    await addAccount(db.sql, accountId);
    const older = payload([orgTrail(), trail(accountId, 'legacy')]);
    await db.sql.transaction((tx) => cloudtrailLoader.load(tx, older, context(accountId, day1)));
    await db.sql.transaction((tx) =>
      cloudtrailLoader.load(tx, payload([orgTrail({ is_logging: false })]), context(accountId, day2)),
    );
    const newer = await table(db.sql, accountId);
    await db.sql.transaction((tx) => cloudtrailLoader.load(tx, older, context(accountId, day1)));
    expect(await table(db.sql, accountId)).toEqual(newer);
    expect(newer.map((r) => [r.name, r.is_logging, r.removed_at])).toEqual([
      ['org-trail', false, null],
      ['legacy', true, day2],
    ]);
  });

  it('keeps accounts apart: the organization trail is one row in each account that sees it', async () => {
    const [x, y] = ['444444444444', '555555555555'];
    await addAccount(db.sql, x);
    await addAccount(db.sql, y);
    await db.sql.transaction((tx) => cloudtrailLoader.load(tx, payload([orgTrail()]), context(x, day1)));
    await db.sql.transaction((tx) => cloudtrailLoader.load(tx, payload([orgTrail()]), context(y, day1)));
    await db.sql.transaction((tx) => cloudtrailLoader.load(tx, payload([]), context(x, day2)));
    expect(await states(db.sql, x)).toEqual({ 'org-trail': [true, day2.toISOString(), day1.toISOString()] });
    expect(await states(db.sql, y)).toEqual({ 'org-trail': [true, null, day1.toISOString()] });
  });
});
