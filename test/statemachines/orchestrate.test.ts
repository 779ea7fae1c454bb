import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { describe, expect, it } from 'vitest';
import { createClientFactory } from '../../functions/adapters/aws/clients.ts';
import { createOrganizationDirectory } from '../../functions/adapters/aws/organization-directory.ts';
import { runOrchestrate } from '../../functions/adapters/local/pipeline.ts';
import {
  sampleAccountParent,
  sampleAccountState,
} from '../../functions/adapters/local/sample-org/services/organizations.ts';
import {
  ITEM_READER_SUFFIX,
  LOCAL_SUBSTITUTIONS,
  loadDefinition,
  withLocalItemReaders,
} from '../../functions/adapters/local/state-machine-runner.ts';
import { discoverAccounts, type PlannedAccount } from '../../functions/core/discover-accounts.ts';
import { readStateMachine, substitute } from '../../functions/platform/state-machines.ts';
import { silentLog } from '../support/collect-context.ts';
import { databaseBackends, useDatabase } from '../support/database.ts';
import { MemoryBlobStore } from '../support/memory-blob-store.ts';
import { testPipeline } from '../support/pipeline.ts';

describe('the local runner and Distributed Map item readers', () => {
  it('supplies the ItemReader the interpreter lacks: a Task reading the same S3 object before the Map', async () => {
    const original = loadDefinition(
      substitute(await readStateMachine('orchestrate'), LOCAL_SUBSTITUTIONS),
      'orchestrate',
    );
    const { definition, readers } = withLocalItemReaders(original);
    expect(readers).toEqual([`ProcessAccounts${ITEM_READER_SUFFIX}`]);
    const states = definition.States as unknown as Record<string, Record<string, unknown>>;
    expect(states.PrefetchCostExplorer?.Next).toBe(`ProcessAccounts${ITEM_READER_SUFFIX}`);
    expect((states.PrefetchCostExplorer?.Catch as Array<{ Next: string }> | undefined)?.[0]?.Next).toBe(
      `ProcessAccounts${ITEM_READER_SUFFIX}`,
    );
    expect(states[`ProcessAccounts${ITEM_READER_SUFFIX}`]).toMatchObject({
      Type: 'Task',
      Resource: 'arn:aws:states:::s3:getObject',
      Parameters: { Bucket: 'a360-local', 'Key.$': '$.accountsKey' },
      Next: 'ProcessAccounts',
    });
    expect(states.ProcessAccounts?.ItemReader).toBeUndefined();
    expect(
      (original.States as unknown as Record<string, Record<string, unknown>>).ProcessAccounts?.ItemReader,
    ).toBeDefined();
  });
});

