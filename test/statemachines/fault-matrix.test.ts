import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCollect } from '../../functions/adapters/local/pipeline.ts';
import type { FaultKind } from '../../functions/adapters/local/sample-org/organization.ts';
import { createPgliteSql } from '../../functions/adapters/sql/pglite-sql.ts';
import { REGISTRY } from '../../functions/collectors/registry.ts';
import { migrate, readSchemaFiles } from '../../functions/core/migrate.ts';
import type { Sql } from '../../functions/ports.ts';
import { testPipeline } from '../support/pipeline.ts';

/**
 * Every category against every fault class of the sample organization. `not-enabled` is SKIPPED where AWS has
 * a "not enabled" answer; for the APIs that cannot be switched off, the sample answers what AWS would answer
 * instead (an access error), and the category FAILS.
 */
const NOT_ENABLED_FAILS: Record<string, string> = {
  account: 'SourceAccessError',
  waf: 'SourceAccessError',
  'ssm-inventory': 'SourceAccessError',
  kms: 'SourceAccessError',
  cloudtrail: 'SourceAccessError',
  'secrets-manager': 'SourceAccessError',
  acm: 'SourceAccessError',
  'application-signals': 'SourceAccessError',
  'resilience-hub': 'SourceAccessError',
};

/** Two other categories run beside the faulted one: they must load whatever happens to it. */
function companions(category: string): string[] {
  return ['account', 'cost', 'service-usage'].filter((c) => c !== category).slice(0, 2);
}

/**
 * Categories built from several independent sources keep the sources that answered: a malformed response
 * from one makes them PARTIAL (with the error), not FAILED.
 */
const MALFORMED_PARTIAL = new Set(['reservations', 'resources']);

const EXPECTED: Record<FaultKind, (category: string) => { status: string; error: string | null }> = {
  throttle: () => ({ status: 'SUCCEEDED', error: null }),
  'throttle-always': () => ({ status: 'FAILED', error: 'TransientError' }),
  'access-denied': () => ({ status: 'FAILED', error: 'SourceAccessError' }),
  'not-enabled': (category) =>
    NOT_ENABLED_FAILS[category]
      ? { status: 'FAILED', error: NOT_ENABLED_FAILS[category] as string }
      : { status: 'SKIPPED', error: 'ServiceNotEnabledError' },
  malformed: (category) => ({
    status: MALFORMED_PARTIAL.has(category) ? 'PARTIAL' : 'FAILED',
    error: 'DataContractError',
  }),
  timeout: () => ({ status: 'FAILED', error: 'TransientError' }),
};

const FAULTS: FaultKind[] = ['throttle', 'access-denied', 'not-enabled', 'malformed'];

async function rowsOf(
  sql: Sql,
  tables: readonly string[],
  accountId: string,
): Promise<Record<string, unknown[]>> {
  const dump: Record<string, unknown[]> = {};
  for (const table of tables) {
    const column = table === 'accounts' ? 'id' : 'account_id';
    dump[table] = await sql.query(`SELECT * FROM ${table} WHERE ${column} = :id ORDER BY 1`, {
      id: accountId,
    });
  }
  return dump;
}

describe.each(REGISTRY.map((c) => [c.collector.id, c.collector.tables] as const))(
  'faults in %s',
  (category, tables) => {
    let sql: Sql;
    let accountId: string;

    beforeAll(async () => {
      sql = await createPgliteSql();
      await migrate(sql, await readSchemaFiles());
      const clean = testPipeline(sql);
      accountId = clean.sample.accounts[3]?.id as string;
      // A complete earlier day, so "nothing half-written" compares against real rows.
      await runCollect(
        clean.deps,
        {
          accountId,
          period: 'DAILY',
          date: '2026-11-20',
          runId: `r-${category}-base`,
          categories: [category, ...companions(category)],
        },
        { retryIntervalMs: 0 },
      );
    }, 60_000);
    afterAll(async () => sql.close());

    it.each(FAULTS.map((fault, i) => [fault, `2026-11-2${i + 1}`] as const))(
      `%s: ${category} is recorded as expected, the others load, nothing of it is half-written`,
      async (fault, date) => {
        const before = await rowsOf(sql, tables, accountId);
        const faulty = testPipeline(sql, {
          faults: [{ category, kind: fault }],
          now: new Date('2026-11-26T08:00:00Z'),
        });
        const runId = `r-${category}-${fault}`;

        const result = await runCollect(
          faulty.deps,
          { accountId, period: 'DAILY', date, runId, categories: [category, ...companions(category)] },
          { retryIntervalMs: 0 },
        );

        expect(result.status).toBe('SUCCEEDED');
        const rows = await sql.query<{
          category: string;
          phase: string;
          status: string;
          error_name: string | null;
          attempt: number;
        }>(`SELECT category, phase, status, error_name, attempt FROM run_categories WHERE run_id = :run_id`, {
          run_id: runId,
        });
        const expected = EXPECTED[fault](category);
        const collect = rows.find((r) => r.category === category && r.phase === 'collect');
        expect(collect).toMatchObject({ status: expected.status, error_name: expected.error });
        if (fault === 'throttle') expect(collect?.attempt).toBe(2);
        expect(rows.filter((r) => r.category !== category)).toHaveLength(4);
        for (const row of rows.filter((r) => r.category !== category)) {
          expect(['SUCCEEDED', 'SKIPPED', 'PARTIAL'], `${row.category} ${row.phase}`).toContain(row.status);
        }
        if (expected.status !== 'SUCCEEDED') {
          expect(await rowsOf(sql, tables, accountId)).toEqual(before);
          expect(faulty.blobs.objects.has(`data/${accountId}/${date}_DAILY.json`)).toBe(
            expected.status === 'FAILED',
          );
        }
      },
    );
  },
);
