import { beforeAll, describe, expect, it } from 'vitest';
import { runOrchestrate } from '../../functions/adapters/local/pipeline.ts';
import type { HealthEvent } from '../../functions/collectors/health.ts';
import type { SupportCase } from '../../functions/collectors/support-cases.ts';
import { healthLoader } from '../../functions/loaders/health.ts';
import { supportCasesLoader } from '../../functions/loaders/support-cases.ts';
import type { LoadContext } from '../../functions/loaders/types.ts';
import { addDays } from '../../functions/platform/period.ts';
import type { Sql, SqlRow } from '../../functions/ports.ts';
import { databaseBackends, useDatabase } from '../support/database.ts';
import { testPipeline } from '../support/pipeline.ts';

/**
 * History: period facts are kept per window, current-state tables keep first_seen / last_seen / removed_at.
 * Loading an older window after a newer one must add the older window's period facts and leave the newer
 * current state as it was. Two ways an older window arrives late: its snapshot was collected back then and is
 * loaded now (a sender's late file, a rerun of an old load), or it is collected now (a backfill).
 */

const NEWER_DAY = '2026-11-24';
const OLDER_DAY = addDays(NEWER_DAY, -3);
const ACCOUNTS = 4;
const at = (day: string, time = '06:00:00') => new Date(`${day}T${time}Z`);

/** Current-state tables (first_seen, last_seen, removed_at) and the category that loads each. */
const TRACKED = [
  'findings',
  'guard_duty_findings',
  'inspector_findings',
  'kms_keys',
  'waf_rules',
  'waf_rules_detailed',
  'cloudtrail_logs',
  'secrets_manager_secrets',
  'certificates',
  'non_compliant_resources',
  'config_inventory',
  'inventory_instances',
  'inventory_applications',
  'inventory_patches',
  'service_resources',
  'compute_optimizer',
  'trusted_advisor_checks',
  'health_events',
  'application_signals',
  'resilience_hub_apps',
  'support_tickets',
  'ri_sp_reservations',
] as const;

/** Current-state tables without markers: replaced by each collection of the account. */
const REPLACED = ['accounts', 'contact_info', 'alternate_contacts', 'security'] as const;

/** Period facts and the column holding the start of their window. */
const PERIOD_FACTS = [
  ['cost_reports', 'period_start'],
  ['services', 'date_from'],
  ['config_reports', 'date_from'],
  ['marketplace_usage', 'period_start'],
  ['ri_sp_daily_savings', 'date_from'],
] as const;

type Dump = Record<string, Map<string, SqlRow>>;

async function dump(sql: Sql): Promise<Dump> {
  const tables: Dump = {};
  for (const table of [...TRACKED, ...REPLACED, ...PERIOD_FACTS.map(([t]) => t)]) {
    const rows = await sql.query(`SELECT * FROM ${table}`);
    tables[table] = new Map(rows.map((row) => [String(row.id), row]));
  }
  return tables;
}

async function orchestrate(sql: Sql, now: Date, runId: string, date: string): Promise<void> {
  const pipeline = testPipeline(sql, { accounts: ACCOUNTS, now });
  const execution = await runOrchestrate(pipeline.deps, { runId, date }, { retryIntervalMs: 0 });
  expect(execution.status).toBe('SUCCEEDED');
}

const time = (value: unknown) => (value === null ? null : new Date(value as string | Date).getTime());

/** A row's values apart from first_seen, comparable across reads. */
function values(row: SqlRow): string {
  const { first_seen: _firstSeen, ...rest } = row;
  return JSON.stringify(rest);
}

/** The rows present after the newer load kept every value; first_seen may only move earlier. */
function expectNewerRowsKept(before: Map<string, SqlRow>, after: Map<string, SqlRow>) {
  const changed: string[] = [];
  for (const [id, row] of before) {
    const now = after.get(id);
    if (!now) changed.push(`${id} deleted`);
    else if (values(now) !== values(row)) changed.push(`${id}: ${values(row)} -> ${values(now)}`);
    else if ('first_seen' in row && (time(now.first_seen) as number) > (time(row.first_seen) as number))
      changed.push(`${id}: first_seen moved later`);
  }
  expect(changed.slice(0, 3)).toEqual([]);
}