describe('discoverAccounts against the sample organization', () => {
  const pipeline = testPipeline(undefined as never, { accounts: 30 });
  const management = pipeline.sample.accounts[0]?.id as string;
  const directory = createOrganizationDirectory(
    createClientFactory(
      pipeline.sample.clientOptions(),
      { accountId: management, category: 'discovery', runId: 'd' },
      {
        apiCalls: 0,
        throttled: 0,
      },
    ).client(OrganizationsClient, 'us-east-1'),
  );
  const deps = (accounts: Parameters<typeof discoverAccounts>[0]['accounts']) => ({
    blobs: new MemoryBlobStore(),
    clock: { now: () => new Date('2026-11-26T06:00:00Z') },
    log: silentLog,
    accounts,
    directory,
    enabledCategories: ['cost'],
    maxConcurrency: 5,
    toleratedFailurePercentage: 10,
  });

  it('lists ACTIVE accounts of the organization through every page, and writes them for the Distributed Map', async () => {
    const d = deps({ source: 'organization', organizationalUnits: [], include: [], exclude: [] });
    const plan = await discoverAccounts(d, { period: 'DAILY', date: '2026-11-20' });
    const active = pipeline.sample.accounts
      .filter((a) => sampleAccountState(a) === 'ACTIVE')
      .map((a) => a.id)
      .sort();
    expect(active.length).toBeLessThan(30);
    expect(plan).toMatchObject({
      accountCount: active.length,
      date: '2026-11-20',
      categories: ['cost'],
      maxConcurrency: 5,
    });
    const items = JSON.parse((await d.blobs.get(plan.accountsKey)) as string) as Array<{ accountId: string }>;
    expect(items.map((i) => i.accountId)).toEqual(active);
  });

  it('limits to OUs (recursively), adds included accounts and drops excluded ones', async () => {
    const production = pipeline.sample.accounts.filter((a) => sampleAccountParent(a) === 'ou-a360-prd00001');
    const management = pipeline.sample.accounts[0]?.id as string;
    const excluded = production[0]?.id as string;
    const d = deps({
      source: 'organization',
      organizationalUnits: ['ou-a360-wkl00001'],
      include: [management],
      exclude: [excluded],
    });
    const plan = await discoverAccounts(d, {});
    const items = JSON.parse((await d.blobs.get(plan.accountsKey)) as string) as Array<{ accountId: string }>;
    const ids = items.map((i) => i.accountId);
    expect(ids).toContain(management);
    expect(ids).not.toContain(excluded);
    for (const account of production.slice(1)) expect(ids).toContain(account.id);
    for (const id of ids.filter((id) => id !== management)) {
      const account = pipeline.sample.accounts.find((a) => a.id === id);
      expect(['ou-a360-prd00001', 'ou-a360-npd00001']).toContain(sampleAccountParent(account as never));
    }
  });

  it("gives each account its products, from the configuration and the account's a360:product tag, reading tags once", async () => {
    const workload = pipeline.sample.accounts.find(
      (a) => a.product !== null && sampleAccountState(a) === 'ACTIVE',
    );
    if (!workload?.product) throw new Error('the sample organization has no active workload account');
    let tagReads = 0;
    const d = {
      ...deps({ source: 'organization', organizationalUnits: [], include: [], exclude: [] }),
      directory: {
        list: directory.list,
        tags: (id: string) => {
          tagReads += 1;
          return directory.tags(id);
        },
      },
      products: { [workload.product]: [workload.id], finance: [management] },
    };
    const plan = await discoverAccounts(d, {});
    const items = JSON.parse((await d.blobs.get(plan.accountsKey)) as string) as PlannedAccount[];
    expect(items.find((i) => i.accountId === workload.id)?.products).toEqual([
      { name: workload.product, source: 'config+tag' },
    ]);
    expect(items.find((i) => i.accountId === management)?.products).toEqual([
      { name: 'finance', source: 'config' },
    ]);
    const shared = pipeline.sample.accounts.find((a) => a.name === 'shared-services');
    expect(items.find((i) => i.accountId === shared?.id)?.products).toEqual([
      { name: 'platform', source: 'tag' },
    ]);
    expect(tagReads).toBe(items.length);
    await discoverAccounts(d, {});
    expect(tagReads).toBe(items.length);
  });

  it('refuses an empty account source', async () => {
    const d = deps({
      source: 'organization',
      organizationalUnits: [],
      include: [],
      exclude: pipeline.sample.accounts.map((a) => a.id),
    });
    await expect(discoverAccounts(d, {})).rejects.toThrow(/no accounts to collect/);
  });
});

