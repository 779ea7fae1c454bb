import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { createClientFactory } from '../../functions/adapters/aws/clients.ts';
import { createOrganizationDirectory } from '../../functions/adapters/aws/organization-directory.ts';
import type { PipelineDeps } from '../../functions/adapters/local/pipeline.ts';
import { createSampleOrganization } from '../../functions/adapters/local/sample-org/index.ts';
import type { Fault, SampleOrganization } from '../../functions/adapters/local/sample-org/organization.ts';
import { managementCostExplorer } from '../../functions/cli/local-environment.ts';
import { CATEGORY_IDS } from '../../functions/collectors/registry.ts';
import type { DeadLetter, Sql } from '../../functions/ports.ts';
import { silentLog } from './collect-context.ts';
import { MemoryBlobStore } from './memory-blob-store.ts';

export const TEST_REGIONS = ['us-east-1', 'eu-west-1'];

export interface TestPipeline {
  readonly deps: PipelineDeps;
  readonly blobs: MemoryBlobStore;
  readonly letters: DeadLetter[];
  readonly sample: SampleOrganization;
  readonly metrics: Array<{ category: string; values: Record<string, number> }>;
}

/** The pipeline's real use cases over the sample organization, an in-memory bucket and a real database. */
export function testPipeline(
  sql: Sql,
  options: {
    faults?: readonly Fault[];
    accounts?: number;
    now?: Date;
    costExplorer?: 'organization' | 'per-account';
  } = {},
): TestPipeline {
  const now = options.now ?? new Date('2026-11-26T06:00:00Z');
  const clock = { now: () => now };
  const sample = createSampleOrganization({
    accounts: options.accounts ?? 6,
    regions: TEST_REGIONS,
    faults: options.faults ?? [],
    clock,
  });
  const blobs = new MemoryBlobStore();
  const letters: DeadLetter[] = [];
  const metrics: Array<{ category: string; values: Record<string, number> }> = [];
  const clientOptions = sample.clientOptions();
  const management = sample.accounts[0]?.id as string;
  const directory = createOrganizationDirectory(
    createClientFactory(
      clientOptions,
      { accountId: management, category: 'discovery', runId: 'discovery' },
      {
        apiCalls: 0,
        throttled: 0,
      },
    ).client(OrganizationsClient, 'us-east-1'),
  );
  return {
    blobs,
    letters,
    sample,
    metrics,
    deps: {
      blobs,
      sql,
      clock,
      log: silentLog,
      metrics: { record: (category, values) => metrics.push({ category, values: { ...values } }) },
      deadLetters: { send: async (letter) => void letters.push(letter) },
      homeRegion: 'us-east-1',
      regions: TEST_REGIONS,
      enabledCategories: CATEGORY_IDS,
      costExplorerPrefetch: options.costExplorer !== 'per-account',
      clientsFor: (scope, stats, prefetched) => createClientFactory(clientOptions, scope, stats, prefetched),
      orchestration: {
        accounts: { source: 'organization', organizationalUnits: [], include: [], exclude: [] },
        directory,
        maxConcurrency: 4,
        toleratedFailurePercentage: 100,
        directoryCacheMs: 0,
        ...(options.costExplorer === 'per-account'
          ? {}
          : { managementCostExplorer: managementCostExplorer(clientOptions, management) }),
      },
    },
  };
}

/** Every row of the data tables a category writes, for before/after comparisons. */
export async function dumpTables(sql: Sql, tables: readonly string[]): Promise<Record<string, unknown[]>> {
  const dump: Record<string, unknown[]> = {};
  for (const table of tables) dump[table] = await sql.query(`SELECT * FROM ${table} ORDER BY 1`);
  return dump;
}
