import { describe, expect, it } from 'vitest';
import { runOrchestrate } from '../../functions/adapters/local/pipeline.ts';
import { parseFaults } from '../../functions/adapters/local/sample-org/organization.ts';
import { runRerunsLocally } from '../../functions/cli/rerun-executor.ts';
import { CATEGORY_IDS } from '../../functions/collectors/registry.ts';
import { windowSlices } from '../../functions/core/ledger.ts';
import { planReruns } from '../../functions/core/reruns.ts';
import type { Sql } from '../../functions/ports.ts';
import { databaseBackends, useDatabase } from '../support/database.ts';
import { testPipeline } from '../support/pipeline.ts';

const DAY = '2026-11-25';
const ACCOUNTS = 3;
const quiet = { write() {}, error() {}, isTTY: false };

/**
 * Every data table's rows, without what differs between two runs of the same data by construction: serial ids
 * and the columns pointing at them, run ids, and columns the server's clock fills (updated_at).
 */
async function dataTables(sql: Sql): Promise<Record<string, string[]>> {
  const columns = await sql.query<{
    table_name: string;
    column_name: string;
    data_type: string;
    column_default: string | null;
  }>(
    `SELECT c.table_name, c.column_name, c.data_type, c.column_default
     FROM information_schema.columns c JOIN information_schema.tables t
       ON t.table_schema = c.table_schema AND t.table_name = c.table_name
     WHERE c.table_schema = 'public' AND t.table_type = 'BASE TABLE'
       AND c.table_name NOT IN ('runs', 'run_categories', 'schema_migrations', 'schema_views')
     ORDER BY c.table_name, c.ordinal_position`,
  );
  const byTable = new Map<string, string[]>();
  for (const c of columns) {
    const serialLike = c.column_name === 'id' || (c.column_name.endsWith('_id') && c.data_type === 'integer');
    const serverClock = /now\(\)|current_timestamp/i.test(c.column_default ?? '');
    if (serialLike || serverClock || c.column_name === 'run_id') continue;
    byTable.set(c.table_name, [...(byTable.get(c.table_name) ?? []), c.column_name]);
  }
  const dump: Record<string, string[]> = {};
  for (const [table, names] of byTable) {
    const rows = await sql.query<{ row: string }>(
      `SELECT CAST(json_build_array(${names.join(', ')}) AS text) AS row FROM ${table}`,
    );
    dump[table] = rows.map((r) => r.row).sort();
  }
  return dump;
}

describe.each(databaseBackends())('rerun of a run on $name', (backend) => {
  const faulty = useDatabase(backend);
  const clean = useDatabase(backend);

  it('reruns exactly the failed slices, completes the ledger, and leaves the tables of a clean run', async () => {
    const broken = testPipeline(faulty.sql, {
      accounts: ACCOUNTS,
      faults: parseFaults('cost=access-denied,kms=throttle-always', CATEGORY_IDS),
    });
    const first = await runOrchestrate(broken.deps, { runId: 'r-faulty', date: DAY }, { retryIntervalMs: 0 });
    expect(first.status).toBe('FAILED');

    const plan = await planReruns(faulty.sql, 'r-faulty');
    const accounts = broken.sample.accounts.map((a) => a.id).sort();
    expect(plan?.reruns).toEqual(
      accounts.map((accountId) => ({
        accountId,
        stateMachine: 'collect',
        categories: ['cost', 'kms'],
        input: { accountId, period: 'DAILY', date: DAY, categories: ['cost', 'kms'], trigger: 'rerun' },
      })),
    );

    // The same organization and clock without the faults, writing to the same bucket and database.
    const fixed = testPipeline(faulty.sql, { accounts: ACCOUNTS });
    const outcomes = await runRerunsLocally(
      { ...broken.deps, clientsFor: fixed.deps.clientsFor },
      plan?.reruns ?? [],
      { output: quiet, title: 'rerun', json: true, retryIntervalMs: 0 },
    );
    expect(outcomes.map((o) => o.status)).toEqual(accounts.map(() => 'SUCCEEDED'));
    expect((await planReruns(faulty.sql, 'r-faulty'))?.reruns).toEqual([]);
    const slices = await windowSlices(faulty.sql, { period: 'DAILY', start: DAY });
    expect(slices.filter((s) => !['SUCCEEDED', 'SKIPPED'].includes(s.status))).toEqual([]);
    expect(new Set(slices.map((s) => `${s.account_id} ${s.category}`)).size).toBe(
      ACCOUNTS * CATEGORY_IDS.length,
    );
    // Every snapshot is complete now: none left waiting in data/.
    expect((await broken.blobs.list('data/')).length).toBe(0);

    const reference = testPipeline(clean.sql, { accounts: ACCOUNTS });
    const cleanRun = await runOrchestrate(
      reference.deps,
      { runId: 'r-clean', date: DAY },
      { retryIntervalMs: 0 },
    );
    expect(cleanRun.status).toBe('SUCCEEDED');
    const [after, expected] = [await dataTables(faulty.sql), await dataTables(clean.sql)];
    expect(Object.keys(after).length).toBeGreaterThan(30);
    for (const table of Object.keys(expected))
      expect({ table, rows: after[table] }).toEqual({ table, rows: expected[table] });
  }, 300_000);
});