/** Rows of the current-state tables that the second load added. */
function onlyOlder(before: Dump, after: Dump): Array<{ table: string; row: SqlRow }> {
  return TRACKED.flatMap((table) =>
    [...(after[table]?.entries() ?? [])]
      .filter(([id]) => !before[table]?.has(id))
      .map(([, row]) => ({ table, row })),
  );
}

describe.each(databaseBackends())('history on $name', (backend) => {
  describe('an older window whose snapshot was collected back then, loaded after a newer one', () => {
    const db = useDatabase(backend);
    const newerSeen = at(addDays(NEWER_DAY, 1));
    const olderSeen = at(addDays(OLDER_DAY, 1));
    let before: Dump;
    let after: Dump;

    beforeAll(async () => {
      await orchestrate(db.sql, newerSeen, 'r-newer', NEWER_DAY);
      before = await dump(db.sql);
      await orchestrate(db.sql, olderSeen, 'r-older', OLDER_DAY);
      after = await dump(db.sql);
    }, 300_000);

    it.each(TRACKED)('%s: the newer rows keep their values, last_seen and removed_at', (table) => {
      expect(before[table]?.size).toBeGreaterThan(0);
      expectNewerRowsKept(before[table] as Map<string, SqlRow>, after[table] as Map<string, SqlRow>);
    });

    it('exercised the case: the older collection saw rows the newer one did not', () => {
      expect(onlyOlder(before, after).length).toBeGreaterThan(0);
    });

    // The older load inserts rows only it saw; the newer collection, loaded before it, did not see them, so they
    // are removed as of that newer collection (markRemovedByLaterCollections).
    it('marks the rows only the older collection saw as removed as of the newer one', () => {
      const wrong = onlyOlder(before, after).filter(
        ({ row }) =>
          time(row.last_seen) !== olderSeen.getTime() ||
          row.removed_at === null ||
          (time(row.removed_at) as number) > newerSeen.getTime(),
      );
      expect(wrong.map(({ table, row }) => `${table} ${row.id}`).slice(0, 5)).toEqual([]);
    });

    it.each(REPLACED)('%s: the newer collection’s rows stay as they were', (table) => {
      expect(after[table]).toEqual(before[table]);
    });

    it.each(PERIOD_FACTS)(
      '%s: the older window’s facts are added, the newer window’s kept',
      (table, start) => {
        expectNewerRowsKept(before[table] as Map<string, SqlRow>, after[table] as Map<string, SqlRow>);
        const starts = (rows: Map<string, SqlRow> | undefined) =>
          new Set(
            [...(rows?.values() ?? [])].map((r) => new Date(r[start] as string).toISOString().slice(0, 10)),
          );
        expect(starts(before[table]).has(OLDER_DAY)).toBe(false);
        expect(starts(after[table]).has(OLDER_DAY)).toBe(true);
        expect(starts(after[table]).has(NEWER_DAY)).toBe(true);
      },
    );
  });

  describe('an older window backfilled now, after the newer one', () => {
    const db = useDatabase(backend);
    let before: Dump;
    let after: Dump;

    beforeAll(async () => {
      await orchestrate(db.sql, at(addDays(NEWER_DAY, 1)), 'r-newer', NEWER_DAY);
      before = await dump(db.sql);
      await orchestrate(db.sql, at(addDays(NEWER_DAY, 1), '06:30:00'), 'r-backfill', OLDER_DAY);
      after = await dump(db.sql);
    }, 300_000);

    it('keeps the Security Hub summary of the newer window', () => {
      const windows = (rows: Map<string, SqlRow> | undefined) =>
        [...(rows?.values() ?? [])].map((r) => new Date(r.window_start as string).toISOString().slice(0, 10));
      expect(new Set(windows(before.security))).toEqual(new Set([NEWER_DAY]));
      expect(new Set(windows(after.security))).toEqual(new Set([NEWER_DAY]));
    });

    it('keeps the CloudTrail event counts of the newer window', () => {
      const windows = [...(after.cloudtrail_logs?.values() ?? [])].map((r) =>
        new Date(r.events_window_start as string).toISOString().slice(0, 10),
      );
      expect(windows.length).toBeGreaterThan(0);
      expect(new Set(windows)).toEqual(new Set([NEWER_DAY]));
    });

    it('adds the older window’s period facts', () => {
      for (const [table, start] of PERIOD_FACTS) {
        const starts = new Set(
          [...(after[table]?.values() ?? [])].map((r) =>
            new Date(r[start] as string).toISOString().slice(0, 10),
          ),
        );
        expect(starts.has(OLDER_DAY), table).toBe(true);
        expect(starts.has(NEWER_DAY), table).toBe(true);
      }
    });
  });

  describe('window-bound collections of an older window, loaded after a newer one', () => {
    const db = useDatabase(backend);
    const accountId = '222222222222';
    const newer = new Date('2026-11-25T06:00:00Z');
    const backfill = new Date('2026-11-25T07:00:00Z');
    const context = (start: string, seenAt: Date): LoadContext => ({
      accountId,
      window: { period: 'DAILY', start, end: addDays(start, 1) },
      runId: 'r-history',
      seenAt,
      completeRegions: 'all',
    });

    beforeAll(async () => {
      await db.sql.execute(`INSERT INTO accounts (id, account_name) VALUES (:id, 'history')`, {
        id: accountId,
      });
    });

    it('health: a backfill does not remove a closed event the newer window saw updated', async () => {
      const event: HealthEvent = {
        arn: 'arn:aws:health:us-east-1::event/EC2/AWS_EC2_OPERATIONAL_ISSUE/AWS_EC2_OPERATIONAL_ISSUE_H1',
        service: 'EC2',
        event_type_code: 'AWS_EC2_OPERATIONAL_ISSUE',
        event_type_category: 'issue',
        region: 'us-east-1',
        availability_zone: null,
        start_time: '2026-11-24T10:00:00.000Z',
        end_time: '2026-11-24T12:00:00.000Z',
        last_updated_time: '2026-11-24T12:00:00.000Z',
        status_code: 'closed',
        event_scope_code: 'PUBLIC',
        affected_entities_count: 0,
        affected_entities: [],
      };
      await db.sql.transaction((tx) => healthLoader.load(tx, { events: [event] }, context(NEWER_DAY, newer)));
      // The backfill of an older window lists the events open now and those updated in its window: not this one.
      await db.sql.transaction((tx) => healthLoader.load(tx, { events: [] }, context(OLDER_DAY, backfill)));
      const rows = await db.sql.query(
        'SELECT removed_at, last_seen FROM health_events WHERE account_id = :id',
        {
          id: accountId,
        },
      );
      expect(rows.map((r) => [r.removed_at, time(r.last_seen)])).toEqual([[null, newer.getTime()]]);
      // A collection of a later window that does not list it any more removes it.
      await db.sql.transaction((tx) =>
        healthLoader.load(
          tx,
          { events: [] },
          context(addDays(NEWER_DAY, 1), new Date('2026-11-26T06:00:00Z')),
        ),
      );
      const [later] = await db.sql.query('SELECT removed_at FROM health_events WHERE account_id = :id', {
        id: accountId,
      });
      expect(later?.removed_at).not.toBeNull();
    });

    it('support cases: a backfill does not remove a case created after its 90 days', async () => {
      const supportCase: SupportCase = {
        case_id: `case-${accountId}-muen-2026-0000000000000001`,
        display_id: '1742859201',
        subject: 'Raise the On-Demand Standard instances vCPU quota',
        status: 'resolved',
        severity_code: 'low',
        service_code: 'service-limit-increase',
        category_code: 'ec2-instances',
        time_created: '2026-11-23T08:15:30.120Z',
        submitted_by: null,
        language: 'en',
        last_communication_time: '2026-11-24T10:00:00.000Z',
      };
      const range = (start: string) => ({ date_from: addDays(start, -89), date_to: addDays(start, 1) });
      await db.sql.transaction((tx) =>
        supportCasesLoader.load(tx, { ...range(NEWER_DAY), cases: [supportCase] }, context(NEWER_DAY, newer)),
      );
      await db.sql.transaction((tx) =>
        supportCasesLoader.load(tx, { ...range(OLDER_DAY), cases: [] }, context(OLDER_DAY, backfill)),
      );
      const rows = await db.sql.query(
        'SELECT removed_at, CAST(date_to AS text) AS date_to FROM support_tickets WHERE account_id = :id',
        { id: accountId },
      );
      expect(rows).toEqual([{ removed_at: null, date_to: addDays(NEWER_DAY, 1) }]);
    });
  });
});
