import { describe, expect, it } from 'vitest';
import { runCollect, runLoad } from '../../functions/adapters/local/pipeline.ts';
import {
  type InterpreterEvent,
  runStateMachine,
} from '../../functions/adapters/local/state-machine-runner.ts';
import { CATEGORY_IDS, REGISTRY } from '../../functions/collectors/registry.ts';
import { windowSlices } from '../../functions/core/ledger.ts';
import type { MergeOutput } from '../../functions/core/merge-snapshot.ts';
import { ConfigError } from '../../functions/platform/errors.ts';
import type { Snapshot } from '../../functions/snapshot/snapshot.ts';
import { databaseBackends, useDatabase } from '../support/database.ts';
import { dumpTables, testPipeline } from '../support/pipeline.ts';

const daily = (date: string) => ({ period: 'DAILY' as const, date });
const DATA_TABLES = [...new Set(REGISTRY.flatMap((c) => c.collector.tables))];

function collectEvents(): {
  events: Array<{ machine: string; event: InterpreterEvent }>;
  onEvent: (m: 'collect' | 'load' | 'orchestrate', e: InterpreterEvent) => void;
} {
  const events: Array<{ machine: string; event: InterpreterEvent }> = [];
  return { events, onEvent: (machine, event) => events.push({ machine, event }) };
}

const stateName = (event: InterpreterEvent) => (event as { state?: { name: string } }).state?.name;