describe.each(databaseBackends())('orchestrate on $name', (backend) => {
  const db = useDatabase(backend);

  it('discovers, collects and loads every account through child executions, and settles the run', async () => {
    const pipeline = testPipeline(db.sql, { accounts: 4 });
    const execution = await runOrchestrate(
      pipeline.deps,
      { runId: 'r-orchestrate', date: '2026-11-20', categories: ['cost', 'account'] },
      { retryIntervalMs: 0 },
    );
    expect(execution).toMatchObject({
      status: 'SUCCEEDED',
      output: { status: 'SUCCEEDED', accounts: 4, failedSlices: 0 },
    });
    const [run] = await db.sql.query(`SELECT status FROM runs WHERE run_id = 'r-orchestrate'`);
    expect(run?.status).toBe('SUCCEEDED');
    const loaded = await pipeline.blobs.list('loaded/');
    expect(loaded).toHaveLength(4);
  });

  it("asks the management account's Cost Explorer once for everyone, and counts Cost Explorer requests in the ledger", async () => {
    const categories = ['cost', 'service-usage', 'marketplace'];
    const costExplorerCalls = async (runId: string) => {
      const slices = await db.sql.query<{ category: string; calls: number }>(
        `SELECT category, sum(cost_explorer_calls)::int AS calls FROM run_categories
         WHERE run_id = :run_id AND phase = 'collect' GROUP BY category ORDER BY category`,
        { run_id: runId },
      );
      const [run] = await db.sql.query<{ calls: number }>(
        `SELECT cost_explorer_calls AS calls FROM runs WHERE run_id = :run_id`,
        { run_id: runId },
      );
      return { slices: Object.fromEntries(slices.map((r) => [r.category, r.calls])), run: run?.calls };
    };
    const costs = () =>
      db.sql.query(
        `SELECT account_id, current_period_cost, previous_period_cost FROM cost_reports
         WHERE period_start = '2026-11-18' ORDER BY account_id`,
      );

    const perAccount = testPipeline(db.sql, { accounts: 4, costExplorer: 'per-account' });
    await runOrchestrate(
      perAccount.deps,
      { runId: 'r-ce-own', date: '2026-11-18', categories },
      { retryIntervalMs: 0 },
    );
    const own = await costExplorerCalls('r-ce-own');
    const ownCosts = await costs();

    const organization = testPipeline(db.sql, { accounts: 4 });
    const execution = await runOrchestrate(
      organization.deps,
      { runId: 'r-ce-org', date: '2026-11-18', categories },
      { retryIntervalMs: 0 },
    );
    expect(execution.status).toBe('SUCCEEDED');
    const org = await costExplorerCalls('r-ce-org');
    expect(own.run).toBe(0);
    expect(own.slices.cost).toBeGreaterThanOrEqual(8);
    expect(org.run).toBeGreaterThan(0);
    // Cost and Marketplace are answered from the organization's requests (a DAILY run leaves the forecast to
    // the MONTHLY one); four accounts ask for service usage themselves, as that is fewer requests.
    expect(org.slices).toEqual({ cost: 0, marketplace: 0, 'service-usage': own.slices['service-usage'] });
    expect((org.run ?? 0) + 0).toBeLessThan((own.slices.cost ?? 0) + (own.slices.marketplace ?? 0));
    // The same figures either way.
    expect(await costs()).toEqual(ownCosts);
    expect(ownCosts).toHaveLength(4);
  });

  it('goes on past accounts with failed categories and ends red, naming them', async () => {
    const pipeline = testPipeline(db.sql, {
      accounts: 3,
      faults: [{ category: 'cost', kind: 'access-denied' }],
    });
    const execution = await runOrchestrate(
      pipeline.deps,
      { runId: 'r-orchestrate-red', date: '2026-11-21', categories: ['cost', 'account'] },
      { retryIntervalMs: 0 },
    );
    expect(execution).toMatchObject({ status: 'FAILED', error: { name: 'RunIncomplete' } });
    expect(execution.error?.cause).toMatch(/3 accounts, 3 account x category slices failed/);
    const rows = await db.sql.query(
      `SELECT category, status FROM run_categories WHERE run_id = 'r-orchestrate-red' AND phase = 'load'`,
    );
    expect(rows.filter((r) => r.category === 'account').every((r) => r.status === 'SUCCEEDED')).toBe(true);
    expect(rows.filter((r) => r.category === 'account')).toHaveLength(3);
  });

  it('records an account whose collect execution failed as a whole, instead of reporting success without it', async () => {
    const pipeline = testPipeline(db.sql, { accounts: 3 });
    const broken = pipeline.sample.accounts[1]?.id as string;
    const blobs = pipeline.deps.blobs;
    // The merge of one account cannot write its snapshot: that account's collect execution fails.
    const failingBlobs = {
      ...blobs,
      location: blobs.location,
      get: (key: string) => blobs.get(key),
      list: (prefix: string) => blobs.list(prefix),
      move: (from: string, to: string) => blobs.move(from, to),
      delete: (key: string) => blobs.delete(key),
      put: async (key: string, body: string, contentType?: string) => {
        if (key.startsWith(`data/${broken}/`)) throw new Error('the bucket refused the snapshot');
        return blobs.put(key, body, contentType);
      },
    };
    const execution = await runOrchestrate(
      { ...pipeline.deps, blobs: failingBlobs },
      { runId: 'r-orchestrate-lost', date: '2026-11-22', categories: ['account'] },
      { retryIntervalMs: 0 },
    );
    expect(execution).toMatchObject({ status: 'FAILED', error: { name: 'RunIncomplete' } });
    // Locally the Map runs inline and stops at the first failed item (AWS would tolerate up to
    // ToleratedFailurePercentage); either way every account that did not reach the ledger is named.
    expect(execution.error?.cause).toMatch(new RegExp(`\\d not processed \\([^)]*${broken}`));
    const rows = await db.sql.query(
      `SELECT status, error_name FROM run_categories WHERE run_id = 'r-orchestrate-lost' AND account_id = :id`,
      { id: broken },
    );
    expect(rows).toEqual([{ status: 'FAILED', error_name: expect.any(String) }]);
    const [run] = await db.sql.query(`SELECT status FROM runs WHERE run_id = 'r-orchestrate-lost'`);
    expect(['PARTIAL', 'FAILED']).toContain(run?.status);
    const letter = pipeline.letters.find((l) => l.accountId === broken);
    expect(letter?.rerun).toEqual({
      stateMachine: 'collect',
      input: {
        accountId: broken,
        period: 'DAILY',
        date: '2026-11-22',
        categories: ['account'],
        trigger: 'rerun',
      },
    });
  });
});