describe.each(databaseBackends())('collect and load state machines on $name', (backend) => {
  const db = useDatabase(backend);

  it('collects every category in parallel, merges the snapshot and loads it completely', async () => {
    const pipeline = testPipeline(db.sql);
    const accountId = pipeline.sample.accounts[5]?.id as string;
    const { events, onEvent } = collectEvents();

    const collect = await runCollect(
      pipeline.deps,
      { accountId, ...daily('2026-11-20'), runId: 'r-happy' },
      { onEvent, retryIntervalMs: 0 },
    );

    expect(collect.status).toBe('SUCCEEDED');
    expect(collect.loads).toHaveLength(1);
    expect(collect.loads[0]?.status).toBe('SUCCEEDED');
    const iterations = events.filter(
      (e) => e.machine === 'collect' && e.event.type === 'MapIterationStarted',
    );
    expect(iterations).toHaveLength(CATEGORY_IDS.length);
    const key = `data/${accountId}/2026-11-20_DAILY.json`;
    expect(await pipeline.blobs.get(key)).toBeUndefined();
    const loaded = JSON.parse(
      (await pipeline.blobs.get(`loaded/${accountId}/2026-11-20_DAILY.json`)) as string,
    ) as Snapshot;
    expect(Object.keys(loaded.categories).sort()).toEqual([...CATEGORY_IDS].sort());
    expect(await pipeline.blobs.list('staging/')).toEqual([]);
    const slices = await windowSlices(db.sql, { period: 'DAILY', start: '2026-11-20' }, accountId);
    expect(slices).toHaveLength(CATEGORY_IDS.length * 2);
    for (const slice of slices) expect(['SUCCEEDED', 'SKIPPED']).toContain(slice.status);
    const [run] = await db.sql.query(`SELECT status FROM runs WHERE run_id = 'r-happy'`);
    expect(run?.status).toBe('SUCCEEDED');
    expect(pipeline.letters).toEqual([]);
  });

  it('loads the same snapshot a second time without changing any table', async () => {
    const pipeline = testPipeline(db.sql);
    const accountId = pipeline.sample.accounts[4]?.id as string;
    const collect = await runCollect(
      pipeline.deps,
      { accountId, ...daily('2026-11-21'), runId: 'r-reload', load: false },
      { retryIntervalMs: 0 },
    );
    const merged = collect.output as MergeOutput;
    expect(
      (await runLoad(pipeline.deps, { snapshotKey: merged.snapshotKey }, { retryIntervalMs: 0 })).status,
    ).toBe('SUCCEEDED');
    const before = await dumpTables(db.sql, DATA_TABLES);

    const again = await runLoad(pipeline.deps, { snapshotKey: merged.snapshotKey }, { retryIntervalMs: 0 });

    expect(again.status).toBe('SUCCEEDED');
    expect(await dumpTables(db.sql, DATA_TABLES)).toEqual(before);
  });

  it('retries a throttled category in the state machine until it succeeds, counting the retries', async () => {
    const pipeline = testPipeline(db.sql, { faults: [{ category: 'cost', kind: 'throttle' }] });
    const accountId = pipeline.sample.accounts[3]?.id as string;
    const { events, onEvent } = collectEvents();

    const collect = await runCollect(
      pipeline.deps,
      { accountId, ...daily('2026-11-20'), runId: 'r-throttle' },
      { onEvent, retryIntervalMs: 0 },
    );

    expect(collect.loads[0]?.status).toBe('SUCCEEDED');
    const retried = events.filter(
      (e) => e.event.type === 'StateRetried' && stateName(e.event) === 'CollectCategory',
    );
    expect(
      retried.map(
        (e) => (e.event as unknown as { state: { input: { category: string } } }).state.input.category,
      ),
    ).toEqual(['cost']);
    const [cost] = await db.sql.query(
      `SELECT status, attempt, throttled, api_calls FROM run_categories WHERE run_id = 'r-throttle' AND category = 'cost' AND phase = 'collect'`,
    );
    expect(cost?.status).toBe('SUCCEEDED');
    expect(cost?.attempt).toBe(2);
    expect(cost?.throttled).toBeGreaterThanOrEqual(3);
    expect(cost?.api_calls).toBeGreaterThan(cost?.throttled as number);
  });

  it('records one failing category, loads the others, keeps the snapshot pending, and a rerun completes it', async () => {
    const failing = testPipeline(db.sql, { faults: [{ category: 'cost', kind: 'access-denied' }] });
    const accountId = failing.sample.accounts[2]?.id as string;

    const collect = await runCollect(
      failing.deps,
      { accountId, ...daily('2026-11-20'), runId: 'r-denied' },
      { retryIntervalMs: 0 },
    );

    expect(collect.status).toBe('SUCCEEDED');
    expect(collect.loads[0]).toMatchObject({ status: 'FAILED', error: { name: 'CategoriesFailed' } });
    expect(collect.loads[0]?.error?.cause).toMatch(
      /cost collect: SourceAccessError: .*AccessDeniedException/,
    );
    const rows = await db.sql.query(
      `SELECT category, phase, status, error_name, error_message FROM run_categories WHERE run_id = 'r-denied' ORDER BY category, phase`,
    );
    const cost = rows.filter((r) => r.category === 'cost');
    expect(cost).toEqual([
      expect.objectContaining({ phase: 'collect', status: 'FAILED', error_name: 'SourceAccessError' }),
    ]);
    expect(cost[0]?.error_message).toMatch(/CostExplorer\.Get\w+ \(us-east-1\): AccessDeniedException/);
    for (const row of rows.filter((r) => r.category !== 'cost'))
      expect(['SUCCEEDED', 'SKIPPED']).toContain(row.status);
    const key = `data/${accountId}/2026-11-20_DAILY.json`;
    expect(await failing.blobs.get(key)).toBeDefined();
    expect(failing.letters).toHaveLength(1);
    const letter = failing.letters[0];
    expect(letter).toMatchObject({
      accountId,
      category: 'cost',
      phase: 'collect',
      error: { name: 'SourceAccessError' },
      rerun: {
        stateMachine: 'collect',
        input: { accountId, period: 'DAILY', date: '2026-11-20', categories: ['cost'] },
      },
    });

    const healthy = testPipeline(db.sql, { now: new Date('2026-11-26T07:00:00Z') });
    for (const [k, v] of failing.blobs.objects) healthy.blobs.objects.set(k, v);
    const rerun = await runCollect(
      healthy.deps,
      { ...letter?.rerun.input, runId: 'r-denied-rerun' },
      { retryIntervalMs: 0 },
    );

    expect(rerun.loads[0]?.status).toBe('SUCCEEDED');
    expect(await healthy.blobs.get(key)).toBeUndefined();
    const snapshot = JSON.parse(
      (await healthy.blobs.get(`loaded/${accountId}/2026-11-20_DAILY.json`)) as string,
    ) as Snapshot;
    expect(Object.keys(snapshot.categories).sort()).toEqual([...CATEGORY_IDS].sort());
    expect(snapshot.categories.cost?.run_id).toBe('r-denied-rerun');
    const window = await windowSlices(db.sql, { period: 'DAILY', start: '2026-11-20' }, accountId);
    expect(window.filter((s) => s.status === 'FAILED')).toEqual([]);
    const [run] = await db.sql.query(`SELECT status FROM runs WHERE run_id = 'r-denied'`);
    expect(run?.status).toBe('PARTIAL');
  });

  it('rejects an invalid category in a snapshot naming the field, and still loads the others', async () => {
    const pipeline = testPipeline(db.sql);
    const accountId = pipeline.sample.accounts[1]?.id as string;
    const collect = await runCollect(
      pipeline.deps,
      { accountId, ...daily('2026-11-19'), runId: 'r-invalid', load: false },
      { retryIntervalMs: 0 },
    );
    const key = (collect.output as MergeOutput).snapshotKey;
    const snapshot = JSON.parse((await pipeline.blobs.get(key)) as string) as Snapshot;
    (snapshot.data.cost as Record<string, unknown>).current_period_cost = 'a lot';
    await pipeline.blobs.put(key, JSON.stringify(snapshot));

    const load = await runLoad(pipeline.deps, { snapshotKey: key }, { retryIntervalMs: 0 });

    expect(load).toMatchObject({ status: 'FAILED', error: { name: 'CategoriesFailed' } });
    const rows = await db.sql.query(
      `SELECT category, status, error_name, error_message FROM run_categories WHERE run_id = 'r-invalid' AND phase = 'load'`,
    );
    const cost = rows.find((r) => r.category === 'cost');
    expect(cost).toMatchObject({ status: 'FAILED', error_name: 'DataContractError' });
    expect(cost?.error_message).toContain('data.cost.current_period_cost');
    expect(
      rows
        .filter((r) => r.category !== 'cost')
        .every((r) => ['SUCCEEDED', 'SKIPPED'].includes(r.status as string)),
    ).toBe(true);
    const [reports] = await db.sql.query(
      `SELECT count(*) AS n FROM cost_reports WHERE account_id = :id AND period_start = '2026-11-19'`,
      { id: accountId },
    );
    expect(reports?.n).toBe(0);
    expect(await pipeline.blobs.get(key)).toBeDefined();
    expect(pipeline.letters.map((l) => [l.category, l.phase, l.rerun.stateMachine])).toEqual([
      ['cost', 'load', 'load'],
    ]);
  });

  it('rejects bad input: an invalid account id fails collect, a snapshot under another account key is rejected', async () => {
    const pipeline = testPipeline(db.sql);
    const bad = await runCollect(
      pipeline.deps,
      { accountId: 'not-an-account', period: 'DAILY' },
      { retryIntervalMs: 0 },
    );
    expect(bad).toMatchObject({ status: 'FAILED', error: { name: 'InvalidInputError' } });
    expect(bad.error?.cause).toContain('accountId');

    const accountId = pipeline.sample.accounts[0]?.id as string;
    const collect = await runCollect(
      pipeline.deps,
      { accountId, ...daily('2026-11-18'), load: false, categories: ['cost'] },
      { retryIntervalMs: 0 },
    );
    const body = (await pipeline.blobs.get((collect.output as MergeOutput).snapshotKey)) as string;
    const forged = 'data/999999999999/2026-11-18_DAILY.json';
    await pipeline.blobs.put(forged, body);

    const rejected = await runLoad(pipeline.deps, { snapshotKey: forged }, { retryIntervalMs: 0 });

    expect(rejected).toMatchObject({ status: 'FAILED', error: { name: 'SnapshotRejected' } });
    expect(rejected.error?.cause).toMatch(/holds account \d{12}, but its key names account 999999999999/);
    expect(pipeline.letters).toEqual([
      expect.objectContaining({
        category: '*',
        snapshotKey: forged,
        error: expect.objectContaining({ name: 'DataContractError' }),
      }),
    ]);
    const [count] = await db.sql.query(`SELECT count(*) AS n FROM accounts WHERE id = '999999999999'`);
    expect(count?.n).toBe(0);
  });

  it('gives up on a category that keeps timing out, as FAILED after the state machine retries', async () => {
    const pipeline = testPipeline(db.sql, { faults: [{ category: 'cost', kind: 'timeout' }] });
    const accountId = pipeline.sample.accounts[0]?.id as string;
    const collect = await runCollect(
      pipeline.deps,
      { accountId, ...daily('2026-11-17'), runId: 'r-timeout', categories: ['cost'] },
      { retryIntervalMs: 0 },
    );
    expect(collect.loads[0]?.status).toBe('FAILED');
    const [row] = await db.sql.query(
      `SELECT status, attempt, error_name, error_message FROM run_categories WHERE run_id = 'r-timeout'`,
    );
    expect(row).toMatchObject({ status: 'FAILED', attempt: 3, error_name: 'TransientError' });
    expect(row?.error_message).toMatch(/TimeoutError/);
  });
});

describe('the local runner', () => {
  it('refuses to run a Task state that has no local handler instead of calling AWS', async () => {
    await expect(runStateMachine({ name: 'load', input: {}, handlers: {} })).rejects.toBeInstanceOf(
      ConfigError,
    );
    await expect(runStateMachine({ name: 'load', input: {}, handlers: {} })).rejects.toThrow(/PrepareLoad/);
  });
});
